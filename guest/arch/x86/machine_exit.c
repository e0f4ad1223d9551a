/* The port writes that end the VM, and the ACPI power button that asks the guest to. */
#include "guest/arch/x86/machine_exit.h"

#include "firmware/machine.h"
#include "guest/arch/x86/io.h"

#define I8042_STATUS_INPUT_FULL 0x02	/* controller has not read the last command yet */
#define I8042_CMD_RESET 0xfe		/* pulse the CPU reset line */
#define I8042_READY_POLLS 16
#define PM1_STS_PORT KEEL_PORT_PM1A_EVT
#define PM1_EN_PORT (KEEL_PORT_PM1A_EVT + KEEL_PM1_EN_OFFSET)

/* 16-bit port read (io.h has none): the PM1 registers are 16 bits wide. */
static inline uint16_t pm1_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

void machine_debug_exit(uint8_t code)
{
	outb(KEEL_PORT_DEBUG_EXIT, code);
}

void machine_poweroff(void)
{
	outw(KEEL_PORT_PM1A_CNT, KEEL_PM1_SLP_EN);	/* SLP_TYP 0: S5 on keel and QEMU's pc */
}

void machine_reset(void)
{
	for (int i = 0; i < I8042_READY_POLLS && (inb(KEEL_PORT_I8042_CMD) & I8042_STATUS_INPUT_FULL); i++)
		;
	outb(KEEL_PORT_I8042_CMD, I8042_CMD_RESET);
}

void machine_power_button_enable(void)
{
	outw(PM1_EN_PORT, pm1_inw(PM1_EN_PORT) | KEEL_PM1_PWRBTN_EN);
}

bool machine_power_button_pressed(void)
{
	return pm1_inw(PM1_STS_PORT) & KEEL_PM1_PWRBTN_STS;
}

void machine_power_button_clear(void)
{
	outw(PM1_STS_PORT, KEEL_PM1_PWRBTN_STS);	/* write 1 to clear; the other status bits stay */
}
