/* x86 page-table walks for the gdb monitor: one address level by level, and an address space's mapped ranges, merged. */
#include "vmm/gdb/x86_paging.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define MAX_LEVELS 5
#define TABLE_BYTES 4096u

/* The shape of one paging mode's tables. */
struct pg_fmt {
	enum x86_paging mode;
	unsigned int levels;
	unsigned int esize;		/* bytes per entry: 4 or 8 */
	unsigned int va_bits;		/* linear-address width */
	uint8_t shift[MAX_LEVELS];	/* the lowest address bit each level's index covers */
	uint16_t nent[MAX_LEVELS];	/* entries per table */
	const char *name[MAX_LEVELS];
};

static const struct pg_fmt formats[] = {
	{ X86_PAGING_32, 2, 4, 32, { 22, 12 }, { 1024, 1024 }, { "PD", "PT" } },
	{ X86_PAGING_PAE, 3, 8, 32, { 30, 21, 12 }, { 4, 512, 512 }, { "PDPT", "PD", "PT" } },
	{ X86_PAGING_4LEVEL, 4, 8, 48, { 39, 30, 21, 12 }, { 512, 512, 512, 512 }, { "PML4", "PDPT", "PD", "PT" } },
	{ X86_PAGING_5LEVEL, 5, 8, 57, { 48, 39, 30, 21, 12 }, { 512, 512, 512, 512, 512 },
	  { "PML5", "PML4", "PDPT", "PD", "PT" } },
};

enum x86_paging x86_paging_mode(const struct x86_sys *s)
{
	if (!(s->cr0 & X86_CR0_PG) || !(s->cr0 & X86_CR0_PE))
		return X86_PAGING_OFF;
	if (!(s->cr4 & X86_CR4_PAE))
		return X86_PAGING_32;
	if (!(s->efer & X86_EFER_LMA))
		return X86_PAGING_PAE;
	return s->cr4 & X86_CR4_LA57 ? X86_PAGING_5LEVEL : X86_PAGING_4LEVEL;
}

const char *x86_paging_name(enum x86_paging mode)
{
	static const char *const names[] = {
		[X86_PAGING_OFF] = "off",
		[X86_PAGING_32] = "32-bit",
		[X86_PAGING_PAE] = "PAE",
		[X86_PAGING_4LEVEL] = "4-level",
		[X86_PAGING_5LEVEL] = "5-level",
	};

	return (unsigned int)mode < sizeof(names) / sizeof(names[0]) ? names[mode] : "?";
}

static const struct pg_fmt *pg_format(enum x86_paging mode)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].mode == mode)
			return &formats[i];
	return NULL;
}

static unsigned int maxphy(const struct x86_sys *s)
{
	return s->maxphyaddr >= 32 && s->maxphyaddr <= 52 ? s->maxphyaddr : 52;
}

