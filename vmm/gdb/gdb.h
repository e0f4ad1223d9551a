/* keel's gdb stub, as the rest of keel sees it: create it from --gdb (it installs its vCPU debug hooks), destroy it. */
#ifndef KEEL_VMM_GDB_GDB_H
#define KEEL_VMM_GDB_GDB_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

struct boot_map_seg;
struct evloop;
struct gdb;
struct stop_ctl;
struct vcpu;
struct vcpu_env;

/*
 * What the stub may use of the VM: its vCPUs, the main thread's event loop, the stop request
 * (gdb's kill), and the vCPUs' environment, where it installs its debug hooks.
 */
struct gdb_vm {
	struct vcpu **vcpus;
	unsigned int ncpus;
	int vm_fd;			/* KVM VM, -1 in unit tests */
	struct evloop *loop;
	struct stop_ctl *stop;
	struct vcpu_env *env;
	/* The kernel image's virtual -> physical map (vmm/boot/boot.h): breakpoints before paging. */
	const struct boot_map_seg *image_map;
	unsigned int image_nmap;
};

/*
 * gdb_create - listen at @addr (--gdb: tcp:[HOST:]PORT or unix:PATH) on @vm's loop and, with
 * @wait, hold every vCPU before its first instruction until gdb attaches. @vm is kept by
 * pointer. Call it after the vCPUs exist and before they start. Returns KEEL_EXIT_OK, or logs
 * one line and returns the exit status to use (KEEL_EXIT_USAGE when the address cannot be
 * used, e.g. the port is taken).
 */
int gdb_create(const struct gdb_vm *vm, const char *addr, bool wait, struct gdb **out);

/*
 * gdb_destroy - tell a waiting gdb the VM exited (W packet with the exit status), close the
 * connection and the listening socket. Call it after the vCPU threads were joined. NULL is fine.
 */
void gdb_destroy(struct gdb *g);

#endif
