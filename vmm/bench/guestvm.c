/* Boots the bundled guest in bench mode: under keel (with the bench devices) or under QEMU (with its test devices). */
#include "vmm/bench/guestvm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/bench.h"
#include "vmm/bench/child.h"
#include "vmm/bench/paths.h"
#include "vmm/bundled_guest.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define BENCH_GUEST_MEM (256ull << 20)

int bench_guest_cmdline(uint32_t paths, uint64_t iters, unsigned int reps, char *buf, size_t len)
{
	char list[256];
	int n;

	if (bench_paths_format(paths, list, sizeof(list)) < 0)
		return -ENOSPC;
	n = snprintf(buf, len, KEEL_BENCH_ARG_PATHS "=%s " KEEL_BENCH_ARG_ITERS "=%llu " KEEL_BENCH_ARG_REPS "=%u",
		     list, (unsigned long long)iters, reps);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int bench_keel_main(void *arg)
{
	const struct bench_guest_cfg *g = arg;
	struct vm_config cfg;
	char err[256];
	struct vm vm;
	int status;

	vm_config_init(&cfg);
	cfg.bench = true;
	if (config_set_boot_source(&cfg, NULL, NULL, g->cmdline, err, sizeof(err)) < 0 ||
	    config_set_mem_bytes(&cfg, BENCH_GUEST_MEM, err, sizeof(err)) < 0 ||
	    config_set_cpus_n(&cfg, g->cpus, err, sizeof(err)) < 0 ||
	    config_set_kvm_path(&cfg, g->kvm_path, err, sizeof(err)) < 0 ||
	    config_set_rng(&cfg, (g->paths & (1u << KEEL_BENCH_PATH_VIRTIO_NOTIFY)) != 0, err, sizeof(err)) < 0) {
		log_error("%s", err);
		vm_config_free(&cfg);
		return KEEL_EXIT_USAGE;
	}
	status = vm_create(&vm, &cfg);
	if (status == KEEL_EXIT_OK)
		status = vm_run(&vm);
	vm_destroy(&vm);
	vm_config_free(&cfg);
	return status;
}

/* Append @s (copied into @store) to @argv. */
static int bench_arg(char *argv[], int *argc, char *store, size_t len, size_t *used, const char *s)
{
	size_t n = strlen(s) + 1;

	if (*argc >= BENCH_QEMU_MAX_ARGS - 1 || *used + n > len)
		return -ENOSPC;
	memcpy(store + *used, s, n);
	argv[(*argc)++] = store + *used;
	argv[*argc] = NULL;
	*used += n;
	return 0;
}

int bench_qemu_argv(const struct bench_guest_cfg *cfg, char *argv[], char *store, size_t storelen)
{
	static const char *const fixed[] = {
		/* arch-capabilities off: QEMU 7.2 (Debian 12) aborts at start-up on hosts whose KVM
		 * refuses MSR 0x10a (IA32_ARCH_CAPABILITIES), kvm_pvm among them; no path uses it */
		"-accel", "kvm", "-M", "pc", "-cpu", "host,arch-capabilities=off", "-m", "256M", "-nodefaults",
		"-no-user-config",
		"-display", "none", "-serial", "stdio", "-no-reboot",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=4",	/* the guest's exit, as under keel */
		"-device", "pc-testdev",				/* pio-user 0xe0, mmio-user 0xff000000 */
		"-device", "pci-testdev",				/* pio-kernel, mmio-kernel: ioeventfds */
	};
	char smp[16];
	size_t used = 0;
	int argc = 0, r;

	snprintf(smp, sizeof(smp), "%u", cfg->cpus);
	r = bench_arg(argv, &argc, store, storelen, &used, cfg->qemu);
	for (size_t i = 0; r == 0 && i < sizeof(fixed) / sizeof(fixed[0]); i++)
		r = bench_arg(argv, &argc, store, storelen, &used, fixed[i]);
	if (r == 0)
		r = bench_arg(argv, &argc, store, storelen, &used, "-smp");
	if (r == 0)
		r = bench_arg(argv, &argc, store, storelen, &used, smp);
	if (r == 0 && (cfg->paths & (1u << KEEL_BENCH_PATH_VIRTIO_NOTIFY))) {
		r = bench_arg(argv, &argc, store, storelen, &used, "-device");
		if (r == 0)
			r = bench_arg(argv, &argc, store, storelen, &used, "virtio-rng-pci");
	}
	if (r == 0)
		r = bench_arg(argv, &argc, store, storelen, &used, "-kernel");
	if (r == 0)
		r = bench_arg(argv, &argc, store, storelen, &used, cfg->guest_elf);
	if (r == 0)
		r = bench_arg(argv, &argc, store, storelen, &used, "-append");
	if (r == 0)
		r = bench_arg(argv, &argc, store, storelen, &used, cfg->cmdline);
	return r < 0 ? r : argc;
}

int bench_qemu_main(void *arg)
{
	char *argv[BENCH_QEMU_MAX_ARGS], store[2048];

	if (bench_qemu_argv(arg, argv, store, sizeof(store)) < 0)
		return 127;
	return bench_child_exec(argv);
}

struct bench_version {
	char *buf;
	size_t len;
	bool got;
};

static bool bench_version_line(void *opaque, const char *line, size_t len)
{
	struct bench_version *v = opaque;

	if (!v->got && len > 0) {
		snprintf(v->buf, v->len, "%.*s", (int)len, line);
		v->got = true;
	}
	return true;
}

static unsigned int bench_version_limit(void *opaque)
{
	(void)opaque;
	return 10000;
}

static int bench_version_main(void *arg)
{
	char *argv[] = { (char *)arg, (char *)"--version", NULL };

	return bench_child_exec(argv);
}

int bench_qemu_version(const char *qemu, char *buf, size_t len)
{
	static const struct bench_child_ops ops = { .line = bench_version_line, .limit_ms = bench_version_limit };
	struct bench_version v = { .buf = buf, .len = len };
	struct bench_child_result res;
	int r;

	buf[0] = '\0';
	r = bench_child_run(bench_version_main, (void *)qemu, &ops, &v, 10000, -1, &res);
	if (r < 0)
		return r;
	if (res.status != 0 || !v.got || strncmp(buf, "QEMU", 4) != 0) {
		buf[0] = '\0';
		return -ENOENT;
	}
	return 0;
}

int bench_guest_file(char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	size_t off = 0;
	int fd, n;

	n = snprintf(path, len, "%s/keel-bench-guest.XXXXXX", dir && *dir ? dir : "/tmp");
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	while (off < (size_t)keel_bundled_guest_size) {
		ssize_t w = write(fd, keel_bundled_guest + off, (size_t)keel_bundled_guest_size - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = w < 0 ? errno : EIO;

			close(fd);
			unlink(path);
			return -err;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0) {
		unlink(path);
		return -EIO;
	}
	return 0;
}