/* Bits @lo..@hi set (inclusive); empty when @hi < @lo. */
static uint64_t bits(unsigned int hi, unsigned int lo)
{
	if (hi < lo)
		return 0;
	return (hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
}

static uint64_t top_table(const struct pg_fmt *f, const struct x86_sys *s)
{
	if (f->mode == X86_PAGING_32)
		return s->cr3 & 0xfffff000ull;
	if (f->mode == X86_PAGING_PAE)
		return s->cr3 & 0xffffffe0ull;
	return s->cr3 & bits(maxphy(s) - 1, 12);
}

/* May level @lvl map a page itself (PS set)? */
static bool huge_ok(const struct pg_fmt *f, const struct x86_sys *s, unsigned int lvl)
{
	if (lvl + 1 == f->levels)
		return false;
	if (f->mode == X86_PAGING_32)
		return (s->cr4 & X86_CR4_PSE) != 0;
	return f->shift[lvl] == 21 || (f->shift[lvl] == 30 && f->levels >= 4);
}

/* The reserved bits set in entry @e of level @lvl (a page itself when @huge). */
static uint64_t reserved(const struct pg_fmt *f, const struct x86_sys *s, unsigned int lvl, uint64_t e, bool huge)
{
	unsigned int m = maxphy(s);
	uint64_t r, nx = s->efer & X86_EFER_NXE ? 0 : PTE_NX;

	if (f->esize == 4)
		return huge ? e & ((1ull << 21) | (m < 40 ? bits(20, 13 + m - 32) : 0)) : 0;
	if (f->mode == X86_PAGING_PAE) {
		r = bits(62, m);
		if (lvl == 0)
			return e & (r | PTE_NX | bits(2, 1) | bits(8, 5));
	} else {
		r = bits(51, m);
	}
	r |= nx;
	if (f->shift[lvl] >= 39)
		r |= PTE_PS;
	else if (huge)
		r |= bits(f->shift[lvl] - 1, 13);
	return e & r;
}

/* The physical address entry @e points at (a table, or a page when @huge). */
static uint64_t entry_addr(const struct pg_fmt *f, const struct x86_sys *s, unsigned int lvl, uint64_t e, bool huge)
{
	if (f->esize == 4)
		return huge ? (e & 0xffc00000ull) | ((e >> 13) & 0xff) << 32 : e & 0xfffff000ull;
	return e & bits(maxphy(s) - 1, huge ? f->shift[lvl] : 12);
}

/* The index bits of @va at level @lvl. */
static unsigned int entry_index(const struct pg_fmt *f, unsigned int lvl, uint64_t va)
{
	return (unsigned int)((va >> f->shift[lvl]) & (f->nent[lvl] - 1u));
}

/* Effective permissions gathered down a walk. */
struct perms {
	bool user, write, exec, global;
};

static void perms_add(const struct pg_fmt *f, const struct x86_sys *s, unsigned int lvl, uint64_t e, struct perms *p)
{
	if (!(f->mode == X86_PAGING_PAE && lvl == 0)) {	/* a PAE PDPTE has no RW or US */
		p->user &= (e & PTE_US) != 0;
		p->write &= (e & PTE_RW) != 0;
	}
	if (f->esize == 8 && (s->efer & X86_EFER_NXE) && (e & PTE_NX))
		p->exec = false;
}

static void flags_text(uint64_t e, bool wide, bool leaf4k, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = { { 0, "P" }, { 1, "RW" }, { 2, "US" }, { 3, "PWT" }, { 4, "PCD" }, { 5, "A" }, { 6, "D" },
		      { 7, "PS" }, { 8, "G" }, { 63, "NX" } };
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *name = names[i].name;

		if (!(e & (1ull << names[i].bit)) || (names[i].bit == 63 && !wide))
			continue;
		if (names[i].bit == 7 && leaf4k)
			name = "PAT";
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", name);
		if (n >= len)
			break;
	}
}

static const char *page_size_text(unsigned int shift)
{
	switch (shift) {
	case 12:
		return "4 KiB";
	case 21:
		return "2 MiB";
	case 22:
		return "4 MiB";
	case 30:
		return "1 GiB";
	default:
		return "?";
	}
}

static int walk_check_va(struct textout *o, const struct pg_fmt *f, uint64_t va)
{
	uint64_t top;

	if (f->va_bits == 32) {
		if (va >> 32) {
			textout_printf(o, "walk: 0x%" PRIx64 " is above 4 GiB: %s paging has 32-bit addresses\n", va,
				       x86_paging_name(f->mode));
			return -EINVAL;
		}
		return 0;
	}
	top = (uint64_t)((int64_t)(va << (64 - f->va_bits)) >> (64 - f->va_bits));
	if (top != va) {
		textout_printf(o, "walk: 0x%" PRIx64 " is not canonical for %s paging (bits 63..%u must copy bit %u)\n",
			       va, x86_paging_name(f->mode), f->va_bits - 1, f->va_bits - 1);
		return -EINVAL;
	}
	return 0;
}

