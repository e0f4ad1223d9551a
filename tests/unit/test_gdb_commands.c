/* Unit tests of the gdb command handlers against a fake target, and of the register and breakpoint modules they use. */
#include "tests/unit/suites.h"

#include "vmm/boot/boot.h"
#include "vmm/gdb/breakpoints.h"
#include "vmm/gdb/commands.h"
#include "vmm/gdb/image_map.h"
#include "vmm/gdb/packet.h"
#include "vmm/gdb/regs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_CPUS 3
#define FAKE_PAGE 4096u
#define MAX_REPLIES 64

/* A machine of three vCPUs with 64 KiB of "physical" memory and a tiny page table. */
struct fake {
	unsigned int hw_slots;
	struct gdb_regs regs[FAKE_CPUS];
	uint8_t mem[0x10000];
	int stops, resumes, kills, set_regs_calls;
	bool have_ev;
	struct gdb_stop ev;
	uint8_t run[FAKE_CPUS];		/* the last resume */
	struct gdb_resume last;
	uint8_t mem_at_resume;		/* mem[watch_pa] when resumed */
	size_t watch_pa;
};

static struct fake fake;
static struct gdb_session sess;
static struct gdb_bps bps;
static char replies[MAX_REPLIES][GDB_PACKET_MAX + 1];
static size_t reply_len[MAX_REPLIES];
static int nreplies;

/* Virtual pages: 0x10000 -> 0x2000, 0x11000 -> 0x5000 (not next to it), nothing else. */
static int fake_translate(uint64_t va, uint64_t *pa)
{
	uint64_t page = va & ~(uint64_t)(FAKE_PAGE - 1);

	if (page == 0x10000)
		*pa = 0x2000 + (va - page);
	else if (page == 0x11000)
		*pa = 0x5000 + (va - page);
	else
		return -EFAULT;
	return 0;
}

static unsigned int f_ncpus(void *t)
{
	(void)t;
	return FAKE_CPUS;
}

static unsigned int f_hw_slots(void *t)
{
	return ((struct fake *)t)->hw_slots;
}

static int f_get_regs(void *t, unsigned int cpu, struct gdb_regs *r)
{
	if (cpu >= FAKE_CPUS)
		return -ESRCH;
	*r = ((struct fake *)t)->regs[cpu];
	return 0;
}

static int f_set_regs(void *t, unsigned int cpu, const struct gdb_regs *r)
{
	struct fake *f = t;

	if (cpu >= FAKE_CPUS)
		return -ESRCH;
	f->regs[cpu] = *r;
	f->set_regs_calls++;
	return 0;
}

static int f_read_mem(void *t, unsigned int cpu, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = t;
	size_t done = 0;

	(void)cpu;
	while (done < len) {
		uint64_t pa;

		if (fake_translate(addr + done, &pa) < 0)
			return done ? (int)done : -EFAULT;
		((uint8_t *)buf)[done++] = f->mem[pa];
	}
	return (int)done;
}

static int f_write_mem(void *t, unsigned int cpu, uint64_t addr, const void *buf, size_t len)
{
	struct fake *f = t;
	uint64_t pa;

	(void)cpu;
	for (size_t i = 0; i < len; i++)
		if (fake_translate(addr + i, &pa) < 0)
			return -EFAULT;
	for (size_t i = 0; i < len; i++) {
		fake_translate(addr + i, &pa);
		f->mem[pa] = ((const uint8_t *)buf)[i];
	}
	return 0;
}

static int f_stop(void *t, struct gdb_stop *ev)
{
	struct fake *f = t;

	f->stops++;
	if (!f->have_ev)
		return 0;
	*ev = f->ev;
	f->have_ev = false;
	return 1;
}

static int f_resume(void *t, const struct gdb_resume *r)
{
	struct fake *f = t;

	f->resumes++;
	memcpy(f->run, r->run, FAKE_CPUS);
	f->last = *r;
	f->last.run = f->run;
	f->mem_at_resume = f->mem[f->watch_pa];
	return 0;
}

static void f_describe(void *t, unsigned int cpu, char *buf, size_t len)
{
	(void)t;
	snprintf(buf, len, "vCPU %u", cpu);
}

static void f_kill(void *t)
{
	((struct fake *)t)->kills++;
}

static const struct gdb_target_ops fake_ops = {
	.ncpus = f_ncpus,
	.hw_slots = f_hw_slots,
	.get_regs = f_get_regs,
	.set_regs = f_set_regs,
	.read_mem = f_read_mem,
	.write_mem = f_write_mem,
	.stop = f_stop,
	.resume = f_resume,
	.describe = f_describe,
	.kill = f_kill,
};

static void capture(void *io, const char *payload, size_t len)
{
	(void)io;
	ck_assert_int_lt(nreplies, MAX_REPLIES);
	ck_assert_uint_le(len, GDB_PACKET_MAX);
	memcpy(replies[nreplies], payload, len);
	replies[nreplies][len] = '\0';
	reply_len[nreplies++] = len;
}

static const char *last(void)
{
	ck_assert_int_gt(nreplies, 0);
	return replies[nreplies - 1];
}

/* Send one packet; returns its one reply (fails when there is none or several). */
static const char *pkt(const char *p)
{
	int before = nreplies;

	gdb_session_packet(&sess, p, strlen(p));
	ck_assert_msg(nreplies == before + 1, "'%s' got %d replies", p, nreplies - before);
	return last();
}

/* Send one packet that must not be answered (a resume, a kill). */
static void pkt_quiet(const char *p)
{
	int before = nreplies;

	gdb_session_packet(&sess, p, strlen(p));
	ck_assert_msg(nreplies == before, "'%s' was answered '%s'", p, last());
}

static void setup_hw(unsigned int hw)
{
	static const struct gdb_stop initial = { .cpu = 0, .reason = GDB_STOP_TRAP };

	memset(&fake, 0, sizeof(fake));
	fake.hw_slots = hw;
	for (unsigned int i = 0; i < FAKE_CPUS; i++) {
		fake.regs[i].rip = 0x10010 + 0x100 * i;
		fake.regs[i].gpr[0] = 0x1111111111111111ull * (i + 1);
		fake.regs[i].eflags = 0x2;
	}
	for (size_t i = 0; i < sizeof(fake.mem); i++)
		fake.mem[i] = (uint8_t)(i * 7);
	nreplies = 0;
	gdb_bps_init(&bps, hw);
	ck_assert_int_eq(gdb_session_init(&sess, &fake_ops, &fake, &bps, capture, NULL, &initial), 0);
}

