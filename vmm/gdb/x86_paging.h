/* x86 page tables as the gdb monitor shows them: one address's walk, level by level, and the mapped ranges of an address space. Pure. */
#ifndef KEEL_VMM_GDB_X86_PAGING_H
#define KEEL_VMM_GDB_X86_PAGING_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/gdb/textout.h"
#include "vmm/gdb/x86_sys.h"

/*
 * x86_phys_read - copy @len bytes of guest-physical memory at @pa into @buf, all or nothing.
 * 0, or -EFAULT when any of it is outside RAM.
 */
typedef int (*x86_phys_read)(void *opaque, uint64_t pa, void *buf, size_t len);

enum x86_paging {
	X86_PAGING_OFF,		/* CR0.PG clear: linear = physical */
	X86_PAGING_32,		/* 2 levels of 32-bit entries, 4 MiB pages with CR4.PSE */
	X86_PAGING_PAE,		/* 3 levels: a 4-entry PDPT, then 64-bit entries */
	X86_PAGING_4LEVEL,
	X86_PAGING_5LEVEL,	/* CR4.LA57 */
};

/* x86_paging_mode - the paging mode @s selects. */
enum x86_paging x86_paging_mode(const struct x86_sys *s);

/* x86_paging_name - "off", "32-bit", "PAE", "4-level" or "5-level". */
const char *x86_paging_name(enum x86_paging mode);

/*
 * x86_walk - walk linear address @va through @s's page tables (every table read with @rd),
 * printing each level's table address, index, entry and decoded flags to @o, then the physical
 * address or why the walk stopped. 0 with *@pa set (paging off: @va itself), -EFAULT when the
 * walk stops (not present, reserved bits, a table outside RAM), -EINVAL when @va is not an
 * address of the mode (non-canonical, above 4 GiB in a 32-bit mode).
 */
int x86_walk(struct textout *o, const struct x86_sys *s, uint64_t va, x86_phys_read rd, void *opaque, uint64_t *pa);

/* Bounds of x86_mem_map's work and output. */
struct x86_map_limits {
	unsigned long max_ranges;	/* ranges printed; the rest are counted */
	unsigned long max_tables;	/* page tables read; the walk stops there */
};

/* Totals of one x86_mem_map. */
struct x86_map_stats {
	unsigned long ranges;		/* merged ranges found (printed or not) */
	unsigned long tables;		/* page tables read */
	unsigned long bad_tables;	/* entries whose table is outside RAM or has reserved bits set */
	uint64_t bytes;			/* bytes mapped */
	int stopped;			/* the table limit ended the walk */
};

/*
 * x86_mem_map - the mapped ranges of @s's address space, in virtual order: runs of pages that
 * are contiguous both virtually and physically and have the same effective flags are merged
 * into one line "VSTART-VEND size SIZE phys PSTART FLAGS" (VEND exclusive; FLAGS "urwxg", '-'
 * for each missing: user, readable, writable, executable, global). A table that cannot be read
 * or has reserved bits ends its branch with a note. @st (may be NULL) gets the totals. 0, or
 * -ENODATA when paging is off.
 */
int x86_mem_map(struct textout *o, const struct x86_sys *s, x86_phys_read rd, void *opaque,
		const struct x86_map_limits *lim, struct x86_map_stats *st);

#endif
