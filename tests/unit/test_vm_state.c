/* Unit tests of vmm/vm_state.c on real KVM VMs: 8259s, IOAPIC, PIT and clock round-trip into a second VM; hostile states refused. */
#include "tests/unit/suites.h"

#include "firmware/machine.h"
#include "tests/unit/kvm_fixture.h"
#include "vmm/vm_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define CLOCK_NS 5000000000ull		/* the first VM's clock is set to 5 s */
#define PIT_COUNT 1193u			/* 1 kHz from the PIT's 1.193182 MHz */
#define PIN 9u				/* the IOAPIC input the test programs */

/* A bare VM: /dev/kvm, the VM, its in-kernel irqchip and (when asked) PIT. */
struct kvm_vm {
	int kvm;
	int vm;
};

static void vm_open(struct kvm_vm *v, bool pit)
{
	struct kvm_pit_config pc = { .flags = KVM_PIT_SPEAKER_DUMMY };

	v->vm = kvm_fixture_vm(&v->kvm);
	if (pit)
		ck_assert_int_eq(ioctl(v->vm, KVM_CREATE_PIT2, &pc), 0);
}

static void vm_close(struct kvm_vm *v)
{
	close(v->vm);
	close(v->kvm);
}

/* Distinctive values in VM @fd through the raw ioctls: both 8259s, one IOAPIC entry, PIT channel 0, the clock. */
static void program(int fd)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct kvm_pic_state *p = &c.chip.pic;
	struct kvm_ioapic_state *io = &c.chip.ioapic;
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock = { .clock = CLOCK_NS };

	ck_assert_int_eq(ioctl(fd, KVM_GET_IRQCHIP, &c), 0);
	p->irq_base = 0x20;
	p->imr = 0xf8;			/* IRQ 0-2 open */
	p->init4 = 1;
	p->priority_add = 3;
	p->read_reg_select = 1;
	p->elcr = 0x20;			/* IRQ 5 level-triggered */
	ck_assert_int_eq(ioctl(fd, KVM_SET_IRQCHIP, &c), 0);
	c = (struct kvm_irqchip){ .chip_id = KVM_IRQCHIP_PIC_SLAVE };
	ck_assert_int_eq(ioctl(fd, KVM_GET_IRQCHIP, &c), 0);
	p->irq_base = 0x28;
	p->imr = 0xfb;
	p->init4 = 1;
	p->elcr = 0x0c;			/* IRQ 10 and 11 */
	ck_assert_int_eq(ioctl(fd, KVM_SET_IRQCHIP, &c), 0);
	c = (struct kvm_irqchip){ .chip_id = KVM_IRQCHIP_IOAPIC };
	ck_assert_int_eq(ioctl(fd, KVM_GET_IRQCHIP, &c), 0);
	io->id = 1;
	io->ioregsel = 0x10 + 2 * PIN;
	io->redirtbl[PIN].fields.vector = 0x39;
	io->redirtbl[PIN].fields.trig_mode = 1;	/* level */
	io->redirtbl[PIN].fields.polarity = 0;
	io->redirtbl[PIN].fields.mask = 1;
	io->redirtbl[PIN].fields.dest_id = 1;
	io->redirtbl[4].fields.vector = 0x34;
	io->redirtbl[4].fields.mask = 0;
	ck_assert_int_eq(ioctl(fd, KVM_SET_IRQCHIP, &c), 0);
	ck_assert_int_eq(ioctl(fd, KVM_GET_PIT2, &pit), 0);
	pit.channels[0].count = PIT_COUNT;
	pit.channels[0].mode = 2;	/* rate generator */
	pit.channels[0].rw_mode = 3;
	pit.channels[0].read_state = 3;
	pit.channels[0].write_state = 3;
	pit.channels[2].mode = 3;
	pit.channels[2].count = 0x10000;
	ck_assert_int_eq(ioctl(fd, KVM_SET_PIT2, &pit), 0);
	ck_assert_int_eq(ioctl(fd, KVM_SET_CLOCK, &clock), 0);
}

