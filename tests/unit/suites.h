/* The Check suites of the unit-test binary; each tests/unit/test_*.c file defines one. */
#ifndef KEEL_TESTS_UNIT_SUITES_H
#define KEEL_TESTS_UNIT_SUITES_H

#include <check.h>

Suite *bus_suite(void);		/* tests/unit/test_bus.c */
Suite *memory_suite(void);	/* tests/unit/test_memory.c */
Suite *dispatch_suite(void);	/* tests/unit/test_dispatch.c */
Suite *cli_suite(void);		/* tests/unit/test_cli.c */
Suite *elf_suite(void);		/* tests/unit/test_elf.c */
Suite *fdt_suite(void);		/* tests/unit/test_fdt.c */
Suite *uart_suite(void);	/* tests/unit/test_uart.c */
Suite *console_suite(void);	/* tests/unit/test_console.c */
Suite *vcpu_suite(void);	/* tests/unit/test_vcpu.c (needs /dev/kvm) */

#endif
