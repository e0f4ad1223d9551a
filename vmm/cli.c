/* keel's command line: a front end to the configuration (vmm/config.h) that hands each `keel run` option to its adder. */
#include "vmm/cli.h"

#include "vmm/device_types.h"
#include "vmm/exit_status.h"
#include "vmm/opt.h"

#include <errno.h>
#include <string.h>

void cli_usage(FILE *f)
{
	fprintf(f,
		"Usage: keel run [OPTIONS]    boot a VM\n"
		"       keel bench [OPTIONS]  measure each kind of VM exit (see 'keel bench --help')\n"
		"       keel --help           this text\n"
		"       keel --version        keel's version\n"
		"\n"
		"       keel firecracker [OPTIONS]   Firecracker's command line and API (see\n"
		"                              'keel firecracker --help')\n"
		"\n"
		"Options of 'keel run' (VALUE may also be given as --option=VALUE):\n"
		"  --config-file FILE   the VM from a Firecracker JSON configuration (with keel's own\n"
		"                    \"keel\" section); options given beside it add to it\n"
		"  --kernel PATH     a Linux bzImage (as in /boot), a vmlinux, a Multiboot 1 or 2 kernel\n"
		"                    (ELF32, ELF64 or a binary with address fields), or an ELF64 kernel\n"
		"                    with a PVH entry note (default: the bundled guest)\n"
		"  --initrd PATH     initial ramdisk; may be given up to 16 times (Linux: concatenated;\n"
		"                    PVH: modules 0..n-1; Multiboot: one module each, its string PATH)\n"
		"  --boot-protocol auto|linux|multiboot|multiboot2|pvh   how the kernel is entered\n"
		"                    (default auto: a bzImage, or a vmlinux without a PVH note, by Linux's\n"
		"                    64-bit protocol; a Multiboot 2, else Multiboot 1 header by that; other\n"
		"                    ELF kernels by PVH)\n"
		"  --cmdline STR     kernel command line (at most 2047 bytes)\n"
		"  --mem SIZE        guest RAM: a number with K, M, G or T (bare: MiB); default 256M,\n"
		"                    at least 4M, a multiple of 4K\n"
		"  --cpus N          vCPUs, 1 up to what KVM allows (default 1)\n"
		"  --gdb ADDR        serve gdb's remote protocol at tcp:[HOST:]PORT (HOST: 127.0.0.1\n"
		"                    unless given) or unix:PATH; every vCPU is a gdb thread\n"
		"  --gdb-wait        with --gdb: hold every vCPU before its first instruction until\n"
		"                    gdb attaches\n"
		"  --disk PATH[,readonly][,id=NAME]   a raw disk image as a virtio-blk device (up to 32);\n"
		"                    id: what the guest reads as the device ID (at most 20 bytes)\n"
		"  --console SPEC    uart (default), virtio (the terminal), file:PATH[,in=PATH],\n"
		"                    socket:PATH (connect to a Unix stream socket): a virtio console;\n"
		"                    COM1 stays for early output\n"
		"  --rng[=PLACE]     a virtio-rng device fed by getrandom\n"
		"  --net tap:IFNAME[,mac=MAC]   a virtio-net device on a tap interface (created when\n"
		"                    missing and keel may: CAP_NET_ADMIN); up to 16 --net in all\n"
		"  --net socket:PATH[,peer=PATH][,mac=MAC]   a virtio-net device exchanging frames as\n"
		"                    datagrams on a Unix socket keel binds at PATH; they go to peer\n"
		"                    (default: whoever sent the last frame)\n"
		"  --gpu 2d|virgl[,width=W][,height=H][,outputs=N][,PLACE]\n"
		"                    a virtio-gpu, 2D or OpenGL through virglrenderer: N outputs\n"
		"                    (1-4) of W x H pixels (16-8192, default 1280x800)\n"
		"  --input keyboard|tablet[,PLACE]   a virtio-input keyboard or absolute pointer fed\n"
		"                    by the display's VNC client; up to 4\n"
		"  --vsock cid=N,uds=PATH[,PLACE]   a virtio-vsock device, guest context id N\n"
		"                    (3-4294967294); host programs connect to the Unix socket PATH\n"
		"                    and write \"CONNECT <port>\\n\" to reach a guest port; the guest's\n"
		"                    connections to host port P go to the Unix socket PATH_P\n"
		"  --fw-cfg name=NAME,file=PATH | name=NAME,string=TEXT   a file in the guest's\n"
		"                    fw_cfg directory (QEMU's -fw_cfg; NAME under opt/, at most 55\n"
		"                    bytes; ',,' is a comma); up to 32\n"
		"  --display none|vnc:[HOST:]PORT   show the GPU's first output (--gpu) to a VNC client\n"
		"                    at PORT on HOST (default 127.0.0.1; any address may be named);\n"
		"                    its keys and pointer go to the --input devices (default none)\n"
		"  --screenshot FILE   where SIGUSR1 writes a PNG of each GPU output (default\n"
		"                    keel-PID.png; output N>0 gets -N before .png)\n"
		"  --screenshot-on-exit FILE   write a PNG of each GPU output when the VM ends\n"
		"  --virtio-transport pci|mmio   how the guest finds virtio devices (default pci)\n"
		"  PLACE: each device's option may end in ,transport=pci|mmio (this device only)\n"
		"                    and, over PCI, ,msix=off (no MSI-X: INTA# only); --rng=PLACE\n"
		"  --host-workarounds auto|off|on   work around what this host's KVM cannot do\n"
		"                    (default auto: only on hosts known to need it, such as kvm_pvm;\n"
		"                    -v lists what was applied)\n"
		"  --reboot exit|restart   when the guest reboots: end keel with status 0 (default),\n"
		"                    or boot the VM again from the same command line\n"
		"  --shutdown-timeout SECONDS   on SIGTERM, press the ACPI power button and wait this\n"
		"                    long for the guest to power off (default 30; 0: stop at once);\n"
		"                    a second SIGTERM stops it at once\n"
		"  --no-seccomp      no system-call filters (by default each thread of keel allows\n"
		"                    only the system calls its kind of work needs)\n"
		"  -v, --verbose     more messages (twice: debug); -q, --quiet: errors only\n"
		"\n"
		"Console: the guest's COM1 is wired to your terminal. Ctrl-A x quits, Ctrl-A Ctrl-A\n"
		"sends Ctrl-A, Ctrl-A h shows this. Input may also come from a pipe or a file.\n"
		"\n"
		"%s",
		KEEL_EXIT_STATUS_HELP);
}

