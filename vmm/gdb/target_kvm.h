/* The gdb target made of a KVM VM: registers, guest-virtual memory, all-stop pause/resume and per-vCPU guest debugging. */
#ifndef KEEL_VMM_GDB_TARGET_KVM_H
#define KEEL_VMM_GDB_TARGET_KVM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/gdb/commands.h"

struct gdb_bps;
struct gdb_kvm;
struct vcpu;
struct gdb_vm;

extern const struct gdb_target_ops gdb_kvm_ops;

/*
 * gdb_kvm_create - a target over @vm's vCPUs (which must exist), looking breakpoints up in @bps.
 * Its event fd (gdb_kvm_event_fd) becomes readable when a vCPU stops for the debugger. 0 or -errno.
 */
int gdb_kvm_create(const struct gdb_vm *vm, struct gdb_bps *bps, struct gdb_kvm **out);
void gdb_kvm_destroy(struct gdb_kvm *k);

/* gdb_kvm_event_fd - an eventfd, written when a vCPU stopped itself; read it before serving the event. */
int gdb_kvm_event_fd(const struct gdb_kvm *k);

/* gdb_kvm_vm - the VM @k was created over (for the monitor's ops, vmm/gdb/target_kvm_sys.c). */
const struct gdb_vm *gdb_kvm_vm(const struct gdb_kvm *k);

/* gdb_kvm_hw_slots - debug registers the host gives a VMM (KVM_CAP_GUEST_DEBUG_HW_BPS; 0 on kvm_pvm). */
unsigned int gdb_kvm_hw_slots(const struct gdb_kvm *k);

/* gdb_kvm_debug_exit - vCPU thread: a KVM_EXIT_DEBUG. Returns a vcpu_action. */
int gdb_kvm_debug_exit(struct gdb_kvm *k, struct vcpu *vcpu, const struct kvm_run *run);

/* gdb_kvm_breakpoint - vCPU thread: an int3 at @pc KVM could not emulate. true: a planted one, reported. */
bool gdb_kvm_breakpoint(struct gdb_kvm *k, struct vcpu *vcpu, uint64_t pc);

#endif
