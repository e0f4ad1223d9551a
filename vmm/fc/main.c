/* `keel firecracker`: parse Firecracker's command line, serve its API, wait for InstanceStart or boot from --config-file, run the VM, exit with Firecracker's statuses. */
#include "vmm/fc/main.h"

#include "vmm/api/api.h"
#include "vmm/exit_status.h"
#include "vmm/fc/cli.h"
#include "vmm/fc/fc_config.h"
#include "vmm/fc/fc_log.h"
#include "vmm/fc/fc_metrics.h"
#include "vmm/fc/fc_outputs.h"
#include "vmm/fc/fc_json.h"
#include "vmm/opt.h"
#include "vmm/signals.h"
#include "vmm/vm.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

bool fc_invoked(int argc, char *const argv[])
{
	const char *slash = argv[0] ? strrchr(argv[0], '/') : NULL;
	const char *name = slash ? slash + 1 : argv[0];

	return (name && !strcmp(name, "firecracker")) || (argc > 1 && !strcmp(argv[1], "firecracker"));
}

/* keel's status @s as Firecracker's. */
static int fc_exit_status(int s)
{
	switch (s) {
	case KEEL_EXIT_OK:
		return FC_EXIT_OK;
	case KEEL_EXIT_USAGE:
		return FC_EXIT_BAD_CONFIGURATION;	/* after the command line, only the configuration is the user's input */
	case KEEL_EXIT_HOST:
	case KEEL_EXIT_TRIPLE_FAULT:
	case KEEL_EXIT_GUEST_ERROR:
		return FC_EXIT_GENERIC;
	case 128 + SIGHUP:
		return 156;	/* Firecracker's status after SIGHUP */
	default:
		return s;	/* 128 + N for the other signals; the debug-exit port's odd statuses */
	}
}

/* What one run of the process holds besides the VM. */
struct fc_proc {
	const struct fc_options *o;
	struct api *api;
	struct fc_log *log;		/* --log-path, or the logger section's */
	struct fc_metrics *metrics;	/* --metrics-path, or the metrics section's */
};

/* What the API's operations act on: the running VM and the process's metrics. */
struct fc_vm_ctx {
	struct vm *vm;
	struct fc_metrics *metrics;
};

static int op_pause(void *opaque, char *err, size_t errlen)
{
	int r = vm_pause_all(((struct fc_vm_ctx *)opaque)->vm, VCPU_PAUSE_API);

	if (r < 0)
		snprintf(err, errlen, "cannot pause the microVM: %s", strerror(-r));
	return r;
}

static int op_resume(void *opaque, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	vm_resume_all(((struct fc_vm_ctx *)opaque)->vm, VCPU_PAUSE_API);
	return 0;
}

static int op_drive_swap(void *opaque, const char *id, const char *path, char *err, size_t errlen)
{
	return vm_drive_swap(((struct fc_vm_ctx *)opaque)->vm, id, path, err, errlen);
}

static int op_ctrl_alt_del(void *opaque, char *err, size_t errlen)
{
	return vm_ctrl_alt_del(((struct fc_vm_ctx *)opaque)->vm, err, errlen);
}

static int op_flush_metrics(void *opaque, char *err, size_t errlen)
{
	struct fc_vm_ctx *ctx = opaque;
	int r;

	if (!ctx->metrics) {
		snprintf(err, errlen, "no metrics are configured (PUT /metrics or --metrics-path first)");
		return -EINVAL;
	}
	r = fc_metrics_flush(ctx->metrics);
	if (r < 0)
		snprintf(err, errlen, "cannot write the metrics: %s", strerror(-r));
	return r;
}

static const struct api_vm_ops fc_vm_ops = {
	.pause = op_pause,
	.resume = op_resume,
	.drive_swap = op_drive_swap,
	.ctrl_alt_del = op_ctrl_alt_del,
	.flush_metrics = op_flush_metrics,
};

