/* The gdb target's monitor ops over KVM (vmm/gdb/target_kvm_sys.c): guest-physical memory, system registers, APICs, PICs. */
#ifndef KEEL_VMM_GDB_TARGET_KVM_SYS_H
#define KEEL_VMM_GDB_TARGET_KVM_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/gdb/x86_sys.h"

/* Each takes the struct gdb_kvm as @t, like every op of gdb_kvm_ops; 0 or -errno. */

/* gdb_kvm_read_phys / gdb_kvm_write_phys - guest RAM through gmem_translate: all or -EFAULT. */
int gdb_kvm_read_phys(void *t, uint64_t addr, void *buf, size_t len);
int gdb_kvm_write_phys(void *t, uint64_t addr, const void *buf, size_t len);
/* gdb_kvm_get_sys - KVM_GET_SREGS and RIP/RFLAGS of vCPU @cpu as plain data; MAXPHYADDR from CPUID. */
int gdb_kvm_get_sys(void *t, unsigned int cpu, struct x86_sys *s);
/* gdb_kvm_get_lapic - KVM_GET_LAPIC of vCPU @cpu. */
int gdb_kvm_get_lapic(void *t, unsigned int cpu, struct x86_lapic *l);
/* gdb_kvm_get_ioapic / gdb_kvm_get_pic - KVM_GET_IRQCHIP on the VM (@pic: master, then slave). */
int gdb_kvm_get_ioapic(void *t, struct x86_ioapic *io);
int gdb_kvm_get_pic(void *t, struct x86_pic *pic);

#endif
