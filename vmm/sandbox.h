/* seccomp system-call filters per thread kind: each of keel's threads installs its own allow-list at its start. */
#ifndef KEEL_VMM_SANDBOX_H
#define KEEL_VMM_SANDBOX_H

#include <stdbool.h>

/*
 * The kinds of thread, each with its own allow-list (vmm/sandbox.c says what each needs).
 * Anything a kind's list does not allow raises SIGSYS (SCMP_ACT_TRAP): one line on stderr,
 * "keel: error: system call N (name) is not allowed in the <kind> thread: stopping (seccomp;
 * --no-seccomp turns the filters off)", and keel exits with the status the thread was given:
 * KEEL_EXIT_SECCOMP (vmm/exit_status.h), or Firecracker's 148 under `keel firecracker`. The
 * kind and the status travel in the filter's trap data (SECCOMP_RET_DATA: status << 8 | kind),
 * so the handler needs no state of its own.
 *
 * Filters are per thread (no TSYNC), and a thread inherits the filters of the thread that
 * created it: a call must pass every filter the thread carries. So the order is fixed:
 *   - the main thread creates every other thread (API, vCPUs, I/O, render, VNC) while it is
 *     still unfiltered, and installs its own filter last, in vm_run once every vCPU started;
 *   - each of those threads installs its filter first thing in its thread function, before
 *     it touches anything a guest or a client controls;
 *   - threads created later by a filtered thread (Mesa llvmpipe's workers under the render
 *     thread, io_uring's kernel workers under the I/O thread) carry their creator's filter;
 *   - a filter survives execve: with --reboot restart the main thread's filter
 *     (SANDBOX_EXEC) is a deny-list of what no thread of keel needs, not the allow-list,
 *     because the re-executed keel sets up its VM under it and its threads carry it beneath
 *     their own. The re-executed keel finds KEEL_SECCOMP_INHERITED=1 in its environment and
 *     does not stack a second copy on its main thread.
 * Under ASan+UBSan (SAN=1) every list also allows what the sanitizers' runtime calls when it
 * reports, and the main thread what LeakSanitizer's check at exit calls (a ptrace of the
 * process's own threads from a clone).
 */
enum sandbox_kind {
	SANDBOX_MAIN,		/* the event loop, console, gdb stub, API commands, screenshots, exit */
	SANDBOX_VCPU,		/* KVM_RUN and the exits' device handlers */
	SANDBOX_IO,		/* the io_uring loop and the virtio backends */
	SANDBOX_RENDER,		/* virtio-gpu's renderer: virglrenderer, Mesa llvmpipe and its threads */
	SANDBOX_DISPLAY,	/* the VNC front end (libvncserver) */
	SANDBOX_API,		/* Firecracker's API (libmicrohttpd on a Unix socket) */
	SANDBOX_NKINDS,
};

/* Flags of sandbox_enter. */
#define SANDBOX_EXEC 0x1u	/* main only: keel may re-execute itself (--reboot restart): see above */

/* The environment variable whose value names the kind that makes a forbidden call (a test knob). */
#define SANDBOX_SELFTEST_ENV "KEEL_SECCOMP_SELFTEST"

/* The environment variable the re-executed keel of --reboot restart finds set to 1. */
#define SANDBOX_INHERITED_ENV "KEEL_SECCOMP_INHERITED"

/* sandbox_kind_name - "main", "vcpu", "io", "render", "display", "api"; NULL when out of range. */
const char *sandbox_kind_name(enum sandbox_kind kind);

/*
 * sandbox_enter - on the calling thread: install @kind's filter (with @flags), and the SIGSYS
 * handler that reports a refused call and exits with @status (1-255). Then, when
 * KEEL_SECCOMP_SELFTEST names @kind, make one call the filter forbids (socket(AF_PACKET,
 * ...)), so a test sees the filter stop it. Nothing when @status is 0 (--no-seccomp). Returns
 * 0, or -errno (logged) when the filter cannot be built or loaded.
 */
int sandbox_enter(enum sandbox_kind kind, unsigned int status, unsigned int flags);

/*
 * sandbox_build - build @kind's filter (with @flags) without loading it: 0 or -errno. For the
 * unit tests, which check that every kind builds.
 */
int sandbox_build(enum sandbox_kind kind, unsigned int flags);

#endif
