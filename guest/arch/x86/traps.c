/* What an unexpected CPU exception does: report it on the console and end the VM as failed. */
#include "guest/arch/x86/idt.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/machine_exit.h"
#include "guest/kernel/console.h"

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range",
	"#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

void trap_exception(struct trap_frame *f)
{
	const char *name = f->vector < 32 && exception_names[f->vector] ? exception_names[f->vector]
									 : "reserved";
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	/* No this_cpu() here: %fs may not point at a struct cpu yet (early on the BSP). */
	kprintf_unlocked("\nguest: exception %lu (%s) at rip %#lx, error code %#lx, cr2 %#lx, rsp %#lx\n",
			 f->vector, name, f->rip, f->error_code, cr2, f->rsp);
	machine_debug_exit(1);
	cpu_halt_forever();
}
