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

static unsigned int verbosity;

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

void check_detail(struct check_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!verbosity)
		return;
	va_start(ap, fmt);
	vnote(ctx, fmt, ap);
	va_end(ap);
}

unsigned int check_verbosity(void)
{
	return verbosity;
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

#define NAME_MAX 64

/*
 * Does word @w (@len bytes) pick @name? A name "area: check" (the gpu: and input: checks) is
 * matched as "area:check", the command line having no spaces; its area ends at the colon.
 */
static bool word_picks(const char *w, size_t len, const char *name_in)
{
	char name[NAME_MAX];
	const char *slash;
	size_t n = 0;

	for (const char *p = name_in; *p && n < sizeof(name) - 1; p++)
		if (!(*p == ' ' && p > name_in && p[-1] == ':'))
			name[n++] = *p;
	name[n] = '\0';
	slash = strchr(name, '/');
	if (!slash)
		slash = strchr(name, ':');

	if (len && w[len - 1] == '*')
		return !strncmp(name, w, len - 1);
	if (strlen(name) == len && !strncmp(name, w, len))
		return true;
	return slash && (size_t)(slash - name) == len && !strncmp(name, w, len);
}

bool tap_selected(const char *selection, const char *name)
{
	const char *p = selection;

	if (!*p || !strcmp(p, "all"))
		return true;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (word_picks(p, len, name))
			return true;
		p += len + (comma != NULL);
	}
	return false;
}

/* Report the words of @selection that pick none of the checks; returns how many. */
static unsigned int unknown_words(const struct check *list, unsigned int n, const char *selection)
{
	const char *p = selection;
	unsigned int bad = 0;

	if (!strcmp(p, "all"))
		return 0;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		bool used = false;

		for (unsigned int i = 0; i < n && !used; i++)
			used = word_picks(p, len, list[i].name);
		if (!used && len) {
			kprintf("guest: tests=%.*s selects no check\n", (int)len, p);
			bad++;
		}
		p += len + (comma != NULL);
	}
	return bad;
}

unsigned int tap_run(const struct check *list, unsigned int n, const char *selection, unsigned int verbose)
{
	static struct check_ctx ctx;	/* not on the stack: checks run one at a time, on the BSP */
	unsigned int bad_words = unknown_words(list, n, selection), failed = 0, run = 0;

	verbosity = verbose;
	for (unsigned int i = 0; i < n; i++) {
		enum check_status st;

		if (!tap_selected(selection, list[i].name))
			continue;
		run++;
		ctx.notes_len = 0;
		ctx.notes[0] = ctx.skip[0] = '\0';
		st = list[i].run(&ctx);
		if (st == CHECK_SKIP)
			kprintf("ok %u - %s # SKIP %s\n", run, list[i].name, ctx.skip);
		else
			kprintf("%s %u - %s\n", st == CHECK_PASS ? "ok" : "not ok", run, list[i].name);
		print_notes(ctx.notes);
		failed += st == CHECK_FAIL;
	}
	kprintf("1..%u\n", run);
	kprintf("guest: %u passed, %u failed\n", run - failed, failed + bad_words);
	return failed + bad_words;
}
