/* The stack protector's failure hook, called by libfdt (built with -fstack-protector). */
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/machine_exit.h"
#include "guest/kernel/console.h"

__attribute__((noreturn)) void __stack_chk_fail(void);

void __stack_chk_fail(void)
{
	kprintf_unlocked("\nguest: stack smashing detected (return address %p)\n",
			 __builtin_return_address(0));
	machine_debug_exit(1);
	cpu_halt_forever();
}
