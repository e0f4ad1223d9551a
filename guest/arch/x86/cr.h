/* Control register and EFER bits used when switching to long mode and setting up paging (C and assembly). */
#ifndef KEEL_GUEST_ARCH_X86_CR_H
#define KEEL_GUEST_ARCH_X86_CR_H

#define CR0_PE (1u << 0)		/* protected mode */
#define CR0_WP (1u << 16)		/* write protect in ring 0 */
#define CR0_PG (1u << 31)		/* paging */
#define CR4_PAE (1u << 5)		/* physical address extension, needed for long mode */
#define CR4_PGE (1u << 7)		/* global pages */

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
#endif

#endif
