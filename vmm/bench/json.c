/* Writes the bench report as JSON: a jansson tree (null for what is missing or not finite) dumped to the file. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vmm/bench/output.h"
#include "vmm/bench/paths.h"
#include "vmm/bench/stats.h"

#ifndef KEEL_VERSION
#define KEEL_VERSION "unknown"
#endif

/* Two-space indentation, keys in the order they were set, reals with six significant digits like "%.6g". */
#define BENCH_JSON_DUMP (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/*
 * Length of the UTF-8 sequence at @s (1 to 4), or 0 when it is not one as jansson checks it:
 * a continuation byte first, an overlong form, a surrogate, a code point past U+10FFFF.
 */
static size_t utf8_len(const unsigned char *s)
{
	static const uint32_t least[] = { 0x80, 0x800, 0x10000 };	/* by length - 2: below is overlong */
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	cp = s[0] & (0x7fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	return cp >= least[n - 2] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? n : 0;
}

/* A JSON string of @s, each byte that is not UTF-8 replaced by U+FFFD (jansson takes UTF-8 only); null for NULL. */
static json_t *jstr(const char *s)
{
	char *buf, *o;
	json_t *v;

	if (!s)
		return json_null();
	buf = malloc(3 * strlen(s) + 1);
	if (!buf)
		return NULL;
	o = buf;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);

		if (n) {
			memcpy(o, p, n);
			p += n;
			o += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);	/* U+FFFD, the replacement character */
			p++;
			o += 3;
		}
	}
	v = json_stringn(buf, (size_t)(o - buf));
	free(buf);
	return v;
}

/* A JSON integer of @v (the figures stay far below 2^63). */
static json_t *jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* A JSON integer of @v, null when @v is 0: not measured, not known. */
static json_t *jint_or_null(uint64_t v)
{
	return v ? jint(v) : json_null();
}

/* A JSON real of @v; null when @v is NaN or infinite (JSON has neither). */
static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* @v when every json_object_set_new or json_array_append_new that built it returned 0 (@bad: their OR), else NULL. */
static json_t *built(json_t *v, int bad)
{
	if (bad) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/*
 * Each builder below returns a new reference, or NULL when an allocation failed. They rely on
 * json_object_set_new and json_array_append_new returning -1 for a NULL object or value (and
 * freeing the value they were given), so one failure anywhere comes up as NULL at the top.
 */

static json_t *jstats(const struct bench_stats *s)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "median", jnum(s->median));
	bad |= json_object_set_new(o, "min", jnum(s->min));
	bad |= json_object_set_new(o, "max", jnum(s->max));
	return built(o, bad);
}

static json_t *jrep(const struct bench_rep *rep)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "iterations", jint(rep->iters));
	bad |= json_object_set_new(o, "cycles", jint(rep->cycles));
	bad |= json_object_set_new(o, "ns", jint_or_null(rep->ns));
	bad |= json_object_set_new(o, "round", jint(rep->round));
	return built(o, bad);
}

/* The repetitions of @s, none when it has no figures (@ok false). */
static json_t *jreps(const struct bench_series *s, bool ok)
{
	json_t *a = json_array();
	int bad = 0;

	for (unsigned int i = 0; ok && i < s->nreps; i++)
		bad |= json_array_append_new(a, jrep(&s->reps[i]));
	return built(a, bad);
}

/* The figures of a series into @o: cycles, ns, ns_source and spread, all null when there are none. */
static int jfigures(json_t *o, const struct bench_figures *fig, bool ok)
{
	int bad = 0;

	bad |= json_object_set_new(o, "cycles", ok ? jstats(&fig->cycles) : json_null());
	bad |= json_object_set_new(o, "ns", ok && fig->ns_ok ? jstats(&fig->ns) : json_null());
	bad |= json_object_set_new(o, "ns_source",
				   jstr(!ok || !fig->ns_ok ? NULL : fig->ns_measured ? "host-clock" : "tsc"));
	bad |= json_object_set_new(o, "spread", ok ? jnum(fig->cycles.spread) : json_null());
	return bad;
}

/* One path on one VMM: its status, the reason when it has no figures, the repetitions and the figures. */
static json_t *jseries(const struct bench_series *s, uint64_t tsc_khz)
{
	struct bench_figures fig;
	bool ok = bench_series_figures(s, tsc_khz, &fig) == 0;
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "status", jstr(bench_status_name(s->status)));
	bad |= json_object_set_new(o, "reason", jstr(s->status == BENCH_OK || !s->reason[0] ? NULL : s->reason));
	bad |= json_object_set_new(o, "ring_reported", s->ring >= 0 ? jint((uint64_t)s->ring) : json_null());
	bad |= json_object_set_new(o, "repetitions", jreps(s, ok));
	bad |= jfigures(o, &fig, ok);
	return built(o, bad);
}

