/* The port writes that end the VM. */
#include "guest/arch/x86/machine_exit.h"

#include "firmware/machine.h"
#include "guest/arch/x86/io.h"

#define I8042_STATUS_INPUT_FULL 0x02	/* controller has not read the last command yet */
#define I8042_CMD_RESET 0xfe		/* pulse the CPU reset line */
#define I8042_READY_POLLS 16

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