static void setup(void)
{
	setup_hw(0);
}

static void setup_with_debugregs(void)
{
	setup_hw(4);
}

static void teardown(void)
{
	gdb_session_destroy(&sess);
	gdb_bps_destroy(&bps);
}

/* The fake's byte at virtual @va. */
static uint8_t vbyte(uint64_t va)
{
	uint64_t pa;

	ck_assert_int_eq(fake_translate(va, &pa), 0);
	return fake.mem[pa];
}

START_TEST(supported_and_basic_queries)
{
	ck_assert_ptr_nonnull(strstr(pkt("qSupported:multiprocess+;swbreak+;hwbreak+"), "qXfer:features:read+"));
	ck_assert_ptr_nonnull(strstr(last(), "PacketSize=4000"));
	ck_assert_ptr_nonnull(strstr(last(), "swbreak+"));
	ck_assert_str_eq(pkt("?"), "T05thread:1;");
	ck_assert_str_eq(pkt("qAttached"), "1");
	ck_assert_str_eq(pkt("qAttached:1"), "1");
	ck_assert_str_eq(pkt("qC"), "QC1");
	ck_assert_str_eq(pkt("qSymbol::"), "OK");
	ck_assert_str_eq(pkt("vCont?"), "vCont;c;C;s;S;t");
	ck_assert_str_eq(pkt("vMustReplyEmpty"), "");
	ck_assert_str_eq(pkt("qTStatus"), "");
	ck_assert_str_eq(pkt("!"), "");
	ck_assert(!sess.noack);
	ck_assert_str_eq(pkt("QStartNoAckMode"), "OK");
	ck_assert(sess.noack);
}
END_TEST

START_TEST(threads)
{
	char hex[64];

	ck_assert_str_eq(pkt("qfThreadInfo"), "m1,2,3");
	ck_assert_str_eq(pkt("qsThreadInfo"), "l");
	ck_assert_str_eq(pkt("qfThreadInfo"), "m1,2,3");	/* starts over */
	gdb_hex_encode(hex, "vCPU 1", 6);
	hex[12] = '\0';
	ck_assert_str_eq(pkt("qThreadExtraInfo,2"), hex);
	ck_assert_str_eq(pkt("T3"), "OK");
	ck_assert_str_eq(pkt("T4"), "E03");
	ck_assert_str_eq(pkt("T0"), "E03");
	ck_assert_str_eq(pkt("Hg3"), "OK");
	ck_assert_str_eq(pkt("qC"), "QC3");
	ck_assert_str_eq(pkt("Hg0"), "OK");	/* any thread: keep the current one */
	ck_assert_str_eq(pkt("qC"), "QC3");
	ck_assert_str_eq(pkt("Hc-1"), "OK");
	ck_assert_str_eq(pkt("Hg9"), "E03");
	ck_assert_str_eq(pkt("Hx1"), "E16");
	ck_assert_str_eq(pkt("qThreadExtraInfo,7"), "E16");
}
END_TEST

START_TEST(target_description)
{
	char *xml = calloc(1, 65536);
	size_t have = 0;
	char req[64];

	/* read it the way gdb does, in pieces */
	for (;;) {
		const char *r;

		snprintf(req, sizeof(req), "qXfer:features:read:target.xml:%zx,3e8", have);
		r = pkt(req);
		ck_assert(r[0] == 'm' || r[0] == 'l');
		memcpy(xml + have, r + 1, reply_len[nreplies - 1] - 1);
		have += reply_len[nreplies - 1] - 1;
		if (r[0] == 'l')
			break;
		ck_assert_uint_eq(reply_len[nreplies - 1] - 1, 1000);
	}
	ck_assert_ptr_nonnull(strstr(xml, "<architecture>i386:x86-64</architecture>"));
	ck_assert_ptr_nonnull(strstr(xml, "<feature name=\"org.gnu.gdb.i386.core\">"));
	ck_assert_ptr_nonnull(strstr(xml, "<feature name=\"org.gnu.gdb.i386.segments\">"));
	ck_assert_ptr_nonnull(strstr(xml, "<reg name=\"fs_base\" bitsize=\"64\""));
	ck_assert_ptr_nonnull(strstr(xml, "<reg name=\"gs_base\" bitsize=\"64\""));
	ck_assert_ptr_nonnull(strstr(xml, "<reg name=\"cr3\" bitsize=\"64\" type=\"int64\" group=\"system\"/>"));
	ck_assert_ptr_nonnull(strstr(xml, "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>"));
	ck_assert_ptr_nonnull(strstr(xml, "</target>\n"));
	ck_assert_str_eq(pkt("qXfer:features:read:target.xml:ffff,10"), "l");
	ck_assert_str_eq(pkt("qXfer:features:read:other.xml:0,10"), "E00");
	ck_assert_str_eq(pkt("qXfer:features:read:target.xml:zz"), "E16");
	free(xml);
}
END_TEST

