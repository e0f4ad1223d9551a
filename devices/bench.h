/* The bench device set (`keel bench` only): empty PIO/MMIO handlers, ioeventfds, a user-space MSR, hypercall exits, an irqfd doorbell. */
#ifndef KEEL_DEVICES_BENCH_H
#define KEEL_DEVICES_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu/vcpu.h"
#include "vmm/platform.h"

struct bench_dev;

/*
 * What the guest finds at the addresses of firmware/bench.h in a bench VM:
 * - KEEL_BENCH_PORT_USER, KEEL_BENCH_MMIO_USER: an empty handler (every access exits to keel).
 * - KEEL_BENCH_PORT_KERNEL (1 byte), KEEL_BENCH_MMIO_KERNEL (any length, or 1 byte): ioeventfds nobody
 *   reads, so the exit ends in KVM; other accesses there reach the empty handler.
 * - KEEL_BENCH_MSR_USER: RDMSR/WRMSR filtered to user space, answered by bench_msr.
 * - KVM_HC_MAP_GPA_RANGE sent to user space, answered 0 by bench_hypercall.
 * - KEEL_BENCH_PORT_DOORBELL (1 byte): an ioeventfd on the VM's event loop; each signal is
 *   answered by a write to an irqfd on IOAPIC input KEEL_BENCH_IRQ.
 * A host without one of the capabilities gets the rest (logged at info level); the guest then
 * reports that path unavailable.
 */

/*
 * bench_devices_create - the bench devices on @p's buses (and, with a KVM VM, its ioeventfds,
 * irqfd and capabilities) for a VM of @ncpus vCPUs. 0 with *@out set, or -errno with nothing left.
 */
int bench_devices_create(struct platform *p, unsigned int ncpus, struct bench_dev **out);
/* bench_devices_destroy - undo bench_devices_create; NULL is fine. */
void bench_devices_destroy(struct bench_dev *b);
/* bench_exit_hooks - the MSR and hypercall hooks to install (opaque: the struct bench_dev). */
const struct vcpu_exit_hooks *bench_exit_hooks(void);

/* bench_io - the empty bus handler: writes dropped, reads 0. Returns 0. */
int bench_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/*
 * bench_msr - vcpu_exit_hooks.msr (opaque = the struct bench_dev): a read of KEEL_BENCH_MSR_USER gives
 * threads | cores << 16 for one thread per core; writes to it are ignored. Any other index:
 * -ENOENT (the guest gets #GP).
 */
int bench_msr(void *opaque, struct vcpu *vcpu, uint32_t index, uint64_t *data, bool is_write);

/* bench_hypercall - vcpu_exit_hooks.hypercall: KEEL_BENCH_HC_NR answers *@ret = 0; others -ENOSYS. */
int bench_hypercall(void *opaque, struct vcpu *vcpu, uint64_t nr, const uint64_t args[6], uint64_t *ret);

/*
 * bench_kvm_user_msr - send RDMSR and WRMSR of MSR @index on VM @vm_fd to user space
 * (KVM_CAP_X86_USER_SPACE_MSR with KVM_MSR_EXIT_REASON_FILTER, and KVM_X86_SET_MSR_FILTER
 * denying only @index). Returns 0, -EOPNOTSUPP when KVM lacks either, or -errno.
 */
int bench_kvm_user_msr(int kvm_fd, int vm_fd, uint32_t index);

/*
 * bench_kvm_hypercall_exit - send hypercall @nr on VM @vm_fd to user space (KVM_CAP_EXIT_HYPERCALL).
 * Returns 0, -EOPNOTSUPP when KVM does not offer it for @nr, or -errno.
 */
int bench_kvm_hypercall_exit(int kvm_fd, int vm_fd, uint32_t nr);

#endif
