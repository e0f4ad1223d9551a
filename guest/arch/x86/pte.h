/* Page-table entry bits (shared by C and assembly). */
#ifndef KEEL_GUEST_ARCH_X86_PTE_H
#define KEEL_GUEST_ARCH_X86_PTE_H

#include "guest/arch/x86/layout.h"

#define PTE_P LAYOUT_UL(0x001)		/* present */
#define PTE_W LAYOUT_UL(0x002)		/* writable */
#define PTE_U LAYOUT_UL(0x004)		/* user accessible */
#define PTE_PWT LAYOUT_UL(0x008)	/* write-through */
#define PTE_PCD LAYOUT_UL(0x010)	/* cache disabled */
#define PTE_A LAYOUT_UL(0x020)		/* accessed */
#define PTE_D LAYOUT_UL(0x040)		/* dirty */
#define PTE_PS LAYOUT_UL(0x080)		/* large page (in a PDPT or PD entry) */
#define PTE_G LAYOUT_UL(0x100)		/* global */
#define PTE_NOFREE LAYOUT_UL(0x200)	/* software: the frame is not the mapping's to free */
#define PTE_NX LAYOUT_UL(0x8000000000000000)	/* no execute (EFER.NXE) */
#define PTE_ADDR LAYOUT_UL(0x000ffffffffff000)	/* frame address of a 4 KiB entry or a table */
#define PTE_UC (PTE_PCD | PTE_PWT)

/* #PF error code bits. */
#define PF_ERR_P 0x01			/* the page was present (protection violation) */
#define PF_ERR_W 0x02			/* write access */
#define PF_ERR_U 0x04			/* user-mode access */
#define PF_ERR_RSVD 0x08		/* reserved bit set in an entry */
#define PF_ERR_I 0x10			/* instruction fetch */

#endif