START_TEST(registers)
{
	char want[32];
	const char *r;

	/* g: rax of vCPU 0 first, rip (register 16) at hex offset 16 * 16 */
	r = pkt("g");
	ck_assert_uint_eq(strlen(r), gdb_regs_hex_len());
	ck_assert_uint_eq(gdb_regs_hex_len(), 1384);
	ck_assert_mem_eq(r, "1111111111111111", 16);
	ck_assert_mem_eq(r + 256, "1000010000000000", 16);	/* 0x10010, little-endian */
	ck_assert_str_eq(pkt("Hg2"), "OK");
	ck_assert_mem_eq(pkt("g"), "2222222222222222", 16);
	ck_assert_str_eq(pkt("p10"), "1001010000000000");
	ck_assert_str_eq(pkt("p11"), "02000000");	/* eflags, 32 bits */
	ck_assert_uint_eq(strlen(pkt("p18")), 20);	/* st0, 80 bits */
	ck_assert_str_eq(pkt("P10=efbeadde00000000"), "OK");
	ck_assert_uint_eq(fake.regs[1].rip, 0xdeadbeef);
	ck_assert_uint_eq(fake.regs[0].rip, 0x10010);
	ck_assert_str_eq(pkt("P3d=0000100000000000"), "OK");	/* cr3 */
	ck_assert_uint_eq(fake.regs[1].cr3, 0x100000);
	/* G writes them all: read, change rax, write back */
	r = pkt("g");
	{
		char *g = malloc(2 + strlen(r));

		g[0] = 'G';
		strcpy(g + 1, r);
		memcpy(g + 1, "0100000000000000", 16);
		ck_assert_str_eq(pkt(g), "OK");
		ck_assert_uint_eq(fake.regs[1].gpr[0], 1);
		ck_assert_uint_eq(fake.regs[1].rip, 0xdeadbeef);
		g[strlen(g) - 1] = '\0';	/* one digit short */
		ck_assert_str_eq(pkt(g), "E16");
		free(g);
	}
	/* bad register numbers and values */
	ck_assert_str_eq(pkt("p52"), "E16");	/* GDB_NREGS */
	ck_assert_str_eq(pkt("P52=00"), "E16");
	ck_assert_str_eq(pkt("P10=00"), "E16");
	ck_assert_str_eq(pkt("P10=zzzzzzzzzzzzzzzz"), "E16");
	ck_assert_str_eq(pkt("gx"), "E16");
	snprintf(want, sizeof(want), "%s", pkt("p7"));	/* rsp */
	ck_assert_uint_eq(strlen(want), 16);
}
END_TEST

START_TEST(memory_read)
{
	char want[64];
	uint8_t bytes[16];

	/* 16 bytes across the page boundary: the two halves come from distant physical pages */
	for (int i = 0; i < 8; i++) {
		bytes[i] = fake.mem[0x2ff8 + i];
		bytes[8 + i] = fake.mem[0x5000 + i];
	}
	gdb_hex_encode(want, bytes, 16);
	want[32] = '\0';
	ck_assert_str_eq(pkt("m10ff8,10"), want);
	/* a read running into an unmapped page is cut short */
	gdb_hex_encode(want, &fake.mem[0x5ffe], 2);
	want[4] = '\0';
	ck_assert_str_eq(pkt("m11ffe,8"), want);
	/* unmapped from the start; malformed; empty */
	ck_assert_str_eq(pkt("m12000,4"), "E0e");
	ck_assert_str_eq(pkt("mffffffffffffffff,4"), "E0e");
	ck_assert_str_eq(pkt("m10000"), "E16");
	ck_assert_str_eq(pkt("mzz,4"), "E16");
	ck_assert_str_eq(pkt("m10000,4x"), "E16");
	ck_assert_str_eq(pkt("m10000,0"), "E16");
	ck_assert_str_eq(pkt("m10000000000000000,1"), "E16");	/* 65 bits */
	/* a huge length is served short, never beyond the packet */
	ck_assert_uint_eq(strlen(pkt("m10000,100000")), 2 * 0x2000);
}
END_TEST

START_TEST(memory_write)
{
	const uint8_t bin[] = { 'x', '}', 0x03, '}', 0x04, '}', 0x5d, '}', 0x0a, 'y' };
	char x[64];

	ck_assert_str_eq(pkt("M10ffe,4:a1b2c3d4"), "OK");
	ck_assert_uint_eq(fake.mem[0x2ffe], 0xa1);
	ck_assert_uint_eq(fake.mem[0x2fff], 0xb2);
	ck_assert_uint_eq(fake.mem[0x5000], 0xc3);
	ck_assert_uint_eq(fake.mem[0x5001], 0xd4);
	/* all or nothing: the second page of this one is not mapped */
	fake.mem[0x5ffe] = 0x55;
	ck_assert_str_eq(pkt("M11ffe,4:01020304"), "E0e");
	ck_assert_uint_eq(fake.mem[0x5ffe], 0x55);
	/* X: binary with escapes ('#', '$', '}', '*') */
	memcpy(x, "X10100,6:", 9);
	memcpy(x + 9, bin, sizeof(bin));
	gdb_session_packet(&sess, x, 9 + sizeof(bin));
	ck_assert_str_eq(last(), "OK");
	ck_assert_mem_eq(&fake.mem[0x2100], "x#$}*y", 6);
	/* the zero-length probe; length mismatches; malformed */
	ck_assert_str_eq(pkt("X10100,0:"), "OK");
	ck_assert_str_eq(pkt("X10100,3:ab"), "E16");
	ck_assert_str_eq(pkt("M10100,2:abc"), "E16");
	ck_assert_str_eq(pkt("M10100,1:zz"), "E16");
	ck_assert_str_eq(pkt("M10100,1"), "E16");
	gdb_session_packet(&sess, "X10100,1:}", 10);
	ck_assert_str_eq(last(), "E16");
}
END_TEST

START_TEST(software_breakpoints)
{
	uint8_t orig = vbyte(0x10020), b;
	char want[8];

	ck_assert_str_eq(pkt("Z0,10020,1"), "OK");
	ck_assert_uint_eq(vbyte(0x10020), GDB_INT3);
	ck_assert(gdb_swbp_find(&bps, 0x10020, &b));
	ck_assert_uint_eq(b, orig);
	ck_assert_str_eq(pkt("Z0,10020,1"), "OK");	/* twice is once */
	ck_assert_uint_eq(gdb_swbp_count(&bps), 1);
	/* gdb reads the original byte back, not the int3 */
	gdb_hex_encode(want, &orig, 1);
	want[2] = '\0';
	ck_assert_str_eq(pkt("m10020,1"), want);
	/* a write over it changes what it hides and keeps it planted */
	ck_assert_str_eq(pkt("M1001f,3:909192"), "OK");
	ck_assert_uint_eq(vbyte(0x1001f), 0x90);
	ck_assert_uint_eq(vbyte(0x10020), GDB_INT3);
	ck_assert_uint_eq(vbyte(0x10021), 0x92);
	ck_assert_str_eq(pkt("m1001f,3"), "909192");
	/* removing puts back the last byte written */
	ck_assert_str_eq(pkt("z0,10020,1"), "OK");
	ck_assert_uint_eq(vbyte(0x10020), 0x91);
	ck_assert_str_eq(pkt("z0,10020,1"), "OK");	/* not there: fine */
	/* unmapped, malformed */
	ck_assert_str_eq(pkt("Z0,12000,1"), "E0e");
	ck_assert_uint_eq(gdb_swbp_count(&bps), 0);
	ck_assert_str_eq(pkt("Z0,zz,1"), "E16");
	ck_assert_str_eq(pkt("Z0,10020"), "E16");
	ck_assert_str_eq(pkt("Z0,10020,1;X1,0"), "OK");	/* conditions are ignored */
	ck_assert_str_eq(pkt("Z9,10020,1"), "");
}
END_TEST

