/* kernel_main: the BSP's path from the PVH hand-over to the checks and the exit. */
#include <stdint.h>

#include "guest/arch/x86/ioapic.h"
#include "guest/arch/x86/pic.h"
#include "guest/arch/x86/umode.h"
#include "guest/kernel/bench.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/checks.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/console_in.h"
#include "guest/kernel/leave.h"
#include "guest/kernel/machine.h"
#include "guest/kernel/sched.h"
#include "guest/kernel/smp.h"
#include "guest/kernel/time.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"
#include "guest/mm/kmap.h"

#define GUEST_VERSION "0.2"
#define MAIN_STACK_PAGES 4

__attribute__((noreturn)) void kernel_main(uint32_t start_info_pa);
__attribute__((noreturn)) void call_on_stack(uint64_t stack_top, void (*fn)(void));

static uint64_t main_stack_top;

/* Second half, on a stack with a guard page: interrupts, time, the other CPUs, user mode, the checks. */
static void kernel_main_paged(void)
{
	char sysret[8] = "on";
	unsigned int failed;

	smp_setup_bsp(main_stack_top);
	pic_disable();
	ioapic_init(machine.ioapic_base);
	time_init();
	console_input_init();
	smp_start_aps();
	cmdline_get(boot_info.cmdline, "sysret", sysret, sizeof(sysret));
	umode_detect(strcmp(sysret, "off") != 0);
	sched_init_bsp();
	if (bench_requested(boot_info.cmdline)) {
		bench_run(boot_info.cmdline);	/* bench= runs the paths it lists instead of the checks */
		failed = 0;
	} else {
		failed = checks_run(boot_info.cmdline);
	}
	smp_quiesce();
	kernel_leave(boot_info.cmdline, failed == 0);
}

/*
 * On the boot stack and the boot page tables, interrupts disabled. libfdt runs only here (in
 * machine_discover), before anything else could interrupt it or change the FS base it reads the
 * stack canary through.
 */
void kernel_main(uint32_t start_info_pa)
{
	uint64_t stack;

	console_init();
	bootinfo_init(start_info_pa);
	kprintf("keel guest " GUEST_VERSION " (cmdline: \"%s\")\n", boot_info.cmdline);
	smp_init_bsp();
	machine_discover();
	machine_print_summary();
	mmu_init();
	stack = kstack_alloc(MAIN_STACK_PAGES);
	if (!stack) {
		kprintf("guest: out of memory for the main stack\n");
		kernel_leave(boot_info.cmdline, false);
	}
	main_stack_top = stack;
	call_on_stack(stack, kernel_main_paged);
}
