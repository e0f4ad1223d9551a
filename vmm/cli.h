/* The command line: `keel run [options]`, `keel bench [options]`, `keel --help`, `keel --version`. */
#ifndef KEEL_VMM_CLI_H
#define KEEL_VMM_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "vmm/bench/bench.h"
#include "vmm/config.h"
#include "vmm/fc/fc_config.h"

enum cli_command {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
	CLI_BENCH,	/* keel bench: see vmm/bench/bench.h */
};

struct cli_options {
	enum cli_command command;
	struct vm_config cfg;		/* for CLI_RUN: owned (cli_options_free) */
	struct fc_runtime fcrt;		/* for CLI_RUN: --config-file's logger and metrics sections (owned) */
	struct bench_options bench;	/* for CLI_BENCH: its strings point into argv */
	int verbosity;			/* -1 quiet, 0 default, 1 -v, 2 -vv */
};

/*
 * cli_parse - parse argv (argv[0] is the program) into @o: defaults for what is not given, each
 * `keel run` option through its adder (vmm/config.h). On a bad command line returns -EINVAL
 * (-ENOMEM) with one line naming the problem in @err. Whatever it returns, release @o with
 * cli_options_free afterwards.
 */
int cli_parse(int argc, char *const argv[], struct cli_options *o, char *err, size_t errlen);

/* cli_options_free - release what @o owns (its configuration); @o may be parsed into again. */
void cli_options_free(struct cli_options *o);

/* cli_usage - the text of `keel --help`. */
void cli_usage(FILE *f);

#endif
