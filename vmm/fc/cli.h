/* Firecracker's command line, as `keel firecracker` (or keel started under the name firecracker) takes it. */
#ifndef KEEL_VMM_FC_CLI_H
#define KEEL_VMM_FC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vmm/log.h"

#define FC_API_VERSION "1.7.0"			/* the Firecracker release whose API and command line keel speaks */
#define FC_DEFAULT_API_SOCK "/run/firecracker.socket"	/* Firecracker's --api-sock when none is given */
#define FC_DEFAULT_ID "anonymous-instance"

/* Firecracker's exit statuses (its FcExitCode), which `keel firecracker` follows. */
enum fc_exit_status {
	FC_EXIT_OK = 0,
	FC_EXIT_GENERIC = 1,		/* any other failure: the host, KVM, the guest's crash */
	FC_EXIT_BAD_SYSCALL = 148,	/* a system call the seccomp filters forbid */
	FC_EXIT_BAD_CONFIGURATION = 152,	/* the --config-file (or --metadata) is wrong */
	FC_EXIT_ARG_PARSING = 153,	/* the command line is wrong */
};

/* What `keel firecracker`'s command line asked for; strings point into argv. */
struct fc_options {
	bool version;			/* --version */
	bool help;			/* --help */
	const char *api_sock;		/* --api-sock (FC_DEFAULT_API_SOCK) */
	bool no_api;			/* --no-api (needs --config-file) */
	const char *config_file;	/* --config-file */
	const char *id;			/* --id (FC_DEFAULT_ID) */
	enum log_level level;		/* --level (Warning) */
	bool level_given;
	const char *log_path;		/* --log-path */
	bool show_level, show_log_origin;	/* --show-level, --show-log-origin */
	const char *metrics_path;	/* --metrics-path */
	bool boot_timer;		/* --boot-timer */
	const char *metadata;		/* --metadata: MMDS contents (checked as JSON; keel serves no MMDS) */
	bool no_seccomp;		/* --no-seccomp */
	size_t max_body;		/* --http-api-max-payload-size (51200) */
	int verbosity;			/* keel's own -v/-q */
};

/*
 * fc_cli_parse - parse argv[@first..] as Firecracker's command line into @o. Firecracker's jailer
 * options that only tune it (--start-time-us, --start-time-cpu-us, --parent-cpu-time-us,
 * --mmds-size-limit) are taken and ignored; --seccomp-filter (a custom filter file) is refused.
 * -EINVAL with one line in @err naming the problem.
 */
int fc_cli_parse(int argc, char *const argv[], int first, struct fc_options *o, char *err, size_t errlen);

/* fc_cli_usage - the text of `keel firecracker --help`. */
void fc_cli_usage(FILE *f);

#endif
