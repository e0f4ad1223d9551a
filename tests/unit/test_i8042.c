/* Unit tests of the i8042: Ctrl-Alt-Del read back from port 0x60 with the status bits and IRQ 1, the probe commands, the reset. */
#include "tests/unit/suites.h"

#include "devices/i8042.h"
#include "firmware/machine.h"
#include "tests/unit/vm_fixture.h"
#include "vmm/exit_status.h"
#include "vmm/vm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static struct i8042 *kbd;

static void setup(void)
{
	fx_vm_setup();
	ck_assert_int_eq(i8042_create(&fx_vm.plat.pio, &fx_vm.plat.stop, platform_irq_line(&fx_vm.plat, I8042_KBD_IRQ),
				      &kbd), 0);
}

static void teardown(void)
{
	i8042_destroy(kbd);
	kbd = NULL;
	ck_assert_uint_eq(fx_vm.plat.pio.nranges, 0);
	fx_vm_teardown();
}

/* One byte in or out of @port, through the port bus as a vCPU's access would go. */
static uint8_t inb(uint16_t port)
{
	uint8_t v = 0x5a;

	ck_assert_int_eq(bus_access(&fx_vm.plat.pio, NULL, port, &v, 1, false), 0);
	return v;
}

static void outb(uint16_t port, uint8_t v)
{
	ck_assert_int_eq(bus_access(&fx_vm.plat.pio, NULL, port, &v, 1, true), 0);
}

static uint8_t status(void)
{
	return inb(KEEL_PORT_I8042_CMD);
}

/* Read the output buffer as a driver does: OBF must be set, then the byte. */
static uint8_t take(void)
{
	ck_assert_uint_ne(status() & I8042_STS_OBF, 0);
	return inb(KEEL_PORT_I8042_DATA);
}

START_TEST(ctrl_alt_del_sequence)
{
	static const uint8_t want[] = { 0x14, 0x11, 0xe0, 0x71, 0xe0, 0xf0, 0x71, 0xf0, 0x11, 0xf0, 0x14 };
	unsigned long edges = 0, before;

	ck_assert_uint_eq(status() & I8042_STS_OBF, 0);
	ck_assert_int_eq(i8042_irq(kbd, &before), 0);
	ck_assert_int_eq(i8042_ctrl_alt_del(kbd), 0);
	ck_assert_int_eq(i8042_irq(kbd, &edges), 1);	/* IRQ 1 raised */
	ck_assert_uint_eq(edges, before + 1);
	for (size_t i = 0; i < sizeof(want); i++) {
		uint8_t st = status();

		ck_assert_uint_eq(st & I8042_STS_OBF, I8042_STS_OBF);
		ck_assert_uint_eq(st & I8042_STS_SYS, I8042_STS_SYS);
		ck_assert_uint_eq(st & 0x20u, 0);	/* keyboard data, not the mouse's */
		ck_assert_uint_eq(inb(KEEL_PORT_I8042_DATA), want[i]);
		i8042_irq(kbd, &edges);
		ck_assert_uint_eq(edges, before + 1 + i + (i + 1 < sizeof(want)));	/* a new edge per byte */
	}
	ck_assert_uint_eq(status() & I8042_STS_OBF, 0);
	ck_assert_int_eq(i8042_irq(kbd, NULL), 0);	/* lowered once the buffer is empty */
	ck_assert_uint_eq(inb(KEEL_PORT_I8042_DATA), 0x14);	/* an empty buffer reads its last byte */
}
END_TEST

/* The queue is bounded: a sequence that does not fit is refused whole. */
START_TEST(queue_full)
{
	ck_assert_int_eq(i8042_ctrl_alt_del(kbd), 0);
	ck_assert_int_eq(i8042_ctrl_alt_del(kbd), -ENOSPC);
	for (int i = 0; i < 11; i++)
		(void)take();
	ck_assert_uint_eq(status() & I8042_STS_OBF, 0);
}
END_TEST

/* Interrupts off in the command byte: the bytes wait without IRQ 1, which rises once enabled. */
START_TEST(command_byte_gates_irq)
{
	uint8_t ctr;

	outb(KEEL_PORT_I8042_CMD, 0x20);
	ctr = take();
	ck_assert_uint_eq(ctr & I8042_CTR_KBD_INT, I8042_CTR_KBD_INT);
	ck_assert_uint_eq(status() & I8042_STS_CMD, I8042_STS_CMD);
	outb(KEEL_PORT_I8042_CMD, 0x60);
	outb(KEEL_PORT_I8042_DATA, (uint8_t)(ctr & ~I8042_CTR_KBD_INT));
	ck_assert_uint_eq(status() & I8042_STS_CMD, 0);
	ck_assert_int_eq(i8042_ctrl_alt_del(kbd), 0);
	ck_assert_int_eq(i8042_irq(kbd, NULL), 0);
	ck_assert_uint_ne(status() & I8042_STS_OBF, 0);
	outb(KEEL_PORT_I8042_CMD, 0x60);
	outb(KEEL_PORT_I8042_DATA, ctr);
	ck_assert_int_eq(i8042_irq(kbd, NULL), 1);
	ck_assert_uint_eq(take(), 0x14);
}
END_TEST

