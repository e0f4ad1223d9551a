/* A bare KVM VM for the unit tests that need /dev/kvm: the device, a VM and its in-kernel irqchip, by plain ioctls. */
#ifndef KEEL_TESTS_UNIT_KVM_FIXTURE_H
#define KEEL_TESTS_UNIT_KVM_FIXTURE_H

/*
 * kvm_fixture_vm - open /dev/kvm into *@kvm_fd (the test fails, saying so, when it is not usable
 * here), create a VM and its in-kernel irqchip (8259s, IOAPIC, each vCPU's LAPIC). Returns the
 * VM's fd; the caller closes both.
 */
int kvm_fixture_vm(int *kvm_fd);

#endif
