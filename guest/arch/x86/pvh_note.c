/* The PVH ELF note (owner "Xen", type XEN_ELFNOTE_PHYS32_ENTRY) naming the 32-bit entry point. */
#include "firmware/pvh.h"
#include "guest/arch/x86/layout.h"

/*
 * Written as inline assembly in C because firmware/pvh.h cannot be included from a .S file (it
 * declares structs, and its constants carry a 'u' suffix). The function itself is never called;
 * the note goes to its own section, which kernel.ld puts under a PT_NOTE program header.
 */
__attribute__((used)) static void pvh_note(void)
{
	__asm__(".pushsection .note.Xen, \"a\", @note\n\t"
		".balign 4\n\t"
		".long 2f - 1f\n\t"			/* namesz */
		".long 4f - 3f\n\t"			/* descsz */
		".long %c0\n"				/* type */
		"1:\t.asciz \"" XEN_ELFNOTE_NAME "\"\n"
		"2:\t.balign 4\n"
		"3:\t.long pvh_entry - %c1\n"		/* physical entry address, 32 bits */
		"4:\t.balign 4\n\t"
		".popsection"
		:
		: "i"(XEN_ELFNOTE_PHYS32_ENTRY), "i"(KERNEL_VIRT_BASE));
}