enum cli_opt {
	CLI_KERNEL,
	CLI_INITRD,
	CLI_CMDLINE,
	CLI_MEM,
	CLI_CPUS,
	CLI_GDB,
	CLI_GDB_WAIT,
	CLI_TRANSPORT,
	CLI_BOOT_PROTOCOL,
	CLI_HOST_FIXES,
	CLI_REBOOT,
	CLI_SHUTDOWN_TIMEOUT,
	CLI_FW_CFG,
	CLI_DISPLAY,
	CLI_SCREENSHOT,
	CLI_SCREENSHOT_ON_EXIT,
	CLI_CONFIG_FILE,
	CLI_NO_SECCOMP,
	CLI_NOPTS	/* the device types' options follow, in vmm/device_types.c's order */
};

static const struct opt_def cli_opts[CLI_NOPTS] = {
	[CLI_KERNEL] = { .name = "--kernel", .value = true },
	[CLI_INITRD] = { .name = "--initrd", .value = true },
	[CLI_CMDLINE] = { .name = "--cmdline", .value = true },
	[CLI_MEM] = { .name = "--mem", .value = true },
	[CLI_CPUS] = { .name = "--cpus", .value = true },
	[CLI_GDB] = { .name = "--gdb", .value = true },
	[CLI_GDB_WAIT] = { .name = "--gdb-wait", .value = false },
	[CLI_TRANSPORT] = { .name = "--virtio-transport", .value = true },
	[CLI_BOOT_PROTOCOL] = { .name = "--boot-protocol", .value = true },
	[CLI_HOST_FIXES] = { .name = "--host-workarounds", .value = true },
	[CLI_REBOOT] = { .name = "--reboot", .value = true },
	[CLI_SHUTDOWN_TIMEOUT] = { .name = "--shutdown-timeout", .value = true },
	[CLI_FW_CFG] = { .name = "--fw-cfg", .value = true },
	[CLI_DISPLAY] = { .name = "--display", .value = true },
	[CLI_SCREENSHOT] = { .name = "--screenshot", .value = true },
	[CLI_SCREENSHOT_ON_EXIT] = { .name = "--screenshot-on-exit", .value = true },
	[CLI_CONFIG_FILE] = { .name = "--config-file", .value = true },
	[CLI_NO_SECCOMP] = { .name = "--no-seccomp", .value = false },
};

