/* The bundled guest booted in bench mode, by keel itself or by QEMU, each in a child process. */
#ifndef KEEL_VMM_BENCH_GUESTVM_H
#define KEEL_VMM_BENCH_GUESTVM_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_QEMU_DEFAULT "qemu-system-x86_64"
#define BENCH_QEMU_MAX_ARGS 48

/* One boot of the bundled guest for a group of paths. */
struct bench_guest_cfg {
	uint32_t paths;			/* bit p: path p */
	uint64_t iters;
	unsigned int reps;
	unsigned int cpus;		/* vCPUs */
	const char *kvm_path;		/* keel: "/dev/kvm" */
	const char *qemu;		/* QEMU: the binary */
	const char *guest_elf;		/* QEMU: the bundled guest written to a file */
	char cmdline[512];		/* filled by bench_guest_cmdline */
};

/*
 * bench_guest_cmdline - the guest's command line for @paths, @iters and @reps:
 * "bench=a,b bench-iters=N bench-reps=R" (firmware/bench.h). Returns 0 or -ENOSPC.
 */
int bench_guest_cmdline(uint32_t paths, uint64_t iters, unsigned int reps, char *buf, size_t len);

/*
 * bench_keel_main - a bench_child_fn (@arg: struct bench_guest_cfg): keel boots the bundled
 * guest with cfg->cmdline, 256 MiB, cfg->cpus vCPUs, the bench devices, and a virtio-rng device
 * when virtio-notify is asked for; the guest's COM1 goes to stdout (the parent's pipe).
 * Returns keel's exit status.
 */
int bench_keel_main(void *arg);

/*
 * bench_qemu_argv - QEMU's command line for @cfg into @argv (at most BENCH_QEMU_MAX_ARGS
 * entries, NULL-terminated), strings in @store (@storelen bytes). Returns the count or -ENOSPC.
 */
int bench_qemu_argv(const struct bench_guest_cfg *cfg, char *argv[], char *store, size_t storelen);

/* bench_qemu_main - a bench_child_fn (@arg: struct bench_guest_cfg): exec QEMU. */
int bench_qemu_main(void *arg);

/*
 * bench_qemu_version - the first line of `@qemu --version` into @buf, run as a child with a
 * 10-second limit. Returns 0, or -ENOENT when QEMU does not run.
 */
int bench_qemu_version(const char *qemu, char *buf, size_t len);

/*
 * bench_guest_file - write the bundled guest's ELF to a fresh file in $TMPDIR (or /tmp) for
 * QEMU; its name goes to @path (@len bytes). Returns 0 or -errno. The caller unlinks it.
 */
int bench_guest_file(char *path, size_t len);

#endif