START_TEST(no_debug_registers)
{
	/* without debug registers every hardware kind is "not supported", so gdb uses its own */
	ck_assert_str_eq(pkt("Z1,10020,1"), "");
	ck_assert_str_eq(pkt("Z2,10020,4"), "");
	ck_assert_str_eq(pkt("Z3,10020,4"), "");
	ck_assert_str_eq(pkt("Z4,10020,4"), "");
	ck_assert_str_eq(pkt("z2,10020,4"), "");
}
END_TEST

START_TEST(debug_registers)
{
	ck_assert_str_eq(pkt("Z2,11000,4"), "OK");
	ck_assert_str_eq(pkt("Z1,10020,1"), "OK");
	ck_assert_str_eq(pkt("Z3,11000,4"), "");	/* read-only: x86 cannot */
	ck_assert_str_eq(pkt("Z4,11001,8"), "E1c");	/* needs 1 + 2 + 4 + 1 registers: 2 are left */
	ck_assert_str_eq(pkt("Z4,11008,2"), "OK");
	pkt_quiet("vCont;c");
	ck_assert(fake.last.hw_breakpoints);
	ck_assert_uint_eq(fake.last.dr[0], 0x11000);
	ck_assert_uint_eq(fake.last.dr[1], 0x10020);
	ck_assert_uint_eq(fake.last.dr[2], 0x11008);
	/* slot 0: write, 4 bytes (R/W 01, LEN 11); slot 1: execute; slot 2: access, 2 bytes (11, 01) */
	ck_assert_uint_eq(fake.last.dr7, 0x600 | 0x2 | 0x8 | 0x20 | (0xdull << 16) | (0x0ull << 20) | (0x7ull << 24));
	/* a hit in slot 0 reads as a write watchpoint at the address gdb gave */
	fake.have_ev = true;
	fake.ev = (struct gdb_stop){ .cpu = 2, .reason = GDB_STOP_WATCH, .addr = 0x11000 };
	gdb_session_target_event(&sess);
	ck_assert_str_eq(last(), "T05thread:3;watch:11000;");
	ck_assert_str_eq(pkt("z2,11000,4"), "OK");
	ck_assert_str_eq(pkt("z1,10020,1"), "OK");
	ck_assert_str_eq(pkt("z4,11008,2"), "OK");
	ck_assert(!gdb_hw_in_use(&bps));
}
END_TEST

/* monitor int3 report: resumes ask the target to intercept int3s and report the guest's own; detach ends it. */
START_TEST(guest_int3_policy)
{
	char cmd[64] = "qRcmd,";
	const char *word = "int3 report";

	gdb_hex_encode(cmd + 6, word, strlen(word));
	cmd[6 + 2 * strlen(word)] = '\0';
	gdb_session_packet(&sess, cmd, strlen(cmd));
	ck_assert_str_eq(last(), "OK");
	ck_assert(sess.guest_int3);
	pkt_quiet("vCont;c");
	ck_assert(fake.last.guest_int3);
	ck_assert(fake.last.sw_breakpoints);	/* no breakpoint planted, yet int3s are intercepted */
	/* the target reports the guest's int3 as a plain SIGTRAP */
	fake.have_ev = true;
	fake.ev = (struct gdb_stop){ .cpu = 0, .reason = GDB_STOP_TRAP };
	gdb_session_target_event(&sess);
	ck_assert_str_eq(last(), "T05thread:1;");
	/* back to the guest's */
	word = "int3 guest";
	gdb_hex_encode(cmd + 6, word, strlen(word));
	cmd[6 + 2 * strlen(word)] = '\0';
	gdb_session_packet(&sess, cmd, strlen(cmd));
	ck_assert(!sess.guest_int3);
	pkt_quiet("vCont;c");
	ck_assert(!fake.last.guest_int3 && !fake.last.sw_breakpoints);
	gdb_session_interrupt(&sess);
	/* report again, then detach: the last resume carries neither */
	word = "int3 report";
	gdb_hex_encode(cmd + 6, word, strlen(word));
	cmd[6 + 2 * strlen(word)] = '\0';
	gdb_session_packet(&sess, cmd, strlen(cmd));
	ck_assert_str_eq(pkt("D"), "OK");
	ck_assert(!fake.last.guest_int3 && !fake.last.sw_breakpoints);
}
END_TEST

