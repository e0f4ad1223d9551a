/* Unit tests of the devices that stop the VM (debug-exit, the ACPI PM hardware's power-off, status, SCI and timer) and the device table. */
#include "tests/unit/suites.h"

#include "devices/debug_exit.h"
#include "devices/devices.h"
#include "devices/pm.h"
#include "devices/uart.h"
#include "firmware/machine.h"
#include "tests/unit/vm_fixture.h"
#include "vmm/exit_status.h"
#include "vmm/machine.h"
#include "vmm/vm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

static void io(bus_handler_fn fn, uint64_t offset, uint64_t value, uint32_t len, bool is_write,
	       uint64_t *out)
{
	uint8_t d[8];

	for (uint32_t i = 0; i < 8; i++)
		d[i] = (uint8_t)(value >> (8 * i));
	ck_assert_int_eq(fn(&fx_vm.plat.stop, NULL, offset, d, len, is_write), 0);
	if (out) {
		*out = 0;
		for (uint32_t i = len; i-- > 0;)
			*out = (*out << 8) | d[i];
	}
}

START_TEST(debug_exit_statuses)
{
	ck_assert_int_eq(debug_exit_status(0), 1);
	ck_assert_int_eq(debug_exit_status(1), 3);
	ck_assert_int_eq(debug_exit_status(0x7f), 0xff);
	ck_assert_int_eq(debug_exit_status(0x80), 1);
	ck_assert_int_eq(debug_exit_status(0x12345678), 0xf1);
	ck_assert_int_eq(debug_exit_status(0xffffffffu), 0xff);
}
END_TEST

START_TEST(debug_exit_write_stops)
{
	uint64_t v = 0xff;
	bool req;

	io(debug_exit_io, 0, 0xffffffff, 4, false, &v);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(fx_stop_status(&req), 0);
	ck_assert(!req);
	io(debug_exit_io, 0, 0x1234, 2, true, NULL);
	ck_assert_int_eq(fx_stop_status(&req), 0x69);
	ck_assert(req);
	/* The first request wins. */
	io(debug_exit_io, 0, 5, 1, true, NULL);
	ck_assert_int_eq(fx_stop_status(&req), 0x69);
}
END_TEST

START_TEST(debug_exit_byte_write)
{
	bool req;

	io(debug_exit_io, 0, 0x21, 1, true, NULL);
	ck_assert_int_eq(fx_stop_status(&req), 0x43);
	ck_assert(req);
}
END_TEST

/* --- the ACPI PM hardware, through the port bus ----------------------------------------------- */

static struct pm *pm;

static void pm_setup(void)
{
	fx_vm_setup();
	ck_assert_int_eq(pm_create(&fx_vm.plat.pio, &fx_vm.plat.stop, platform_irq_line(&fx_vm.plat, KEEL_SCI_IRQ),
				   &pm), 0);
}

static void pm_teardown(void)
{
	pm_destroy(pm);
	pm = NULL;
	ck_assert_uint_eq(fx_vm.plat.pio.nranges, 0);
	fx_vm_teardown();
}

static uint64_t pin(uint64_t port, uint32_t len)
{
	uint8_t d[8] = { 0 };
	uint64_t v = 0;

	ck_assert_int_eq(bus_access(&fx_vm.plat.pio, NULL, port, d, len, false), 0);
	for (uint32_t i = len; i-- > 0;)
		v = v << 8 | d[i];
	return v;
}

static void pout(uint64_t port, uint64_t v, uint32_t len)
{
	uint8_t d[8];

	for (uint32_t i = 0; i < 8; i++)
		d[i] = (uint8_t)(v >> (8 * i));
	ck_assert_int_eq(bus_access(&fx_vm.plat.pio, NULL, port, d, len, true), 0);
}

#define STS KEEL_PORT_PM1A_EVT
#define EN (KEEL_PORT_PM1A_EVT + 2)
#define CNT KEEL_PORT_PM1A_CNT

START_TEST(pm_poweroff)
{
	bool req;

	ck_assert_uint_eq(pin(CNT, 2), PM1_SCI_EN);	/* ACPI mode, always */
	pout(CNT, 0x1fff, 2);				/* everything but SLP_EN */
	pout(CNT, 0xff, 1);
	fx_stop_status(&req);
	ck_assert(!req);
	ck_assert_uint_eq(pin(CNT, 2), PM1_SCI_EN | PM1_BM_RLD | PM1_SLP_TYP);	/* what it keeps */
	ck_assert_uint_eq(pin(CNT + 1, 1), PM1_SLP_TYP >> 8);
	fx_vm.plat.stop.status = KEEL_EXIT_HOST;
	pout(CNT, KEEL_PM1_SLP_EN | (5u << 10), 2);
	ck_assert_int_eq(fx_stop_status(&req), KEEL_EXIT_OK);
	ck_assert(req);
	ck_assert_uint_eq(pin(CNT, 2) & KEEL_PM1_SLP_EN, 0);	/* SLP_EN reads 0 */
}
END_TEST