static json_t *jhost(const struct bench_report *r)
{
	const struct bench_host *h = &r->host;
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "date", jstr(h->date));
	bad |= json_object_set_new(o, "kernel", jstr(h->kernel));
	bad |= json_object_set_new(o, "kvm_flavour", jstr(h->kvm_flavour));
	bad |= json_object_set_new(o, "cpu_model", jstr(h->cpu_model));
	bad |= json_object_set_new(o, "host_cpus", jint(h->host_cpus));
	bad |= json_object_set_new(o, "tsc_khz", jint(h->tsc_khz));
	bad |= json_object_set_new(o, "tsc_source", jstr(h->tsc_source));
	bad |= json_object_set_new(o, "vcpus", jint(r->vcpus));
	bad |= json_object_set_new(o, "qemu", jstr(h->qemu_version[0] ? h->qemu_version : NULL));
	bad |= json_object_set_new(o, "guest_tsc_khz", jint_or_null(h->guest_tsc_khz));
	bad |= json_object_set_new(o, "guest_tsc_source", jstr(h->guest_tsc_source[0] ? h->guest_tsc_source : NULL));
	return built(o, bad);
}

static json_t *jpath(const struct bench_report *r, enum keel_bench_path p)
{
	const struct bench_path_info info = bench_path(p);
	struct bench_figures keel, flr, qemu;
	json_t *o = json_object();
	int bad = 0;

	bench_series_figures(&r->series[BENCH_KEEL][p], r->host.tsc_khz, &keel);
	bench_series_figures(&r->series[BENCH_FLOOR][p], r->host.tsc_khz, &flr);
	bench_series_figures(&r->series[BENCH_QEMU][p], r->host.tsc_khz, &qemu);
	bad |= json_object_set_new(o, "name", jstr(info.name));
	bad |= json_object_set_new(o, "ring", jint((uint64_t)info.ring));
	bad |= json_object_set_new(o, "exit", jstr(bench_exit_name(info.exit)));
	bad |= json_object_set_new(o, "qemu_device", jstr(info.qemu));
	for (int v = 0; v < BENCH_NVMMS; v++)
		bad |= json_object_set_new(o, bench_vmm_name((enum bench_vmm)v),
					   jseries(&r->series[v][p], r->host.tsc_khz));
	bad |= json_object_set_new(o, "keel_over_floor", jnum(bench_ratio(&keel, &flr)));
	bad |= json_object_set_new(o, "keel_over_qemu", jnum(bench_ratio(&keel, &qemu)));
	return built(o, bad);
}

/* The paths asked for, in their order: their names (@names) or their whole objects. */
static json_t *jpaths(const struct bench_report *r, bool names)
{
	json_t *a = json_array();
	int bad = 0;

	for (int p = 0; p < KEEL_BENCH_NPATHS; p++)
		if (r->paths & (1u << p))
			bad |= json_array_append_new(a, names ? jstr(bench_path((enum keel_bench_path)p).name)
							      : jpath(r, (enum keel_bench_path)p));
	return built(a, bad);
}

static json_t *jconfig(const struct bench_report *r)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "iterations", jint(r->iters));
	bad |= json_object_set_new(o, "repetitions", jint(r->reps));
	bad |= json_object_set_new(o, "rounds", jint(r->rounds));
	bad |= json_object_set_new(o, "quick", json_boolean(r->quick));
	bad |= json_object_set_new(o, "ratios_of", json_string("min"));	/* keel_over_*: of the min cycles */
	bad |= json_object_set_new(o, "paths", jpaths(r, true));
	return built(o, bad);
}

static json_t *jreport(const struct bench_report *r)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "format", json_integer(BENCH_JSON_FORMAT));
	bad |= json_object_set_new(o, "tool", jstr("keel bench"));
	bad |= json_object_set_new(o, "keel_version", jstr(KEEL_VERSION));
	bad |= json_object_set_new(o, "host", jhost(r));
	bad |= json_object_set_new(o, "config", jconfig(r));
	bad |= json_object_set_new(o, "paths", jpaths(r, false));
	return built(o, bad);
}

int bench_json_write(FILE *f, const struct bench_report *r)
{
	json_t *doc = jreport(r);
	int rc;

	if (!doc)
		return -ENOMEM;
	rc = json_dumpf(doc, f, BENCH_JSON_DUMP);
	json_decref(doc);
	if (rc == 0)
		fputc('\n', f);
	if (fflush(f) == EOF || ferror(f))
		return -EIO;
	return rc < 0 ? -ENOMEM : 0;	/* the file took everything: the dump failed allocating */
}