static void assert_pic_eq(const struct kvm_pic_state *a, const struct kvm_pic_state *b)
{
	ck_assert_uint_eq(a->last_irr, b->last_irr);
	ck_assert_uint_eq(a->irr, b->irr);
	ck_assert_uint_eq(a->imr, b->imr);
	ck_assert_uint_eq(a->isr, b->isr);
	ck_assert_uint_eq(a->priority_add, b->priority_add);
	ck_assert_uint_eq(a->irq_base, b->irq_base);
	ck_assert_uint_eq(a->read_reg_select, b->read_reg_select);
	ck_assert_uint_eq(a->poll, b->poll);
	ck_assert_uint_eq(a->special_mask, b->special_mask);
	ck_assert_uint_eq(a->init_state, b->init_state);
	ck_assert_uint_eq(a->auto_eoi, b->auto_eoi);
	ck_assert_uint_eq(a->rotate_on_auto_eoi, b->rotate_on_auto_eoi);
	ck_assert_uint_eq(a->special_fully_nested_mode, b->special_fully_nested_mode);
	ck_assert_uint_eq(a->init4, b->init4);
	ck_assert_uint_eq(a->elcr, b->elcr);
	ck_assert_uint_eq(a->elcr_mask, b->elcr_mask);
}

static void assert_ioapic_eq(const struct kvm_ioapic_state *a, const struct kvm_ioapic_state *b)
{
	ck_assert_uint_eq(a->base_address, b->base_address);
	ck_assert_uint_eq(a->ioregsel, b->ioregsel);
	ck_assert_uint_eq(a->id, b->id);
	ck_assert_uint_eq(a->irr, b->irr);
	for (unsigned int i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		ck_assert_msg(a->redirtbl[i].bits == b->redirtbl[i].bits, "pin %u: 0x%llx, then 0x%llx", i,
			      (unsigned long long)a->redirtbl[i].bits, (unsigned long long)b->redirtbl[i].bits);
}

/* Every PIT field but count_load_time (the host's time of the last load, set anew by KVM_SET_PIT2). */
static void assert_pit_eq(const struct kvm_pit_state2 *a, const struct kvm_pit_state2 *b)
{
	for (unsigned int i = 0; i < 3; i++) {
		const struct kvm_pit_channel_state *x = &a->channels[i], *y = &b->channels[i];

		ck_assert_uint_eq(x->count, y->count);
		ck_assert_uint_eq(x->latched_count, y->latched_count);
		ck_assert_uint_eq(x->count_latched, y->count_latched);
		ck_assert_uint_eq(x->status_latched, y->status_latched);
		ck_assert_uint_eq(x->status, y->status);
		ck_assert_uint_eq(x->read_state, y->read_state);
		ck_assert_uint_eq(x->write_state, y->write_state);
		ck_assert_uint_eq(x->write_latch, y->write_latch);
		ck_assert_uint_eq(x->rw_mode, y->rw_mode);
		ck_assert_uint_eq(x->mode, y->mode);
		ck_assert_uint_eq(x->bcd, y->bcd);
		ck_assert_uint_eq(x->gate, y->gate);
	}
	ck_assert_uint_eq(a->flags, b->flags);
}

/* @a and @b agree field by field; @b's clock is not behind @a's. */
static void assert_state_eq(const struct vm_kvm_state *a, const struct vm_kvm_state *b)
{
	ck_assert_uint_eq(a->pic_master.chip_id, b->pic_master.chip_id);
	ck_assert_uint_eq(a->pic_slave.chip_id, b->pic_slave.chip_id);
	ck_assert_uint_eq(a->ioapic.chip_id, b->ioapic.chip_id);
	assert_pic_eq(&a->pic_master.chip.pic, &b->pic_master.chip.pic);
	assert_pic_eq(&a->pic_slave.chip.pic, &b->pic_slave.chip.pic);
	assert_ioapic_eq(&a->ioapic.chip.ioapic, &b->ioapic.chip.ioapic);
	assert_pit_eq(&a->pit, &b->pit);
	ck_assert_uint_ge(b->clock.clock, a->clock.clock);
}

static const char *const bad_names[] = {
	"the slave's chip id on the master", "an unknown chip id", "the irqchip pad", "bytes past the 8259's state",
	"an 8259 initialization step past 3", "a vector base with low bits", "another ELCR mask",
	"an ELCR bit outside the mask", "a boolean 8259 field of 2", "a moved IOAPIC",
	"an IOAPIC register select past 0xff",
	"a pending pin past 23", "an IOAPIC ID past 15", "the IOAPIC pad", "PIT mode 6", "a PIT count of 0",
	"a PIT count past 65536", "a PIT access mode of 4", "a PIT read state past WORD1", "a latched status of 2",
	"an unknown PIT flag", "the PIT's reserved words", "clock flag 1", "the clock's pad0", "the clock's pad",
};
#define NBAD (sizeof(bad_names) / sizeof(bad_names[0]))

static void bad_state(struct vm_kvm_state *s, unsigned int i)
{
	struct kvm_pic_state *m = &s->pic_master.chip.pic;
	struct kvm_ioapic_state *io = &s->ioapic.chip.ioapic;
	struct kvm_pit_channel_state *c = &s->pit.channels[0];

	switch (i) {
	case 0:
		s->pic_master.chip_id = KVM_IRQCHIP_PIC_SLAVE;
		break;
	case 1:
		s->ioapic.chip_id = 3;
		break;
	case 2:
		s->pic_master.pad = 1;
		break;
	case 3:
		s->pic_slave.chip.dummy[sizeof(struct kvm_pic_state)] = 1;
		break;
	case 4:
		m->init_state = 4;
		break;
	case 5:
		m->irq_base |= 1;
		break;
	case 6:
		m->elcr_mask = 0xff;
		break;
	case 7:
		m->elcr |= 1;
		break;
	case 8:
		m->poll = 2;
		break;
	case 9:
		io->base_address += 0x1000;
		break;
	case 10:
		io->ioregsel = 0x100;
		break;
	case 11:
		io->irr |= 1u << KVM_IOAPIC_NUM_PINS;
		break;
	case 12:
		io->id = 16;
		break;
	case 13:
		io->pad = 1;
		break;
	case 14:
		c->mode = 6;
		break;
	case 15:
		c->count = 0;
		break;
	case 16:
		c->count = 0x10001;
		break;
	case 17:
		c->rw_mode = 4;
		break;
	case 18:
		c->read_state = 5;
		break;
	case 19:
		c->status_latched = 2;
		break;
	case 20:
		s->pit.flags |= 4;
		break;
	case 21:
		s->pit.reserved[8] = 1;
		break;
	case 22:
		s->clock.flags |= 1;
		break;
	case 23:
		s->clock.pad0 = 1;
		break;
	default:
		s->clock.pad[3] = 1;
		break;
	}
}

/*
 * A VM's 8259s, an IOAPIC entry, PIT channels and the clock, set through the raw ioctls, saved
 * with what was set; restored into a second VM and saved again: the same, field by field (the
 * clock only moves forward). Then the restored machine works: the PIT's channel 0 ticks into
 * the restored 8259 and a raised line shows on the restored (masked, level-triggered) pin.
 */
START_TEST(round_trip)
{
	static struct vm_kvm_state a, b, fresh, bad;
	struct kvm_vm v1, v2;
	struct kvm_irq_level line = { .irq = PIN, .level = 1 };

	vm_open(&v1, true);
	vm_open(&v2, true);
	program(v1.vm);
	ck_assert_int_eq(vm_state_save(v1.vm, &a), 0);
	ck_assert_int_eq(vm_state_check(&a), 0);
	ck_assert_uint_eq(a.pic_master.chip_id, KVM_IRQCHIP_PIC_MASTER);
	ck_assert_uint_eq(a.pic_slave.chip_id, KVM_IRQCHIP_PIC_SLAVE);
	ck_assert_uint_eq(a.ioapic.chip_id, KVM_IRQCHIP_IOAPIC);
	ck_assert_uint_eq(a.pic_master.chip.pic.irq_base, 0x20);
	ck_assert_uint_eq(a.pic_master.chip.pic.imr, 0xf8);
	ck_assert_uint_eq(a.pic_master.chip.pic.priority_add, 3);
	ck_assert_uint_eq(a.pic_master.chip.pic.elcr, 0x20);
	ck_assert_uint_eq(a.pic_slave.chip.pic.irq_base, 0x28);
	ck_assert_uint_eq(a.pic_slave.chip.pic.elcr, 0x0c);
	ck_assert_uint_eq(a.ioapic.chip.ioapic.base_address, KEEL_IOAPIC_GPA);
	ck_assert_uint_eq(a.ioapic.chip.ioapic.ioregsel, 0x10 + 2 * PIN);
	ck_assert_uint_eq(a.ioapic.chip.ioapic.id, 1);
	ck_assert_uint_eq(a.ioapic.chip.ioapic.redirtbl[PIN].fields.vector, 0x39);
	ck_assert_uint_eq(a.ioapic.chip.ioapic.redirtbl[PIN].fields.trig_mode, 1);
	ck_assert_uint_eq(a.ioapic.chip.ioapic.redirtbl[PIN].fields.mask, 1);
	ck_assert_uint_eq(a.ioapic.chip.ioapic.redirtbl[PIN].fields.dest_id, 1);
	ck_assert_uint_eq(a.ioapic.chip.ioapic.redirtbl[4].fields.vector, 0x34);
	ck_assert_uint_eq(a.pit.channels[0].count, PIT_COUNT);
	ck_assert_uint_eq(a.pit.channels[0].mode, 2);
	ck_assert_uint_eq(a.pit.channels[2].mode, 3);
	ck_assert_uint_ge(a.clock.clock, CLOCK_NS);

	/* hostile states, on the second VM still fresh (its PIT not ticking): refused, nothing written */
	ck_assert_int_eq(vm_state_save(v2.vm, &fresh), 0);
	for (unsigned int i = 0; i < NBAD; i++) {
		bad = a;
		bad_state(&bad, i);
		ck_assert_msg(vm_state_check(&bad) == -EINVAL, "%s passed the check", bad_names[i]);
		ck_assert_msg(vm_state_restore(v2.vm, &bad) == -EINVAL, "%s accepted", bad_names[i]);
		ck_assert_int_eq(vm_state_save(v2.vm, &b), 0);
		assert_state_eq(&fresh, &b);
		ck_assert_uint_lt(b.clock.clock, CLOCK_NS);
	}

	ck_assert_int_eq(vm_state_restore(v2.vm, &a), 0);
	ck_assert_int_eq(vm_state_save(v2.vm, &b), 0);
	assert_state_eq(&a, &b);
	ck_assert_uint_ge(b.clock.clock, CLOCK_NS);

	/* the restored PIT ticks into the restored 8259 (IRQ 0 open in its IMR) */
	for (int i = 0; i < 100 && !(b.pic_master.chip.pic.irr & 1); i++) {
		usleep(2000);
		ck_assert_int_eq(vm_state_save(v2.vm, &b), 0);
	}
	ck_assert_uint_eq(b.pic_master.chip.pic.irr & 1, 1);
	/* the restored entry of pin 9 (level-triggered, masked) holds a raised line as pending */
	ck_assert_uint_eq(b.ioapic.chip.ioapic.irr & (1u << PIN), 0);
	ck_assert_int_eq(ioctl(v2.vm, KVM_IRQ_LINE, &line), 0);
	ck_assert_int_eq(vm_state_save(v2.vm, &b), 0);
	ck_assert_uint_eq(b.ioapic.chip.ioapic.irr & (1u << PIN), 1u << PIN);
	ck_assert_uint_eq(b.ioapic.chip.ioapic.redirtbl[PIN].bits, a.ioapic.chip.ioapic.redirtbl[PIN].bits);
	vm_close(&v2);
	vm_close(&v1);
}
END_TEST

/* A VM without a PIT neither saves nor restores (nothing is written into it); closed and bad fds fail. */
START_TEST(no_pit_and_bad_fds)
{
	static struct vm_kvm_state a;
	struct kvm_irqchip before = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct kvm_irqchip after = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct kvm_vm v1, v2;

	vm_open(&v1, true);
	vm_open(&v2, false);
	program(v1.vm);
	ck_assert_int_eq(vm_state_save(v1.vm, &a), 0);
	ck_assert_int_lt(vm_state_save(v2.vm, &a), 0);
	ck_assert_int_eq(vm_state_save(v1.vm, &a), 0);
	ck_assert_int_eq(ioctl(v2.vm, KVM_GET_IRQCHIP, &before), 0);
	ck_assert_int_lt(vm_state_restore(v2.vm, &a), 0);
	ck_assert_int_eq(ioctl(v2.vm, KVM_GET_IRQCHIP, &after), 0);
	assert_pic_eq(&before.chip.pic, &after.chip.pic);
	ck_assert_uint_ne(after.chip.pic.irq_base, 0x20);
	ck_assert_int_eq(vm_state_save(-1, &a), -EBADF);
	ck_assert_int_eq(vm_state_save(v1.vm, &a), 0);
	ck_assert_int_eq(vm_state_restore(-1, &a), -EBADF);
	vm_close(&v2);
	vm_close(&v1);
}
END_TEST

Suite *vm_state_suite(void)
{
	Suite *s = suite_create("vm_state");
	TCase *t = tcase_create("kvm");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, round_trip);
	tcase_add_test(t, no_pit_and_bad_fds);
	suite_add_tcase(s, t);
	return s;
}
