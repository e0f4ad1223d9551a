/* The command line: `keel run [options]`, `keel --help`, `keel --version`, and the size and number parsers. */
#ifndef KEEL_VMM_CLI_H
#define KEEL_VMM_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/bench/bench.h"
#include "vmm/vm.h"

#define CLI_DEFAULT_MEM (256ull << 20)
#define CLI_MAX_CPUS 4096u	/* the parser's bound; KVM's own limit is checked when the VM is created */

enum cli_command {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
	CLI_BENCH,	/* keel bench: see vmm/bench/bench.h */
};

struct cli_options {
	enum cli_command command;
	struct vm_config cfg;	/* for CLI_RUN */
	struct bench_options bench;	/* for CLI_BENCH */
	int verbosity;		/* -1 quiet, 0 default, 1 -v, 2 -vv */
};

/*
 * cli_parse - parse argv (argv[0] is the program). Fills @o with defaults for what is not given.
 * On a bad command line returns -EINVAL and writes one line naming the problem into @err.
 * Pointers in @o point into argv.
 */
int cli_parse(int argc, char *const argv[], struct cli_options *o, char *err, size_t errlen);

/*
 * cli_parse_size - "256M", "1G", "512k", "2T", "64MiB", "4096K"; a bare number means MiB (as
 * QEMU's -m). Returns 0, -EINVAL (not a size) or -ERANGE (overflows 64 bits).
 */
int cli_parse_size(const char *s, uint64_t *out);

/* cli_parse_uint - a decimal number in [0, @max] with nothing after it. 0, -EINVAL or -ERANGE. */
int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* cli_usage - the text of `keel --help`. */
void cli_usage(FILE *f);

#endif
