/* x86 CPU mode, GDT, IDT and TSS decoding for the gdb monitor: plain bytes and registers in, text lines out. */
#include "vmm/gdb/x86_decode.h"

#include "vmm/gdb/x86_paging.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_IO_RANGES 16	/* allowed-port ranges listed from a TSS's I/O bitmap */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool long_mode(const struct x86_sys *s)
{
	return (s->efer & X86_EFER_LMA) != 0;
}

/* --- the mode ------------------------------------------------------------------------------- */

enum x86_cpu_mode x86_cpu_mode(const struct x86_sys *s)
{
	if (!(s->cr0 & X86_CR0_PE))
		return X86_MODE_REAL16;
	if (long_mode(s)) {
		if (s->cs.l)
			return X86_MODE_LONG64;
		return s->cs.db ? X86_MODE_COMPAT32 : X86_MODE_COMPAT16;
	}
	if (s->rflags & X86_RFLAGS_VM)
		return X86_MODE_VM86;
	return s->cs.db ? X86_MODE_PROT32 : X86_MODE_PROT16;
}

const char *x86_mode_name(enum x86_cpu_mode m)
{
	static const char *const names[] = {
		[X86_MODE_REAL16] = "real16",	  [X86_MODE_VM86] = "vm86",
		[X86_MODE_PROT16] = "prot16",	  [X86_MODE_PROT32] = "prot32",
		[X86_MODE_COMPAT16] = "compat16", [X86_MODE_COMPAT32] = "compat32",
		[X86_MODE_LONG64] = "long64",
	};

	return (unsigned int)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}

const char *x86_mode_arch(enum x86_cpu_mode m)
{
	if (m == X86_MODE_LONG64)
		return "i386:x86-64";
	if (m == X86_MODE_PROT32 || m == X86_MODE_COMPAT32)
		return "i386";
	return "i8086";
}

struct bit_name {
	unsigned int bit;
	const char *name;
};

static const struct bit_name cr0_bits[] = { { 0, "PE" },  { 1, "MP" },  { 2, "EM" },  { 3, "TS" },
					    { 4, "ET" },  { 5, "NE" },  { 16, "WP" }, { 18, "AM" },
					    { 29, "NW" }, { 30, "CD" }, { 31, "PG" } };
static const struct bit_name cr4_bits[] = {
	{ 0, "VME" },	    { 1, "PVI" },	 { 2, "TSD" },	   { 3, "DE" },	      { 4, "PSE" },
	{ 5, "PAE" },	    { 6, "MCE" },	 { 7, "PGE" },	   { 8, "PCE" },      { 9, "OSFXSR" },
	{ 10, "OSXMMEXCPT" }, { 11, "UMIP" },	 { 12, "LA57" },   { 13, "VMXE" },    { 14, "SMXE" },
	{ 16, "FSGSBASE" }, { 17, "PCIDE" },	 { 18, "OSXSAVE" }, { 20, "SMEP" },   { 21, "SMAP" },
	{ 22, "PKE" },	    { 23, "CET" },
};
static const struct bit_name efer_bits[] = { { 0, "SCE" },   { 8, "LME" },    { 10, "LMA" },
					     { 11, "NXE" },  { 12, "SVME" },  { 14, "FFXSR" } };

static void bits_text(char *buf, size_t len, uint64_t v, const struct bit_name *names, size_t n)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && k < len; i++)
		if (v & (1ull << names[i].bit))
			k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? " " : "", names[i].name);
	if (!k)
		snprintf(buf, len, "none");
}

#define BITS_TEXT(buf, v, table) bits_text(buf, sizeof(buf), v, table, sizeof(table) / sizeof(table[0]))

