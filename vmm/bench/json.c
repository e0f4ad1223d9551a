/* Writes the bench report as JSON with a small hand-written writer (escaped strings, null for what is missing). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmm/bench/output.h"
#include "vmm/bench/paths.h"
#include "vmm/bench/stats.h"

#ifndef KEEL_VERSION
#define KEEL_VERSION "unknown"
#endif

#define JSON_MAX_DEPTH 8

struct json {
	FILE *f;
	int depth;
	bool empty[JSON_MAX_DEPTH];	/* nothing written yet at this depth */
	bool after_key;
};

/* Newline and indentation before a value or key, with the comma that separates it from the last. */
static void json_sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	fputs(j->empty[j->depth] ? "\n" : ",\n", j->f);
	j->empty[j->depth] = false;
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

static void json_open(struct json *j, char c)
{
	json_sep(j);
	fputc(c, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->empty[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	bool empty = j->empty[j->depth];

	j->depth--;
	if (!empty) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

/* Length of the valid UTF-8 sequence at @s (1 to 4), or 0 when it is not one. */
static size_t json_utf8(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void json_string_raw(struct json *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', j->f);
	while (*s) {
		size_t n;

		if (*s == '"' || *s == '\\') {
			fprintf(j->f, "\\%c", *s++);
		} else if (*s == '\n') {
			fputs("\\n", j->f);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(j->f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, j->f);
		} else if ((n = json_utf8(s)) > 0) {
			fwrite(s, 1, n, j->f);
			s += n;
		} else {
			fputs("\\ufffd", j->f);	/* not UTF-8: the replacement character */
			s++;
		}
	}
	fputc('"', j->f);
}

static void json_key(struct json *j, const char *k)
{
	json_sep(j);
	json_string_raw(j, k);
	fputs(": ", j->f);
	j->after_key = true;
}

static void json_str(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	if (v) {
		json_sep(j);
		json_string_raw(j, v);
	} else {
		json_sep(j);
		fputs("null", j->f);
	}
}

static void json_u64(struct json *j, const char *k, uint64_t v)
{
	if (k)
		json_key(j, k);
	json_sep(j);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

static void json_num(struct json *j, const char *k, double v)
{
	json_key(j, k);
	json_sep(j);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

static void json_bool(struct json *j, const char *k, bool v)
{
	json_key(j, k);
	json_sep(j);
	fputs(v ? "true" : "false", j->f);
}

static void json_null(struct json *j, const char *k)
{
	json_key(j, k);
	json_sep(j);
	fputs("null", j->f);
}

static void json_stats(struct json *j, const char *k, const struct bench_stats *s)
{
	json_key(j, k);
	json_open(j, '{');
	json_num(j, "median", s->median);
	json_num(j, "min", s->min);
	json_num(j, "max", s->max);
	json_close(j, '}');
}

static void json_series(struct json *j, const char *k, const struct bench_series *s, uint64_t tsc_khz)
{
	struct bench_figures fig;
	bool ok = bench_series_figures(s, tsc_khz, &fig) == 0;

	json_key(j, k);
	json_open(j, '{');
	json_str(j, "status", bench_status_name(s->status));
	json_str(j, "reason", s->status == BENCH_OK || !s->reason[0] ? NULL : s->reason);
	if (s->ring >= 0)
		json_u64(j, "ring_reported", (uint64_t)s->ring);
	else
		json_null(j, "ring_reported");
	json_key(j, "repetitions");
	json_open(j, '[');
	for (unsigned int i = 0; ok && i < s->nreps; i++) {
		json_open(j, '{');
		json_u64(j, "iterations", s->reps[i].iters);
		json_u64(j, "cycles", s->reps[i].cycles);
		if (s->reps[i].ns)
			json_u64(j, "ns", s->reps[i].ns);
		else
			json_null(j, "ns");
		json_close(j, '}');
	}
	json_close(j, ']');
	if (ok) {
		json_stats(j, "cycles", &fig.cycles);
		if (fig.ns_ok)
			json_stats(j, "ns", &fig.ns);
		else
			json_null(j, "ns");
		json_str(j, "ns_source", !fig.ns_ok ? NULL : fig.ns_measured ? "host-clock" : "tsc");
		json_num(j, "spread", fig.cycles.spread);
	} else {
		json_null(j, "cycles");
		json_null(j, "ns");
		json_null(j, "ns_source");
		json_null(j, "spread");
	}
	json_close(j, '}');
}

static void json_host(struct json *j, const struct bench_report *r)
{
	const struct bench_host *h = &r->host;

	json_key(j, "host");
	json_open(j, '{');
	json_str(j, "date", h->date);
	json_str(j, "kernel", h->kernel);
	json_str(j, "kvm_flavour", h->kvm_flavour);
	json_str(j, "cpu_model", h->cpu_model);
	json_u64(j, "host_cpus", h->host_cpus);
	json_u64(j, "tsc_khz", h->tsc_khz);
	json_str(j, "tsc_source", h->tsc_source);
	json_u64(j, "vcpus", r->vcpus);
	json_str(j, "qemu", h->qemu_version[0] ? h->qemu_version : NULL);
	if (h->guest_tsc_khz)
		json_u64(j, "guest_tsc_khz", h->guest_tsc_khz);
	else
		json_null(j, "guest_tsc_khz");
	json_str(j, "guest_tsc_source", h->guest_tsc_source[0] ? h->guest_tsc_source : NULL);
	json_close(j, '}');
}

static void json_path(struct json *j, const struct bench_report *r, enum keel_bench_path p)
{
	const struct bench_path_info info = bench_path(p);
	struct bench_figures keel, flr, qemu;

	bench_series_figures(&r->series[BENCH_KEEL][p], r->host.tsc_khz, &keel);
	bench_series_figures(&r->series[BENCH_FLOOR][p], r->host.tsc_khz, &flr);
	bench_series_figures(&r->series[BENCH_QEMU][p], r->host.tsc_khz, &qemu);
	json_open(j, '{');
	json_str(j, "name", info.name);
	json_u64(j, "ring", (uint64_t)info.ring);
	json_str(j, "exit", bench_exit_name(info.exit));
	json_str(j, "qemu_device", info.qemu);
	for (int v = 0; v < BENCH_NVMMS; v++)
		json_series(j, bench_vmm_name((enum bench_vmm)v), &r->series[v][p], r->host.tsc_khz);
	json_num(j, "keel_over_floor", bench_ratio(&keel, &flr));
	json_num(j, "keel_over_qemu", bench_ratio(&keel, &qemu));
	json_close(j, '}');
}

int bench_json_write(FILE *f, const struct bench_report *r)
{
	struct json j = { .f = f };

	json_open(&j, '{');
	json_u64(&j, "format", BENCH_JSON_FORMAT);
	json_str(&j, "tool", "keel bench");
	json_str(&j, "keel_version", KEEL_VERSION);
	json_host(&j, r);
	json_key(&j, "config");
	json_open(&j, '{');
	json_u64(&j, "iterations", r->iters);
	json_u64(&j, "repetitions", r->reps);
	json_bool(&j, "quick", r->quick);
	json_key(&j, "paths");
	json_open(&j, '[');
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++)
		if (r->paths & (1u << p)) {
			json_sep(&j);
			json_string_raw(&j, bench_path((enum keel_bench_path)p).name);
		}
	json_close(&j, ']');
	json_close(&j, '}');
	json_key(&j, "paths");
	json_open(&j, '[');
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++)
		if (r->paths & (1u << p))
			json_path(&j, r, (enum keel_bench_path)p);
	json_close(&j, ']');
	json_close(&j, '}');
	fputc('\n', f);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