START_TEST(pm_poweroff_high_byte)
{
	bool req;

	fx_vm.plat.stop.status = KEEL_EXIT_HOST;
	pout(CNT + 1, KEEL_PM1_SLP_EN >> 8, 1);		/* SLP_TYP 0, as the bundled guest writes */
	ck_assert_int_eq(fx_stop_status(&req), KEEL_EXIT_OK);
	ck_assert(req);
}
END_TEST

START_TEST(pm_status_enable_sci)
{
	ck_assert_uint_eq(pin(STS, 4), 0);
	ck_assert_int_eq(pm_sci_level(pm), 0);
	/* Enable bits the spec defines stick (ACPICA reads them back); others do not. */
	pout(EN, 0xffff, 2);
	ck_assert_uint_eq(pin(EN, 2), PM1_EN_BITS);
	pout(EN, 0, 2);
	/* A press with the button disabled: status set, no SCI, -ENODEV. */
	ck_assert_int_eq(pm_power_button(pm), -ENODEV);
	ck_assert_uint_eq(pin(STS, 2), PM1_PWRBTN_STS);
	ck_assert_int_eq(pm_sci_level(pm), 0);
	/* Enabling it with the status pending raises the SCI (a level); writing 1 clears it. */
	pout(EN, PM1_PWRBTN_EN, 2);
	ck_assert_int_eq(pm_sci_level(pm), 1);
	pout(STS, 0xfeff, 2);				/* 0s do not clear, other 1s change nothing */
	ck_assert_uint_eq(pin(STS, 2), PM1_PWRBTN_STS);
	ck_assert_int_eq(pm_sci_level(pm), 1);
	pout(STS, PM1_PWRBTN_STS, 2);
	ck_assert_uint_eq(pin(STS, 2), 0);
	ck_assert_int_eq(pm_sci_level(pm), 0);
	/* A press while enabled: 0, the SCI stays up until the guest clears the status. */
	ck_assert_int_eq(pm_power_button(pm), 0);
	ck_assert_int_eq(pm_sci_level(pm), 1);
	ck_assert_uint_eq(pin(STS, 4), PM1_PWRBTN_STS | (uint64_t)PM1_PWRBTN_EN << 16);	/* one 32-bit read */
	pout(STS + 1, PM1_PWRBTN_STS >> 8, 1);		/* a byte write clears it too */
	ck_assert_int_eq(pm_sci_level(pm), 0);
	/* Disabling with the status pending lowers the SCI. */
	ck_assert_int_eq(pm_power_button(pm), 0);
	pout(STS, (uint64_t)0 << 16, 4);		/* a 32-bit write: clears nothing, disables */
	ck_assert_uint_eq(pin(EN, 2), 0);
	ck_assert_int_eq(pm_sci_level(pm), 0);
}
END_TEST

START_TEST(pm_timer_counts)
{
	uint32_t a, b;
	struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };

	a = (uint32_t)pin(KEEL_PORT_PM_TMR, 4);
	nanosleep(&ts, NULL);
	b = (uint32_t)pin(KEEL_PORT_PM_TMR, 4);
	/* 20 ms at 3.579545 MHz: 71591 ticks, and not much more on a loaded host. */
	ck_assert_uint_ge(b - a, 71591);
	ck_assert_uint_lt(b - a, 71591 * 50);
	pout(KEEL_PORT_PM_TMR, 0, 4);			/* read-only: it goes on from b */
	ck_assert_uint_lt((uint32_t)pin(KEEL_PORT_PM_TMR, 4) - b, 71591 * 50);
}
END_TEST

START_TEST(pm_save_restore)
{
	struct pm_state s, bad, back;
	struct pm *other;

	pout(EN, PM1_PWRBTN_EN | PM1_GBL_EN, 2);
	ck_assert_int_eq(pm_power_button(pm), 0);
	pout(CNT, 5u << 10, 2);
	ck_assert_int_eq(pm_save(pm, &s), 0);
	ck_assert_uint_eq(s.sts, PM1_PWRBTN_STS);
	ck_assert_uint_eq(s.en, PM1_PWRBTN_EN | PM1_GBL_EN);
	ck_assert_uint_eq(s.cnt, PM1_SCI_EN | 5u << 10);
	/* Into a fresh device: the registers, the SCI level, the timer going on from s.tmr. */
	pm_destroy(pm);
	ck_assert_int_eq(pm_create(&fx_vm.plat.pio, &fx_vm.plat.stop, platform_irq_line(&fx_vm.plat, KEEL_SCI_IRQ),
				   &pm), 0);
	ck_assert_int_eq(pm_restore(pm, &s), 0);
	ck_assert_int_eq(pm_sci_level(pm), 1);
	ck_assert_uint_eq(pin(STS, 2), PM1_PWRBTN_STS);
	ck_assert_uint_eq(pin(CNT, 2), PM1_SCI_EN | 5u << 10);
	ck_assert_uint_lt((uint32_t)pin(KEEL_PORT_PM_TMR, 4) - s.tmr, PM_TMR_HZ);
	ck_assert_int_eq(pm_save(pm, &back), 0);
	ck_assert_uint_eq(back.cnt, s.cnt);
	/* Hostile states are refused and change nothing. */
	bad = s;
	bad.sts = 1;
	ck_assert_int_eq(pm_restore(pm, &bad), -EINVAL);
	bad = s;
	bad.en = 0x8000;
	ck_assert_int_eq(pm_restore(pm, &bad), -EINVAL);
	bad = s;
	bad.cnt = 5u << 10;				/* SCI_EN clear */
	ck_assert_int_eq(pm_restore(pm, &bad), -EINVAL);
	bad = s;
	bad.cnt |= KEEL_PM1_SLP_EN;
	ck_assert_int_eq(pm_restore(pm, &bad), -EINVAL);
	ck_assert_uint_eq(pin(STS, 2), PM1_PWRBTN_STS);
	ck_assert_int_eq(pm_sci_level(pm), 1);
	/* A second device cannot take the ports. */
	ck_assert_int_eq(pm_create(&fx_vm.plat.pio, &fx_vm.plat.stop, platform_irq_line(&fx_vm.plat, KEEL_SCI_IRQ),
				   &other), -EEXIST);
}
END_TEST

