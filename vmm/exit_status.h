/* keel's process exit statuses: even values are keel's own, odd values come from the guest's debug-exit port. */
#ifndef KEEL_VMM_EXIT_STATUS_H
#define KEEL_VMM_EXIT_STATUS_H

enum keel_exit_status {
	KEEL_EXIT_OK = 0,		/* guest powered off, reset through the i8042, user quit (Ctrl-A x), or gdb killed it */
	/* 1, 3, 5, ... 255: the guest wrote v to the debug-exit port: status (v << 1) | 1 */
	KEEL_EXIT_USAGE = 2,		/* bad command line or bad input file (kernel, initrd, disk image, console file or socket) */
	KEEL_EXIT_HOST = 4,		/* the host cannot run the VM: no usable /dev/kvm, out of memory, a KVM call failed */
	KEEL_EXIT_TRIPLE_FAULT = 6,	/* the guest triple-faulted (KVM_EXIT_SHUTDOWN); registers are printed */
	KEEL_EXIT_GUEST_ERROR = 8,	/* KVM could not run the guest: internal/emulation error, failed entry, unknown exit */
	KEEL_EXIT_SECCOMP = 10,		/* a thread made a system call its seccomp filter forbids (vmm/sandbox.h) */
	/*
	 * 128 + N: keel was stopped by signal N, any whose default action ends a process (vmm/signals.h);
	 * the terminal is restored and keel's sockets removed. 137 (SIGKILL) cleans up nothing.
	 */
};

/* The text of `keel --help` and README.md that documents the statuses above. */
#define KEEL_EXIT_STATUS_HELP \
	"Exit status:\n" \
	"  0        the guest powered off (also after SIGTERM pressed its power button), reset\n" \
	"           itself (i8042; --reboot restart boots it again), you quit with Ctrl-A x, or gdb\n" \
	"           killed it\n" \
	"  1,3,...  the guest wrote V to the debug-exit port 0xf4: status (V << 1) | 1\n" \
	"  2        bad command line or input file (kernel, initrd, disk, console file or socket)\n" \
	"  4        the host cannot run the VM (no usable /dev/kvm, out of memory, KVM failure)\n" \
	"  6        the guest triple-faulted (its registers are printed)\n" \
	"  8        KVM could not run the guest (emulation failure, failed entry, unknown exit)\n" \
	"  10       a thread of keel made a system call its seccomp filter forbids (one line names\n" \
	"           the call and the thread; --no-seccomp turns the filters off)\n" \
	"  128+N    keel was stopped by signal N: any signal that ends a process by default (129\n" \
	"           SIGHUP, 130 SIGINT, 131 SIGQUIT, 138 SIGUSR1 without --gpu, 143 SIGTERM when\n" \
	"           the guest does not power off within --shutdown-timeout, ... up to 192 SIGRTMAX),\n" \
	"           sent by another process: the terminal is restored, sockets removed; 137 SIGKILL\n" \
	"           cleans up nothing; SIGPIPE is ignored; 134, 135, 136, 139 with a core dump:\n" \
	"           a crash of keel itself (please report it)\n" \
	"The bundled guest powers off when every check passes (status 0) and writes 1 to the\n" \
	"debug-exit port when one fails (status 3); under QEMU it leaves through debug-exit.\n"

#endif
