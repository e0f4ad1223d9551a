/* Unit tests of the devices that stop the VM (debug-exit, i8042 reset, PM1a power-off) and the device table. */
#include "tests/unit/suites.h"

#include "devices/debug_exit.h"
#include "devices/devices.h"
#include "devices/i8042.h"
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

START_TEST(i8042_reset)
{
	uint64_t v = 0xff;
	bool req;

	io(i8042_cmd_io, 0, 0, 1, false, &v);
	ck_assert_uint_eq(v, 0);
	io(i8042_data_io, 0, 0, 1, false, &v);
	ck_assert_uint_eq(v, 0);
	io(i8042_cmd_io, 0, 0xaa, 1, true, NULL);	/* self test: ignored */
	io(i8042_data_io, 0, 0xfe, 1, true, NULL);	/* 0xfe on the data port is no reset */
	fx_stop_status(&req);
	ck_assert(!req);
	fx_vm.plat.stop.status = KEEL_EXIT_HOST;	/* so that the status check below means something */
	io(i8042_cmd_io, 0, I8042_CMD_RESET, 1, true, NULL);
	ck_assert_int_eq(fx_stop_status(&req), KEEL_EXIT_OK);
	ck_assert(req);
}
END_TEST

START_TEST(pm_poweroff)
{
	uint64_t v = 0xff;
	bool req;

	io(pm_io, 0, 0, 2, false, &v);
	ck_assert_uint_eq(v, 0);
	io(pm_io, 0, 0x1fff, 2, true, NULL);	/* everything but SLP_EN */
	io(pm_io, 0, 0xff, 1, true, NULL);
	fx_stop_status(&req);
	ck_assert(!req);
	fx_vm.plat.stop.status = KEEL_EXIT_HOST;
	io(pm_io, 0, KEEL_PM1_SLP_EN | (5u << 10), 2, true, NULL);
	ck_assert_int_eq(fx_stop_status(&req), KEEL_EXIT_OK);
	ck_assert(req);
}
END_TEST

START_TEST(pm_poweroff_high_byte)
{
	bool req;

	fx_vm.plat.stop.status = KEEL_EXIT_HOST;
	io(pm_io, 1, KEEL_PM1_SLP_EN >> 8, 1, true, NULL);
	ck_assert_int_eq(fx_stop_status(&req), KEEL_EXIT_OK);
	ck_assert(req);
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
	machine_devices_destroy(&fx_vm);
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

	tcase_add_checked_fixture(dev, fx_vm_setup, fx_vm_teardown);
	tcase_add_test(dev, debug_exit_statuses);
	tcase_add_test(dev, debug_exit_write_stops);
	tcase_add_test(dev, debug_exit_byte_write);
	tcase_add_test(dev, i8042_reset);
	tcase_add_test(dev, pm_poweroff);
	tcase_add_test(dev, pm_poweroff_high_byte);
	tcase_add_test(dev, devices_table);
	tcase_add_test(dev, devices_create_undoes);
	suite_add_tcase(s, dev);
	return s;
}
