/* keel's entry point: parse the command line, create the VM, run it, exit with its status. */
#include "vmm/cli.h"
#include "vmm/exit_status.h"
#include "vmm/fc/fc_log.h"
#include "vmm/fc/fc_metrics.h"
#include "vmm/fc/fc_outputs.h"
#include "vmm/fc/main.h"
#include "vmm/log.h"
#include "vmm/opt.h"
#include "vmm/sandbox.h"
#include "vmm/signals.h"
#include "vmm/vm.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the parsed command line @o asks for; returns the exit status. *@restart: boot again (--reboot restart). */
static int keel_main(const struct cli_options *o, bool *restart)
{
	struct fc_metrics *metrics = NULL;
	struct fc_log *flog = NULL;
	char err[512];
	struct vm vm;
	int status;

	if (o->command == CLI_HELP) {
		cli_usage(stdout);
		return KEEL_EXIT_OK;
	}
	if (o->command == CLI_VERSION) {
		printf("keel %s\n", KEEL_VERSION);
		return KEEL_EXIT_OK;
	}
	if (o->command == CLI_BENCH)
		return bench_main(&o->bench);	/* its own signals, log level and child VMs */
	log_set_level(opt_log_level(o->verbosity));

	signals_block();

	/* --config-file's logger and metrics sections */
	if (fc_outputs_open(&o->fcrt, NULL, &flog, &metrics, err, sizeof(err)) < 0) {
		log_error("--config-file: %s", err);
		fc_metrics_close(metrics);
		fc_log_close(flog);
		return KEEL_EXIT_USAGE;
	}
	status = vm_create(&vm, &o->cfg);
	if (status == KEEL_EXIT_OK && metrics && fc_metrics_attach(metrics, &vm) < 0)
		log_warn("metrics: cannot flush them periodically");
	if (status == KEEL_EXIT_OK)
		status = vm_run(&vm);
	fc_metrics_detach(metrics);
	/* not after SIGTERM: a guest that answers the power button with a reboot still ends */
	*restart = status == KEEL_EXIT_OK && o->cfg.reboot_restart && vm_rebooted(&vm) && !vm.term_pending;
	vm_destroy(&vm);
	fc_metrics_close(metrics);
	fc_log_close(flog);
	return status;
}

int main(int argc, char **argv)
{
	struct cli_options opts;
	bool restart = false;
	char err[512];
	int status, r;

	if (fc_invoked(argc, argv))
		return fc_main(argc, argv);	/* Firecracker's command line, API and exit statuses */
	r = cli_parse(argc, argv, &opts, err, sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		status = r == -ENOMEM ? KEEL_EXIT_HOST : KEEL_EXIT_USAGE;
	} else {
		status = keel_main(&opts, &restart);
	}
	cli_options_free(&opts);	/* after vm_destroy: the VM borrows the configuration's strings */
	if (restart) {
		/* A fresh process boots the VM again: every device, fd and byte of RAM as new. */
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		log_info("the guest rebooted: booting the VM again (--reboot restart)");
		setenv(SANDBOX_INHERITED_ENV, "1", 1);	/* the main thread's filter survives execve (vmm/sandbox.h) */
		if (n > 0) {
			self[n] = '\0';
			execv(self, argv);	/* by its real path, so the process keeps its name */
		}
		execv("/proc/self/exe", argv);	/* the binary was replaced or removed since */
		log_error("cannot boot the VM again: re-executing keel failed: %s", strerror(errno));
		return KEEL_EXIT_HOST;
	}
	return status;
}
