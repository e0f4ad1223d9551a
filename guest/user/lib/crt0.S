/* User program entry: main(a0, a1, a2) with the spawner's arguments, then SYS_EXIT with its result. */
#include "guest/user/abi.h"

	.section .text.start, "ax"
	.globl _start
_start:
	xor %ebp, %ebp			/* RDI, RSI, RDX: the arguments; RSP: 16-byte aligned */
	call main
	mov %eax, %edi
	mov $SYS_EXIT, %eax
	syscall
	ud2

	.section .note.GNU-stack, "", @progbits
