/* User program "fault": does one thing a user program must not (progs.h), to be killed with a report. */
#include "guest/user/lib/ulib.h"
#include "guest/user/progs.h"

/* Each level takes half a KiB of stack; the 64 KiB stack runs out long before the bound. */
static int recurse(int depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth > 1000000)
		return 0;
	return recurse(depth + 1) + pad[0];
}

int main(uint64_t mode, uint64_t a1, uint64_t a2)
{
	volatile long zero = 0;
	uint8_t code[16];

	(void)a2;
	switch (mode) {
	case FAULT_HLT:
		__asm__ volatile("hlt");
		break;
	case FAULT_NULL:
		return (int)*(volatile long *)zero;
	case FAULT_DIVIDE:
		return (int)(1000 / zero);
	case FAULT_UD2:
		__asm__ volatile("ud2");
		break;
	case FAULT_KERNEL_READ:
		return (int)*(volatile long *)a1;
	case FAULT_WRITE_TEXT:
		*(volatile uint8_t *)(uintptr_t)main = 0xc3;
		break;
	case FAULT_EXEC_STACK:
		code[0] = 0xc3;			/* ret */
		((void (*)(void))(uintptr_t)code)();
		break;
	case FAULT_INT3: {
		uint64_t after, rsp;

		__asm__ volatile("lea 1f(%%rip), %0\n\tmov %%rsp, %1\n\tint3\n1:" : "=r"(after), "=r"(rsp));
		u_printf("rip=%#lx rsp=%#lx", after, rsp);
		return FAULT_INT3_EXIT;
	}
	case FAULT_IO: {
		uint8_t v;

		__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((uint16_t)a1));
		u_printf("port %#lx: %#x", a1, v);
		return 0;
	}
	case FAULT_STACK_OVERFLOW:
		return recurse(0);
	default:
		return 127;
	}
	return 126;				/* not reached when the fault kills it */
}
