/* `keel bench`: runs the floor, keel and QEMU over the asked paths in watched child processes, then the table, JSON and plot. */
#include "vmm/bench/bench.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "vmm/bench/collect.h"
#include "vmm/bench/floor.h"
#include "vmm/bench/guestvm.h"
#include "vmm/bench/hostinfo.h"
#include "vmm/bench/output.h"
#include "vmm/bench/paths.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/opt.h"
#include "vmm/signals.h"

#define BENCH_BOOT_MS 90000u		/* a VM's start to "bench: begin" */
#define BENCH_FLOOR_BOOT_MS 10000u
#define BENCH_END_MS 15000u		/* "bench: end" to the VM's exit */

/* Everything one `keel bench` run holds. */
struct bench_run {
	const struct bench_options *o;
	struct bench_report *r;
	int sigfd;			/* SIGINT, SIGTERM, SIGHUP */
	int stop_signal;		/* set when one came */
	bool qemu_ok;			/* QEMU runs here */
	char guest_elf[256];		/* the bundled guest as a file, for QEMU; "" when none */
};

static void bench_echo(void *opaque, const char *line, size_t len)
{
	fprintf(stderr, "[%s] %.*s\n", (const char *)opaque, (int)len, line);
}

static void bench_progress(const struct bench_run *b, const char *vmm, uint32_t mask, unsigned int round)
{
	char list[256];

	if (b->o->verbosity < 0 || !isatty(STDERR_FILENO))
		return;
	if (bench_paths_format(mask, list, sizeof(list)) < 0)
		snprintf(list, sizeof(list), "...");
	fprintf(stderr, "keel bench: round %u of %u: %s: %s\n", round + 1, b->o->rounds, vmm, list);
}

/* Round @round's share of the repetitions: they are dealt out evenly, the first rounds taking the rest. */
static unsigned int bench_round_reps(const struct bench_options *o, unsigned int round)
{
	return o->reps / o->rounds + (round < o->reps % o->rounds ? 1u : 0u);
}

/* A path that failed after earlier rounds gave figures: say in which round (its figures are dropped). */
static void bench_note_round(struct bench_series *series, uint32_t mask, unsigned int round, unsigned int rounds)
{
	for (int p = 0; round > 0 && p < KEEL_BENCH_NPATHS; p++) {
		struct bench_series *s = &series[p];
		size_t n = strlen(s->reason);

		if (!(mask & (1u << p)) || s->status != BENCH_UNAVAILABLE)
			continue;
		snprintf(s->reason + n, sizeof(s->reason) - n, " (in round %u of %u; the earlier rounds are dropped)",
			 round + 1, rounds);
	}
}

/* Run @mask on @vmm for round @round, again in a fresh VM for the paths a killed VM never reached. Returns 0 or -errno. */
static int bench_run_vmm(struct bench_run *b, enum bench_vmm vmm, uint32_t mask, unsigned int round)
{
	const struct bench_options *o = b->o;
	unsigned int reps = bench_round_reps(o, round);
	struct bench_floor_cfg floor_cfg = { .iters = o->iters, .reps = reps, .kvm_path = o->kvm_path };
	struct bench_guest_cfg guest = {
		.iters = o->iters, .reps = reps, .cpus = o->cpus, .kvm_path = o->kvm_path, .qemu = o->qemu,
		.guest_elf = b->guest_elf,
	};
	const uint32_t asked = mask;
	const char *name = vmm == BENCH_KEEL ? "keel" : vmm == BENCH_FLOOR ? "the floor" : "QEMU";

	while (mask && !b->stop_signal) {
		struct bench_limits lim = {
			.boot_ms = vmm == BENCH_FLOOR ? BENCH_FLOOR_BOOT_MS : BENCH_BOOT_MS,
			.probe_ms = KEEL_BENCH_PROBE_LIMIT_MS,
			.step_ms = 60000u + (unsigned int)(o->iters / 10),
			.end_ms = BENCH_END_MS,
		};
		unsigned int npaths = (unsigned int)__builtin_popcount(mask);
		uint64_t total = lim.boot_ms + (uint64_t)npaths * (lim.probe_ms + (uint64_t)(reps + 1) * lim.step_ms);
		struct bench_child_result res;
		struct bench_collect c;
		bench_child_fn fn;
		void *arg;
		int ret;

		bench_progress(b, bench_vmm_name(vmm), mask, round);
		bench_collect_init(&c, b->r->series[vmm], &b->r->host, mask, o->iters, reps, round, &lim);
		if (o->verbosity > 0) {
			c.echo = bench_echo;
			c.echo_opaque = (void *)bench_vmm_name(vmm);
		}
		if (vmm == BENCH_FLOOR) {
			floor_cfg.paths = mask;
			fn = bench_floor_main;
			arg = &floor_cfg;
		} else {
			guest.paths = mask;
			if (bench_guest_cmdline(mask, o->iters, reps, guest.cmdline, sizeof(guest.cmdline)) < 0)
				return -ENOSPC;
			fn = vmm == BENCH_KEEL ? bench_keel_main : bench_qemu_main;
			arg = &guest;
		}
		ret = bench_child_run(fn, arg, &bench_collect_ops, &c, total > 0xffffffffu ? 0xffffffffu : (unsigned int)total,
				      b->sigfd, &res);
		if (ret < 0) {
			log_error("cannot start %s: %s", name, strerror(-ret));
			return ret;
		}
		if (res.stop_signal)
			b->stop_signal = res.stop_signal;
		if (c.bad)
			log_warn("%s: %u malformed bench line%s, the first: %s", name, c.bad, c.bad > 1 ? "s" : "",
				 c.first_bad);
		log_info("%s exited with status %d%s", name, res.status, res.timed_out ? " (killed: no progress)" : "");
		mask = bench_collect_finish(&c, &res, name);
	}
	bench_note_round(b->r->series[vmm], asked, round, o->rounds);
	return 0;
}

