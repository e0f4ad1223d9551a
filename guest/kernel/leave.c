/* The exit= modes, each ending in cli; hlt should its device do nothing. */
#include "guest/kernel/leave.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/idt.h"
#include "guest/arch/x86/machine_exit.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/echo.h"
#include "guest/kernel/gdbtest.h"
#include "guest/lib/string.h"

#define EXIT_MODE_MAX 16

void kernel_leave(const char *cmdline, bool passed)
{
	char mode[EXIT_MODE_MAX] = "debug";

	cmdline_get(cmdline, "exit", mode, sizeof(mode));
	if (!strcmp(mode, "poweroff")) {
		machine_poweroff();
	} else if (!strcmp(mode, "reset")) {
		machine_reset();
	} else if (!strcmp(mode, "triplefault")) {
		idt_triple_fault();
	} else if (!strcmp(mode, "halt")) {
		kprintf("guest: halted\n");
	} else if (!strcmp(mode, "gdbtest")) {
		gdbtest_run();
	} else if (!strcmp(mode, "echo")) {
		echo_loop();
		machine_debug_exit(0);
	} else {
		if (strcmp(mode, "debug"))
			kprintf("guest: unknown exit=%s, using exit=debug\n", mode);
		machine_debug_exit(passed ? 0 : 1);
	}
	cpu_halt_forever();
}