/* What Linux's i8042 and atkbd drivers send at probe gets sane answers. */
START_TEST(probe_commands)
{
	outb(KEEL_PORT_I8042_CMD, 0xaa);		/* controller self test */
	ck_assert_uint_eq(take(), 0x55);
	outb(KEEL_PORT_I8042_CMD, 0xab);		/* keyboard interface test */
	ck_assert_uint_eq(take(), 0x00);
	outb(KEEL_PORT_I8042_CMD, 0xa9);		/* mouse interface test: none */
	ck_assert_uint_eq(take(), 0xff);
	outb(KEEL_PORT_I8042_CMD, 0xad);		/* keyboard off, then on */
	outb(KEEL_PORT_I8042_CMD, 0x20);
	ck_assert_uint_ne(take() & I8042_CTR_KBD_OFF, 0);
	outb(KEEL_PORT_I8042_CMD, 0xae);
	outb(KEEL_PORT_I8042_CMD, 0x20);
	ck_assert_uint_eq(take() & I8042_CTR_KBD_OFF, 0);
	outb(KEEL_PORT_I8042_DATA, 0xff);		/* keyboard reset */
	ck_assert_uint_eq(take(), I8042_KBD_ACK);
	ck_assert_uint_eq(take(), I8042_KBD_BAT_OK);
	outb(KEEL_PORT_I8042_DATA, 0xf2);		/* get ID */
	ck_assert_uint_eq(take(), I8042_KBD_ACK);
	ck_assert_uint_eq(take(), 0xab);
	ck_assert_uint_eq(take(), 0x83);
	outb(KEEL_PORT_I8042_DATA, 0xed);		/* LEDs and their byte */
	ck_assert_uint_eq(take(), I8042_KBD_ACK);
	outb(KEEL_PORT_I8042_DATA, 0x07);
	ck_assert_uint_eq(take(), I8042_KBD_ACK);
	outb(KEEL_PORT_I8042_DATA, 0xf0);		/* which scan code set? 2 */
	ck_assert_uint_eq(take(), I8042_KBD_ACK);
	outb(KEEL_PORT_I8042_DATA, 0x00);
	ck_assert_uint_eq(take(), I8042_KBD_ACK);
	ck_assert_uint_eq(take(), 0x02);
	outb(KEEL_PORT_I8042_DATA, 0xf4);		/* enable */
	ck_assert_uint_eq(take(), I8042_KBD_ACK);
	outb(KEEL_PORT_I8042_DATA, 0xee);		/* echo */
	ck_assert_uint_eq(take(), 0xee);
	outb(KEEL_PORT_I8042_DATA, 0x42);		/* unknown: resend */
	ck_assert_uint_eq(take(), I8042_KBD_RESEND);
	outb(KEEL_PORT_I8042_CMD, 0xd2);		/* a byte as if the keyboard sent it */
	outb(KEEL_PORT_I8042_DATA, 0x1c);
	ck_assert_uint_eq(take(), 0x1c);
	ck_assert_uint_eq(status() & I8042_STS_OBF, 0);
}
END_TEST

/* 0xfe on the command port resets (status 0); on the data port it is a keyboard command; so is the output port's bit 0. */
START_TEST(reset)
{
	bool req;

	outb(KEEL_PORT_I8042_DATA, I8042_CMD_RESET);	/* a keyboard command (resend), no reset */
	fx_stop_status(&req);
	ck_assert(!req);
	fx_vm.plat.stop.status = KEEL_EXIT_HOST;	/* so that the status check below means something */
	outb(KEEL_PORT_I8042_CMD, I8042_CMD_RESET);
	ck_assert_int_eq(fx_stop_status(&req), KEEL_EXIT_OK);
	ck_assert(req);
}
END_TEST

START_TEST(reset_through_output_port)
{
	bool req;

	outb(KEEL_PORT_I8042_CMD, 0xd1);
	outb(KEEL_PORT_I8042_DATA, 0x01);		/* reset line high: nothing */
	fx_stop_status(&req);
	ck_assert(!req);
	outb(KEEL_PORT_I8042_CMD, 0xd1);
	outb(KEEL_PORT_I8042_DATA, 0x00);
	fx_stop_status(&req);
	ck_assert(req);
}
END_TEST

/* vm_ctrl_alt_del on a VM without the controller says so. */
START_TEST(vm_without_i8042)
{
	struct vm *vm = &fx_vm;
	struct i8042 *saved = vm->i8042;
	char err[128];

	vm->i8042 = NULL;
	ck_assert_int_eq(vm_ctrl_alt_del(vm, err, sizeof(err)), -ENODEV);
	ck_assert_ptr_nonnull(strstr(err, "no i8042"));
	vm->i8042 = kbd;
	ck_assert_int_eq(vm_ctrl_alt_del(vm, err, sizeof(err)), 0);
	ck_assert_uint_eq(take(), 0x14);
	vm->i8042 = saved;
}
END_TEST

Suite *i8042_suite(void)
{
	Suite *s = suite_create("i8042");
	TCase *t = tcase_create("keyboard");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, ctrl_alt_del_sequence);
	tcase_add_test(t, queue_full);
	tcase_add_test(t, command_byte_gates_irq);
	tcase_add_test(t, probe_commands);
	tcase_add_test(t, reset);
	tcase_add_test(t, reset_through_output_port);
	tcase_add_test(t, vm_without_i8042);
	suite_add_tcase(s, t);
	return s;
}