/* Option @k with @v (NULL for a flag) into @c. --gdb-wait only sets *@gdb_wait: it may come before --gdb. */
static int cli_apply(struct vm_config *c, int k, const char *v, bool *gdb_wait, char *err, size_t errlen)
{
	if (k >= CLI_NOPTS)	/* a device type's option */
		return device_types[k - CLI_NOPTS].add(c, v, err, errlen);
	switch ((enum cli_opt)k) {
	case CLI_KERNEL:
		return config_set_boot_source(c, v, NULL, NULL, err, errlen);
	case CLI_INITRD:
		return config_set_boot_source(c, NULL, v, NULL, err, errlen);
	case CLI_CMDLINE:
		return config_set_boot_source(c, NULL, NULL, v, err, errlen);
	case CLI_MEM:
		return config_set_mem(c, v, err, errlen);
	case CLI_CPUS:
		return config_set_cpus(c, v, err, errlen);
	case CLI_GDB:
		return config_set_gdb(c, v, false, err, errlen);
	case CLI_GDB_WAIT:
		*gdb_wait = true;
		return 0;
	case CLI_BOOT_PROTOCOL:
		return config_set_boot_protocol(c, v, err, errlen);
	case CLI_HOST_FIXES:
		return config_set_host_fixes(c, v, err, errlen);
	case CLI_REBOOT:
		return config_set_reboot(c, v, err, errlen);
	case CLI_SHUTDOWN_TIMEOUT:
		return config_set_shutdown_timeout(c, v, err, errlen);
	case CLI_FW_CFG:
		return config_add_fw_cfg(c, v, err, errlen);
	case CLI_DISPLAY:
		return config_set_display(c, v, err, errlen);
	case CLI_SCREENSHOT:
		return config_set_screenshot(c, v, err, errlen);
	case CLI_SCREENSHOT_ON_EXIT:
		return config_set_screenshot_on_exit(c, v, err, errlen);
	case CLI_CONFIG_FILE:
		return 0;	/* applied before every other option (cli_config_file) */
	case CLI_NO_SECCOMP:
		c->no_seccomp = true;
		return 0;
	default:
		return config_set_transport(c, v, err, errlen);
	}
}

/*
 * --config-file FILE, wherever it stands, is applied first: the options beside it add to what it
 * describes. Once.
 */
static int cli_config_file(int argc, char *const argv[], int i, struct cli_options *o, char *err, size_t errlen)
{
	const char *path = NULL;
	json_t *doc;
	int r;

	for (; i < argc; i++) {
		const char *v = NULL;

		if (!strcmp(argv[i], "--config-file") && i + 1 < argc)
			v = argv[++i];
		else if (!strncmp(argv[i], "--config-file=", 14))
			v = argv[i] + 14;
		else if (!strcmp(argv[i], "--cmdline") || !strcmp(argv[i], "--kernel"))
			i++;	/* their values may be anything */
		if (v && path)
			return opt_err(err, errlen, "--config-file given twice");
		if (v)
			path = v;
	}
	if (!path)
		return 0;
	r = fc_config_load(path, &doc, err, errlen);
	if (r < 0)
		return r;
	r = fc_config_apply(doc, &o->cfg, &o->fcrt, err, errlen);
	if (r == 0)
		r = fc_config_check_files(doc, err, errlen);
	json_decref(doc);
	if (r == -EINVAL) {
		char line[512];

		snprintf(line, sizeof(line), "%s", err);
		snprintf(err, errlen, "--config-file %s: %s", path, line);
	}
	return r;
}

static int cli_parse_run(int argc, char *const argv[], int i, struct cli_options *o, char *err, size_t errlen)
{
	struct opt_def defs[CLI_NOPTS + DEVICE_TYPES_MAX];
	size_t ndefs = CLI_NOPTS;
	bool gdb_wait = false;
	const char *value;
	int k, r;

	memcpy(defs, cli_opts, sizeof(cli_opts));
	for (size_t t = 0; t < device_ntypes; t++)
		defs[ndefs++] = device_types[t].opt;
	r = cli_config_file(argc, argv, i, o, err, errlen);
	if (r < 0)
		return r;
	for (; i < argc; i++) {
		if (opt_is_help(argv[i])) {
			o->command = CLI_HELP;
			return 0;
		}
		if (opt_verbosity(argv[i], &o->verbosity))
			continue;
		k = opt_next(argc, argv, &i, defs, ndefs, "keel", &value, err, errlen);
		if (k < 0)
			return k;
		r = cli_apply(&o->cfg, k, value, &gdb_wait, err, errlen);
		if (r < 0)
			return r;
	}
	return gdb_wait ? config_set_gdb(&o->cfg, NULL, true, err, errlen) : 0;
}

int cli_parse(int argc, char *const argv[], struct cli_options *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->command = CLI_RUN;
	vm_config_init(&o->cfg);
	if (argc < 2)
		return opt_err(err, errlen, "no command given (try 'keel run' or 'keel --help')");
	if (opt_is_help(argv[1]) || !strcmp(argv[1], "help")) {
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
	if (strcmp(argv[1], "run") != 0)
		return opt_err(err, errlen, argv[1][0] == '-' ? "unknown option '%s' (see 'keel --help')"
							  : "unknown command '%s' (see 'keel --help')",
			       argv[1]);
	return cli_parse_run(argc, argv, 2, o, err, errlen);
}

void cli_options_free(struct cli_options *o)
{
	vm_config_free(&o->cfg);
	fc_runtime_free(&o->fcrt);
}
