/* Draws the per-path comparison (keel, the floor, QEMU) as an SVG with Debian's gnuplot. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/bench/child.h"
#include "vmm/bench/output.h"
#include "vmm/bench/paths.h"
#include "vmm/bench/stats.h"
#include "vmm/log.h"

#define PLOT_LIMIT_MS 60000

/* @s inside a gnuplot single-quoted string: ' doubles. */
static void plot_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

void bench_plot_data(FILE *f, const struct bench_report *r)
{
	fprintf(f, "# path keel_ns floor_ns qemu_ns (min per round trip, as the ratios; NaN: no figure)\n");
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		bool any = false;
		double ns[BENCH_NVMMS];

		if (!(r->paths & (1u << p)))
			continue;
		for (int v = 0; v < BENCH_NVMMS; v++) {
			struct bench_figures fig;

			ns[v] = NAN;
			if (bench_series_figures(&r->series[v][p], r->host.tsc_khz, &fig) == 0 && fig.ns_ok) {
				ns[v] = fig.ns.min;
				any = true;
			}
		}
		if (!any)
			continue;
		fprintf(f, "%s", bench_path((enum keel_bench_path)p).name);
		for (int v = 0; v < BENCH_NVMMS; v++) {
			if (isnan(ns[v]))
				fprintf(f, " NaN");
			else
				fprintf(f, " %.1f", ns[v]);
		}
		fputc('\n', f);
	}
}

void bench_plot_script(FILE *f, const struct bench_report *r, const char *data, const char *svg)
{
	fprintf(f, "set terminal svg size 1100,560 dynamic noenhanced font 'sans,11' background rgb 'white'\n");
	fprintf(f, "set output ");
	plot_quoted(f, svg);
	fprintf(f, "\nset title ");
	{
		char title[256];

		snprintf(title, sizeof(title), "keel bench %.10s: one round trip per exit path (min, ns) - %s, %s",
			 r->host.date, r->host.kvm_flavour, r->host.cpu_model);
		plot_quoted(f, title);
	}
	fprintf(f, "\nset datafile missing 'NaN'\n"
		   "set style data histograms\n"
		   "set style histogram clustered gap 1\n"
		   "set style fill solid 0.85 border -1\n"
		   "set boxwidth 0.9\n"
		   "set logscale y\n"
		   "set ylabel 'ns per round trip (log scale)'\n"
		   "set xtics rotate by 30 right nomirror\n"
		   "set bmargin 7\n"
		   "set grid ytics\n"
		   "set key top left\n"
		   "plot ");
	plot_quoted(f, data);
	fprintf(f, " using 2:xtic(1) title 'keel', '' using 3 title 'floor (bare KVM_RUN loop)', "
		   "'' using 4 title 'QEMU'\n");
}

struct plot_log {
	char first[200];
	bool got;
};

static bool plot_line(void *opaque, const char *line, size_t len)
{
	struct plot_log *l = opaque;

	log_debug("gnuplot: %.*s", (int)len, line);
	if (!l->got && len > 0) {
		snprintf(l->first, sizeof(l->first), "%.*s", (int)len, line);
		l->got = true;
	}
	return true;
}

static unsigned int plot_limit(void *opaque)
{
	(void)opaque;
	return PLOT_LIMIT_MS;
}

static int plot_exec(void *arg)
{
	char *argv[] = { (char *)"gnuplot", arg, NULL };

	return bench_child_exec(argv);
}

int bench_plot(const struct bench_report *r, const char *svg)
{
	static const struct bench_child_ops ops = { .line = plot_line, .limit_ms = plot_limit };
	const char *tmp = getenv("TMPDIR");
	char dir[256], data[300], script[300];
	struct bench_child_result res;
	struct plot_log log = { .got = false };
	FILE *f;
	int ret;

	snprintf(dir, sizeof(dir), "%s/keel-bench-plot.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -errno;
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(script, sizeof(script), "%s/plot.gp", dir);
	ret = -EIO;
	f = fopen(data, "we");
	if (f) {
		bench_plot_data(f, r);
		ret = fclose(f) == 0 ? 0 : -EIO;
	}
	if (ret == 0) {
		ret = -EIO;
		f = fopen(script, "we");
		if (f) {
			bench_plot_script(f, r, data, svg);
			ret = fclose(f) == 0 ? 0 : -EIO;
		}
	}
	if (ret == 0)
		ret = bench_child_run(plot_exec, script, &ops, &log, PLOT_LIMIT_MS, -1, &res);
	if (ret == 0 && res.status == 127)
		ret = -ENOENT;
	else if (ret == 0 && res.status != 0) {
		log_error("gnuplot failed (status %d)%s%s", res.status, log.got ? ": " : "", log.first);
		ret = -EIO;
	}
	unlink(data);
	unlink(script);
	rmdir(dir);
	return ret;
}