void x86_print_mode(struct textout *o, const struct x86_sys *s)
{
	enum x86_cpu_mode m = x86_cpu_mode(s);
	enum x86_paging pg = x86_paging_mode(s);
	static const char *const what[] = {
		[X86_MODE_REAL16] = "real mode (16-bit)",
		[X86_MODE_VM86] = "virtual-8086 mode (16-bit)",
		[X86_MODE_PROT16] = "protected mode, 16-bit code segment",
		[X86_MODE_PROT32] = "protected mode, 32-bit code segment",
		[X86_MODE_COMPAT16] = "long mode, compatibility mode with a 16-bit code segment",
		[X86_MODE_COMPAT32] = "long mode, compatibility mode with a 32-bit code segment",
		[X86_MODE_LONG64] = "long mode, 64-bit code segment",
	};
	unsigned int cpl = m == X86_MODE_REAL16 ? 0 : m == X86_MODE_VM86 ? 3 : s->ss.dpl;
	char cr0[96], cr4[160], efer[64];

	textout_printf(o, "mode: %s arch=%s\n", x86_mode_name(m), x86_mode_arch(m));
	textout_printf(o, "%s, CPL %u\n", what[m], cpl);
	if (pg == X86_PAGING_OFF)
		textout_printf(o, "paging off (CR0.PG=0): linear addresses are physical\n");
	else
		textout_printf(o, "paging on: %s, CR3 0x%" PRIx64 "\n", x86_paging_name(pg), s->cr3);
	BITS_TEXT(cr0, s->cr0, cr0_bits);
	BITS_TEXT(cr4, s->cr4, cr4_bits);
	BITS_TEXT(efer, s->efer, efer_bits);
	textout_printf(o, "CR0 0x%" PRIx64 " (%s)\n", s->cr0, cr0);
	textout_printf(o, "CR4 0x%" PRIx64 " (%s)\n", s->cr4, cr4);
	textout_printf(o, "EFER 0x%" PRIx64 " (%s)\n", s->efer, efer);
	textout_printf(o, "CS 0x%04x base 0x%" PRIx64 " limit 0x%x L=%u D=%u, RIP 0x%" PRIx64 "\n", s->cs.selector,
		       s->cs.base, s->cs.limit, s->cs.l, s->cs.db, s->rip);
	/* gdb will not switch away from the x86-64 target description: keel-gdb.py decodes by $mode */
	textout_printf(o, "code: %s (x/i decodes it so once gdb has sourced keel-gdb.py)\n", x86_mode_arch(m));
}

/* --- descriptors ----------------------------------------------------------------------------- */

/* One descriptor, unpacked. */
struct desc {
	uint64_t base;		/* segments and TSS/LDT; the offset for gates */
	uint32_t limit;		/* granularity applied */
	uint16_t sel;		/* gates: the target selector */
	uint8_t type, s, dpl, p, avl, l, db, g;
	uint8_t extra;		/* call gates: parameter count; interrupt gates: IST */
	unsigned int size;	/* 8, or 16 for a long-mode system descriptor or gate */
};

static bool sys_is_16byte(uint8_t type)
{
	return type == 2 || type == 9 || type == 0xb || type == 0xc || type == 0xe || type == 0xf;
}

static bool sys_is_gate(uint8_t type)
{
	return (type & 7) == 4 || (type & 7) == 5 || (type & 6) == 6;
}

/* Unpack the descriptor at @p (@avail bytes there). Returns false when a 16-byte one is cut. */
static bool desc_unpack(const uint8_t *p, size_t avail, bool lm, struct desc *d)
{
	memset(d, 0, sizeof(*d));
	d->type = p[5] & 0xf;
	d->s = (p[5] >> 4) & 1;
	d->dpl = (p[5] >> 5) & 3;
	d->p = p[5] >> 7;
	d->avl = (p[6] >> 4) & 1;
	d->l = (p[6] >> 5) & 1;
	d->db = (p[6] >> 6) & 1;
	d->g = p[6] >> 7;
	d->size = lm && !d->s && sys_is_16byte(d->type) ? 16 : 8;
	if (d->size > avail)
		return false;
	if (!d->s && sys_is_gate(d->type)) {
		d->base = le16(p) | (uint32_t)le16(p + 6) << 16;
		d->sel = le16(p + 2);
		d->extra = p[4] & (lm ? 7 : 0x1f);
	} else {
		uint32_t raw = le16(p) | (uint32_t)(p[6] & 0xf) << 16;

		d->base = p[2] | (uint32_t)p[3] << 8 | (uint32_t)p[4] << 16 | (uint32_t)p[7] << 24;
		d->limit = d->g ? raw << 12 | 0xfff : raw;
	}
	if (d->size == 16)
		d->base |= (uint64_t)le32(p + 8) << 32;
	return true;
}

static const char *sys_type_name(uint8_t type, bool lm)
{
	static const char *const prot[16] = { NULL, "TSS16 avail", "LDT", "TSS16 busy", "call gate16", "task gate",
					      "int gate16", "trap gate16", NULL, "TSS32 avail", NULL, "TSS32 busy",
					      "call gate32", NULL, "int gate32", "trap gate32" };
	static const char *const lmode[16] = { [2] = "LDT", [9] = "TSS64 avail", [0xb] = "TSS64 busy",
					       [0xc] = "call gate64", [0xe] = "int gate64", [0xf] = "trap gate64" };
	const char *n = (lm ? lmode : prot)[type & 0xf];

	return n ? n : "reserved";
}