/* The series nobody will run, with the reason: not asked, not offered, QEMU missing. */
static void bench_mark(struct bench_run *b)
{
	const struct bench_options *o = b->o;

	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		const struct bench_path_info info = bench_path((enum keel_bench_path)p);

		for (int v = 0; v < BENCH_NVMMS; v++)
			b->r->series[v][p].ring = -1;
		if (!(o->paths & (1u << p)))
			continue;
		if (!bench_floor_offers((enum keel_bench_path)p))
			bench_series_set(&b->r->series[BENCH_FLOOR][p], BENCH_NOT_OFFERED,
					 "the floor has no interrupt controller set-up, second vCPU or device for it");
		if (!info.qemu)
			bench_series_set(&b->r->series[BENCH_QEMU][p], BENCH_NOT_OFFERED, "%s", info.qemu_why);
		else if (o->no_qemu)
			bench_series_set(&b->r->series[BENCH_QEMU][p], BENCH_SKIPPED, "--no-qemu");
		else if (!b->qemu_ok)
			bench_series_set(&b->r->series[BENCH_QEMU][p], BENCH_SKIPPED,
					 "%s does not run here (Debian: qemu-system-x86; mk/deps.sh bench)", o->qemu);
		if (p == KEEL_BENCH_PATH_IPI && o->cpus < 2) {
			bench_series_set(&b->r->series[BENCH_KEEL][p], BENCH_UNAVAILABLE, "needs --cpus 2 or more");
			bench_series_set(&b->r->series[BENCH_QEMU][p], BENCH_UNAVAILABLE, "needs --cpus 2 or more");
		}
	}
}

/* The paths of @group that @vmm runs in a round: those not run yet and those with figures so far. */
static uint32_t bench_todo(const struct bench_run *b, enum bench_vmm vmm, enum bench_group group)
{
	uint32_t mask = 0;

	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		enum bench_status st = b->r->series[vmm][p].status;

		if (!(b->o->paths & (1u << p)) || (st != BENCH_NOT_RUN && st != BENCH_OK))
			continue;
		if (vmm == BENCH_FLOOR || bench_path((enum keel_bench_path)p).group == group)
			mask |= 1u << p;
	}
	return mask;
}

/* One VMM's share of round @round: the floor in one VM, keel and QEMU one VM per group of paths. */
static int bench_measure_vmm(struct bench_run *b, enum bench_vmm vmm, unsigned int round)
{
	int ret = 0;

	if (vmm == BENCH_FLOOR)
		return bench_run_vmm(b, BENCH_FLOOR, bench_todo(b, BENCH_FLOOR, BENCH_GROUP_MAIN), round);
	if (vmm == BENCH_QEMU && !b->qemu_ok)
		return 0;
	for (int g = 0; ret == 0 && g < BENCH_NGROUPS && !b->stop_signal; g++)
		ret = bench_run_vmm(b, vmm, bench_todo(b, vmm, (enum bench_group)g), round);
	return ret;
}

/*
 * The rounds: each runs every VMM on every path for its share of the repetitions, the VMMs in an
 * order that turns by one each round. A slow spell of the host (seconds long on nested hosts)
 * then lands on a few repetitions of every VMM rather than on all of one path of one VMM.
 */