int x86_walk(struct textout *o, const struct x86_sys *s, uint64_t va, x86_phys_read rd, void *opaque, uint64_t *pa)
{
	enum x86_paging mode = x86_paging_mode(s);
	const struct pg_fmt *f = pg_format(mode);
	struct perms p = { true, true, true, false };
	uint64_t table;
	int digits;

	if (!f) {
		textout_printf(o, "paging is off (CR0.PG=0): linear 0x%" PRIx64 " is physical 0x%" PRIx64
				  " (identity)\n", va, va);
		*pa = va;
		return 0;
	}
	if (walk_check_va(o, f, va) < 0)
		return -EINVAL;
	digits = f->esize == 4 ? 8 : 16;
	table = top_table(f, s);
	textout_printf(o, "walk 0x%" PRIx64 ": %s paging, CR3 0x%" PRIx64 "%s\n", va, x86_paging_name(mode), s->cr3,
		       s->efer & X86_EFER_NXE ? ", NX on" : "");
	for (unsigned int lvl = 0; lvl < f->levels; lvl++) {
		unsigned int idx = entry_index(f, lvl, va);
		uint64_t e = 0, rsvd, addr;
		char flags[64];
		bool huge, leaf;

		if (rd(opaque, table + (uint64_t)idx * f->esize, &e, f->esize) < 0) {
			textout_printf(o, "  %-4s table 0x%" PRIx64 ": outside guest RAM, the walk stops\n",
				       f->name[lvl], table);
			return -EFAULT;
		}
		huge = (e & PTE_PS) && huge_ok(f, s, lvl);
		leaf = huge || lvl + 1 == f->levels;
		flags_text(e, f->esize == 8, leaf && !huge, flags, sizeof(flags));
		textout_printf(o, "  %-4s table 0x%0*" PRIx64 " [%3u] = 0x%0*" PRIx64 "  %s\n", f->name[lvl],
			       digits, table, idx, digits, e, flags[0] ? flags : "-");
		if (!(e & PTE_P)) {
			textout_printf(o, "  stopped: %s entry not present (the CPU raises #PF)\n", f->name[lvl]);
			return -EFAULT;
		}
		rsvd = reserved(f, s, lvl, e, huge);
		if (rsvd) {
			textout_printf(o, "  stopped: reserved bits 0x%" PRIx64 " set in the %s entry (#PF, RSVD)\n",
				       rsvd, f->name[lvl]);
			return -EFAULT;
		}
		perms_add(f, s, lvl, e, &p);
		addr = entry_addr(f, s, lvl, e, huge);
		if (leaf) {
			uint64_t off = va & ((1ull << f->shift[lvl]) - 1);
			uint8_t probe;

			p.global = (e & PTE_G) != 0;
			*pa = addr + off;
			textout_printf(o, "  -> physical 0x%" PRIx64 " (%s page at 0x%" PRIx64 ", %s, %s, %s%s)%s\n",
				       *pa, page_size_text(f->shift[lvl]), addr, p.user ? "user" : "supervisor",
				       p.write ? "writable" : "read-only", p.exec ? "executable" : "no-execute",
				       p.global ? ", global" : "",
				       rd(opaque, *pa, &probe, 1) < 0 ? " - not guest RAM" : "");
			return 0;
		}
		table = addr;
	}
	return -EFAULT;	/* not reached: the last level is a leaf */
}

/* --- the mapped ranges ------------------------------------------------------------------------ */

struct map_ctx {
	struct textout *o;
	const struct x86_sys *s;
	const struct pg_fmt *f;
	x86_phys_read rd;
	void *opaque;
	const struct x86_map_limits *lim;
	struct x86_map_stats st;
	unsigned long shown;		/* lines printed (ranges and notes) */
	unsigned long shown_ranges;	/* ranges printed */
	bool have;			/* cur holds a range */
	struct {
		uint64_t va, end, pa;	/* end exclusive */
		char flags[6];
	} cur;
	uint8_t tbl[MAX_LEVELS][TABLE_BYTES];
};

static int va_digits(const struct map_ctx *c)
{
	return c->f->va_bits == 32 ? 8 : 16;
}

static bool map_line_ok(struct map_ctx *c)
{
	return c->shown < c->lim->max_ranges;
}

static void map_flush(struct map_ctx *c)
{
	if (!c->have)
		return;
	c->have = false;
	c->st.ranges++;
	c->st.bytes += c->cur.end - c->cur.va;
	if (!map_line_ok(c))
		return;
	c->shown++;
	c->shown_ranges++;
	textout_printf(c->o, "0x%0*" PRIx64 "-0x%0*" PRIx64 " size 0x%-10" PRIx64 " phys 0x%0*" PRIx64 " %s\n",
		       va_digits(c), c->cur.va, va_digits(c), c->cur.end, c->cur.end - c->cur.va,
		       c->f->va_bits == 32 ? 9 : 12, c->cur.pa, c->cur.flags);
}

static void map_page(struct map_ctx *c, uint64_t va, uint64_t size, uint64_t pa, const struct perms *p)
{
	char flags[6] = { p->user ? 'u' : '-', 'r', p->write ? 'w' : '-', p->exec ? 'x' : '-',
			  p->global ? 'g' : '-', '\0' };

	if (c->have && va == c->cur.end && pa == c->cur.pa + (c->cur.end - c->cur.va) &&
	    !strcmp(flags, c->cur.flags)) {
		c->cur.end = va + size;
		return;
	}
	map_flush(c);
	c->have = true;
	c->cur.va = va;
	c->cur.end = va + size;
	c->cur.pa = pa;
	memcpy(c->cur.flags, flags, sizeof(flags));
}

