/* The exit= modes, each ending in cli; hlt should its device do nothing. */
#include "guest/kernel/leave.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/idt.h"
#include "guest/arch/x86/machine_exit.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/devtree.h"
#include "guest/kernel/echo.h"
#include "guest/kernel/gdbtest.h"
#include "guest/kernel/machine.h"
#include "guest/lib/string.h"

#define EXIT_MODE_MAX 16

void kernel_leave_verdict(bool passed)
{
	/* keel's device tree says "keel,vm": power off there, so `keel run` exits 0 on success. */
	if (passed && machine_has_fdt() && devtree_is_keel())
		machine_poweroff();
	machine_debug_exit(passed ? 0 : 1);
	cpu_halt_forever();
}

void kernel_leave(const char *cmdline, bool passed)
{
	char mode[EXIT_MODE_MAX] = "verdict";

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
		kernel_leave_verdict(true);
	} else if (!strcmp(mode, "debug")) {
		machine_debug_exit(passed ? 0 : 1);
	} else {
		if (strcmp(mode, "verdict"))
			kprintf("guest: unknown exit=%s, using exit=verdict\n", mode);
		kernel_leave_verdict(passed);
	}
	cpu_halt_forever();
}
