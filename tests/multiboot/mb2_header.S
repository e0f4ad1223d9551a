/* The Multiboot 2 header of the test kernels: a required information request, module alignment, an optional framebuffer, console flags; with MBTEST_ELF64 also the entry address and relocatable tags. */
#include "firmware/multiboot.h"

#define TAG(type, flags, size) .align 8; .short type, flags; .long size

	.section .multiboot, "a"
	.align 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_end - mb2_header
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_end - mb2_header))
	TAG(MB2_HT_INFO_REQUEST, 0, 8 + 4 * 7)
	.long MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME, MB2_TAG_MODULE, MB2_TAG_BASIC_MEMINFO, MB2_TAG_MMAP
	.long MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW
	TAG(MB2_HT_MODULE_ALIGN, 0, 8)
	TAG(MB2_HT_FRAMEBUFFER, MB2_HT_OPTIONAL, 20)
	.long 1024, 768, 32
	TAG(MB2_HT_CONSOLE_FLAGS, 0, 12)
	.long MB2_CONSOLE_EGA_TEXT		/* supported, not required */
#ifdef MBTEST_ELF64
	TAG(MB2_HT_ENTRY, 0, 12)
	.long _start				/* the 32-bit entry; the ELF64 entry is elf_entry_trap */
	TAG(MB2_HT_RELOCATABLE, 0, 24)
	.long 0x100000, 0x1000000, 0x1000, 0	/* keel loads at the linked address and says where (tag 21) */
#endif
	TAG(MB2_HT_END, 0, 8)
mb2_end:
