/* The Multiboot test kernels: the machine state their entry code saves before anything changes it, for kernel_main to print. */
#ifndef KEEL_TESTS_MULTIBOOT_MBTEST_H
#define KEEL_TESTS_MULTIBOOT_MBTEST_H

#define MBTEST_FLAT_MAGIC 0x464c4154	/* "TALF": read back through each data segment to see its base is 0 */
#define MBTEST_PORT_COM1 0x3f8
#define MBTEST_PORT_EXIT 0xf4		/* isa-debug-exit: the VM ends with status (v << 1) | 1 */

/* Offsets of struct boot_state, for entry.S. */
#define BS_EAX 0
#define BS_EBX 4
#define BS_CR0 8
#define BS_EFLAGS 12
#define BS_CS 16
#define BS_DS 18
#define BS_ES 20
#define BS_FS 22
#define BS_GS 24
#define BS_SS 26
#define BS_FLAT 28
#define BS_SIZE 32

#ifndef __ASSEMBLER__
#include <stdint.h>

struct boot_state {
	uint32_t eax, ebx, cr0, eflags;
	uint16_t cs, ds, es, fs, gs, ss;
	uint32_t flat;			/* bit i set: data segment i (ds, es, fs, gs, ss) reads address X as X */
};

_Static_assert(sizeof(struct boot_state) == BS_SIZE, "struct boot_state matches entry.S");

/* kernel_main - print what the loader handed over (@s: the state at entry), then leave through the debug-exit port. */
void kernel_main(const struct boot_state *s) __attribute__((noreturn));
#endif

#endif
