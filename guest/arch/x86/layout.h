/* The guest's virtual memory layout: higher-half kernel, direct map, stack and scratch areas, user space. */
#ifndef KEEL_GUEST_ARCH_X86_LAYOUT_H
#define KEEL_GUEST_ARCH_X86_LAYOUT_H

#ifdef __ASSEMBLER__
#define LAYOUT_UL(x) x
#else
#define LAYOUT_UL(x) x##ul
#endif

/*
 * Kernel half (PML4 slots 256-511, shared by every address space):
 *   slot 256  DIRECT_MAP_BASE   all RAM and the [3 GiB, 4 GiB) device hole, no execute
 *   slot 384  KSTACK_BASE       kernel stacks, each with an unmapped guard page below it
 *   slot 416  KSCRATCH_BASE     kernel scratch: the demand-paged region and remapping checks
 *   slot 511  KERNEL_VIRT_BASE  the kernel image (-mcmodel=kernel: the top 2 GiB)
 * User half (slots 0-255): each task's own; slot 0 also holds the one identity-mapped page (the
 * AP trampoline) in the kernel's own tables while APs start, and nowhere else.
 * kernel.ld repeats KERNEL_VIRT_BASE and KERNEL_PHYS_BASE; head.S exports them so ld can compare.
 */
#define KERNEL_PHYS_BASE LAYOUT_UL(0x100000)
#define KERNEL_VIRT_BASE LAYOUT_UL(0xffffffff80000000)
#define DIRECT_MAP_BASE LAYOUT_UL(0xffff800000000000)
#define DIRECT_MAP_MAX LAYOUT_UL(0x4000000000)		/* 256 GiB of physical space at most */
#define KSTACK_BASE LAYOUT_UL(0xffffc00000000000)
#define KSTACK_SLOT LAYOUT_UL(0x10000)			/* 64 KiB of address space per stack */
#define KSCRATCH_BASE LAYOUT_UL(0xffffd00000000000)

#define USER_TOP LAYOUT_UL(0x800000000000)		/* first non-canonical user address */
#define USER_IMAGE_BASE LAYOUT_UL(0x400000)		/* user programs are linked here */
#define USER_STACK_TOP LAYOUT_UL(0x600000)		/* grows down, demand-paged */
#define USER_STACK_SIZE LAYOUT_UL(0x10000)		/* 64 KiB, the page below stays unmapped */
#define USER_SHM_BASE LAYOUT_UL(0x3f000000)		/* SYS_SHM pages, one per key */
#define USER_MMAP_BASE LAYOUT_UL(0x40000000)		/* SYS_MMAP hands out [base, end) */
#define USER_MMAP_END LAYOUT_UL(0x80000000)

#define PAGE_SIZE LAYOUT_UL(4096)
#define PAGE_SHIFT 12
#define LARGE_PAGE_SIZE LAYOUT_UL(0x200000)

#endif