START_TEST(continue_and_stop)
{
	pkt_quiet("vCont;c");
	ck_assert_int_eq(fake.resumes, 1);
	ck_assert_uint_eq(fake.run[0], GDB_RUN_CONTINUE);
	ck_assert_uint_eq(fake.run[2], GDB_RUN_CONTINUE);
	ck_assert_int_eq(sess.state, GDB_SESSION_RUNNING);
	/* only Ctrl-C is expected while running */
	ck_assert_str_eq(pkt("g"), "E10");
	/* a vCPU stops at a breakpoint: the rest are stopped, gdb hears which thread and why */
	fake.have_ev = true;
	fake.ev = (struct gdb_stop){ .cpu = 1, .reason = GDB_STOP_SWBREAK, .addr = 0x10110 };
	gdb_session_target_event(&sess);
	ck_assert_int_eq(fake.stops, 1);
	ck_assert_str_eq(last(), "T05thread:2;swbreak:;");
	ck_assert_int_eq(sess.state, GDB_SESSION_STOPPED);
	ck_assert_str_eq(pkt("qC"), "QC2");	/* the reporting thread is the current one */
	ck_assert_str_eq(pkt("?"), "T05thread:2;swbreak:;");
	/* legacy c, and c with an address */
	pkt_quiet("c");
	ck_assert_uint_eq(fake.run[1], GDB_RUN_CONTINUE);
	gdb_session_interrupt(&sess);
	ck_assert_str_eq(last(), "T02thread:2;");
	pkt_quiet("c10000");
	ck_assert_uint_eq(fake.regs[1].rip, 0x10000);
	gdb_session_interrupt(&sess);
	gdb_session_interrupt(&sess);	/* already stopped: nothing */
	ck_assert_str_eq(last(), "T02thread:2;");
	ck_assert_str_eq(pkt("C05;zz"), "E16");
	/* a wake-up whose event already went: the vCPUs carry on */
	pkt_quiet("vCont;c");
	gdb_session_target_event(&sess);
	ck_assert_int_eq(sess.state, GDB_SESSION_RUNNING);
	ck_assert_int_eq(fake.resumes, 5);
	/* the VM exits while gdb waits */
	gdb_session_exited(&sess, 1);
	ck_assert_str_eq(last(), "W01");
	ck_assert_int_eq(sess.state, GDB_SESSION_ENDED);
	gdb_session_packet(&sess, "g", 1);	/* ended: nothing served */
	ck_assert_str_eq(last(), "W01");
}
END_TEST

START_TEST(vcont_actions)
{
	/* a step runs its vCPU alone: all-stop keeps the others stopped */
	pkt_quiet("vCont;s:2;c");
	ck_assert_uint_eq(fake.run[0], GDB_RUN_STAY);
	ck_assert_uint_eq(fake.run[1], GDB_RUN_STEP);
	ck_assert_uint_eq(fake.run[2], GDB_RUN_STAY);
	fake.have_ev = true;
	fake.ev = (struct gdb_stop){ .cpu = 1, .reason = GDB_STOP_TRAP };
	gdb_session_target_event(&sess);
	ck_assert_str_eq(last(), "T05thread:2;");
	/* the first action naming a thread wins; the default covers the rest */
	pkt_quiet("vCont;c:3;t:1;c");
	ck_assert_uint_eq(fake.run[0], GDB_RUN_STAY);
	ck_assert_uint_eq(fake.run[1], GDB_RUN_CONTINUE);
	ck_assert_uint_eq(fake.run[2], GDB_RUN_CONTINUE);
	gdb_session_interrupt(&sess);
	pkt_quiet("vCont;C05:1");
	ck_assert_uint_eq(fake.run[0], GDB_RUN_CONTINUE);
	ck_assert_uint_eq(fake.run[1], GDB_RUN_STAY);
	gdb_session_interrupt(&sess);
	ck_assert_str_eq(last(), "T02thread:1;");
	pkt_quiet("vCont;S05:3");
	ck_assert_uint_eq(fake.run[2], GDB_RUN_STEP);
	gdb_session_interrupt(&sess);
	/* legacy s steps the Hc thread, or the Hg one */
	ck_assert_str_eq(pkt("Hc2"), "OK");
	pkt_quiet("s");
	ck_assert_uint_eq(fake.run[1], GDB_RUN_STEP);
	gdb_session_interrupt(&sess);
	/* nothing to run, unknown actions, bad threads */
	ck_assert_str_eq(pkt("vCont;t"), "E03");
	ck_assert_str_eq(pkt("vCont"), "E03");
	ck_assert_str_eq(pkt("vCont;x"), "E16");
	ck_assert_str_eq(pkt("vCont;c:9"), "E16");
	ck_assert_str_eq(pkt("vCont;c:1x"), "E16");
	ck_assert_str_eq(pkt("vCont;r10,20"), "E16");
}
END_TEST

/* gdb continues from a reported breakpoint without lifting it: the stub steps off it first. */
START_TEST(step_over_kept_breakpoint)
{
	uint8_t orig = vbyte(0x10010);

	ck_assert_str_eq(pkt("Z0,10010,1"), "OK");
	pkt_quiet("vCont;c");
	fake.have_ev = true;
	fake.ev = (struct gdb_stop){ .cpu = 0, .reason = GDB_STOP_SWBREAK, .addr = 0x10010 };
	gdb_session_target_event(&sess);
	ck_assert_str_eq(last(), "T05thread:1;swbreak:;");
	ck_assert_int_eq(fake.resumes, 1);
	/* continue: first vCPU 0 alone steps one instruction with the original byte in place */
	fake.watch_pa = 0x2010;
	pkt_quiet("vCont;c");
	ck_assert_int_eq(fake.resumes, 2);
	ck_assert_uint_eq(fake.run[0], GDB_RUN_STEP);
	ck_assert_uint_eq(fake.run[1], GDB_RUN_STAY);
	ck_assert_uint_eq(fake.run[2], GDB_RUN_STAY);
	ck_assert_uint_eq(fake.mem_at_resume, orig);
	/* the step ends: the int3 goes back and everyone continues, with no reply to gdb */
	fake.regs[0].rip = 0x10011;
	fake.have_ev = true;
	fake.ev = (struct gdb_stop){ .cpu = 0, .reason = GDB_STOP_TRAP };
	int before = nreplies;
	gdb_session_target_event(&sess);
	ck_assert_int_eq(nreplies, before);
	ck_assert_int_eq(fake.resumes, 3);
	ck_assert_uint_eq(fake.run[0], GDB_RUN_CONTINUE);
	ck_assert_uint_eq(fake.run[1], GDB_RUN_CONTINUE);
	ck_assert_uint_eq(fake.mem_at_resume, GDB_INT3);
	ck_assert(fake.last.sw_breakpoints);
	ck_assert_int_eq(sess.state, GDB_SESSION_RUNNING);
	/* it is hit again */
	fake.regs[0].rip = 0x10010;
	fake.have_ev = true;
	fake.ev = (struct gdb_stop){ .cpu = 0, .reason = GDB_STOP_SWBREAK, .addr = 0x10010 };
	gdb_session_target_event(&sess);
	ck_assert_str_eq(last(), "T05thread:1;swbreak:;");
	/* a step from it: same dance, and this time the step is reported */
	pkt_quiet("vCont;s:1");
	ck_assert_uint_eq(fake.mem_at_resume, orig);
	fake.regs[0].rip = 0x10011;
	fake.have_ev = true;
	fake.ev = (struct gdb_stop){ .cpu = 0, .reason = GDB_STOP_TRAP };
	gdb_session_target_event(&sess);
	ck_assert_str_eq(last(), "T05thread:1;");
	ck_assert_uint_eq(vbyte(0x10010), GDB_INT3);
	/* Ctrl-C in the middle of a step-over: the int3 is back and gdb hears SIGINT */
	fake.regs[0].rip = 0x10010;
	fake.have_ev = true;
	fake.ev = (struct gdb_stop){ .cpu = 0, .reason = GDB_STOP_SWBREAK, .addr = 0x10010 };
	pkt_quiet("vCont;c");
	gdb_session_target_event(&sess);
	pkt_quiet("vCont;c");
	ck_assert_uint_eq(vbyte(0x10010), orig);
	gdb_session_interrupt(&sess);
	ck_assert_str_eq(last(), "T02thread:1;");
	ck_assert_uint_eq(vbyte(0x10010), GDB_INT3);
}
END_TEST

