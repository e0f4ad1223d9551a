/* Unit tests of the gdb monitor: qRcmd framing and dispatch against a fake target, and the mode, GDT, IDT, TSS and APIC decoders on hand-made state. */
#include "tests/unit/suites.h"

#include "vmm/gdb/breakpoints.h"
#include "vmm/gdb/commands.h"
#include "vmm/gdb/monitor.h"
#include "vmm/gdb/packet.h"
#include "vmm/gdb/textout.h"
#include "vmm/gdb/x86_apic.h"
#include "vmm/gdb/x86_decode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX (1u << 20)
#define MAX_PKTS 256
#define RAM 0x20000u

static char text[TEXT_MAX];
static size_t text_len;

static void collect(void *opaque, const char *t, size_t len)
{
	(void)opaque;
	ck_assert_uint_lt(text_len + len, TEXT_MAX);
	memcpy(text + text_len, t, len);
	text_len += len;
	text[text_len] = '\0';
}

#define CHECK_HAS(needle) ck_assert_msg(strstr(text, needle), "no '%s' in:\n%s", needle, text)

static struct textout out;

static void text_reset(void)
{
	text_len = 0;
	text[0] = '\0';
	textout_init(&out, TEXT_MAX / 2, collect, NULL);
}

static void put(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* --- a fake target: two vCPUs (0 in long mode, 1 in real mode), 128 KiB of RAM ---------------- */

static struct {
	uint8_t ram[RAM];
	struct x86_sys sys[2];
	struct x86_lapic lapic;
	bool no_apic;
} fk;
static struct gdb_session sess;
static struct gdb_bps bps;
static char pkts[MAX_PKTS][GDB_PACKET_MAX + 1];
static int npkts;

static unsigned int f_ncpus(void *t)
{
	(void)t;
	return 2;
}

static int f_get_regs(void *t, unsigned int cpu, struct gdb_regs *r)
{
	(void)t;
	memset(r, 0, sizeof(*r));
	r->rip = fk.sys[cpu].rip;
	r->cr3 = fk.sys[cpu].cr3;
	r->gpr[0] = 0x4242;
	return 0;
}

static int f_read_phys(void *t, uint64_t addr, void *buf, size_t len)
{
	(void)t;
	if (addr >= RAM || len > RAM - addr)
		return -EFAULT;
	memcpy(buf, fk.ram + addr, len);
	return 0;
}

static int f_write_phys(void *t, uint64_t addr, const void *buf, size_t len)
{
	(void)t;
	if (addr >= RAM || len > RAM - addr)
		return -EFAULT;
	memcpy(fk.ram + addr, buf, len);
	return 0;
}

/* Linear = physical + 0x100000 (the fake's "page tables"). */
static int f_read_mem(void *t, unsigned int cpu, uint64_t addr, void *buf, size_t len)
{
	(void)cpu;
	if (addr < 0x100000)
		return -EFAULT;
	addr -= 0x100000;
	if (addr >= RAM)
		return -EFAULT;
	if (len > RAM - addr)
		len = RAM - addr;
	return f_read_phys(t, addr, buf, len) < 0 ? -EFAULT : (int)len;
}

static int f_get_sys(void *t, unsigned int cpu, struct x86_sys *s)
{
	(void)t;
	if (cpu >= 2)
		return -ESRCH;
	*s = fk.sys[cpu];
	return 0;
}

static int f_get_lapic(void *t, unsigned int cpu, struct x86_lapic *l)
{
	(void)t;
	(void)cpu;
	*l = fk.lapic;
	return 0;
}

static int f_get_ioapic(void *t, struct x86_ioapic *io)
{
	(void)t;
	memset(io, 0, sizeof(*io));
	io->base = 0xfec00000;
	return 0;
}

static const struct gdb_target_ops fake_ops = {
	.ncpus = f_ncpus,
	.get_regs = f_get_regs,
	.read_mem = f_read_mem,
	.read_phys = f_read_phys,
	.write_phys = f_write_phys,
	.get_sys = f_get_sys,
	.get_lapic = f_get_lapic,
	.get_ioapic = f_get_ioapic,
	/* no get_pic: 'pic' says it is not available */
};

static void capture(void *io, const char *payload, size_t len)
{
	(void)io;
	ck_assert_int_lt(npkts, MAX_PKTS);
	ck_assert_uint_le(len, GDB_PACKET_MAX);
	memcpy(pkts[npkts], payload, len);
	pkts[npkts][len] = '\0';
	npkts++;
}

/* The long-mode vCPU's tables, in the fake's RAM (linear = physical + 0x100000). */
#define GDT_PA 0x1000u
#define IDT_PA 0x2000u
#define TSS_PA 0x3000u

static void fake_tables(void)
{
	uint8_t *g = fk.ram + GDT_PA, *idt = fk.ram + IDT_PA, *tss = fk.ram + TSS_PA;
	uint64_t tss_la = 0x100000 + TSS_PA;

	put(g + 8, 0x00af9b000000ffffull, 8);	/* 0x08: 64-bit code, DPL 0 */
	put(g + 16, 0x00cf93000000ffffull, 8);	/* 0x10: data */
	put(g + 24, 0x00cffb000000ffffull, 8);	/* 0x18: 32-bit code, DPL 3 */
	/* 0x28: a 64-bit TSS (busy), 16 bytes */
	put(g + 40, 0x67 | (tss_la & 0xffffff) << 16 | 0x8bull << 40 | ((tss_la >> 24) & 0xff) << 56, 8);
	put(g + 48, tss_la >> 32, 8);
	/* IDT: #PF at 0xffffffff81234567 through IST 2; #BP a DPL-3 trap gate */
	put(idt + 14 * 16, 0x4567 | 0x08u << 16 | 2ull << 32 | 0x8eull << 40 | 0x8123ull << 48, 8);
	put(idt + 14 * 16 + 8, 0xffffffff, 8);
	put(idt + 3 * 16, 0x1000 | 0x08u << 16 | 0xefull << 40, 8);
	/* TSS: RSP0, IST1, and an I/O bitmap right after the 104 bytes that allows ports 0x3f8-0x3ff */
	put(tss + 4, 0xffffc90000004000ull, 8);
	put(tss + 36, 0xffffc90000008000ull, 8);
	put(tss + 102, 104, 2);
	memset(tss + 104, 0xff, 8193);
	tss[104 + 0x3f8 / 8] = 0;
}

static void setup(void)
{
	static const struct gdb_stop initial = { .cpu = 0, .reason = GDB_STOP_TRAP };
	struct x86_sys *l = &fk.sys[0], *r = &fk.sys[1];

	memset(&fk, 0, sizeof(fk));
	*l = (struct x86_sys){ .cr0 = X86_CR0_PE | X86_CR0_PG, .cr4 = X86_CR4_PAE, .cr3 = 0x8000,
			       .efer = X86_EFER_LME | X86_EFER_LMA, .rip = 0xffffffff81000000ull };
	l->cs = (struct x86_seg){ .selector = 8, .l = 1, .s = 1, .type = 0xb, .present = 1, .limit = 0xffffffff };
	l->ss = (struct x86_seg){ .selector = 0x10, .s = 1, .type = 3, .present = 1, .db = 1 };
	l->tr = (struct x86_seg){ .selector = 0x28, .type = 0xb, .present = 1, .base = 0x100000 + TSS_PA,
				  .limit = 104 + 8192 };
	l->gdt = (struct x86_dtable){ 0x100000 + GDT_PA, 63 };
	l->idt = (struct x86_dtable){ 0x100000 + IDT_PA, 4095 };
	r->cs = (struct x86_seg){ .selector = 0xf000, .base = 0xf0000, .limit = 0xffff, .s = 1, .type = 0xb };
	r->idt = (struct x86_dtable){ 0x100000, 0x3ff };
	put(fk.ram + 8 * 4, 0xf000fea5, 4);	/* the real-mode IVT's vector 8 */
	fake_tables();
	put(fk.ram + 0x8000, 0x9000 | 3, 8);	/* page tables: 0 -> 0x10000 (4 KiB, rw) */
	put(fk.ram + 0x9000, 0xa000 | 3, 8);
	put(fk.ram + 0xa000, 0xb000 | 3, 8);
	put(fk.ram + 0xb000, 0x10000 | 3, 8);
	npkts = 0;
	gdb_bps_init(&bps, 0);
	ck_assert_int_eq(gdb_session_init(&sess, &fake_ops, NULL, &bps, capture, NULL, &initial), 0);
}

static void teardown(void)
{
	gdb_session_destroy(&sess);
	gdb_bps_destroy(&bps);
}

/* Run "monitor @cmd": every reply but the last must be an O packet, the last OK; their text goes to text[]. */
static void monitor(const char *cmd)
{
	char pkt[GDB_PACKET_MAX];
	size_t n = strlen(cmd);

	memcpy(pkt, "qRcmd,", 6);
	gdb_hex_encode(pkt + 6, cmd, n);
	pkt[6 + 2 * n] = '\0';
	npkts = 0;
	text_len = 0;
	text[0] = '\0';
	gdb_session_packet(&sess, pkt, strlen(pkt));
	ck_assert_int_ge(npkts, 1);
	ck_assert_str_eq(pkts[npkts - 1], "OK");
	for (int i = 0; i + 1 < npkts; i++) {
		size_t hl = strlen(pkts[i]) - 1;

		ck_assert_msg(pkts[i][0] == 'O' && hl % 2 == 0 && hl > 0, "reply %d is '%.20s'", i, pkts[i]);
		ck_assert_uint_lt(text_len + hl / 2, TEXT_MAX);
		ck_assert_int_eq(gdb_hex_decode(text + text_len, pkts[i] + 1, hl / 2), 0);
		text_len += hl / 2;
		text[text_len] = '\0';
	}
}

static unsigned int lines(void)
{
	unsigned int n = 0;

	for (const char *p = text; *p; p++)
		n += *p == '\n';
	return n;
}

START_TEST(framing)
{
	monitor("help");
	ck_assert_int_ge(npkts, 2);
	CHECK_HAS("monitor walk VADDR");
	CHECK_HAS("monitor phys read ADDR [LEN] | write ADDR HEXBYTES");
	CHECK_HAS("u user, r read, w write, x execute, g global");
	monitor("");
	CHECK_HAS("monitor lapic");
	monitor("frobnicate now");
	ck_assert_str_eq(text, "unknown command 'frobnicate': try monitor help\n");
	monitor("walk");
	CHECK_HAS("walk: usage: monitor walk VADDR");
	monitor("walk xyz");
	ck_assert_str_eq(text, "walk: bad address 'xyz' (want a hex address, or $pc, $sp, $cr2, $rax...)\n");
	monitor("a b c d e f g h i");
	CHECK_HAS("too many arguments");
	monitor("pic");
	ck_assert_str_eq(text, "pic: not available on this target\n");

	/* the packet itself is wrong: odd length, not hex, a NUL */
	npkts = 0;
	gdb_session_packet(&sess, "qRcmd,68656c7", 13);
	gdb_session_packet(&sess, "qRcmd,zz", 8);
	gdb_session_packet(&sess, "qRcmd,0068", 10);
	ck_assert_int_eq(npkts, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(pkts[i], "E16");
}
END_TEST

START_TEST(mode_and_threads)
{
	monitor("mode");
	ck_assert_msg(!strncmp(text, "mode: long64 arch=i386:x86-64\n", 30), "%s", text);
	CHECK_HAS("code: i386:x86-64 (x/i decodes it so once gdb has sourced keel-gdb.py)");
	CHECK_HAS("(vCPU 0, gdb thread 1)");
	ck_assert_str_eq((gdb_session_packet(&sess, "Hg2", 3), pkts[npkts - 1]), "OK");
	monitor("mode");
	ck_assert_msg(!strncmp(text, "mode: real16 arch=i8086\n", 24), "%s", text);
	CHECK_HAS("paging off");
	monitor("idt");
	CHECK_HAS("[  8] #DF  f000:fea5 (linear 0xffea5)");
	monitor("tss");
	CHECK_HAS("tss: real mode has no task register");
	monitor("walk 0x1234");
	CHECK_HAS("identity");
}
END_TEST

START_TEST(walk_and_phys)
{
	monitor("walk 0x0000000000000123");
	CHECK_HAS("-> physical 0x10123 (4 KiB page at 0x10000, supervisor, writable, executable)");
	monitor("walk $rip");
	CHECK_HAS("stopped: PML4 entry not present");
	monitor("walk $rax");
	CHECK_HAS("walk 0x4242:");
	monitor("mem");
	CHECK_HAS("0x0000000000000000-0x0000000000001000 size 0x1000       phys 0x000000010000 -rwx-");

	monitor("phys write 0x10120 0xdeadbeef");
	ck_assert_str_eq(text, "phys: wrote 4 bytes at 0x10120\n");
	ck_assert_uint_eq(fk.ram[0x10120], 0xde);
	monitor("phys read 10120 4");
	CHECK_HAS("0x000000010120: de ad be ef");
	monitor("phys read 0x10120");
	ck_assert_uint_eq(lines(), 4);	/* 64 bytes by default */
	monitor("phys read 0 0x1000");
	ck_assert_uint_eq(lines(), 256);
	ck_assert_int_ge(npkts, 4);	/* several O packets, each within the packet size */
	monitor("phys read 0x1fff0 64");
	CHECK_HAS("0x00000001fff0:");
	CHECK_HAS("phys: 0x20000 is outside guest RAM");
	monitor("phys read 0x1000 100000");
	CHECK_HAS("showing the first 4096");
	monitor("phys read 0x1000 0");
	CHECK_HAS("phys: bad length '0'");
	monitor("phys write 0x1ffff 0102");
	ck_assert_str_eq(text, "phys: cannot write 2 bytes at 0x1ffff: outside guest RAM\n");
	monitor("phys write 0x1ffff 01");
	ck_assert_str_eq(text, "phys: wrote 1 byte at 0x1ffff\n");
	monitor("phys write 0x100 abc");
	CHECK_HAS("phys: bad bytes 'abc'");
	monitor("phys peek 0");
	CHECK_HAS("phys: usage:");
}
END_TEST

START_TEST(tables_through_session)
{
	monitor("gdt");
	CHECK_HAS("GDT base 0x101000 limit 0x3f (8 descriptor slots), long mode");
	CHECK_HAS(
		"  0x0008 [   1] base 0x00000000 limit 0xffffffff DPL 0 P=1 L=1 D/B=0 G=1 AVL=0  code64 execute/read, "
		"accessed  <- cs");
	CHECK_HAS(
		"  0x0018 [   3] base 0x00000000 limit 0xffffffff DPL 3 P=1 L=0 D/B=1 G=1 AVL=0  code32 execute/read, "
		"accessed");
	CHECK_HAS(
		"  0x0028 [   5] base 0x00103000 limit 0x00000067 DPL 0 P=1 G=0  TSS64 busy (system type 0xb)  <- tr");
	CHECK_HAS("2 empty slots not shown");
	monitor("idt");
	CHECK_HAS("[ 14] #PF  int gate64  0x0008:0xffffffff81234567 DPL 0 P=1 IST 2");
	CHECK_HAS("[  3] #BP  trap gate64 0x0008:0x0000000000001000 DPL 3 P=1 IST 0");
	CHECK_HAS("254 vectors not present");
	monitor("idt 0x0e");
	CHECK_HAS("[ 14] #PF");
	monitor("idt 5");
	CHECK_HAS("[  5] #BR  not present");
	monitor("idt 300");
	CHECK_HAS("idt: bad vector '300'");
	monitor("tss");
	CHECK_HAS("TR 0x0028: TSS64 busy, base 0x103000 limit 0x2068");
	CHECK_HAS("RSP0 0xffffc90000004000");
	CHECK_HAS("IST1 0xffffc90000008000");
	CHECK_HAS("ports ring 3 may use: 0x3f8-0x3ff\n");
	monitor("lapic");
	CHECK_HAS("APIC ID 0");
	monitor("ioapic");
	CHECK_HAS("address 0xfec00000");
}
END_TEST

/* --- the decoders on their own ----------------------------------------------------------------- */

START_TEST(modes)
{
	struct x86_sys s = { .cr0 = X86_CR0_PE };
	static const struct {
		uint64_t cr0, efer, rflags;
		uint8_t l, db;
		const char *first;
	} cases[] = {
		{ 0, 0, 0, 0, 0, "mode: real16 arch=i8086\n" },
		{ 1, 0, X86_RFLAGS_VM, 0, 0, "mode: vm86 arch=i8086\n" },
		{ 1, 0, 0, 0, 0, "mode: prot16 arch=i8086\n" },
		{ 1, 0, 0, 0, 1, "mode: prot32 arch=i386\n" },
		{ 1 | X86_CR0_PG, X86_EFER_LMA, 0, 0, 1, "mode: compat32 arch=i386\n" },
		{ 1 | X86_CR0_PG, X86_EFER_LMA, 0, 0, 0, "mode: compat16 arch=i8086\n" },
		{ 1 | X86_CR0_PG, X86_EFER_LMA, 0, 1, 0, "mode: long64 arch=i386:x86-64\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text_reset();
		s.cr0 = cases[i].cr0;
		s.efer = cases[i].efer;
		s.rflags = cases[i].rflags;
		s.cs.l = cases[i].l;
		s.cs.db = cases[i].db;
		s.cr4 = cases[i].efer ? X86_CR4_PAE : 0;
		x86_print_mode(&out, &s);
		textout_finish(&out);
		ck_assert_msg(!strncmp(text, cases[i].first, strlen(cases[i].first)), "case %zu: %s", i, text);
	}
	CHECK_HAS("paging on: 4-level");
	text_reset();
	s = (struct x86_sys){ .cr0 = X86_CR0_PE };
	x86_print_mode(&out, &s);
	textout_finish(&out);
	CHECK_HAS("CR4 0x0 (none)\nEFER 0x0 (none)\n");
}
END_TEST

START_TEST(gdt_protected)
{
	struct x86_sys s = { .cr0 = X86_CR0_PE, .gdt = { 0, 47 } };
	uint8_t g[48] = { 0 };

	s.cs = (struct x86_seg){ .selector = 8, .s = 1, .type = 0xb, .db = 1 };
	put(g + 8, 0x00cf9b000000ffffull, 8);
	put(g + 16, 0x0000893000000067ull, 8);	/* an available 32-bit TSS at 0x300000 */
	put(g + 24, 0x0000ec0300102345ull | 0x0010ull << 16, 8);	/* call gate: 0x10:0x2345, 3 params, DPL 3 */
	put(g + 32, 0x0040920000000000ull | 0xffffull, 8);	/* a 16-bit-ish data segment, byte granular */
	put(g + 40, 0x0000130000000fffull, 8);			/* not present: counted */
	text_reset();
	x86_print_gdt(&out, &s, g, sizeof(g));
	textout_finish(&out);
	CHECK_HAS("GDT base 0x0 limit 0x2f (6 descriptor slots)\n");
	CHECK_HAS("  1 not-present descriptors not shown\n");
	CHECK_HAS("0x0008 [   1] base 0x00000000 limit 0xffffffff DPL 0 P=1 L=0 D/B=1 G=1 AVL=0  code32 execute/read, "
		  "accessed  <- cs");
	CHECK_HAS("0x0010 [   2] base 0x00300000 limit 0x00000067 DPL 0 P=1 G=0  TSS32 avail (system type 0x9)");
	CHECK_HAS("0x0018 [   3] call gate32 -> 0x0010:0x2345 DPL 3 P=1 params 3");
	CHECK_HAS("0x0020 [   4] base 0x00000000 limit 0x0000ffff DPL 0 P=1 L=0 D/B=1 G=0 AVL=0  data read/write");

	/* a table cut short: a 16-byte descriptor at the end in long mode */
	s.efer = X86_EFER_LMA;
	s.gdt.limit = 23;
	put(g + 16, 0x00008b0000000067ull, 8);
	text_reset();
	x86_print_gdt(&out, &s, g, 24);
	textout_finish(&out);
	CHECK_HAS("a 16-byte system descriptor cut by the limit");
	text_reset();
	x86_print_gdt(&out, &s, g, 8);
	textout_finish(&out);
	CHECK_HAS("only 0x8 of 0x18 bytes could be read");
}
END_TEST

START_TEST(idt_protected_and_tss32)
{
	struct x86_sys s = { .cr0 = X86_CR0_PE, .idt = { 0, 255 } };
	uint8_t idt[256] = { 0 }, tss[104] = { 0 };

	put(idt + 13 * 8, 0x00108e0000081234ull | 0x0010ull << 48, 8);	/* #GP: int gate32 0x08:0x00101234 */
	put(idt + 8 * 8, 0x0000850000500000ull, 8);	/* #DF: task gate to TSS 0x50 */
	text_reset();
	x86_print_idt(&out, &s, idt, sizeof(idt), -1);
	textout_finish(&out);
	CHECK_HAS("IDT base 0x0 limit 0xff: 32 8-byte gates\n");
	CHECK_HAS("[ 13] #GP  int gate32  0x0008:0x00101234 DPL 0 P=1\n");
	CHECK_HAS("[  8] #DF  task gate -> TSS 0x0050 DPL 0");
	CHECK_HAS("30 vectors not present");
	text_reset();
	ck_assert_int_eq(x86_print_idt(&out, &s, idt, sizeof(idt), 40), -ENOENT);
	textout_finish(&out);
	CHECK_HAS("vector 40 is beyond the table's 32 entries");

	s.tr = (struct x86_seg){ .selector = 0x50, .type = 0xb, .present = 1, .limit = 103 };
	put(tss + 4, 0x9000, 4);
	put(tss + 8, 0x10, 2);
	put(tss + 28, 0x1ff000, 4);
	put(tss + 32, 0xc0101234, 4);
	put(tss + 40, 0xaaaa5555, 4);
	put(tss + 76, 0x08, 2);
	put(tss + 102, 0xffff, 2);
	text_reset();
	ck_assert_int_eq(x86_print_tss(&out, &s, NULL, 0, tss, sizeof(tss)), 0);
	textout_finish(&out);
	CHECK_HAS("TR 0x0050: TSS32 busy");
	CHECK_HAS("ESP0 0x00009000 SS0 0x0010");
	CHECK_HAS("CR3 0x001ff000  EIP 0xc0101234");
	CHECK_HAS("EAX 0xaaaa5555");
	CHECK_HAS("CS 0x0008");
	CHECK_HAS("no I/O permission bitmap");

	s.tr.unusable = 1;
	text_reset();
	ck_assert_int_eq(x86_print_tss(&out, &s, NULL, 0, tss, sizeof(tss)), -ENOENT);
	textout_finish(&out);
	CHECK_HAS("no TSS is loaded");
}
END_TEST

static void lapic_set(struct x86_lapic *l, unsigned int off, uint32_t v)
{
	put(l->regs + off, v, 4);
}

START_TEST(lapic_decode)
{
	struct x86_lapic l = { { 0 } };

	lapic_set(&l, 0x20, 3u << 24);
	lapic_set(&l, 0x30, 0x00050014);
	lapic_set(&l, 0xf0, 0x1ff);
	lapic_set(&l, 0x100 + 16, 1u << (0x31 - 32));	/* ISR: 0x31 */
	lapic_set(&l, 0x200 + 16 * 7, 1u << 31);	/* IRR: 0xff */
	lapic_set(&l, 0x200 + 16, 1u);			/* IRR: 0x20 */
	lapic_set(&l, 0x300, 0x000c4500);		/* INIT to all but self */
	lapic_set(&l, 0x320, 0x000200ef);		/* timer: periodic, vector 0xef */
	lapic_set(&l, 0x350, 0x00000700);		/* LINT0: ExtINT */
	lapic_set(&l, 0x360, 0x0001a400);		/* LINT1: NMI, level, low, masked */
	lapic_set(&l, 0x380, 0x100000);
	lapic_set(&l, 0x3e0, 0xb);
	text_reset();
	x86_print_lapic(&out, &l, 0xfee00900);
	textout_finish(&out);
	CHECK_HAS("address 0xfee00000, enabled, xAPIC mode, BSP");
	CHECK_HAS("(APIC ID 3)");
	CHECK_HAS("version 0x14, 6 LVT entries");
	CHECK_HAS("SVR 0x000001ff: software enabled, spurious vector 0xff");
	CHECK_HAS("ISR: 0x31\n");
	CHECK_HAS("IRR: 0x20 0xff\n");
	CHECK_HAS("TMR: none\n");
	CHECK_HAS("vector 0x00, INIT, physical destination 0x0, assert, edge, all excluding self");
	CHECK_HAS("LVT timer    0x000200ef: vector 0xef, periodic, not masked");
	CHECK_HAS("LVT LINT0    0x00000700: vector 0x00, ExtINT, edge, active high, remote IRR 0, not masked");
	CHECK_HAS("LVT LINT1    0x0001a400: vector 0x00, NMI, level, active low, remote IRR 0, masked");
	CHECK_HAS("initial count 0x00100000, current count 0x00000000, divide config 0xb (divide by 1)");
}
END_TEST

START_TEST(ioapic_and_pic_decode)
{
	struct x86_ioapic io = { .base = 0xfec00000, .id = 2, .irr = 1u << 4 };
	struct x86_pic pic[2] = { { .irq_base = 0x20, .imr = 0xfa, .irr = 1, .elcr = 0x20 },
				  { .irq_base = 0x28, .imr = 0xff, .auto_eoi = true } };

	for (int i = 0; i < X86_IOAPIC_PINS; i++)
		io.redir[i] = 1u << 16;
	io.redir[2] = 0x30;
	io.redir[9] = 0x0300000000000000ull | 1u << 15 | 1u << 14 | 1u << 13 | 1u << 11 | 1u << 8 | 0x41;
	text_reset();
	x86_print_ioapic(&out, &io);
	textout_finish(&out);
	CHECK_HAS("I/O APIC: ID 2, address 0xfec00000, 24 pins, pins asserted (IRR) 0x000010");
	CHECK_HAS("pin  2: 0x0000000000000030 vector 0x30 fixed  physical dest 0x00 edge  active high\n");
	CHECK_HAS("pin  9: 0x030000000000e941 vector 0x41 lowest logical  dest 0x03 level active low  remote-IRR\n");
	CHECK_HAS("pin 23: 0x0000000000010000 vector 0x00 fixed  physical dest 0x00 edge  active high masked\n");
	text_reset();
	x86_print_pic(&out, pic);
	textout_finish(&out);
	CHECK_HAS("8259 master: IRQ 0-7 -> vectors 0x20-0x27\n");
	CHECK_HAS("IRR 0x01 (0)  ISR 0x00 (none)  IMR 0xfa (masked: 1 3 4 5 6 7)  ELCR 0x20 (level: 5)");
	CHECK_HAS("8259 slave: IRQ 8-15 -> vectors 0x28-0x2f, auto-EOI");
}
END_TEST

Suite *gdb_monitor_suite(void)
{
	Suite *s = suite_create("gdb_monitor");
	TCase *tc = tcase_create("session");
	TCase *dec = tcase_create("decoders");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, framing);
	tcase_add_test(tc, mode_and_threads);
	tcase_add_test(tc, walk_and_phys);
	tcase_add_test(tc, tables_through_session);
	suite_add_tcase(s, tc);
	tcase_add_test(dec, modes);
	tcase_add_test(dec, gdt_protected);
	tcase_add_test(dec, idt_protected_and_tss32);
	tcase_add_test(dec, lapic_decode);
	tcase_add_test(dec, ioapic_and_pic_decode);
	suite_add_tcase(s, dec);
	return s;
}