/*
 * Build the VM of document @doc and run it. *@started: it booted (otherwise an InstanceStart
 * from the API may try again). Returns keel's exit status.
 */
static int fc_boot(struct fc_proc *p, const json_t *doc, bool *started)
{
	struct fc_runtime rt = { .level = LOG_WARN };
	struct fc_vm_ctx ctx;
	struct vm_config cfg;
	char err[512] = "";
	struct vm vm;
	int status, r;

	*started = false;
	vm_config_init(&cfg);
	r = fc_config_apply(doc, &cfg, &rt, err, sizeof(err));
	if (r == 0)
		r = fc_config_check_files(doc, err, sizeof(err));
	if (r == 0) {
		/* Firecracker ends on SIGTERM at once; the keel section may still ask for a grace period */
		char ignored[64];

		config_set_shutdown_timeout(&cfg, "0", ignored, sizeof(ignored));
		cfg.vcpu_thread_name = "fc_vcpu ";
		cfg.no_seccomp = p->o->no_seccomp;
		cfg.seccomp_status = FC_EXIT_BAD_SYSCALL;	/* a forbidden call ends keel as it ends Firecracker */
		r = fc_outputs_open(&rt, p->o->id, &p->log, &p->metrics, err, sizeof(err));
		if (p->metrics && p->api)
			fc_metrics_set_api(p->metrics, api_counters(p->api));
	}
	fc_runtime_free(&rt);
	if (r < 0) {
		log_error("%s", err);
		if (p->api)
			api_start_result(p->api, r, err);
		vm_config_free(&cfg);
		return r == -ENOMEM ? KEEL_EXIT_HOST : KEEL_EXIT_USAGE;
	}
	log_capture(err, sizeof(err));
	status = vm_create(&vm, &cfg);
	log_capture(NULL, 0);
	if (status != KEEL_EXIT_OK) {
		if (p->api)
			api_start_result(p->api, -EINVAL, err[0] ? err : "the microVM could not be started (see the log)");
		vm_destroy(&vm);
		vm_config_free(&cfg);
		return status;
	}
	*started = true;
	ctx = (struct fc_vm_ctx){ .vm = &vm, .metrics = p->metrics };
	if (p->metrics && fc_metrics_attach(p->metrics, &vm) < 0)
		log_warn("metrics: cannot flush them periodically");
	if (p->api && api_attach(p->api, &vm.plat.loop, &fc_vm_ops, &ctx) < 0)
		log_warn("the API cannot reach the running microVM: only GET requests will work");
	if (p->api)
		api_start_result(p->api, 0, NULL);
	status = vm_run(&vm);
	if (p->api)
		api_detach(p->api, &vm.plat.loop);
	if (p->metrics)
		fc_metrics_detach(p->metrics);
	vm_destroy(&vm);
	vm_config_free(&cfg);
	return status;
}

/* Before InstanceStart: wait for it (or a stop signal) and boot; a failed start waits again. */
static int fc_serve(struct fc_proc *p, json_t *doc)
{
	struct signalfd_siginfo si;
	sigset_t stop_sigs;
	bool started = false;
	int sfd, status, r;

	if (doc) {
		status = fc_boot(p, doc, &started);
		json_decref(doc);
		return status;
	}
	signals_stop_set(&stop_sigs);
	sfd = signalfd(-1, &stop_sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		log_error("cannot watch signals: %s", strerror(errno));
		return KEEL_EXIT_HOST;
	}
	for (;;) {
		r = api_wait_start(p->api, sfd, &doc, &si);
		if (r == -EINTR) {
			log_warn("stopped by signal %d (%s) before the microVM started", signals_number(&si),
				 strsignal(signals_number(&si)));
			status = 128 + signals_number(&si);
			break;
		}
		if (r < 0) {
			log_error("the API failed: %s", strerror(-r));
			status = KEEL_EXIT_HOST;
			break;
		}
		close(sfd);	/* vm_run reads the stop signals from its own signalfd */
		sfd = -1;
		status = fc_boot(p, doc, &started);
		json_decref(doc);
		if (started || status == KEEL_EXIT_HOST)
			break;
		sfd = signalfd(-1, &stop_sigs, SFD_CLOEXEC);	/* not started: the client may fix it and start again */
		if (sfd < 0) {
			status = KEEL_EXIT_HOST;
			break;
		}
	}
	if (sfd >= 0)
		close(sfd);
	return status;
}