START_TEST(detach_and_kill)
{
	uint8_t a = vbyte(0x10020), b = vbyte(0x11000);

	ck_assert_str_eq(pkt("Z0,10020,1"), "OK");
	ck_assert_str_eq(pkt("Z0,11000,1"), "OK");
	ck_assert_str_eq(pkt("D"), "OK");
	ck_assert_int_eq(sess.state, GDB_SESSION_ENDED);
	/* every breakpoint lifted, debugging off, every vCPU running */
	ck_assert_uint_eq(vbyte(0x10020), a);
	ck_assert_uint_eq(vbyte(0x11000), b);
	ck_assert_uint_eq(gdb_swbp_count(&bps), 0);
	ck_assert(!fake.last.sw_breakpoints && !fake.last.hw_breakpoints);
	for (int i = 0; i < FAKE_CPUS; i++)
		ck_assert_uint_eq(fake.run[i], GDB_RUN_CONTINUE);
	gdb_session_detach(&sess);	/* again (the connection drops): nothing more */
	ck_assert_int_eq(fake.resumes, 1);
	teardown();

	setup();
	pkt_quiet("k");
	ck_assert_int_eq(fake.kills, 1);
	ck_assert_int_eq(sess.state, GDB_SESSION_ENDED);
	teardown();

	setup();
	ck_assert_str_eq(pkt("vKill;1"), "OK");
	ck_assert_int_eq(fake.kills, 1);
	teardown();

	/* the connection drops while the guest runs with a breakpoint in: it is lifted, all run on */
	setup();
	ck_assert_str_eq(pkt("Z0,10020,1"), "OK");
	pkt_quiet("vCont;c");
	gdb_session_detach(&sess);
	ck_assert_int_eq(fake.stops, 1);
	ck_assert_uint_eq(vbyte(0x10020), a);
	ck_assert_int_eq(fake.resumes, 2);
	ck_assert(!fake.last.sw_breakpoints);
}
END_TEST

START_TEST(unknown_and_malformed)
{
	ck_assert_str_eq(pkt("qFooBar"), "");
	ck_assert_str_eq(pkt("vFooBar"), "");
	ck_assert_str_eq(pkt("j"), "");
	ck_assert_str_eq(pkt(""), "");
	ck_assert_str_eq(pkt("Z"), "E16");
	ck_assert_str_eq(pkt("z0,"), "E16");
	ck_assert_str_eq(pkt("H"), "E16");
	ck_assert_str_eq(pkt("Hg"), "E16");
	ck_assert_str_eq(pkt("p"), "E16");
	ck_assert_str_eq(pkt("P10"), "E16");
	ck_assert_str_eq(pkt("s1x"), "E16");
	ck_assert_str_eq(pkt("M"), "E16");
	ck_assert_str_eq(pkt("X"), "E16");
	ck_assert_int_eq(sess.state, GDB_SESSION_STOPPED);
	ck_assert_int_eq(fake.resumes, 0);
}
END_TEST

/* --- the register and breakpoint modules on their own ------------------------------------------ */

START_TEST(regs_roundtrip)
{
	struct gdb_regs r, back;
	char *hex = malloc(gdb_regs_hex_len() + 1);

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < sizeof(r); i++)
		((uint8_t *)&r)[i] = (uint8_t)(i * 13 + 1);
	ck_assert_int_eq(gdb_regs_to_hex(&r, hex, gdb_regs_hex_len() + 1), (ssize_t)gdb_regs_hex_len());
	ck_assert_int_eq(gdb_regs_from_hex(&back, hex, gdb_regs_hex_len()), 0);
	/* every register's bytes come back (padding may differ) */
	ck_assert_mem_eq(back.gpr, r.gpr, sizeof(r.gpr));
	ck_assert_uint_eq(back.rip, r.rip);
	ck_assert_mem_eq(back.st, r.st, sizeof(r.st));
	ck_assert_mem_eq(back.xmm, r.xmm, sizeof(r.xmm));
	ck_assert_uint_eq(back.efer, r.efer);
	ck_assert_mem_eq(back.seg_base, r.seg_base, sizeof(r.seg_base));
	ck_assert_mem_eq(back.seg_limit, r.seg_limit, sizeof(r.seg_limit));
	ck_assert_uint_eq(back.gdtr_base, r.gdtr_base);
	ck_assert_uint_eq(back.idtr_limit, r.idtr_limit);
	ck_assert_uint_eq(back.tr, r.tr);
	ck_assert_uint_eq(back.mode, r.mode);
	ck_assert_int_eq(gdb_regs_to_hex(&r, hex, 100), -ENOSPC);
	ck_assert_int_eq(gdb_reg_to_hex(&r, GDB_NREGS, hex, 64), -ENOENT);
	ck_assert_int_eq(gdb_reg_from_hex(&r, GDB_NREGS, "00", 2), -ENOENT);
	free(hex);
}
END_TEST

