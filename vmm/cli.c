/* Parses keel's command line into a vm_config, with one-line errors naming the bad option. */
#include "vmm/cli.h"

#include "devices/virtio/options.h"
#include "vmm/exit_status.h"
#include "vmm/gdb/addr.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		if (__builtin_mul_overflow(v, 10ull, &v) ||
		    __builtin_add_overflow(v, (unsigned long long)(*s - '0'), &v))
			return -ERANGE;
	}
	if (*s)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v = 0;
	unsigned int shift = 20;	/* bare numbers are MiB */
	const char *u;
	char num[32];
	size_t n = 0;

	if (!s)
		return -EINVAL;
	while (isdigit((unsigned char)s[n]))
		n++;
	if (n == 0 || n >= sizeof(num))
		return n == 0 ? -EINVAL : -ERANGE;
	memcpy(num, s, n);
	num[n] = '\0';
	if (cli_parse_uint(num, ~0ull, &v) < 0)
		return -ERANGE;
	s += n;
	if (*s) {
		u = strchr(units, toupper((unsigned char)*s));
		if (!u)
			return -EINVAL;
		shift = 10u * (unsigned int)(u - units + 1);
		s++;
		if (strcmp(s, "") != 0 && strcmp(s, "B") != 0 && strcmp(s, "iB") != 0)
			return -EINVAL;
	}
	if (v > (~0ull >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

void cli_usage(FILE *f)
{
	fprintf(f,
		"Usage: keel run [OPTIONS]    boot a VM\n"
		"       keel bench [OPTIONS]  measure each kind of VM exit (see 'keel bench --help')\n"
		"       keel --help           this text\n"
		"       keel --version        keel's version\n"
		"\n"
		"Options of 'keel run' (VALUE may also be given as --option=VALUE):\n"
		"  --kernel PATH     ELF64 kernel with a PVH entry note (default: the bundled guest)\n"
		"  --initrd PATH     initial ramdisk, handed over as the first PVH module\n"
		"  --cmdline STR     kernel command line (at most 2047 bytes)\n"
		"  --mem SIZE        guest RAM: a number with K, M, G or T (bare: MiB); default 256M,\n"
		"                    at least 4M, a multiple of 4K\n"
		"  --cpus N          vCPUs, 1 up to what KVM allows (default 1)\n"
		"  --gdb ADDR        serve gdb's remote protocol at tcp:[HOST:]PORT (HOST: 127.0.0.1\n"
		"                    unless given) or unix:PATH; every vCPU is a gdb thread\n"
		"  --gdb-wait        with --gdb: hold every vCPU before its first instruction until\n"
		"                    gdb attaches\n"
		VIRTIO_CLI_HELP
		"  -v, --verbose     more messages (twice: debug); -q, --quiet: errors only\n"
		"\n"
		"Console: the guest's COM1 is wired to your terminal. Ctrl-A x quits, Ctrl-A Ctrl-A\n"
		"sends Ctrl-A, Ctrl-A h shows this. Input may also come from a pipe or a file.\n"
		"\n"
		"%s",
		KEEL_EXIT_STATUS_HELP);
}

static const char *const cli_value_opts[] = { "--kernel", "--initrd", "--cmdline", "--mem", "--cpus", "--gdb" };

/* Set *@slot to @value unless it was already given. */
static int cli_once(const char **slot, const char *name, const char *value, char *err, size_t errlen)
{
	if (*slot) {
		snprintf(err, errlen, "%s given twice", name);
		return -EINVAL;
	}
	*slot = value;
	return 0;
}

static int cli_apply(struct cli_options *o, const char *name, const char *value, const char **mem,
		     const char **cpus, char *err, size_t errlen)
{
	if (!strcmp(name, "--kernel"))
		return cli_once(&o->cfg.kernel_path, name, value, err, errlen);
	if (!strcmp(name, "--initrd"))
		return cli_once(&o->cfg.initrd_path, name, value, err, errlen);
	if (!strcmp(name, "--cmdline"))
		return cli_once(&o->cfg.cmdline, name, value, err, errlen);
	if (!strcmp(name, "--mem"))
		return cli_once(mem, name, value, err, errlen);
	if (!strcmp(name, "--gdb"))
		return cli_once(&o->cfg.gdb, name, value, err, errlen);
	return cli_once(cpus, name, value, err, errlen);
}

static int cli_check_values(struct cli_options *o, const char *mem, const char *cpus, char *err,
			    size_t errlen)
{
	unsigned long long n;
	uint64_t size;
	int r;

	if (mem) {
		r = cli_parse_size(mem, &size);
		if (r == -EINVAL) {
			snprintf(err, errlen, "--mem %s: not a size (use a number with K, M, G or T, e.g. 512M)", mem);
			return -EINVAL;
		}
		if (r < 0 || size > GMEM_MAX_SIZE) {
			snprintf(err, errlen, "--mem %s: too large (at most %llu GiB)", mem, GMEM_MAX_SIZE >> 30);
			return -EINVAL;
		}
		if (size < GMEM_MIN_SIZE) {
			snprintf(err, errlen, "--mem %s: too small (at least %llu MiB)", mem, GMEM_MIN_SIZE >> 20);
			return -EINVAL;
		}
		if (size & 0xfff) {
			snprintf(err, errlen, "--mem %s: not a multiple of 4 KiB", mem);
			return -EINVAL;
		}
		o->cfg.mem_size = size;
	}
	if (cpus) {
		r = cli_parse_uint(cpus, CLI_MAX_CPUS, &n);
		if (r == -EINVAL) {
			snprintf(err, errlen, "--cpus %s: not a number", cpus);
			return -EINVAL;
		}
		if (r < 0 || n == 0) {
			snprintf(err, errlen, "--cpus %s: must be between 1 and %u", cpus, CLI_MAX_CPUS);
			return -EINVAL;
		}
		o->cfg.ncpus = (unsigned int)n;
	}
	if (o->cfg.gdb) {
		struct gdb_addr addr;

		if (gdb_addr_parse(o->cfg.gdb, &addr, err, errlen) < 0)
			return -EINVAL;
	} else if (o->cfg.gdb_wait) {
		snprintf(err, errlen, "--gdb-wait needs --gdb (see 'keel --help')");
		return -EINVAL;
	}
	if (strlen(o->cfg.cmdline) >= 2048) {
		snprintf(err, errlen, "--cmdline: %zu bytes is too long (at most 2047)", strlen(o->cfg.cmdline));
		return -EINVAL;
	}
	return 0;
}

static int cli_parse_run(int argc, char *const argv[], int i, struct cli_options *o, char *err,
			 size_t errlen)
{
	const char *mem = NULL, *cpus = NULL;
	int r;

	for (; i < argc; i++) {
		const char *arg = argv[i], *value = NULL, *eq;
		char name[32];
		size_t j, n;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			o->command = CLI_HELP;
			return 0;
		}
		if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
			o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1;
			continue;
		}
		if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
			o->verbosity = -1;
			continue;
		}
		if (!strcmp(arg, "--gdb-wait")) {
			o->cfg.gdb_wait = true;
			continue;
		}
		r = virtio_cli_arg(&o->cfg.virtio, argc, argv, &i, err, errlen);	/* --disk, --console ... */
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		eq = strchr(arg, '=');
		n = eq ? (size_t)(eq - arg) : strlen(arg);
		for (j = 0; j < sizeof(cli_value_opts) / sizeof(cli_value_opts[0]); j++)
			if (strlen(cli_value_opts[j]) == n && !strncmp(arg, cli_value_opts[j], n))
				break;
		if (j == sizeof(cli_value_opts) / sizeof(cli_value_opts[0])) {
			snprintf(err, errlen, arg[0] == '-' ? "unknown option '%s' (see 'keel --help')"
							    : "unexpected argument '%s' (see 'keel --help')",
				 arg);
			return -EINVAL;
		}
		snprintf(name, sizeof(name), "%s", cli_value_opts[j]);
		if (eq)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else {
			snprintf(err, errlen, "%s needs a value (see 'keel --help')", name);
			return -EINVAL;
		}
		r = cli_apply(o, name, value, &mem, &cpus, err, errlen);
		if (r < 0)
			return r;
	}
	if (!o->cfg.cmdline)
		o->cfg.cmdline = "";
	return cli_check_values(o, mem, cpus, err, errlen);
}

int cli_parse(int argc, char *const argv[], struct cli_options *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->command = CLI_RUN;
	o->cfg.mem_size = CLI_DEFAULT_MEM;
	o->cfg.ncpus = 1;
	o->cfg.kvm_path = "/dev/kvm";
	if (argc < 2) {
		snprintf(err, errlen, "no command given (try 'keel run' or 'keel --help')");
		return -EINVAL;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		o->command = CLI_HELP;
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		o->command = CLI_VERSION;
		return 0;
	}
	if (!strcmp(argv[1], "bench")) {
		o->command = CLI_BENCH;
		return bench_cli_parse(argc, argv, 2, &o->bench, err, errlen);
	}
	if (strcmp(argv[1], "run") != 0) {
		snprintf(err, errlen, argv[1][0] == '-' ? "unknown option '%s' (see 'keel --help')"
							: "unknown command '%s' (see 'keel --help')",
			 argv[1]);
		return -EINVAL;
	}
	return cli_parse_run(argc, argv, 2, o, err, errlen);
}
