/* The check runner: collects each check's notes and prints its TAP line and the totals. */
#include "guest/kernel/tap.h"

#include <stdarg.h>
#include <stddef.h>

#include "guest/kernel/console.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"

#define NOTES_SIZE 1024
#define SKIP_SIZE 128

struct check_ctx {
	char notes[NOTES_SIZE];		/* lines separated by '\n' */
	size_t notes_len;
	char skip[SKIP_SIZE];
};

static void vnote(struct check_ctx *ctx, const char *fmt, va_list ap)
{
	size_t room = sizeof(ctx->notes) - ctx->notes_len;
	int n;

	if (room < 2)
		return;
	n = vsnprintf(ctx->notes + ctx->notes_len, room - 1, fmt, ap);
	ctx->notes_len += (size_t)n < room - 2 ? (size_t)n : room - 2;
	ctx->notes[ctx->notes_len++] = '\n';
	ctx->notes[ctx->notes_len] = '\0';
}

void check_note(struct check_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(ctx, fmt, ap);
	va_end(ap);
}

enum check_status check_fail(struct check_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(ctx, fmt, ap);
	va_end(ap);
	return CHECK_FAIL;
}

enum check_status check_skip(struct check_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->skip, sizeof(ctx->skip), fmt, ap);
	va_end(ap);
	return CHECK_SKIP;
}

static void print_notes(const char *notes)
{
	while (*notes) {
		const char *nl = strchr(notes, '\n');

		kprintf("# %.*s\n", (int)(nl - notes), notes);
		notes = nl + 1;
	}
}

unsigned int tap_run(const struct check *list, unsigned int n)
{
	static struct check_ctx ctx;	/* not on the stack: checks run one at a time, on the BSP */
	unsigned int failed = 0;

	for (unsigned int i = 0; i < n; i++) {
		enum check_status st;

		ctx.notes_len = 0;
		ctx.notes[0] = ctx.skip[0] = '\0';
		st = list[i].run(&ctx);
		if (st == CHECK_SKIP)
			kprintf("ok %u - %s # SKIP %s\n", i + 1, list[i].name, ctx.skip);
		else
			kprintf("%s %u - %s\n", st == CHECK_PASS ? "ok" : "not ok", i + 1, list[i].name);
		print_notes(ctx.notes);
		failed += st == CHECK_FAIL;
	}
	kprintf("1..%u\n", n);
	kprintf("guest: %u passed, %u failed\n", n - failed, failed);
	return failed;
}