/* Registers by their description's name, for the monitor's $reg arguments. */
START_TEST(regs_by_name)
{
	struct gdb_regs r = { .rip = 0xffffffff81000000ull, .cr3 = 0x1000, .eflags = 0x202, .gdtr_base = 0x5000 };
	uint64_t v = 0;

	r.gpr[15] = 0x1515;
	r.seg[0] = 0x10;
	ck_assert_int_eq(gdb_reg_value(&r, "rip", &v), 0);
	ck_assert_uint_eq(v, 0xffffffff81000000ull);
	ck_assert_int_eq(gdb_reg_value(&r, "r15", &v), 0);
	ck_assert_uint_eq(v, 0x1515);
	ck_assert_int_eq(gdb_reg_value(&r, "cr3", &v), 0);
	ck_assert_uint_eq(v, 0x1000);
	ck_assert_int_eq(gdb_reg_value(&r, "eflags", &v), 0);	/* 32 bits, zero-extended */
	ck_assert_uint_eq(v, 0x202);
	ck_assert_int_eq(gdb_reg_value(&r, "cs", &v), 0);
	ck_assert_uint_eq(v, 0x10);
	ck_assert_int_eq(gdb_reg_value(&r, "gdtr_base", &v), 0);
	ck_assert_uint_eq(v, 0x5000);
	ck_assert_int_eq(gdb_reg_value(&r, "xmm0", &v), -ENOENT);	/* wider than 64 bits */
	ck_assert_int_eq(gdb_reg_value(&r, "st0", &v), -ENOENT);
	ck_assert_int_eq(gdb_reg_value(&r, "pc", &v), -ENOENT);	/* the monitor's alias, not a register */
	ck_assert_int_eq(gdb_reg_value(&r, "", &v), -ENOENT);
}
END_TEST

/* The mode register: what the vCPU executes, from CR0.PE, EFER.LMA and CS's L and D/B bits. */
START_TEST(regs_mode)
{
	const uint64_t pe = 1, lma = 1u << 10;

	ck_assert_uint_eq(gdb_regs_mode(0, 0, 0, 0), 16);		/* real mode */
	ck_assert_uint_eq(gdb_regs_mode(0x10, 0, 0, 1), 16);	/* PE clear: D/B does not count */
	ck_assert_uint_eq(gdb_regs_mode(pe, 0, 0, 0), 16);		/* 16-bit protected mode */
	ck_assert_uint_eq(gdb_regs_mode(pe, 0, 0, 1), 32);		/* 32-bit protected mode */
	ck_assert_uint_eq(gdb_regs_mode(pe, lma, 1, 0), 64);	/* long mode, 64-bit code */
	ck_assert_uint_eq(gdb_regs_mode(pe, lma, 0, 1), 32);	/* compatibility mode, 32-bit code */
	ck_assert_uint_eq(gdb_regs_mode(pe, 0, 1, 0), 16);		/* CS.L without LMA means nothing */
}
END_TEST

/* A linked address the page tables do not map is found in the kernel image's map. */
START_TEST(image_map_translate)
{
	const struct boot_map_seg map[] = {
		{ .vaddr = 0xffffffff80100000ull, .paddr = 0x100000, .size = 0x20000 },
		{ .vaddr = 0xc0200000, .paddr = 0x300000, .size = 0x1000 },
	};
	uint64_t gpa = 0;

	ck_assert_int_eq(gdb_image_translate(map, 2, 0xffffffff8010f8b0ull, &gpa), 0);
	ck_assert_uint_eq(gpa, 0x10f8b0);
	ck_assert_int_eq(gdb_image_translate(map, 2, 0xc0200fff, &gpa), 0);
	ck_assert_uint_eq(gpa, 0x300fff);
	ck_assert_int_eq(gdb_image_translate(map, 2, 0xc0201000, &gpa), -EFAULT);	/* one past */
	ck_assert_int_eq(gdb_image_translate(map, 2, 0xffffffff800fffffull, &gpa), -EFAULT);	/* below */
	ck_assert_int_eq(gdb_image_translate(map, 0, 0xc0200000, &gpa), -EFAULT);
	ck_assert_int_eq(gdb_image_translate(NULL, 2, 0xc0200000, &gpa), -EFAULT);
}
END_TEST

START_TEST(regs_tdesc_counts)
{
	char *xml = malloc(GDB_PACKET_MAX);
	ssize_t n = gdb_regs_tdesc(xml, GDB_PACKET_MAX);
	int regs = 0;

	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(xml), (size_t)n);
	for (const char *p = xml; (p = strstr(p, "<reg ")) != NULL; p++)
		regs++;
	ck_assert_int_eq(regs, GDB_NREGS);
	ck_assert_int_eq(gdb_regs_tdesc(xml, 100), -ENOSPC);
	free(xml);
}
END_TEST

START_TEST(fpu_tags)
{
	uint8_t st[8][10];

	memset(st, 0, sizeof(st));
	ck_assert_uint_eq(gdb_fpu_full_tag(0, 0, st), 0xffff);		/* all empty */
	ck_assert_uint_eq(gdb_fpu_abridged_tag(0xffff), 0);
	/* TOP = 7, ST(0) is physical 7 and holds 1.0 (valid); ST(1) is physical 0 and holds 0 (zero) */
	st[0][7] = 0x80;
	st[0][8] = 0xff;
	st[0][9] = 0x3f;
	ck_assert_uint_eq(gdb_fpu_full_tag(0x81, 7u << 11, st), 0x3ffd);
	ck_assert_uint_eq(gdb_fpu_abridged_tag(0x3ffd), 0x81);
	/* infinity is special */
	st[0][8] = 0xff;
	st[0][9] = 0x7f;
	ck_assert_uint_eq(gdb_fpu_full_tag(0x80, 7u << 11, st) >> 14, 2);
}
END_TEST

