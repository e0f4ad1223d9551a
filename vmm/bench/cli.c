/* Parses `keel bench`'s options, each bad one named in one line, and prints its usage text. */
#include "vmm/bench/bench.h"

#include <errno.h>
#include <string.h>

#include "vmm/bench/paths.h"
#include "vmm/bench/report.h"
#include "vmm/bench/guestvm.h"

void bench_usage(FILE *f)
{
	fprintf(f,
		"Usage: keel bench [OPTIONS]   measure what each kind of VM exit costs\n"
		"\n"
		"Boots the bundled guest in bench mode (one VM per group of paths, each watched by a time\n"
		"limit) and prints, per exit path, the cost of one round trip: median, min and max over the\n"
		"repetitions in ns and TSC cycles, their spread, keel / floor (a bare KVM_RUN loop with an\n"
		"empty handler, run in the same invocation) and keel / QEMU (the same guest under\n"
		"qemu-system-x86_64 -accel kvm), both ratios of the minima. Paths a host cannot serve are\n"
		"reported with the reason.\n"
		"\n"
		"Options (VALUE may also be given as --option=VALUE):\n"
		"  --quick           %u round trips x %u repetitions (default %u x %u)\n"
		"  --paths A,B,...   only these paths: cpuid pio-user pio-kernel mmio-user mmio-kernel\n"
		"                    hlt-timer msr-kernel msr-user hypercall self-ipi ipi irqfd virtio-notify\n"
		"  --iters N         round trips per repetition\n"
		"  --reps R          repetitions (1 to %u)\n"
		"  --rounds K        spread the repetitions over K rounds, each booting every VMM\n"
		"                    again, so that a slow spell of the host hits few of a path's\n"
		"                    repetitions (1 to R; default R, 1 with --quick)\n"
		"  --cpus N          vCPUs of the guest's VMs (default %u; ipi needs 2)\n"
		"  --json FILE       write every figure and the host's facts as JSON\n"
		"  --plot FILE.svg   draw keel, the floor and QEMU per path with gnuplot\n"
		"  --qemu BINARY     the QEMU to compare with (default %s)\n"
		"  --no-qemu         do not run QEMU\n"
		"  -v, --verbose     progress and the guests' output on stderr (twice: debug)\n"
		"  -q, --quiet       errors only\n"
		"\n"
		"Exit status: 0 the bench ran (see the table for unavailable paths), 2 bad option or\n"
		"output file, 4 the host cannot run VMs, 128+N stopped by signal N.\n",
		BENCH_QUICK_ITERS, BENCH_QUICK_REPS, BENCH_FULL_ITERS, BENCH_FULL_REPS, BENCH_MAX_REPS,
		BENCH_DEFAULT_CPUS, BENCH_QEMU_DEFAULT);
}

static const char *const bench_value_opts[] = { "--paths", "--json", "--plot", "--cpus", "--iters", "--reps", "--qemu", "--rounds" };
#define BENCH_NVALUE_OPTS (sizeof(bench_value_opts) / sizeof(bench_value_opts[0]))

/* A decimal number in [@min, @max] with nothing after it. */
static int bench_number(const char *name, const char *s, unsigned long long min, unsigned long long max,
			unsigned long long *out, char *err, size_t errlen)
{
	unsigned long long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (__builtin_mul_overflow(v, 10ull, &v) || __builtin_add_overflow(v, (unsigned long long)(*p - '0'), &v)) {
			v = max + 1;
			while (*p >= '0' && *p <= '9')
				p++;
			break;
		}
	}
	if (p == s || *p) {
		snprintf(err, errlen, "%s %s: not a number", name, s);
		return -EINVAL;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "%s %s: must be between %llu and %llu", name, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int bench_apply(struct bench_options *o, size_t opt, const char *value, char *err, size_t errlen)
{
	const char *name = bench_value_opts[opt];
	unsigned long long n;
	int r;

	if (!*value && opt != 0) {
		snprintf(err, errlen, "%s: empty value", name);
		return -EINVAL;
	}
	switch (opt) {
	case 0:
		return bench_paths_parse(value, &o->paths, err, errlen);
	case 1:
		o->json_path = value;
		return 0;
	case 2:
		o->plot_path = value;
		return 0;
	case 3:
		r = bench_number(name, value, 1, BENCH_MAX_CPUS, &n, err, errlen);
		o->cpus = (unsigned int)n;
		return r;
	case 4:
		r = bench_number(name, value, 1, BENCH_MAX_ITERS, &n, err, errlen);
		o->iters = n;
		return r;
	case 5:
		r = bench_number(name, value, 1, BENCH_MAX_REPS, &n, err, errlen);
		o->reps = (unsigned int)n;
		return r;
	case 6:
		o->qemu = value;
		return 0;
	default:
		r = bench_number(name, value, 1, BENCH_MAX_REPS, &n, err, errlen);
		o->rounds = (unsigned int)n;
		return r;
	}
}

int bench_cli_parse(int argc, char *const argv[], int i, struct bench_options *o, char *err, size_t errlen)
{
	bool seen[BENCH_NVALUE_OPTS] = { false };
	int r;

	memset(o, 0, sizeof(*o));
	o->paths = BENCH_ALL_PATHS;
	o->cpus = BENCH_DEFAULT_CPUS;
	o->qemu = BENCH_QEMU_DEFAULT;
	o->kvm_path = "/dev/kvm";
	for (; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '='), *value;
		size_t n = eq ? (size_t)(eq - arg) : strlen(arg), j;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			o->help = true;
			return 0;
		}
		if (!strcmp(arg, "--quick")) {
			o->quick = true;
			continue;
		}
		if (!strcmp(arg, "--no-qemu")) {
			o->no_qemu = true;
			continue;
		}
		if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
			o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1;
			continue;
		}
		if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
			o->verbosity = -1;
			continue;
		}
		for (j = 0; j < BENCH_NVALUE_OPTS; j++)
			if (strlen(bench_value_opts[j]) == n && !strncmp(arg, bench_value_opts[j], n))
				break;
		if (j == BENCH_NVALUE_OPTS) {
			snprintf(err, errlen, arg[0] == '-' ? "unknown option '%s' (see 'keel bench --help')"
							    : "unexpected argument '%s' (see 'keel bench --help')",
				 arg);
			return -EINVAL;
		}
		if (eq)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else {
			snprintf(err, errlen, "%s needs a value (see 'keel bench --help')", bench_value_opts[j]);
			return -EINVAL;
		}
		if (seen[j]) {
			snprintf(err, errlen, "%s given twice", bench_value_opts[j]);
			return -EINVAL;
		}
		seen[j] = true;
		r = bench_apply(o, j, value, err, errlen);
		if (r < 0)
			return r;
	}
	if (seen[6] && o->no_qemu) {
		snprintf(err, errlen, "--qemu and --no-qemu contradict each other");
		return -EINVAL;
	}
	if (!o->iters)
		o->iters = o->quick ? BENCH_QUICK_ITERS : BENCH_FULL_ITERS;
	if (!o->reps)
		o->reps = o->quick ? BENCH_QUICK_REPS : BENCH_FULL_REPS;
	if (!o->rounds)
		o->rounds = o->quick ? 1 : o->reps;
	if (o->rounds > o->reps) {
		snprintf(err, errlen, "--rounds %u: more rounds than the %u repetitions", o->rounds, o->reps);
		return -EINVAL;
	}
	return 0;
}