static void map_note(struct map_ctx *c, uint64_t va, const char *what, uint64_t addr)
{
	map_flush(c);
	c->st.bad_tables++;
	if (!map_line_ok(c))
		return;
	c->shown++;
	textout_printf(c->o, "0x%0*" PRIx64 ": %s 0x%" PRIx64 ", its branch is skipped\n", va_digits(c), va, what,
		       addr);
}

/* The linear address of index @idx at level @lvl under @base, sign-extended in 4- and 5-level paging. */
static uint64_t map_va(const struct map_ctx *c, uint64_t base, unsigned int lvl, unsigned int idx)
{
	uint64_t va = base | (uint64_t)idx << c->f->shift[lvl];
	unsigned int w = c->f->va_bits;

	return w == 32 ? va : (uint64_t)((int64_t)(va << (64 - w)) >> (64 - w));
}

static void map_table(struct map_ctx *c, unsigned int lvl, uint64_t table, uint64_t base, struct perms p)
{
	const struct pg_fmt *f = c->f;
	size_t bytes = (size_t)f->nent[lvl] * f->esize;
	uint8_t *tbl = c->tbl[lvl];

	if (c->st.tables >= c->lim->max_tables) {
		c->st.stopped = 1;
		return;
	}
	c->st.tables++;
	if (c->rd(c->opaque, table, tbl, bytes) < 0) {
		map_note(c, base, "page table outside guest RAM at", table);
		return;
	}
	for (unsigned int i = 0; i < f->nent[lvl] && !c->st.stopped; i++) {
		uint64_t e = 0, va = map_va(c, base, lvl, i);
		struct perms q = p;
		bool huge;

		memcpy(&e, tbl + (size_t)i * f->esize, f->esize);
		if (!(e & PTE_P))
			continue;
		huge = (e & PTE_PS) && huge_ok(f, c->s, lvl);
		if (reserved(f, c->s, lvl, e, huge)) {
			map_note(c, va, "reserved bits set in entry", e);
			continue;
		}
		perms_add(f, c->s, lvl, e, &q);
		if (huge || lvl + 1 == f->levels) {
			q.global = (e & PTE_G) != 0;
			map_page(c, va, 1ull << f->shift[lvl], entry_addr(f, c->s, lvl, e, huge), &q);
		} else {
			map_table(c, lvl + 1, entry_addr(f, c->s, lvl, e, false), va, q);
		}
	}
}

int x86_mem_map(struct textout *o, const struct x86_sys *s, x86_phys_read rd, void *opaque,
		const struct x86_map_limits *lim, struct x86_map_stats *st)
{
	static const struct perms all = { true, true, true, false };
	struct map_ctx *c;
	enum x86_paging mode = x86_paging_mode(s);
	struct map_ctx ctx_storage;

	if (mode == X86_PAGING_OFF) {
		textout_printf(o, "paging is off (CR0.PG=0): every linear address is the physical one (identity)\n");
		return -ENODATA;
	}
	c = &ctx_storage;
	memset(c, 0, offsetof(struct map_ctx, tbl));
	c->o = o;
	c->s = s;
	c->f = pg_format(mode);
	c->rd = rd;
	c->opaque = opaque;
	c->lim = lim;
	textout_printf(o, "%s paging, CR3 0x%" PRIx64 "; flags: u user, r read, w write, x execute, g global\n",
		       x86_paging_name(mode), s->cr3);
	map_table(c, 0, top_table(c->f, s), 0, all);
	map_flush(c);
	if (c->st.ranges > c->shown_ranges)
		textout_printf(o, "... %lu more ranges\n", c->st.ranges - c->shown_ranges);
	if (c->st.stopped)
		textout_printf(o, "... the walk stopped after %lu page tables (the limit)\n", c->st.tables);
	textout_printf(o, "%lu ranges, 0x%" PRIx64 " bytes mapped, %lu page tables read%s\n", c->st.ranges,
		       c->st.bytes, c->st.tables, c->st.bad_tables ? ", some branches skipped" : "");
	if (st)
		*st = c->st;
	return 0;
}