START_TEST(swbp_table)
{
	struct gdb_bps b;
	uint8_t buf[8], orig;
	uint64_t addr;

	gdb_bps_init(&b, 0);
	ck_assert_int_eq(gdb_swbp_add(&b, 0x30, 0xaa), 0);
	ck_assert_int_eq(gdb_swbp_add(&b, 0x10, 0xbb), 0);
	ck_assert_int_eq(gdb_swbp_add(&b, 0x20, 0xcc), 0);
	ck_assert_int_eq(gdb_swbp_add(&b, 0x20, 0xdd), -EEXIST);
	ck_assert(gdb_swbp_first(&b, &addr, &orig));
	ck_assert_uint_eq(addr, 0x10);
	memset(buf, GDB_INT3, sizeof(buf));
	gdb_swbp_mask(&b, 0x1c, buf, 8);	/* 0x20 lies inside, 0x10 and 0x30 do not */
	ck_assert_uint_eq(buf[4], 0xcc);
	memset(buf, 0, sizeof(buf));
	gdb_swbp_plant_in(&b, 0x2c, buf, 8);
	ck_assert_uint_eq(buf[4], GDB_INT3);
	ck_assert_uint_eq(buf[3], 0);
	gdb_swbp_set_orig(&b, 0x30, (const uint8_t *)"\x42", 1);
	ck_assert(gdb_swbp_find(&b, 0x30, &orig));
	ck_assert_uint_eq(orig, 0x42);
	/* ranges that wrap around the top of the address space */
	ck_assert_int_eq(gdb_swbp_add(&b, ~0ull, 0x11), 0);
	memset(buf, 0, sizeof(buf));
	gdb_swbp_mask(&b, ~0ull - 1, buf, 4);
	ck_assert_uint_eq(buf[1], 0x11);
	ck_assert_uint_eq(buf[2], 0);
	ck_assert_int_eq(gdb_swbp_del(&b, 0x20, &orig), 0);
	ck_assert_uint_eq(orig, 0xcc);
	ck_assert_int_eq(gdb_swbp_del(&b, 0x20, &orig), -ENOENT);
	ck_assert_uint_eq(gdb_swbp_count(&b), 3);
	gdb_bps_destroy(&b);
}
END_TEST

START_TEST(hw_slots)
{
	struct gdb_bps b;
	enum gdb_hw_type type;
	uint64_t dr[4], dr7, addr;

	gdb_bps_init(&b, 0);
	ck_assert_int_eq(gdb_hw_add(&b, GDB_HW_WRITE, 0x1000, 4), -EOPNOTSUPP);
	gdb_bps_destroy(&b);
	gdb_bps_init(&b, 4);
	/* 8 bytes at 0x1003 need four aligned pieces: 1 @1003, 4 @1004, 2 @1008, 1 @100a */
	ck_assert_int_eq(gdb_hw_add(&b, GDB_HW_WRITE, 0x1003, 8), 0);
	gdb_hw_debugregs(&b, dr, &dr7);
	ck_assert_uint_eq(dr[0], 0x1003);
	ck_assert_uint_eq(dr[1], 0x1004);
	ck_assert_uint_eq(dr[2], 0x1008);
	ck_assert_uint_eq(dr[3], 0x100a);
	ck_assert_uint_eq(dr7, 0x600 | 0xaa | (0x1ull << 16) | (0xdull << 20) | (0x5ull << 24) | (0x1ull << 28));
	ck_assert_int_eq(gdb_hw_add(&b, GDB_HW_EXEC, 0x2000, 1), -ENOSPC);
	ck_assert(gdb_hw_hit(&b, 0x4, &type, &addr));
	ck_assert_int_eq(type, GDB_HW_WRITE);
	ck_assert_uint_eq(addr, 0x1003);
	ck_assert(!gdb_hw_hit(&b, 0x4000, &type, &addr));
	ck_assert_int_eq(gdb_hw_del(&b, GDB_HW_WRITE, 0x1003, 8), 0);
	ck_assert(!gdb_hw_in_use(&b));
	/* an 8-byte aligned watch takes one register with LEN 10 */
	ck_assert_int_eq(gdb_hw_add(&b, GDB_HW_ACCESS, 0x2000, 8), 0);
	gdb_hw_debugregs(&b, dr, &dr7);
	ck_assert_uint_eq(dr7, 0x600 | 0x2 | (0xbull << 16));
	ck_assert_int_eq(gdb_hw_add(&b, GDB_HW_EXEC, 0x3000, 2), -EINVAL);
	ck_assert_int_eq(gdb_hw_add(&b, GDB_HW_WRITE, 0x3000, 0), -EINVAL);
	ck_assert_int_eq(gdb_hw_add(&b, GDB_HW_WRITE, 0x3000, 64), -EINVAL);
	ck_assert_int_eq(gdb_hw_add(&b, (enum gdb_hw_type)3, 0x3000, 4), -EINVAL);
	ck_assert_int_eq(gdb_hw_del(&b, GDB_HW_WRITE, 0x9000, 4), -ENOENT);
	gdb_hw_clear(&b);
	ck_assert(!gdb_hw_in_use(&b));
	gdb_bps_destroy(&b);
}
END_TEST

Suite *gdb_commands_suite(void)
{
	Suite *s = suite_create("gdb_commands");
	TCase *tc = tcase_create("session");
	TCase *hw = tcase_create("debugregs");
	TCase *mod = tcase_create("modules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, supported_and_basic_queries);
	tcase_add_test(tc, threads);
	tcase_add_test(tc, target_description);
	tcase_add_test(tc, registers);
	tcase_add_test(tc, memory_read);
	tcase_add_test(tc, memory_write);
	tcase_add_test(tc, software_breakpoints);
	tcase_add_test(tc, no_debug_registers);
	tcase_add_test(tc, continue_and_stop);
	tcase_add_test(tc, guest_int3_policy);
	tcase_add_test(tc, vcont_actions);
	tcase_add_test(tc, step_over_kept_breakpoint);
	tcase_add_test(tc, detach_and_kill);
	tcase_add_test(tc, unknown_and_malformed);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(hw, setup_with_debugregs, teardown);
	tcase_add_test(hw, debug_registers);
	suite_add_tcase(s, hw);
	tcase_add_test(mod, regs_roundtrip);
	tcase_add_test(mod, regs_mode);
	tcase_add_test(mod, regs_by_name);
	tcase_add_test(mod, image_map_translate);
	tcase_add_test(mod, regs_tdesc_counts);
	tcase_add_test(mod, fpu_tags);
	tcase_add_test(mod, swbp_table);
	tcase_add_test(mod, hw_slots);
	suite_add_tcase(s, mod);
	return s;
}