/* "code64 execute/read, accessed" and the like into @buf. */
static void seg_kind(const struct desc *d, bool lm, char *buf, size_t len)
{
	bool acc = d->type & 1;

	if (d->type & 8)
		snprintf(buf, len, "code%s execute%s%s%s", lm && d->l ? "64" : d->db ? "32" : "16",
			 d->type & 2 ? "/read" : "-only", d->type & 4 ? ", conforming" : "", acc ? ", accessed" : "");
	else
		snprintf(buf, len, "data %s%s%s", d->type & 2 ? "read/write" : "read-only",
			 d->type & 4 ? ", expand-down" : "", acc ? ", accessed" : "");
}

/* The segment registers that hold selector index @idx (" <- cs ss"), into @buf. */
static void seg_users(const struct x86_sys *s, unsigned int idx, char *buf, size_t len)
{
	const struct {
		const struct x86_seg *seg;
		const char *name;
	} regs[] = { { &s->cs, "cs" }, { &s->ss, "ss" }, { &s->ds, "ds" }, { &s->es, "es" },
		     { &s->fs, "fs" }, { &s->gs, "gs" }, { &s->tr, "tr" }, { &s->ldt, "ldtr" } };
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]) && k < len; i++) {
		const struct x86_seg *g = regs[i].seg;

		if (!g->unusable && !(g->selector & 4) && g->selector >> 3 == idx)
			k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? " " : "  <- ", regs[i].name);
	}
}

static void desc_print(struct textout *o, const struct x86_sys *s, unsigned int idx, const struct desc *d)
{
	bool lm = long_mode(s);
	char users[48], kind[64];

	seg_users(s, idx, users, sizeof(users));
	if (d->s) {
		seg_kind(d, lm, kind, sizeof(kind));
		textout_printf(o,
			       "  0x%04x [%4u] base 0x%08" PRIx64
			       " limit 0x%08x DPL %u P=%u L=%u D/B=%u G=%u AVL=%u  %s%s\n",
			       idx << 3, idx, d->base, d->limit, d->dpl, d->p, d->l, d->db, d->g, d->avl, kind, users);
	} else if (sys_is_gate(d->type) && d->type != 5) {
		textout_printf(o, "  0x%04x [%4u] %s -> 0x%04x:0x%" PRIx64 " DPL %u P=%u params %u%s\n", idx << 3, idx,
			       sys_type_name(d->type, lm), d->sel, d->base, d->dpl, d->p, d->extra, users);
	} else if (d->type == 5) {
		textout_printf(o, "  0x%04x [%4u] task gate -> TSS 0x%04x DPL %u P=%u%s\n", idx << 3, idx, d->sel,
			       d->dpl, d->p, users);
	} else {
		textout_printf(o,
			       "  0x%04x [%4u] base 0x%08" PRIx64
			       " limit 0x%08x DPL %u P=%u G=%u  %s (system type 0x%x)%s\n",
			       idx << 3, idx, d->base, d->limit, d->dpl, d->p, d->g, sys_type_name(d->type, lm),
			       d->type, users);
	}
}

int x86_print_gdt(struct textout *o, const struct x86_sys *s, const uint8_t *tbl, size_t len)
{
	size_t want = (size_t)s->gdt.limit + 1;
	unsigned int empty = 0, absent = 0;

	textout_printf(o, "GDT base 0x%" PRIx64 " limit 0x%x (%zu descriptor slots)%s\n", s->gdt.base, s->gdt.limit,
		       want / 8, long_mode(s) ? ", long mode: system descriptors take 16 bytes" : "");
	if (len > want)
		len = want;
	for (size_t off = 0; off + 8 <= len;) {
		unsigned int idx = (unsigned int)(off / 8);
		struct desc d;

		if (le64(tbl + off) == 0) {
			if (idx == 0)
				textout_printf(o, "  0x0000 [   0] null\n");
			else
				empty++;
			off += 8;
			continue;
		}
		if (!desc_unpack(tbl + off, len - off, long_mode(s), &d)) {
			textout_printf(o, "  0x%04x [%4u] a 16-byte system descriptor cut by the limit\n", idx << 3,
				       idx);
			break;
		}
		if (d.p)
			desc_print(o, s, idx, &d);
		else
			absent++;
		off += d.size;
	}
	if (len < want)
		textout_printf(o, "  (only 0x%zx of 0x%zx bytes could be read at the GDT's linear address)\n", len,
			       want);
	if (empty)
		textout_printf(o, "  %u empty slots not shown\n", empty);
	if (absent)
		textout_printf(o, "  %u not-present descriptors not shown\n", absent);
	return 0;
}

