/* User-mode checks: loading programs, killing the ones that misbehave (one-line report), I/O privilege. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/frame.h"
#include "guest/arch/x86/pte.h"
#include "guest/arch/x86/umode.h"
#include "guest/arch/x86/traps.h"
#include "guest/arch/x86/ioapic.h"
#include "guest/kernel/check_util.h"
#include "guest/kernel/machine.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"
#include "guest/kernel/task.h"
#include "guest/mm/frame.h"
#include "guest/user/abi.h"
#include "guest/user/progs.h"

#define IO_PORT 0x61			/* port B: harmless to read */

/* Two runs of one program: each finds .data as linked and .bss zero, whatever the previous one wrote. */
enum check_status check_user_elf_load(struct check_ctx *ctx)
{
	for (int i = 0; i < 2; i++) {
		struct task *t = run_task(ctx, "sys", last_cpu(), SYS_T_ELF, 0, 0, 0);

		if (expect_exit(ctx, t, 0) != CHECK_PASS)
			return check_fail(ctx, "run %d found its image changed (exit 1: .bss, 2: .data)", i + 1);
	}
	return CHECK_PASS;
}

static enum check_status killed_by(struct check_ctx *ctx, int mode, uint64_t vector, uint64_t err, uint64_t cr2)
{
	uint64_t free0 = frame_free_count();
	struct task *t = run_task(ctx, "fault", last_cpu(), (uint64_t)mode, IO_PORT, 0, 0);
	enum check_status st = expect_killed(ctx, t, vector, err, cr2);

	/* Killed tasks give everything back. */
	if (st == CHECK_PASS && frame_free_count() != free0)
		return check_fail(ctx, "%ld frames not given back", (long)(free0 - frame_free_count()));
	return st;
}

enum check_status check_user_kill_privileged(struct check_ctx *ctx)
{
	return killed_by(ctx, FAULT_HLT, 13, 0, ANY);
}

enum check_status check_user_kill_null(struct check_ctx *ctx)
{
	return killed_by(ctx, FAULT_NULL, 14, PF_ERR_U, 0);
}

enum check_status check_user_kill_divide(struct check_ctx *ctx)
{
	return killed_by(ctx, FAULT_DIVIDE, 0, 0, ANY);
}

enum check_status check_user_kill_invalid_opcode(struct check_ctx *ctx)
{
	return killed_by(ctx, FAULT_UD2, 6, 0, ANY);
}

/* Running off the bottom of its 64 KiB stack hits the unmapped page below: #PF, write, not present. */
enum check_status check_user_kill_stack_overflow(struct check_ctx *ctx)
{
	return killed_by(ctx, FAULT_STACK_OVERFLOW, 14, PF_ERR_W | PF_ERR_U, ANY);
}

/*
 * A task with TASK_CAP_DEVICE maps the I/O APIC's page (uncached) and reads the same version
 * register the kernel reads: MMIO from ring 3. Without the capability the map is refused (-EPERM).
 */
enum check_status check_user_map_device(struct check_ctx *ctx)
{
	uint32_t version = ioapic_version();
	struct task *t = run_task(ctx, "device", last_cpu(), machine.ioapic_base, 0, 0, TASK_CAP_DEVICE);
	char want[32];

	if (!t)
		return CHECK_FAIL;
	snprintf(want, sizeof(want), "version=%#x", version);
	check_note(ctx, "with TASK_CAP_DEVICE the task read \"%s\"; the kernel reads %#x", t->out, version);
	if (strcmp(t->out, want)) {
		task_reap(t);
		return check_fail(ctx, "the task did not read what the kernel reads");
	}
	if (expect_exit(ctx, t, 0) != CHECK_PASS)
		return CHECK_FAIL;
	t = run_task(ctx, "device", last_cpu(), machine.ioapic_base, 0, 0, 0);
	if (t && strcmp(t->out, "map: -1")) {
		check_note(ctx, "without TASK_CAP_DEVICE: %s", t->out);
		task_reap(t);
		return check_fail(ctx, "the map was not refused with -EPERM");
	}
	return expect_exit(ctx, t, 1);
}

/*
 * in from ring 3 is a #GP without IOPL 3. A task given TASK_CAP_IO runs with IOPL 3 in its RFLAGS
 * and may use ports - unless the host drops IOPL on the way to ring 3 (kvm_pvm does: the boot probe
 * saw it), in which case the #GP is what must happen.
 */
enum check_status check_user_io_privilege(struct check_ctx *ctx)
{
	enum check_status st = killed_by(ctx, FAULT_IO, 13, 0, ANY);
	struct task *t;

	if (st != CHECK_PASS)
		return check_fail(ctx, "without TASK_CAP_IO: not the #GP wanted");
	t = run_task(ctx, "fault", last_cpu(), FAULT_IO, IO_PORT, 0, TASK_CAP_IO);
	if (!t)
		return CHECK_FAIL;
	if (!umode_result.iopl_kept) {
		check_note(ctx, "with TASK_CAP_IO: the host drops IOPL in ring 3 (boot probe), so a #GP is right");
		return expect_killed(ctx, t, 13, 0, ANY);
	}
	if (t->out_len)
		check_note(ctx, "with TASK_CAP_IO: %s", t->out);
	return expect_exit(ctx, t, 0);
}
