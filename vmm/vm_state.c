/* Save and restore a VM's in-kernel 8259s, IOAPIC, PIT and kvmclock, each state checked before KVM sees it. */
#include "vmm/vm_state.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "firmware/machine.h"

#define PIC_MASTER_ELCR_MASK 0xf8u	/* KVM's: IRQ 0-2 are always edge-triggered */
#define PIC_SLAVE_ELCR_MASK 0xdeu	/* KVM's: IRQ 8 and 13 are always edge-triggered */
#define PIT_MODE_UNSET 0xffu		/* a channel the guest never programmed */
#define PIT_MAX_COUNT 0x10000u		/* a count of 0 means 65536 */
#define PIT_RW_STATE_MAX 4u		/* LSB, MSB, WORD0, WORD1 */
#define PIT_FLAGS (KVM_PIT_FLAGS_HPET_LEGACY | KVM_PIT_FLAGS_SPEAKER_DATA_ON)
#define CLOCK_FLAGS (KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC)

/* The three controllers of @s in restore order, with the chip id each must carry. */
static void vm_chips(const struct vm_kvm_state *s, const struct kvm_irqchip *chip[3])
{
	chip[0] = &s->pic_master;
	chip[1] = &s->pic_slave;
	chip[2] = &s->ioapic;
}

/* True when the @n bytes at @p are all zero. */
static bool zeroes(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

int vm_state_save(int vm_fd, struct vm_kvm_state *s)
{
	struct kvm_irqchip *chip[3] = { &s->pic_master, &s->pic_slave, &s->ioapic };
	const __u32 id[3] = { KVM_IRQCHIP_PIC_MASTER, KVM_IRQCHIP_PIC_SLAVE, KVM_IRQCHIP_IOAPIC };

	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < 3; i++) {
		chip[i]->chip_id = id[i];
		if (ioctl(vm_fd, KVM_GET_IRQCHIP, chip[i]) < 0)
			return -errno;
	}
	if (ioctl(vm_fd, KVM_GET_PIT2, &s->pit) < 0 || ioctl(vm_fd, KVM_GET_CLOCK, &s->clock) < 0)
		return -errno;
	return 0;
}

/* One 8259 (@slave or the master). */
static bool pic_ok(const struct kvm_pic_state *p, bool slave)
{
	const __u8 flags[] = { p->read_reg_select, p->poll, p->special_mask, p->auto_eoi, p->rotate_on_auto_eoi,
			       p->special_fully_nested_mode, p->init4 };
	unsigned int mask = slave ? PIC_SLAVE_ELCR_MASK : PIC_MASTER_ELCR_MASK;

	for (size_t i = 0; i < sizeof(flags); i++)
		if (flags[i] > 1)
			return false;
	return p->priority_add <= 7 && p->init_state <= 3 && !(p->irq_base & 7) && p->elcr_mask == mask &&
	       !(p->elcr & ~mask);
}

static bool ioapic_ok(const struct kvm_ioapic_state *a)
{
	return a->base_address == KEEL_IOAPIC_GPA && a->ioregsel <= 0xff && a->id <= 0xf &&
	       !(a->irr >> KVM_IOAPIC_NUM_PINS) && a->pad == 0;
}

static bool pit_channel_ok(const struct kvm_pit_channel_state *c)
{
	return c->count >= 1 && c->count <= PIT_MAX_COUNT && (c->mode <= 5 || c->mode == PIT_MODE_UNSET) &&
	       c->rw_mode <= 3 && c->read_state <= PIT_RW_STATE_MAX && c->write_state <= PIT_RW_STATE_MAX &&
	       c->count_latched <= 3 && c->status_latched <= 1 && c->bcd <= 1 && c->gate <= 1;
}

int vm_state_check(const struct vm_kvm_state *s)
{
	const struct kvm_irqchip *chip[3];

	vm_chips(s, chip);
	if (chip[0]->chip_id != KVM_IRQCHIP_PIC_MASTER || chip[1]->chip_id != KVM_IRQCHIP_PIC_SLAVE ||
	    chip[2]->chip_id != KVM_IRQCHIP_IOAPIC)
		return -EINVAL;
	for (unsigned int i = 0; i < 3; i++) {
		size_t used = i < 2 ? sizeof(chip[i]->chip.pic) : sizeof(chip[i]->chip.ioapic);

		if (chip[i]->pad || !zeroes((const char *)&chip[i]->chip + used, sizeof(chip[i]->chip) - used))
			return -EINVAL;
	}
	if (!pic_ok(&s->pic_master.chip.pic, false) || !pic_ok(&s->pic_slave.chip.pic, true) ||
	    !ioapic_ok(&s->ioapic.chip.ioapic))
		return -EINVAL;
	for (unsigned int i = 0; i < 3; i++)
		if (!pit_channel_ok(&s->pit.channels[i]))
			return -EINVAL;
	if ((s->pit.flags & ~PIT_FLAGS) || !zeroes(s->pit.reserved, sizeof(s->pit.reserved)))
		return -EINVAL;
	if ((s->clock.flags & ~CLOCK_FLAGS) || s->clock.pad0 || !zeroes(s->clock.pad, sizeof(s->clock.pad)))
		return -EINVAL;
	return 0;
}

/* Write @s (checked) in restore order; returns how many of the five steps KVM took, with -errno in *@err. */
static unsigned int vm_state_write(int vm_fd, const struct vm_kvm_state *s, int *err)
{
	const struct kvm_irqchip *chip[3];
	struct kvm_irqchip c;
	struct kvm_pit_state2 pit = s->pit;
	/* KVM_SET_CLOCK takes the realtime reading (and refuses TSC_STABLE on older kernels). */
	struct kvm_clock_data clock = {
		.clock = s->clock.clock, .flags = s->clock.flags & KVM_CLOCK_REALTIME, .realtime = s->clock.realtime,
	};
	unsigned int done = 0;

	vm_chips(s, chip);
	*err = 0;
	for (unsigned int i = 0; i < 3; i++, done++) {
		c = *chip[i];	/* KVM_SET_IRQCHIP's argument is not const */
		if (ioctl(vm_fd, KVM_SET_IRQCHIP, &c) < 0)
			goto fail;
	}
	if (ioctl(vm_fd, KVM_SET_PIT2, &pit) < 0)
		goto fail;
	done++;
	if (ioctl(vm_fd, KVM_SET_CLOCK, &clock) < 0)
		goto fail;
	return ++done;
fail:
	*err = -errno;
	return done;
}

int vm_state_restore(int vm_fd, const struct vm_kvm_state *s)
{
	struct vm_kvm_state old;
	int ret = vm_state_check(s), ignored;

	if (ret < 0)
		return ret;
	ret = vm_state_save(vm_fd, &old);
	if (ret < 0)
		return ret;
	if (vm_state_write(vm_fd, s, &ret) > 0 && ret < 0)
		vm_state_write(vm_fd, &old, &ignored);	/* what KVM took already goes back */
	return ret;
}
