/* keel's gdb stub, as the rest of keel sees it: create it from --gdb (it installs its vCPU debug hooks), destroy it. */
#ifndef KEEL_VMM_GDB_GDB_H
#define KEEL_VMM_GDB_GDB_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

struct gdb;
struct vcpu;
struct vm;

/*
 * gdb_create - when vm->cfg.gdb names an address, listen there (on vm->loop) and, with
 * vm->cfg.gdb_wait, hold every vCPU before its first instruction until gdb attaches. Call it
 * after the vCPUs exist and before they start. *@out is NULL when no --gdb was given. Returns
 * KEEL_EXIT_OK, or logs one line and returns the exit status to use (KEEL_EXIT_USAGE when the
 * address cannot be used, e.g. the port is taken).
 */
int gdb_create(struct vm *vm, struct gdb **out);

/*
 * gdb_destroy - tell a waiting gdb the VM exited (W packet with the exit status), close the
 * connection and the listening socket. Call it after the vCPU threads were joined. NULL is fine.
 */
void gdb_destroy(struct gdb *g);

#endif
