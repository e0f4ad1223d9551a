/* The Multiboot 1 header of the test kernels: page-aligned modules and memory information; with MBTEST_AOUT also the address fields (flag 16) a flat binary needs. */
#include "firmware/multiboot.h"

#ifdef MBTEST_AOUT
#define FLAGS (MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO | MB1_HF_AOUT_KLUDGE)
#else
#define FLAGS (MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO)
#endif

	.section .multiboot, "a"
	.align 4
mb1_header:
	.long MB1_HEADER_MAGIC
	.long FLAGS
	.long 0x100000000 - (MB1_HEADER_MAGIC + FLAGS)
#ifdef MBTEST_AOUT
	.long mb1_header		/* header_addr */
	.long _load_start		/* load_addr: the binary's first byte */
	.long _load_end			/* load_end_addr: its last byte + 1 */
	.long _bss_end			/* bss_end_addr */
	.long _start			/* entry_addr */
#endif
