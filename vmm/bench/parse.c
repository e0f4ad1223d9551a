/* Parses the guest's "bench: ..." protocol lines into events, strictly: a malformed line is reported, never guessed at. */
#include "vmm/bench/parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/bench/paths.h"

/* The keys a line may carry; each at most once. Unknown keys are skipped (a newer guest). */
enum bench_key {
	K_VERSION, K_ITERS, K_REPS, K_CPUS, K_TSC_KHZ, K_TSC_SOURCE, K_PATH, K_RING, K_REP, K_CYCLES, K_NS,
	K_REASON, K_NKEYS
};

static const char *const bench_keys[K_NKEYS] = {
	"version", "iters", "reps", "cpus", "tsc-khz", "tsc-source", "path", "ring", "rep", "cycles", "ns", "reason",
};

static const struct {
	const char *word;
	enum bench_event ev;
} bench_words[] = {
	{ "begin", BENCH_EV_BEGIN },
	{ "start", BENCH_EV_START },
	{ "ready", BENCH_EV_READY },
	{ "unavailable", BENCH_EV_UNAVAILABLE },
	{ "end", BENCH_EV_END },
};

struct bench_items {
	bool seen[K_NKEYS];
	char value[K_NKEYS][KEEL_BENCH_LINE_MAX + 1];	/* unquoted */
	enum bench_event ev;
};

static int bench_fail(struct bench_line *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Describe the problem in out->reason; returns -EINVAL. */
static int bench_fail(struct bench_line *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
	out->ev = BENCH_EV_NONE;
	return -EINVAL;
}

static int bench_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (__builtin_mul_overflow(n, 10u, &n) || __builtin_add_overflow(n, (uint64_t)(*s - '0'), &n))
			return -ERANGE;
	}
	*v = n;
	return 0;
}

/* Read one value at *@p (quoted or bare) into @dst; advance *@p past it. */
static int bench_value(const char **p, const char *end, char *dst, size_t cap)
{
	const char *s = *p;
	size_t n = 0;

	if (s < end && *s == '"') {
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\') {
				if (++s == end || (*s != '"' && *s != '\\'))
					return -EINVAL;
			}
			if (n + 1 >= cap)
				return -EINVAL;
			dst[n++] = *s;
		}
		if (s == end)
			return -EINVAL;	/* no closing quote */
		s++;
		if (s < end && *s != ' ')
			return -EINVAL;	/* "..."x */
	} else {
		for (; s < end && *s != ' '; s++) {
			if (*s == '"' || n + 1 >= cap)
				return -EINVAL;
			dst[n++] = *s;
		}
	}
	dst[n] = '\0';
	*p = s;
	return 0;
}

static int bench_items_read(const char *s, const char *end, struct bench_items *it, struct bench_line *out)
{
	while (s < end) {
		const char *w = s;
		char word[32];
		size_t n;

		if (*s == ' ') {
			s++;
			continue;
		}
		while (s < end && *s != ' ' && *s != '=')
			s++;
		n = (size_t)(s - w);
		if (n == 0 || n >= sizeof(word))
			return bench_fail(out, "an empty or overlong word");
		memcpy(word, w, n);
		word[n] = '\0';
		if (s < end && *s == '=') {
			char scratch[KEEL_BENCH_LINE_MAX + 1] = "";	/* an unknown key's value, skipped */
			int k;

			s++;
			for (k = 0; k < K_NKEYS; k++)
				if (!strcmp(word, bench_keys[k]))
					break;
			if (k < K_NKEYS && it->seen[k])
				return bench_fail(out, "'%s' given twice", word);
			if (bench_value(&s, end, k < K_NKEYS ? it->value[k] : scratch, sizeof(scratch)) < 0)
				return bench_fail(out, "bad value of '%s'", word);
			if (k < K_NKEYS)
				it->seen[k] = true;
			continue;
		}
		{
			size_t i;

			for (i = 0; i < sizeof(bench_words) / sizeof(bench_words[0]); i++)
				if (!strcmp(word, bench_words[i].word))
					break;
			if (i == sizeof(bench_words) / sizeof(bench_words[0]))
				return bench_fail(out, "unknown word '%s'", word);
			if (it->ev != BENCH_EV_NONE)
				return bench_fail(out, "two events in one line ('%s')", word);
			it->ev = bench_words[i].ev;
		}
	}
	return 0;
}

/* Store number @k into *@v; @need: it must be there. */
static int bench_number(struct bench_items *it, enum bench_key k, bool need, uint64_t *v, struct bench_line *out)
{
	if (!it->seen[k]) {
		*v = 0;
		return need ? bench_fail(out, "'%s' is missing", bench_keys[k]) : 0;
	}
	if (bench_u64(it->value[k], v) < 0)
		return bench_fail(out, "'%s' is not a number", bench_keys[k]);
	return 0;
}

static int bench_path_of(struct bench_items *it, struct bench_line *out)
{
	if (!it->seen[K_PATH])
		return bench_fail(out, "'%s' is missing", "path");
	out->path = bench_path_lookup(it->value[K_PATH], strlen(it->value[K_PATH]));
	if (out->path < 0)
		return bench_fail(out, "unknown path '%s'", it->value[K_PATH]);
	return 0;
}

static int bench_fill(struct bench_items *it, struct bench_line *out)
{
	uint64_t ring;
	int r = 0;

	switch (it->ev) {
	case BENCH_EV_BEGIN:
		r = bench_number(it, K_VERSION, true, &out->version, out);
		if (r == 0)
			r = bench_number(it, K_ITERS, true, &out->iters, out);
		if (r == 0)
			r = bench_number(it, K_REPS, true, &out->reps, out);
		if (r == 0)
			r = bench_number(it, K_CPUS, true, &out->cpus, out);
		if (r == 0)
			r = bench_number(it, K_TSC_KHZ, false, &out->tsc_khz, out);
		if (r == 0 && it->seen[K_TSC_SOURCE])
			snprintf(out->tsc_source, sizeof(out->tsc_source), "%.*s", (int)sizeof(out->tsc_source) - 1,
				 it->value[K_TSC_SOURCE]);
		return r;
	case BENCH_EV_START:
		r = bench_path_of(it, out);
		if (r == 0)
			r = bench_number(it, K_RING, true, &ring, out);
		if (r == 0 && ring != 0 && ring != 3)
			return bench_fail(out, "ring %s is neither 0 nor 3", it->value[K_RING]);
		out->ring = (int)ring;
		return r;
	case BENCH_EV_READY:
		return bench_path_of(it, out);
	case BENCH_EV_UNAVAILABLE:
		r = bench_path_of(it, out);
		if (r == 0 && !it->seen[K_REASON])
			return bench_fail(out, "'%s' is missing", "reason");
		if (r == 0)
			snprintf(out->reason, sizeof(out->reason), "%s", it->value[K_REASON]);
		return r;
	case BENCH_EV_END:
		return 0;
	case BENCH_EV_NONE:
		/* No event word: a repetition. */
		out->ev = BENCH_EV_REP;
		r = bench_path_of(it, out);
		if (r == 0)
			r = bench_number(it, K_REP, true, &out->rep, out);
		if (r == 0)
			r = bench_number(it, K_ITERS, true, &out->iters, out);
		if (r == 0)
			r = bench_number(it, K_CYCLES, true, &out->cycles, out);
		if (r == 0)
			r = bench_number(it, K_NS, false, &out->ns, out);
		if (r == 0 && out->iters == 0)
			return bench_fail(out, "'%s' is 0", "iters");
		return r;
	default:
		return r;
	}
}

int bench_parse_line(const char *line, size_t len, struct bench_line *out)
{
	static const char prefix[] = KEEL_BENCH_PREFIX;
	const size_t plen = sizeof(prefix) - 1;
	struct bench_items items;
	int r;

	memset(out, 0, sizeof(*out));
	out->path = -1;
	out->ring = -1;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len < plen || memcmp(line, prefix, plen) != 0)
		return 0;
	if (len > KEEL_BENCH_LINE_MAX)
		return bench_fail(out, "a line longer than %d bytes", KEEL_BENCH_LINE_MAX);
	memset(&items, 0, sizeof(items));
	r = bench_items_read(line + plen, line + len, &items, out);
	if (r < 0)
		return r;
	out->ev = items.ev;
	return bench_fill(&items, out);
}
