/* Ways to end the VM through PC devices: debug-exit port, ACPI PM1a sleep, i8042 reset; the ACPI power button. */
#ifndef KEEL_GUEST_ARCH_X86_MACHINE_EXIT_H
#define KEEL_GUEST_ARCH_X86_MACHINE_EXIT_H

#include <stdbool.h>
#include <stdint.h>

/* Write @code to the debug-exit port: keel (and QEMU's isa-debug-exit) exit with (code << 1) | 1. */
void machine_debug_exit(uint8_t code);

/* 16-bit write of SLP_EN with SLP_TYP 0 to PM1a control: soft power off. */
void machine_poweroff(void);

/* Pulse the reset line through the i8042 controller. */
void machine_reset(void);

/* Each of the above returns if the device did nothing; the caller then halts. */

/*
 * The ACPI fixed-feature power button (PM1a event block): set PWRBTN_EN in PM1_EN, the other
 * enable bits kept. keel presses the button on SIGTERM only for a guest that enabled it.
 */
void machine_power_button_enable(void);

/* Whether PWRBTN_STS is set in PM1_STS (short: fit for a sched_wait condition). */
bool machine_power_button_pressed(void);

/* Clear PWRBTN_STS (write 1 to it). */
void machine_power_button_clear(void);

#endif