START_TEST(devices_table)
{
	uint8_t d[4] = { 0 };

	ck_assert_int_eq(machine_devices_create(&fx_vm), 0);
	ck_assert_ptr_nonnull(fx_vm.uart);
	ck_assert_int_eq(bus_access(&fx_vm.plat.pio, NULL, KEEL_PORT_UART0 + UART_LSR, d, 1, false), 0);
	ck_assert_uint_eq(d[0], UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_int_eq(bus_access(&fx_vm.plat.pio, NULL, KEEL_PORT_DEBUG_EXIT, d, 4, false), 0);
	ck_assert_int_eq(bus_access(&fx_vm.plat.pio, NULL, KEEL_PORT_I8042_CMD, d, 1, false), 0);
	ck_assert_int_eq(bus_access(&fx_vm.plat.pio, NULL, KEEL_PORT_I8042_DATA, d, 1, false), 0);
	ck_assert_int_eq(bus_access(&fx_vm.plat.pio, NULL, KEEL_PORT_PM1A_CNT, d, 2, false), 0);
	ck_assert_uint_eq(d[0], PM1_SCI_EN);
	ck_assert_ptr_nonnull(fx_vm.pm);
	ck_assert_int_eq(pm_power_button(fx_vm.pm), -ENODEV);	/* what SIGTERM will ask */
	machine_devices_destroy(&fx_vm);
	ck_assert_ptr_null(fx_vm.pm);
	ck_assert_ptr_null(fx_vm.uart);
	ck_assert_uint_eq(fx_vm.plat.pio.nranges, 0);
	machine_devices_destroy(&fx_vm);	/* twice is harmless */
}
END_TEST

static int foreign_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		      bool is_write)
{
	(void)opaque;
	(void)vcpu;
	(void)offset;
	(void)data;
	(void)len;
	(void)is_write;
	return 0;
}

START_TEST(devices_create_undoes)
{
	/* Someone else holds the PM port: creation fails and leaves nothing of its own behind. */
	ck_assert_int_eq(bus_register(&fx_vm.plat.pio, KEEL_PORT_PM1A_CNT, 1, foreign_io, NULL, "x"), 0);
	ck_assert_int_eq(machine_devices_create(&fx_vm), -EEXIST);
	ck_assert_ptr_null(fx_vm.uart);
	ck_assert_uint_eq(fx_vm.plat.pio.nranges, 1);
	/* And destroy does not take the foreign range. */
	machine_devices_destroy(&fx_vm);
	ck_assert_uint_eq(fx_vm.plat.pio.nranges, 1);
	ck_assert_uint_eq(fx_vm.plat.pio.ranges[0].base, KEEL_PORT_PM1A_CNT);
}
END_TEST

Suite *stop_devices_suite(void)
{
	Suite *s = suite_create("stop_devices");
	TCase *dev = tcase_create("stop devices");
	TCase *pmt = tcase_create("acpi pm");

	tcase_add_checked_fixture(dev, fx_vm_setup, fx_vm_teardown);
	tcase_add_test(dev, debug_exit_statuses);
	tcase_add_test(dev, debug_exit_write_stops);
	tcase_add_test(dev, debug_exit_byte_write);
	tcase_add_test(dev, devices_table);
	tcase_add_test(dev, devices_create_undoes);
	suite_add_tcase(s, dev);
	tcase_add_checked_fixture(pmt, pm_setup, pm_teardown);
	tcase_add_test(pmt, pm_poweroff);
	tcase_add_test(pmt, pm_poweroff_high_byte);
	tcase_add_test(pmt, pm_status_enable_sci);
	tcase_add_test(pmt, pm_timer_counts);
	tcase_add_test(pmt, pm_save_restore);
	suite_add_tcase(s, pmt);
	return s;
}
