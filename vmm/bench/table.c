/* Prints the bench table: per path and VMM the round-trip figures, the spread and the ratios, or why there are none. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vmm/bench/output.h"
#include "vmm/bench/paths.h"
#include "vmm/bench/stats.h"

#define TABLE_RULE "-------------------------------------------------------------------------------------------------------------------------------------"

static void table_ratio(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, " %10s", "-");
	else
		fprintf(f, " %10.2f", v);
}

static void table_row(FILE *f, const struct bench_report *r, enum keel_bench_path p, enum bench_vmm v)
{
	const struct bench_path_info info = bench_path(p);
	const struct bench_series *s = &r->series[v][p];
	struct bench_figures fig, keel, other;

	if (v == BENCH_KEEL)
		fprintf(f, "%-14s %4d %-7s", info.name, info.ring, bench_exit_name(info.exit));
	else
		fprintf(f, "%-14s %4s %-7s", "", "", "");
	fprintf(f, " %-6s", bench_vmm_name(v));
	if (bench_series_figures(s, r->host.tsc_khz, &fig) < 0) {
		fprintf(f, " %s: %s\n", bench_status_name(s->status), s->reason[0] ? s->reason : "no figures");
		return;
	}
	fprintf(f, " %9llu", (unsigned long long)fig.iters);
	if (fig.ns_ok)
		fprintf(f, " %10.1f %10.1f %10.1f", fig.ns.median, fig.ns.min, fig.ns.max);
	else
		fprintf(f, " %10s %10s %10s", "-", "-", "-");
	fprintf(f, " %11.0f %11.0f %11.0f %6.1f%%", fig.cycles.median, fig.cycles.min, fig.cycles.max,
		fig.cycles.spread * 100);
	if (v == BENCH_KEEL) {
		bench_series_figures(&r->series[BENCH_KEEL][p], r->host.tsc_khz, &keel);
		bench_series_figures(&r->series[BENCH_FLOOR][p], r->host.tsc_khz, &other);
		table_ratio(f, info.exit == BENCH_EXIT_KERNEL ? NAN : bench_ratio(&keel, &other));
		bench_series_figures(&r->series[BENCH_QEMU][p], r->host.tsc_khz, &other);
		table_ratio(f, bench_ratio(&keel, &other));
	}
	fputc('\n', f);
}

void bench_table_print(FILE *f, const struct bench_report *r)
{
	const struct bench_host *h = &r->host;

	fprintf(f, "keel bench, %s: Linux %s, KVM %s, %s, %u host CPUs\n", h->date, h->kernel, h->kvm_flavour,
		h->cpu_model, h->host_cpus);
	fprintf(f, "TSC %llu kHz (%s); the guest's VMs have %u vCPUs, the floor 1; %llu round trips x %u repetitions"
		   " in %u round%s%s\n",
		(unsigned long long)h->tsc_khz, h->tsc_source, r->vcpus, (unsigned long long)r->iters, r->reps, r->rounds,
		r->rounds == 1 ? "" : "s", r->quick ? " (--quick)" : "");
	fprintf(f, "QEMU: %s\n\n", h->qemu_version[0] ? h->qemu_version : "not run");
	fprintf(f, "%-14s %4s %-7s %-6s %9s %10s %10s %10s %11s %11s %11s %7s %10s %10s\n", "path", "ring", "exit",
		"vmm", "iters", "median ns", "min ns", "max ns", "median cyc", "min cyc", "max cyc", "spread",
		"keel/floor", "keel/qemu");
	fprintf(f, "%s\n", TABLE_RULE);
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		if (!(r->paths & (1u << p)))
			continue;
		for (int v = 0; v < BENCH_NVMMS; v++)
			table_row(f, r, (enum keel_bench_path)p, (enum bench_vmm)v);
	}
	fprintf(f, "%s\n", TABLE_RULE);
	fprintf(f,
		"Per round trip: median, min and max over the repetitions; spread = (max - min) / median of the\n"
		"cycles: above 10 %%, the host disturbed this run and its medians may not repeat. ns: the floor's\n"
		"from the host clock, keel's and QEMU's from the guest's TSC cycles at the frequency above.\n"
		"Ratios compare the min cycles (the repetition the host disturbed least: it repeats from run to\n"
		"run where the median moves with the host); keel/floor only where keel's own code runs (exit\n"
		"user or thread). ring 0: the architecture needs kernel mode for the path (RDMSR, HLT, VMCALL,\n"
		"interrupt delivery); on kvm_pvm hosts ring 0 is emulated, so those rows measure the emulator too.\n");
}
