/* keel's entry point: parse the command line, create the VM, run it, exit with its status. */
#include "vmm/cli.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/signals.h"
#include "vmm/vm.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	struct cli_options opts;
	struct vm vm;
	char err[512];
	int status;

	if (cli_parse(argc, argv, &opts, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return KEEL_EXIT_USAGE;
	}
	if (opts.command == CLI_HELP) {
		cli_usage(stdout);
		return KEEL_EXIT_OK;
	}
	if (opts.command == CLI_VERSION) {
		printf("keel %s\n", KEEL_VERSION);
		return KEEL_EXIT_OK;
	}
	if (opts.command == CLI_BENCH)
		return bench_main(&opts.bench);	/* its own signals, log level and child VMs */
	log_set_level(opts.verbosity < 0 ? LOG_ERROR : opts.verbosity == 0 ? LOG_WARN
					   : opts.verbosity == 1 ? LOG_INFO : LOG_DEBUG);

	signals_block();

	status = vm_create(&vm, &opts.cfg);
	if (status == KEEL_EXIT_OK)
		status = vm_run(&vm);
	vm_destroy(&vm);
	return status;
}