static int bench_measure(struct bench_run *b)
{
	int ret = 0;

	if (b->qemu_ok) {
		ret = bench_guest_file(b->guest_elf, sizeof(b->guest_elf));
		if (ret < 0) {
			log_error("cannot write the bundled guest for QEMU: %s", strerror(-ret));
			b->guest_elf[0] = '\0';
			return ret;
		}
	}
	for (unsigned int round = 0; ret == 0 && round < b->o->rounds && !b->stop_signal; round++)
		for (unsigned int i = 0; ret == 0 && i < BENCH_NVMMS && !b->stop_signal; i++)
			ret = bench_measure_vmm(b, (enum bench_vmm)((round + i) % BENCH_NVMMS), round);
	if (b->guest_elf[0]) {
		unlink(b->guest_elf);
		b->guest_elf[0] = '\0';
	}
	return ret;
}

/* Create (truncate) @path now, so that a bad name fails before minutes of measuring. */
static FILE *bench_output(const char *opt, const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		log_error("%s %s: cannot create it: %s", opt, path, strerror(errno));
	return f;
}

static int bench_outputs(struct bench_run *b, FILE *json)
{
	int status = KEEL_EXIT_OK, r;

	bench_table_print(stdout, b->r);
	fflush(stdout);
	if (json) {
		if (bench_json_write(json, b->r) < 0) {
			log_error("--json %s: write error", b->o->json_path);
			status = KEEL_EXIT_HOST;
		}
	}
	if (b->o->plot_path) {
		r = bench_plot(b->r, b->o->plot_path);
		if (r == -ENOENT) {
			log_error("--plot: gnuplot is not installed (Debian: gnuplot-nox; mk/deps.sh bench)");
			status = KEEL_EXIT_HOST;
		} else if (r < 0) {
			log_error("--plot %s: %s", b->o->plot_path, strerror(-r));
			status = KEEL_EXIT_HOST;
		}
	}
	return status;
}

static int bench_signals(void)
{
	sigset_t set;

	/* As in `keel run`: the stop signals are read from a signalfd, the vCPU kick stays blocked. */
	signals_block();
	signals_stop_set(&set);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int bench_main(const struct bench_options *o)
{
	struct bench_run b = { .o = o, .sigfd = -1 };
	FILE *json = NULL, *plot = NULL;
	int status, kvm;

	if (o->help) {
		bench_usage(stdout);
		return KEEL_EXIT_OK;
	}
	log_set_level(opt_log_level(o->verbosity));
	if (o->json_path && !(json = bench_output("--json", o->json_path)))
		return KEEL_EXIT_USAGE;
	if (o->plot_path && !(plot = bench_output("--plot", o->plot_path))) {
		if (json)
			fclose(json);
		return KEEL_EXIT_USAGE;
	}
	if (plot)
		fclose(plot);	/* gnuplot writes it */
	kvm = open(o->kvm_path, O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		log_error("%s: %s: keel bench needs KVM", o->kvm_path, strerror(errno));
		status = KEEL_EXIT_HOST;
		goto out;
	}
	close(kvm);
	b.r = calloc(1, sizeof(*b.r));
	b.sigfd = bench_signals();
	if (!b.r || b.sigfd < 0) {
		log_error("cannot set up the bench: %s", strerror(b.r ? errno : ENOMEM));
		status = KEEL_EXIT_HOST;
		goto out;
	}
	bench_host_probe(&b.r->host, o->kvm_path);
	b.r->iters = o->iters;
	b.r->reps = o->reps;
	b.r->rounds = o->rounds;
	b.r->vcpus = o->cpus;
	b.r->quick = o->quick;
	b.r->paths = o->paths;
	if (!o->no_qemu)
		b.qemu_ok = bench_qemu_version(o->qemu, b.r->host.qemu_version, sizeof(b.r->host.qemu_version)) == 0;
	bench_mark(&b);
	status = bench_measure(&b) < 0 ? KEEL_EXIT_HOST : KEEL_EXIT_OK;
	if (b.stop_signal) {
		log_warn("stopped by signal %d (%s)", b.stop_signal, strsignal(b.stop_signal));
		status = 128 + b.stop_signal;
	} else if (status == KEEL_EXIT_OK) {
		status = bench_outputs(&b, json);
	}
out:
	if (json)
		fclose(json);
	if (b.sigfd >= 0)
		close(b.sigfd);
	free(b.r);
	return status;
}