/* --- the IDT ---------------------------------------------------------------------------------- */

static const char *vector_name(unsigned int v)
{
	static const char *const names[] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
					     "#DF", "",	   "#TS", "#NP", "#SS", "#GP", "#PF", "",
					     "#MF", "#AC", "#MC", "#XM", "#VE", "#CP" };

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "";
}

int x86_print_idt(struct textout *o, const struct x86_sys *s, const uint8_t *tbl, size_t len, int vector)
{
	enum x86_cpu_mode m = x86_cpu_mode(s);
	bool real = m == X86_MODE_REAL16, lm = long_mode(s);
	unsigned int gsize = real ? 4 : lm ? 16 : 8, n, absent = 0;
	size_t want = (size_t)s->idt.limit + 1;

	if (len > want)
		len = want;
	n = (unsigned int)(want / gsize);
	if (n > 256)
		n = 256;
	textout_printf(o, "IDT base 0x%" PRIx64 " limit 0x%x: %u %s\n", s->idt.base, s->idt.limit, n,
		       real ? "real-mode vectors (seg:off)" : lm ? "16-byte long-mode gates" : "8-byte gates");
	if (vector >= 0 && (unsigned int)vector >= n) {
		textout_printf(o, "idt: vector %d is beyond the table's %u entries\n", vector, n);
		return -ENOENT;
	}
	for (unsigned int v = vector >= 0 ? (unsigned int)vector : 0; v < n; v++) {
		const uint8_t *p = tbl + (size_t)v * gsize;
		struct desc d;

		if ((size_t)(v + 1) * gsize > len) {
			textout_printf(o, "  [%3u] cannot be read at the IDT's linear address\n", v);
			break;
		}
		if (real) {
			textout_printf(o, "  [%3u] %-4s %04x:%04x (linear 0x%x)\n", v, vector_name(v), le16(p + 2),
				       le16(p), le16(p + 2) * 16u + le16(p));
		} else if (!desc_unpack(p, gsize, lm, &d) || d.s || !sys_is_gate(d.type) || !d.p) {
			if (vector >= 0)
				textout_printf(o, "  [%3u] %-4s %s (raw 0x%016" PRIx64 ")\n", v, vector_name(v),
					       !(p[5] & 0x80) ? "not present" : "not a gate", le64(p));
			else
				absent++;
		} else if (d.type == 5) {
			textout_printf(o, "  [%3u] %-4s task gate -> TSS 0x%04x DPL %u\n", v, vector_name(v), d.sel,
				       d.dpl);
		} else {
			textout_printf(o, "  [%3u] %-4s %-11s 0x%04x:0x%0*" PRIx64 " DPL %u P=1", v, vector_name(v),
				       sys_type_name(d.type, lm), d.sel, lm ? 16 : 8, d.base, d.dpl);
			if (lm)
				textout_printf(o, " IST %u\n", d.extra);
			else
				textout_printf(o, "\n");
		}
		if (vector >= 0)
			break;
	}
	if (absent)
		textout_printf(o, "  %u vectors not present, not shown\n", absent);
	return 0;
}

/* --- the TSS ---------------------------------------------------------------------------------- */

/* The ports the I/O bitmap at @iobase lets ring 3 use (bits clear), within @len bytes of TSS. */
static void print_io_bitmap(struct textout *o, const uint8_t *tss, size_t len, uint32_t limit, uint16_t iobase)
{
	size_t end = (size_t)limit + 1 < len ? (size_t)limit + 1 : len;
	unsigned int ranges = 0, more = 0;
	long start = -1;

	if (iobase >= end) {
		textout_printf(o,
			       "  I/O map base 0x%x: beyond the TSS, no I/O permission bitmap (ring 3 gets no port)\n",
			       iobase);
		return;
	}
	textout_printf(o, "  I/O map base 0x%x: bitmap of %zu bytes, ports ring 3 may use:", iobase, end - iobase);
	for (size_t port = 0; port <= 65536; port++) {
		size_t byte = iobase + port / 8;
		bool allowed = port < 65536 && byte < end && !(tss[byte] & (1u << (port % 8)));

		if (allowed && start < 0)
			start = (long)port;
		if (!allowed && start >= 0) {
			if (ranges < MAX_IO_RANGES)
				textout_printf(o, " 0x%lx-0x%zx", (unsigned long)start, port - 1);
			else
				more++;
			ranges++;
			start = -1;
		}
	}
	if (!ranges)
		textout_printf(o, " none");
	if (more)
		textout_printf(o, " (and %u more ranges)", more);
	textout_printf(o, "\n");
}

