/* The exit= modes, each ending in cli; hlt should its device do nothing. */
#include "guest/kernel/leave.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/idt.h"
#include "guest/arch/x86/machine_exit.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/devtree.h"
#include "guest/kernel/durability.h"
#include "guest/kernel/echo.h"
#include "guest/kernel/gdbtest.h"
#include "guest/kernel/machine.h"
#include "guest/kernel/sched.h"
#include "guest/kernel/wait_events.h"
#include "guest/lib/string.h"
#include "guest/lib/ticks.h"

#define EXIT_MODE_MAX 24		/* "powerbutton-ignore" and its NUL fit */

/* sched_wait's condition, checked on every tick of the main thread's wait: one port read. */
static bool power_button_pressed(const void *arg)
{
	(void)arg;
	return machine_power_button_pressed();
}

/*
 * exit=powerbutton and exit=powerbutton-ignore: listen to the ACPI power button (keel presses it
 * on SIGTERM); then power off when it is pressed, or (@ignore) never answer it.
 */
static void leave_on_power_button(bool ignore)
{
	machine_power_button_enable();
	kprintf("guest: waiting for the power button\n");
	if (ignore)
		return;
	while (!sched_wait(power_button_pressed, NULL, NS_PER_S))
		;
	machine_power_button_clear();
	kprintf("guest: power button pressed, powering off\n");
	machine_poweroff();
}

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
	} else if (!strcmp(mode, "powerbutton")) {
		leave_on_power_button(false);
	} else if (!strcmp(mode, "powerbutton-ignore")) {
		leave_on_power_button(true);
	} else if (!strcmp(mode, "gdbtest")) {
		gdbtest_run();
	} else if (!strcmp(mode, "echo")) {
		echo_loop();
		kernel_leave_verdict(true);
	} else if (!strcmp(mode, "wait")) {
		wait_events();
	} else if (!strcmp(mode, "durability")) {
		durability_run(cmdline);
	} else if (!strcmp(mode, "debug")) {
		machine_debug_exit(passed ? 0 : 1);
	} else {
		if (strcmp(mode, "verdict"))
			kprintf("guest: unknown exit=%s, using exit=verdict\n", mode);
		kernel_leave_verdict(passed);
	}
	cpu_halt_forever();
}
