/* Firecracker's command line for `keel firecracker`: its options, its defaults and its checks. */
#include "vmm/fc/cli.h"

#include "vmm/api/api.h"
#include "vmm/fc/fc_config.h"
#include "vmm/opt.h"

#include <errno.h>
#include <string.h>

void fc_cli_usage(FILE *f)
{
	fprintf(f,
		"Usage: keel firecracker [OPTIONS]   (or keel installed or linked as 'firecracker')\n"
		"Firecracker's command line and API (v" FC_API_VERSION "), for Kata Containers,\n"
		"firecracker-containerd, flintlock and other orchestrators:\n"
		"  --api-sock PATH      serve Firecracker's REST API on this Unix socket (mode 0600,\n"
		"                       removed at exit; default " FC_DEFAULT_API_SOCK ")\n"
		"  --config-file FILE   boot at once from Firecracker's JSON configuration\n"
		"  --no-api             serve no API (needs --config-file)\n"
		"  --id ID              the instance's id (1-64 of A-Z a-z 0-9 -; default " FC_DEFAULT_ID ")\n"
		"  --level LEVEL        Error, Warning (default), Info, Debug, Trace or Off\n"
		"  --log-path PATH      write the log there (a file, appended, or a FIFO)\n"
		"  --show-level, --show-log-origin   add the level, the source file and line to log lines\n"
		"  --metrics-path PATH  write metrics there (a file or a FIFO): one JSON line per flush\n"
		"  --boot-timer         log the time from start to the guest's first write to the boot\n"
		"                       timer (accepted; keel has no boot-timer device, see README)\n"
		"  --metadata FILE      MMDS contents: checked as JSON, but keel serves no MMDS\n"
		"  --http-api-max-payload-size BYTES   largest request body (default 51200)\n"
		"  --no-seccomp         run without the system-call filters\n"
		"  --version            print the Firecracker version spoken, then keel's\n"
		"  --start-time-us, --start-time-cpu-us, --parent-cpu-time-us, --mmds-size-limit N\n"
		"                       the jailer's timing options: accepted and ignored\n"
		"Exit status: 0 the guest shut down; 1 any other failure; 148 a forbidden system call;\n"
		"152 a bad --config-file or --metadata; 153 a bad command line; 128+N signal N\n"
		"(SIGHUP 156, as Firecracker; SIGTERM and SIGINT stop at once).\n");
}

enum fc_opt {
	FC_API_SOCK,
	FC_CONFIG_FILE,
	FC_NO_API,
	FC_ID,
	FC_LEVEL,
	FC_LOG_PATH,
	FC_SHOW_LEVEL,
	FC_SHOW_ORIGIN,
	FC_METRICS_PATH,
	FC_BOOT_TIMER,
	FC_METADATA,
	FC_NO_SECCOMP,
	FC_SECCOMP_FILTER,
	FC_MAX_BODY,
	FC_VERSION,
	FC_HELP,
	FC_IGNORED,	/* the jailer's timing options, from here on */
	FC_IGNORED2,
	FC_IGNORED3,
	FC_IGNORED4,
	FC_NOPTS
};

static const struct opt_def fc_opts[FC_NOPTS] = {
	[FC_API_SOCK] = { .name = "--api-sock", .value = true },
	[FC_CONFIG_FILE] = { .name = "--config-file", .value = true },
	[FC_NO_API] = { .name = "--no-api" },
	[FC_ID] = { .name = "--id", .value = true },
	[FC_LEVEL] = { .name = "--level", .value = true },
	[FC_LOG_PATH] = { .name = "--log-path", .value = true },
	[FC_SHOW_LEVEL] = { .name = "--show-level" },
	[FC_SHOW_ORIGIN] = { .name = "--show-log-origin" },
	[FC_METRICS_PATH] = { .name = "--metrics-path", .value = true },
	[FC_BOOT_TIMER] = { .name = "--boot-timer" },
	[FC_METADATA] = { .name = "--metadata", .value = true },
	[FC_NO_SECCOMP] = { .name = "--no-seccomp" },
	[FC_SECCOMP_FILTER] = { .name = "--seccomp-filter", .value = true },
	[FC_MAX_BODY] = { .name = "--http-api-max-payload-size", .value = true },
	[FC_VERSION] = { .name = "--version" },
	[FC_HELP] = { .name = "--help" },
	[FC_IGNORED] = { .name = "--start-time-us", .value = true },
	[FC_IGNORED2] = { .name = "--start-time-cpu-us", .value = true },
	[FC_IGNORED3] = { .name = "--parent-cpu-time-us", .value = true },
	[FC_IGNORED4] = { .name = "--mmds-size-limit", .value = true },
};

