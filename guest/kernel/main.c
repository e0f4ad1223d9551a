/* kernel_main: the BSP's path from the PVH hand-over to the checks and the exit. */
#include <stdint.h>

#include "guest/kernel/bootinfo.h"
#include "guest/kernel/checks.h"
#include "guest/kernel/console.h"
#include "guest/kernel/leave.h"
#include "guest/kernel/machine.h"
#include "guest/kernel/smp.h"

#define GUEST_VERSION "0.1"

__attribute__((noreturn)) void kernel_main(uint32_t start_info_pa);

/* Runs with interrupts disabled throughout (libfdt may use the red zone). */
void kernel_main(uint32_t start_info_pa)
{
	unsigned int failed;

	console_init();
	bootinfo_init(start_info_pa);
	kprintf("keel guest " GUEST_VERSION " (cmdline: \"%s\")\n", boot_info.cmdline);
	smp_init_bsp();
	machine_discover();
	machine_print_summary();
	smp_start_aps();
	failed = checks_run_all();
	kernel_leave(boot_info.cmdline, failed == 0);
}