static void print_tss64(struct textout *o, const uint8_t *t, size_t len, uint32_t limit)
{
	if (len < 104) {
		textout_printf(o, "  only %zu bytes of the 104-byte TSS could be read\n", len);
		return;
	}
	textout_printf(o, "  RSP0 0x%016" PRIx64 "  RSP1 0x%016" PRIx64 "  RSP2 0x%016" PRIx64 "\n", le64(t + 4),
		       le64(t + 12), le64(t + 20));
	for (unsigned int i = 0; i < 7; i++)
		textout_printf(o, "  IST%u 0x%016" PRIx64 "%s", i + 1, le64(t + 36 + 8 * i),
			       i % 3 == 2 || i == 6 ? "\n" : "");
	print_io_bitmap(o, t, len, limit, le16(t + 102));
}

static void print_tss32(struct textout *o, const uint8_t *t, size_t len, uint32_t limit)
{
	static const char *const gpr[] = { "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI" };
	static const char *const seg[] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDT" };

	if (len < 104) {
		textout_printf(o, "  only %zu bytes of the 104-byte TSS could be read\n", len);
		return;
	}
	textout_printf(o, "  link 0x%04x  ESP0 0x%08x SS0 0x%04x  ESP1 0x%08x SS1 0x%04x  ESP2 0x%08x SS2 0x%04x\n",
		       le16(t), le32(t + 4), le16(t + 8), le32(t + 12), le16(t + 16), le32(t + 20), le16(t + 24));
	textout_printf(o, "  CR3 0x%08x  EIP 0x%08x  EFLAGS 0x%08x\n", le32(t + 28), le32(t + 32), le32(t + 36));
	textout_printf(o, " ");
	for (unsigned int i = 0; i < 8; i++)
		textout_printf(o, " %s 0x%08x", gpr[i], le32(t + 40 + 4 * i));
	textout_printf(o, "\n ");
	for (unsigned int i = 0; i < 7; i++)
		textout_printf(o, " %s 0x%04x", seg[i], le16(t + 72 + 4 * i));
	textout_printf(o, "\n  T=%u\n", t[100] & 1);
	print_io_bitmap(o, t, len, limit, le16(t + 102));
}

static void print_tss16(struct textout *o, const uint8_t *t, size_t len)
{
	static const char *const names[] = { "link", "SP0", "SS0", "SP1", "SS1", "SP2", "SS2", "IP", "FLAGS", "AX",
					     "CX", "DX", "BX", "SP", "BP", "SI", "DI", "ES", "CS", "SS", "DS", "LDT" };

	if (len < 44) {
		textout_printf(o, "  only %zu bytes of the 44-byte TSS could be read\n", len);
		return;
	}
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		textout_printf(o, "%s%s 0x%04x%s", i % 9 == 0 ? " " : "", names[i], le16(t + 2 * i),
			       i % 9 == 8 || i + 1 == sizeof(names) / sizeof(names[0]) ? "\n" : " ");
}

int x86_print_tss(struct textout *o, const struct x86_sys *s, const uint8_t *gdt, size_t gdtlen, const uint8_t *tss,
		  size_t tsslen)
{
	bool lm = long_mode(s);
	size_t off = (size_t)(s->tr.selector & ~7u);
	struct desc d;

	if (!(s->cr0 & X86_CR0_PE)) {
		textout_printf(o, "tss: real mode has no task register\n");
		return -ENOENT;
	}
	if (s->tr.unusable || !s->tr.present || (s->tr.selector & ~3u) == 0) {
		textout_printf(o, "tss: no TSS is loaded (TR 0x%04x)\n", s->tr.selector);
		return -ENOENT;
	}
	textout_printf(o, "TR 0x%04x: %s, base 0x%" PRIx64 " limit 0x%x (the descriptor the CPU cached)\n",
		       s->tr.selector, sys_type_name(s->tr.type, lm), s->tr.base, s->tr.limit);
	if (gdt && !(s->tr.selector & 4) && off + 8 <= gdtlen && off + 7 <= s->gdt.limit &&
	    desc_unpack(gdt + off, gdtlen - off, lm, &d)) {
		textout_printf(o, "GDT entry:\n");
		desc_print(o, s, (unsigned int)(off / 8), &d);
	}
	if (lm)
		print_tss64(o, tss, tsslen, s->tr.limit);
	else if (s->tr.type == 1 || s->tr.type == 3)
		print_tss16(o, tss, tsslen);
	else
		print_tss32(o, tss, tsslen, s->tr.limit);
	return 0;
}