/* Firecracker's rule for an instance id: 1 to 64 alphanumeric characters or '-'. */
static int check_id(const char *id, char *err, size_t errlen)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64)
		return opt_err(err, errlen, "--id: %zu characters (1 to 64)", n);
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= '0' && id[i] <= '9') ||
		      id[i] == '-'))
			return opt_err(err, errlen, "--id: character %zu is not a letter, a digit or '-'", i + 1);
	return 0;
}

/* Option @k with value @v into @o. */
static int fc_apply(struct fc_options *o, int k, const char *v, char *err, size_t errlen)
{
	unsigned long long n;

	switch ((enum fc_opt)k) {
	case FC_API_SOCK:
		if (!*v)
			return opt_err(err, errlen, "--api-sock: empty path");
		o->api_sock = v;
		return 0;
	case FC_CONFIG_FILE:
		o->config_file = v;
		return 0;
	case FC_NO_API:
		o->no_api = true;
		return 0;
	case FC_ID:
		o->id = v;
		return check_id(v, err, errlen);
	case FC_LEVEL:
		o->level_given = true;
		if (fc_log_level_of(v, &o->level) < 0)
			return opt_err(err, errlen, "--level %.32s: not a level (Error, Warning, Info, Debug, Trace or Off)", v);
		return 0;
	case FC_LOG_PATH:
		o->log_path = v;
		return *v ? 0 : opt_err(err, errlen, "--log-path: empty path");
	case FC_SHOW_LEVEL:
		o->show_level = true;
		return 0;
	case FC_SHOW_ORIGIN:
		o->show_log_origin = true;
		return 0;
	case FC_METRICS_PATH:
		o->metrics_path = v;
		return *v ? 0 : opt_err(err, errlen, "--metrics-path: empty path");
	case FC_BOOT_TIMER:
		o->boot_timer = true;
		return 0;
	case FC_METADATA:
		o->metadata = v;
		return 0;
	case FC_NO_SECCOMP:
		o->no_seccomp = true;
		return 0;
	case FC_SECCOMP_FILTER:
		return opt_err(err, errlen, "--seccomp-filter: custom filter files are not supported (keel's own"
			       " filters are on; --no-seccomp turns them off)");
	case FC_MAX_BODY:
		if (opt_number("--http-api-max-payload-size", v, 1, 16u << 20, &n, err, errlen) < 0)
			return -EINVAL;
		o->max_body = (size_t)n;
		return 0;
	case FC_VERSION:
		o->version = true;
		return 0;
	case FC_HELP:
		o->help = true;
		return 0;
	default:
		return 0;	/* the jailer's timing options */
	}
}

int fc_cli_parse(int argc, char *const argv[], int first, struct fc_options *o, char *err, size_t errlen)
{
	const char *value;

	memset(o, 0, sizeof(*o));
	o->api_sock = FC_DEFAULT_API_SOCK;
	o->id = FC_DEFAULT_ID;
	o->level = LOG_WARN;
	o->max_body = API_DEFAULT_MAX_BODY;
	for (int i = first; i < argc; i++) {
		int k, r;

		if (!strcmp(argv[i], "-h")) {
			o->help = true;
			continue;
		}
		if (opt_verbosity(argv[i], &o->verbosity))
			continue;
		k = opt_next(argc, argv, &i, fc_opts, FC_NOPTS, "keel firecracker", &value, err, errlen);
		if (k < 0)
			return k;
		r = fc_apply(o, k, value, err, errlen);
		if (r < 0)
			return r;
	}
	if (o->no_api && !o->config_file && !o->help && !o->version)
		return opt_err(err, errlen, "--no-api needs --config-file (nothing could start the microVM)");
	return 0;
}