/* --metadata: Firecracker loads it into its MMDS; keel checks it is JSON and says it serves no MMDS. */
static int fc_metadata(const char *path)
{
	char err[512];
	json_t *doc;

	if (fc_json_load_file("--metadata", path, FC_CONFIG_MAX_BYTES, &doc, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -EINVAL;
	}
	json_decref(doc);
	log_warn("--metadata %s: keel has no metadata service (MMDS): the guest will not see it", path);
	return 0;
}

/* The command-line logger and metrics (--log-path, --level, --show-*, --metrics-path), opened before anything is logged. */
static int fc_cli_outputs(struct fc_proc *p, char *err, size_t errlen)
{
	const struct fc_options *o = p->o;
	struct fc_runtime rt = { .level = o->level, .level_given = o->level_given, .show_level = o->show_level,
				 .show_log_origin = o->show_log_origin };

	rt.log_path = (char *)o->log_path;	/* borrowed, never freed here */
	rt.metrics_path = (char *)o->metrics_path;
	return fc_outputs_open(&rt, o->id, &p->log, &p->metrics, err, errlen);
}

int fc_main(int argc, char *argv[])
{
	struct fc_options o;
	struct fc_proc p = { .o = &o };
	struct api_info info;
	json_t *doc = NULL;
	char err[512];
	int first = fc_invoked(1, argv) ? 1 : 2;	/* argv[0] "firecracker", or `keel firecracker` */
	int status;

	if (fc_cli_parse(argc, argv, first, &o, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return FC_EXIT_ARG_PARSING;
	}
	if (o.help) {
		fc_cli_usage(stdout);
		return FC_EXIT_OK;
	}
	if (o.version) {
		/* Kata reads the second word of the first line as the version */
		printf("Firecracker v%s\nkeel %s (speaking Firecracker's API and command line)\n", FC_API_VERSION,
		       KEEL_VERSION);
		return FC_EXIT_OK;
	}
	log_set_level(o.level_given ? o.level : opt_log_level(o.verbosity));
	signals_block();
	if (fc_cli_outputs(&p, err, sizeof(err)) < 0) {
		log_error("%s", err);
		status = FC_EXIT_ARG_PARSING;
		goto out;
	}
	if (o.boot_timer)
		log_info("--boot-timer: keel has no boot-timer device; no Guest-boot-time line will be logged");
	if (o.metadata && fc_metadata(o.metadata) < 0) {
		status = FC_EXIT_BAD_CONFIGURATION;
		goto out;
	}
	if (o.config_file && fc_config_load(o.config_file, &doc, err, sizeof(err)) < 0) {
		log_error("%s", err);
		status = FC_EXIT_BAD_CONFIGURATION;
		goto out;
	}
	if (!o.no_api) {
		info = (struct api_info){ .id = o.id, .vmm_version = FC_API_VERSION, .app_name = "Firecracker",
					  .max_body = o.max_body, .seccomp = o.no_seccomp ? 0 : FC_EXIT_BAD_SYSCALL };
		if (api_create(o.api_sock, &info, doc, &p.api, err, sizeof(err)) < 0) {
			log_error("%s", err);
			json_decref(doc);
			status = FC_EXIT_GENERIC;
			goto out;
		}
	}
	if (p.metrics && p.api)
		fc_metrics_set_api(p.metrics, api_counters(p.api));
	status = fc_exit_status(fc_serve(&p, doc));
out:
	fc_metrics_close(p.metrics);	/* its last line reads the API's counters */
	api_destroy(p.api);
	fc_log_close(p.log);
	return status;
}
