/* Parses `keel bench`'s options, each bad one named in one line, and prints its usage text. */
#include "vmm/bench/bench.h"

#include <errno.h>
#include <string.h>

#include "vmm/bench/paths.h"
#include "vmm/bench/report.h"
#include "vmm/bench/guestvm.h"
#include "vmm/opt.h"

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

enum bench_opt {
	BENCH_OPT_PATHS,
	BENCH_OPT_JSON,
	BENCH_OPT_PLOT,
	BENCH_OPT_CPUS,
	BENCH_OPT_ITERS,
	BENCH_OPT_REPS,
	BENCH_OPT_QEMU,
	BENCH_OPT_ROUNDS,
	BENCH_OPT_QUICK,
	BENCH_OPT_NO_QEMU,
	BENCH_NOPTS
};

static const struct opt_def bench_opts[BENCH_NOPTS] = {
	[BENCH_OPT_PATHS] = { .name = "--paths", .value = true },
	[BENCH_OPT_JSON] = { .name = "--json", .value = true },
	[BENCH_OPT_PLOT] = { .name = "--plot", .value = true },
	[BENCH_OPT_CPUS] = { .name = "--cpus", .value = true },
	[BENCH_OPT_ITERS] = { .name = "--iters", .value = true },
	[BENCH_OPT_REPS] = { .name = "--reps", .value = true },
	[BENCH_OPT_QEMU] = { .name = "--qemu", .value = true },
	[BENCH_OPT_ROUNDS] = { .name = "--rounds", .value = true },
	[BENCH_OPT_QUICK] = { .name = "--quick", .value = false },
	[BENCH_OPT_NO_QEMU] = { .name = "--no-qemu", .value = false },
};

static int bench_apply(struct bench_options *o, enum bench_opt opt, const char *value, char *err, size_t errlen)
{
	const char *name = bench_opts[opt].name;
	unsigned long long n = 0;
	int r;

	if (value && !*value && opt != BENCH_OPT_PATHS)
		return opt_err(err, errlen, "%s: empty value", name);
	switch (opt) {
	case BENCH_OPT_PATHS:
		return bench_paths_parse(value, &o->paths, err, errlen);
	case BENCH_OPT_JSON:
		o->json_path = value;
		return 0;
	case BENCH_OPT_PLOT:
		o->plot_path = value;
		return 0;
	case BENCH_OPT_CPUS:
		r = opt_number(name, value, 1, BENCH_MAX_CPUS, &n, err, errlen);
		o->cpus = (unsigned int)n;
		return r;
	case BENCH_OPT_ITERS:
		r = opt_number(name, value, 1, BENCH_MAX_ITERS, &n, err, errlen);
		o->iters = n;
		return r;
	case BENCH_OPT_REPS:
		r = opt_number(name, value, 1, BENCH_MAX_REPS, &n, err, errlen);
		o->reps = (unsigned int)n;
		return r;
	case BENCH_OPT_QEMU:
		o->qemu = value;
		return 0;
	case BENCH_OPT_ROUNDS:
		r = opt_number(name, value, 1, BENCH_MAX_REPS, &n, err, errlen);
		o->rounds = (unsigned int)n;
		return r;
	case BENCH_OPT_QUICK:
		o->quick = true;
		return 0;
	default:
		o->no_qemu = true;
		return 0;
	}
}

int bench_cli_parse(int argc, char *const argv[], int i, struct bench_options *o, char *err, size_t errlen)
{
	bool seen[BENCH_NOPTS] = { false };
	const char *value;
	int k, r;

	memset(o, 0, sizeof(*o));
	o->paths = BENCH_ALL_PATHS;
	o->cpus = BENCH_DEFAULT_CPUS;
	o->qemu = BENCH_QEMU_DEFAULT;
	o->kvm_path = "/dev/kvm";
	for (; i < argc; i++) {
		if (opt_is_help(argv[i])) {
			o->help = true;
			return 0;
		}
		if (opt_verbosity(argv[i], &o->verbosity))
			continue;
		k = opt_next(argc, argv, &i, bench_opts, BENCH_NOPTS, "keel bench", &value, err, errlen);
		if (k < 0)
			return k;
		if (seen[k] && bench_opts[k].value)
			return opt_err(err, errlen, "%s given twice", bench_opts[k].name);
		seen[k] = true;
		r = bench_apply(o, (enum bench_opt)k, value, err, errlen);
		if (r < 0)
			return r;
	}
	if (seen[BENCH_OPT_QEMU] && o->no_qemu)
		return opt_err(err, errlen, "--qemu and --no-qemu contradict each other");
	if (!o->iters)
		o->iters = o->quick ? BENCH_QUICK_ITERS : BENCH_FULL_ITERS;
	if (!o->reps)
		o->reps = o->quick ? BENCH_QUICK_REPS : BENCH_FULL_REPS;
	if (!o->rounds)
		o->rounds = o->quick ? 1 : o->reps;
	if (o->rounds > o->reps)
		return opt_err(err, errlen, "--rounds %u: more rounds than the %u repetitions", o->rounds, o->reps);
	return 0;
}
