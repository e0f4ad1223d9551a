/* Collects one bench VM's protocol lines into per-path series and words the reason for every path that got no figures. */
#include "vmm/bench/collect.h"

#include <stdio.h>
#include <string.h>

#include "vmm/bench/paths.h"

void bench_collect_init(struct bench_collect *c, struct bench_series *series, struct bench_host *host,
			uint32_t asked, uint64_t iters, unsigned int reps, unsigned int round,
			const struct bench_limits *limits)
{
	memset(c, 0, sizeof(*c));
	c->series = series;
	c->host = host;
	c->limits = *limits;
	c->asked = asked;
	c->current = -1;
	c->phase = BENCH_PH_BOOT;
	c->iters = iters;
	c->reps = reps;
	c->round = round;
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		if (!(asked & (1u << p)))
			continue;
		if (round == 0) {
			memset(&series[p], 0, sizeof(series[p]));
			series[p].ring = -1;
		}
		c->base[p] = series[p].nreps;
	}
}

static void bench_bad(struct bench_collect *c, const char *what)
{
	if (c->bad++ == 0)
		snprintf(c->first_bad, sizeof(c->first_bad), "%.*s", (int)sizeof(c->first_bad) - 1, what);
}

/* Close the path in progress: figures when it has any repetition. */
static void bench_close_current(struct bench_collect *c)
{
	struct bench_series *s;

	if (c->current < 0)
		return;
	s = &c->series[c->current];
	if (s->nreps > c->base[c->current])
		s->status = BENCH_OK;
	else
		bench_series_set(s, BENCH_UNAVAILABLE, "the guest started this path and reported no repetition");
	c->finished |= 1u << c->current;
	c->current = -1;
}

static void bench_on_rep(struct bench_collect *c, const struct bench_line *l)
{
	struct bench_series *s = &c->series[l->path];

	if (l->path != c->current) {
		bench_bad(c, "a repetition of a path that is not running");
		return;
	}
	if (l->rep != s->nreps - c->base[l->path] || s->nreps >= BENCH_MAX_REPS) {
		bench_bad(c, "repetitions out of order");
		return;
	}
	s->reps[s->nreps++] =
		(struct bench_rep){ .iters = l->iters, .cycles = l->cycles, .ns = l->ns, .round = c->round };
	c->phase = BENCH_PH_RUN;
}

static void bench_on_event(struct bench_collect *c, const struct bench_line *l)
{
	bool asked = l->path >= 0 && (c->asked & (1u << l->path));

	if (l->path >= 0 && !asked) {
		bench_bad(c, "a path that was not asked for");
		return;
	}
	switch (l->ev) {
	case BENCH_EV_BEGIN:
		c->phase = BENCH_PH_RUN;
		if (c->host && l->tsc_khz) {
			c->host->guest_tsc_khz = l->tsc_khz;
			snprintf(c->host->guest_tsc_source, sizeof(c->host->guest_tsc_source), "%s", l->tsc_source);
		}
		break;
	case BENCH_EV_START:
		bench_close_current(c);
		c->current = l->path;
		c->series[l->path].ring = l->ring;
		c->phase = BENCH_PH_PROBE;
		break;
	case BENCH_EV_READY:
		if (l->path == c->current)
			c->phase = BENCH_PH_RUN;
		break;
	case BENCH_EV_REP:
		bench_on_rep(c, l);
		break;
	case BENCH_EV_UNAVAILABLE:
		bench_series_set(&c->series[l->path], BENCH_UNAVAILABLE, "%s", l->reason);
		c->series[l->path].nreps = 0;
		c->finished |= 1u << l->path;
		if (c->current == l->path)
			c->current = -1;
		c->phase = BENCH_PH_RUN;
		break;
	case BENCH_EV_END:
		bench_close_current(c);
		c->phase = BENCH_PH_END;
		break;
	default:
		break;
	}
}

bool bench_collect_line(struct bench_collect *c, const char *line, size_t len)
{
	struct bench_line l;

	if (c->echo)
		c->echo(c->echo_opaque, line, len);
	if (bench_parse_line(line, len, &l) < 0) {
		bench_bad(c, l.reason);
		return false;
	}
	if (l.ev == BENCH_EV_NONE) {
		while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		if (len > 0)
			snprintf(c->last_line, sizeof(c->last_line), "%.*s", (int)len, line);
		if (len >= 7 && !strncmp(line, "guest: ", 7))
			c->saw_guest = true;
		return false;
	}
	if (c->phase == BENCH_PH_BOOT && l.ev != BENCH_EV_BEGIN) {
		bench_bad(c, "a bench line before 'bench: begin'");
		return false;
	}
	bench_on_event(c, &l);
	return true;
}

