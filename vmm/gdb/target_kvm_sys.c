/* The gdb target's monitor ops over KVM: guest-physical memory, KVM_GET_SREGS as plain data, KVM_GET_LAPIC, KVM_GET_IRQCHIP. */
#include "vmm/gdb/target_kvm_sys.h"

#include "vcpu/state.h"
#include "vcpu/vcpu.h"
#include "vmm/gdb/gdb.h"
#include "vmm/gdb/target_kvm.h"
#include "vmm/memory.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

static struct vcpu *sys_vcpu(void *t, unsigned int cpu)
{
	const struct gdb_vm *vm = gdb_kvm_vm(t);

	return cpu < vm->ncpus ? vm->vcpus[cpu] : NULL;
}

int gdb_kvm_read_phys(void *t, uint64_t addr, void *buf, size_t len)
{
	return gmem_read(gdb_kvm_vm(t)->env->mem, addr, buf, len);
}

int gdb_kvm_write_phys(void *t, uint64_t addr, const void *buf, size_t len)
{
	return gmem_write(gdb_kvm_vm(t)->env->mem, addr, buf, len);
}

static void seg_from_kvm(struct x86_seg *d, const struct kvm_segment *k)
{
	d->base = k->base;
	d->limit = k->limit;
	d->selector = k->selector;
	d->type = k->type;
	d->s = k->s;
	d->dpl = k->dpl;
	d->present = k->present;
	d->avl = k->avl;
	d->l = k->l;
	d->db = k->db;
	d->g = k->g;
	d->unusable = k->unusable;
}

/* The guest's physical-address width: CPUID 0x80000008 EAX[7:0] of the table vCPUs start from. */
static unsigned int maxphyaddr(const struct kvm_cpuid2 *c)
{
	for (unsigned int i = 0; c && i < c->nent; i++)
		if (c->entries[i].function == 0x80000008 && (c->entries[i].eax & 0xff) >= 32)
			return c->entries[i].eax & 0xff;
	return 52;
}

int gdb_kvm_get_sys(void *t, unsigned int cpu, struct x86_sys *s)
{
	struct vcpu *v = sys_vcpu(t, cpu);
	struct kvm_sregs ks;
	struct kvm_regs kr;
	int ret;

	if (!v)
		return -ESRCH;
	ret = vcpu_state_get_regs(v->fd, &kr, &ks);
	if (ret < 0)
		return ret;
	memset(s, 0, sizeof(*s));
	seg_from_kvm(&s->cs, &ks.cs);
	seg_from_kvm(&s->ds, &ks.ds);
	seg_from_kvm(&s->es, &ks.es);
	seg_from_kvm(&s->fs, &ks.fs);
	seg_from_kvm(&s->gs, &ks.gs);
	seg_from_kvm(&s->ss, &ks.ss);
	seg_from_kvm(&s->tr, &ks.tr);
	seg_from_kvm(&s->ldt, &ks.ldt);
	s->gdt.base = ks.gdt.base;
	s->gdt.limit = ks.gdt.limit;
	s->idt.base = ks.idt.base;
	s->idt.limit = ks.idt.limit;
	s->cr0 = ks.cr0;
	s->cr2 = ks.cr2;
	s->cr3 = ks.cr3;
	s->cr4 = ks.cr4;
	s->cr8 = ks.cr8;
	s->efer = ks.efer;
	s->apic_base = ks.apic_base;
	s->rip = kr.rip;
	s->rflags = kr.rflags;
	s->maxphyaddr = maxphyaddr(v->env->cpuid);
	return 0;
}

int gdb_kvm_get_lapic(void *t, unsigned int cpu, struct x86_lapic *l)
{
	struct vcpu *v = sys_vcpu(t, cpu);
	struct kvm_lapic_state kl;

	_Static_assert(sizeof(kl.regs) == sizeof(l->regs), "the LAPIC page is 1 KiB");
	if (!v)
		return -ESRCH;
	if (ioctl(v->fd, KVM_GET_LAPIC, &kl) < 0)
		return -errno;
	memcpy(l->regs, kl.regs, sizeof(l->regs));
	return 0;
}

static int get_irqchip(void *t, __u32 id, struct kvm_irqchip *chip)
{
	int fd = gdb_kvm_vm(t)->vm_fd;

	if (fd < 0)
		return -ENODEV;
	memset(chip, 0, sizeof(*chip));
	chip->chip_id = id;
	return ioctl(fd, KVM_GET_IRQCHIP, chip) < 0 ? -errno : 0;
}

int gdb_kvm_get_ioapic(void *t, struct x86_ioapic *io)
{
	struct kvm_irqchip chip;
	int ret = get_irqchip(t, KVM_IRQCHIP_IOAPIC, &chip);

	_Static_assert(KVM_IOAPIC_NUM_PINS == X86_IOAPIC_PINS, "24 pins");
	if (ret < 0)
		return ret;
	io->base = chip.chip.ioapic.base_address;
	io->id = chip.chip.ioapic.id;
	io->irr = chip.chip.ioapic.irr;
	for (unsigned int i = 0; i < X86_IOAPIC_PINS; i++)
		io->redir[i] = chip.chip.ioapic.redirtbl[i].bits;
	return 0;
}

int gdb_kvm_get_pic(void *t, struct x86_pic *pic)
{
	static const __u32 ids[2] = { KVM_IRQCHIP_PIC_MASTER, KVM_IRQCHIP_PIC_SLAVE };

	for (unsigned int i = 0; i < 2; i++) {
		struct kvm_irqchip chip;
		const struct kvm_pic_state *k = &chip.chip.pic;
		int ret = get_irqchip(t, ids[i], &chip);

		if (ret < 0)
			return ret;
		pic[i] = (struct x86_pic){
			.irr = k->irr, .imr = k->imr, .isr = k->isr, .irq_base = k->irq_base, .elcr = k->elcr,
			.priority_add = k->priority_add, .auto_eoi = k->auto_eoi, .special_mask = k->special_mask,
			.special_fully_nested = k->special_fully_nested_mode, .init4 = k->init4,
			.init_state = k->init_state,
		};
	}
	return 0;
}
