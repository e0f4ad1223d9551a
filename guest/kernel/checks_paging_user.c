/* Paging checks through user tasks: protection faults with their error codes, and separate address spaces. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/pte.h"
#include "guest/kernel/check_util.h"
#include "guest/user/progs.h"

#define ISOLATED_TASKS 3

extern const char _text_start[];

/* A user read of a kernel page: #PF with present + user (the page is there, it is not the user's). */
enum check_status check_paging_user_kernel_access(struct check_ctx *ctx)
{
	uint64_t target = (uint64_t)(uintptr_t)_text_start;
	struct task *t = run_task(ctx, "fault", last_cpu(), FAULT_KERNEL_READ, target, 0, 0);

	return expect_killed(ctx, t, 14, PF_ERR_P | PF_ERR_U, target);
}

/* A user write to its own (read-only) text: #PF with present + write + user. */
enum check_status check_paging_user_write_ro(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "fault", last_cpu(), FAULT_WRITE_TEXT, 0, 0, 0);

	return expect_killed(ctx, t, 14, PF_ERR_P | PF_ERR_W | PF_ERR_U, ANY);
}

/* A user jump into its own stack (no-execute): #PF with present + user + instruction fetch. */
enum check_status check_paging_user_exec_nx(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "fault", last_cpu(), FAULT_EXEC_STACK, 0, 0, 0);

	return expect_killed(ctx, t, 14, PF_ERR_P | PF_ERR_U | PF_ERR_I, ANY);
}

/* Tasks of one program on one CPU, taking turns: each sees its own .data at the same address. */
enum check_status check_paging_user_isolation(struct check_ctx *ctx)
{
	struct task *t[ISOLATED_TASKS];
	enum check_status st = CHECK_PASS;

	if (!spawn_n(ctx, t, ISOLATED_TASKS, "sys", last_cpu(), SYS_T_ISOLATE, 0, 0, 0))
		return CHECK_FAIL;
	wait_n(ctx, t, ISOLATED_TASKS);
	for (unsigned int i = 0; i < ISOLATED_TASKS; i++)
		if (expect_exit(ctx, t[i], 0) != CHECK_PASS)
			st = CHECK_FAIL;
	return st;
}