unsigned int bench_collect_limit_ms(const struct bench_collect *c)
{
	switch (c->phase) {
	case BENCH_PH_BOOT:
		return c->limits.boot_ms;
	case BENCH_PH_PROBE:
		return c->limits.probe_ms;
	case BENCH_PH_END:
		return c->limits.end_ms;
	default:
		return c->limits.step_ms;
	}
}

/* Why the path in progress got no figures. */
static void bench_fail_current(struct bench_collect *c, const struct bench_child_result *res, const char *vmm)
{
	struct bench_series *s = &c->series[c->current];

	if (res->stop_signal)
		bench_series_set(s, BENCH_UNAVAILABLE, "interrupted by signal %d", res->stop_signal);
	else if (res->timed_out && c->phase == BENCH_PH_PROBE)
		bench_series_set(s, BENCH_UNAVAILABLE,
				 "no answer to its first operation within %u s: the vCPU hung there (%s was killed)",
				 res->limit_ms / 1000, vmm);
	else if (res->timed_out)
		bench_series_set(s, BENCH_UNAVAILABLE, "stalled after %u of %u repetitions: no line for %u s (%s was killed)",
				 s->nreps, c->reps, res->limit_ms / 1000, vmm);
	else if (res->total_out)
		bench_series_set(s, BENCH_UNAVAILABLE, "%s ran past its total time limit of %u s", vmm,
				 res->limit_ms / 1000);
	else
		bench_series_set(s, BENCH_UNAVAILABLE, "%s ended (status %d) in the middle of this path", vmm,
				 res->status);
	s->nreps = 0;
	c->finished |= 1u << c->current;
	c->current = -1;
}

uint32_t bench_collect_finish(struct bench_collect *c, const struct bench_child_result *res, const char *vmm)
{
	uint32_t left;
	char why[BENCH_REASON_MAX];

	if (c->current >= 0 && c->phase == BENCH_PH_END)
		bench_close_current(c);
	if (c->current >= 0)
		bench_fail_current(c, res, vmm);
	left = c->asked & ~c->finished;
	if (!left)
		return 0;
	if (res->stop_signal)
		snprintf(why, sizeof(why), "interrupted by signal %d", res->stop_signal);
	else if (c->phase != BENCH_PH_BOOT && (res->timed_out || res->total_out) && (c->finished & c->asked))
		return left;	/* killed over another path: these never started; run them in a fresh VM */
	else if (c->phase != BENCH_PH_BOOT && (res->timed_out || res->total_out))
		snprintf(why, sizeof(why), "%s went silent for %u s after 'bench: begin' (it was killed)", vmm,
			 res->limit_ms / 1000);
	else if (c->phase == BENCH_PH_BOOT && (res->timed_out || res->total_out))
		snprintf(why, sizeof(why), "%s printed no 'bench: begin' within %u s (it was killed)", vmm,
			 res->limit_ms / 1000);
	else if (c->phase == BENCH_PH_BOOT && c->saw_guest && res->status >= 0 && (res->status & 1) && res->status < 128)
		snprintf(why, sizeof(why), "the guest printed no 'bench: begin' and left (status %d): it has no bench mode",
			 res->status);
	else if (c->phase == BENCH_PH_BOOT)
		snprintf(why, sizeof(why), "%s ended with status %d before 'bench: begin'%s%.*s%s", vmm, res->status,
			 c->last_line[0] ? " (its last words: \"" : "", 100, c->last_line, c->last_line[0] ? "\")" : "");
	else
		snprintf(why, sizeof(why), "the guest did not report this path");
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		if (!(left & (1u << p)))
			continue;
		bench_series_set(&c->series[p], BENCH_UNAVAILABLE, "%s", why);
		c->finished |= 1u << p;
	}
	return 0;
}

static bool bench_collect_line_cb(void *opaque, const char *line, size_t len)
{
	return bench_collect_line(opaque, line, len);
}

static unsigned int bench_collect_limit_cb(void *opaque)
{
	return bench_collect_limit_ms(opaque);
}

const struct bench_child_ops bench_collect_ops = {
	.line = bench_collect_line_cb,
	.limit_ms = bench_collect_limit_cb,
};
