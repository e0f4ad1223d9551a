/* Segment selectors of the boot GDT (guest/arch/x86/gdt.S), shared by C and assembly. */
#ifndef KEEL_GUEST_ARCH_X86_GDT_H
#define KEEL_GUEST_ARCH_X86_GDT_H

#define GDT_CODE32 0x08			/* flat 32-bit code: PVH entry and the AP trampoline */
#define GDT_DATA 0x10			/* flat data */
#define GDT_CODE64 0x18			/* 64-bit kernel code */
#define BOOT_GDT_LIMIT (4 * 8 - 1)	/* four descriptors: what lgdt wants as the limit */

#endif
