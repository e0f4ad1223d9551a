/* Unit tests of the gdb monitor's page-table walks and mapped ranges, over page tables built in a fake physical memory. */
#include "tests/unit/suites.h"

#include "vmm/gdb/textout.h"
#include "vmm/gdb/x86_paging.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHYS_SIZE (1u << 20)	/* the fake's RAM: [0, 1 MiB) */
#define TEXT_MAX (1u << 20)

static uint8_t phys[PHYS_SIZE];
static char text[TEXT_MAX];
static size_t text_len;
static unsigned long reads;

static int phys_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
	(void)opaque;
	reads++;
	if (pa >= PHYS_SIZE || len > PHYS_SIZE - pa)
		return -EFAULT;
	memcpy(buf, phys + pa, len);
	return 0;
}

static void collect(void *opaque, const char *t, size_t len)
{
	(void)opaque;
	ck_assert_uint_le(len, TEXTOUT_CHUNK);
	ck_assert_uint_lt(text_len + len, TEXT_MAX);
	memcpy(text + text_len, t, len);
	text_len += len;
	text[text_len] = '\0';
}

static struct textout out;

/* A new output, the same memory. */
static void again(void)
{
	text_len = 0;
	text[0] = '\0';
	textout_init(&out, TEXT_MAX / 2, collect, NULL);
}

static void setup(void)
{
	memset(phys, 0, sizeof(phys));
	text_len = 0;
	text[0] = '\0';
	reads = 0;
	textout_init(&out, TEXT_MAX / 2, collect, NULL);
}

static void finish(void)
{
	textout_finish(&out);
}

static void put64(uint64_t pa, uint64_t v)
{
	memcpy(phys + pa, &v, 8);
}

static void put32(uint64_t pa, uint32_t v)
{
	memcpy(phys + pa, &v, 4);
}

static bool has(const char *needle)
{
	return strstr(text, needle) != NULL;
}

#define CHECK_HAS(needle) ck_assert_msg(has(needle), "no '%s' in:\n%s", needle, text)

static unsigned int count_lines_with(const char *needle)
{
	unsigned int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

#define P 1ull
#define RW 2ull
#define US 4ull
#define PS 0x80ull
#define G 0x100ull
#define NX (1ull << 63)

/* 4-level: 0xffffffff80005000 -> 0x50000 (4 KiB), 0x200000 -> 0x400000 (2 MiB), 0x40000000 -> 0x80000000 (1 GiB). */
static struct x86_sys sys4(void)
{
	struct x86_sys s = { .cr0 = X86_CR0_PE | X86_CR0_PG, .cr4 = X86_CR4_PAE, .cr3 = 0x1000,
			     .efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE, .maxphyaddr = 40 };

	put64(0x1000 + 511 * 8, 0x2000 | P | RW);
	put64(0x2000 + 510 * 8, 0x3000 | P | RW);
	put64(0x3000 + 0 * 8, 0x4000 | P | RW);
	put64(0x4000 + 5 * 8, 0x50000 | P | G | NX);
	put64(0x1000 + 0, 0x5000 | P | RW | US);
	put64(0x5000 + 0, 0x6000 | P | RW | US);
	put64(0x6000 + 1 * 8, 0x400000 | P | RW | US | PS);
	put64(0x5000 + 1 * 8, 0x80000000 | P | RW | PS);
	return s;
}

START_TEST(walk_4level)
{
	struct x86_sys s = sys4();
	uint64_t pa = 0;

	ck_assert_int_eq(x86_walk(&out, &s, 0xffffffff80005123ull, phys_read, NULL, &pa), 0);
	finish();
	ck_assert_uint_eq(pa, 0x50123);
	CHECK_HAS("4-level paging, CR3 0x1000");
	CHECK_HAS("PML4 table 0x0000000000001000 [511] = 0x0000000000002003  P RW");
	CHECK_HAS("PDPT table 0x0000000000002000 [510]");
	CHECK_HAS("PD   table 0x0000000000003000 [  0]");
	CHECK_HAS("PT   table 0x0000000000004000 [  5] = 0x8000000000050101  P G NX");
	CHECK_HAS("-> physical 0x50123 (4 KiB page at 0x50000, supervisor, read-only, no-execute, global)");

	again();
	ck_assert_int_eq(x86_walk(&out, &s, 0x2abcde, phys_read, NULL, &pa), 0);
	finish();
	ck_assert_uint_eq(pa, 0x4abcde);
	CHECK_HAS("P RW US PS");
	CHECK_HAS("2 MiB page at 0x400000, user, writable, executable) - not guest RAM");

	again();
	ck_assert_int_eq(x86_walk(&out, &s, 0x40000010, phys_read, NULL, &pa), 0);
	finish();
	ck_assert_uint_eq(pa, 0x80000010);
	CHECK_HAS("1 GiB page at 0x80000000, supervisor, writable");
}
END_TEST

START_TEST(walk_stops)
{
	struct x86_sys s = sys4();
	uint64_t pa;

	/* not present */
	ck_assert_int_eq(x86_walk(&out, &s, 0xffffffff80006000ull, phys_read, NULL, &pa), -EFAULT);
	finish();
	CHECK_HAS("stopped: PT entry not present");

	/* a reserved bit: above MAXPHYADDR (40) */
	setup();
	s = sys4();
	put64(0x4000 + 7 * 8, (1ull << 45) | 0x7000 | P);
	ck_assert_int_eq(x86_walk(&out, &s, 0xffffffff80007000ull, phys_read, NULL, &pa), -EFAULT);
	finish();
	CHECK_HAS("stopped: reserved bits 0x200000000000 set in the PT entry");

	/* NX without EFER.NXE is reserved */
	setup();
	s = sys4();
	s.efer &= ~X86_EFER_NXE;
	ck_assert_int_eq(x86_walk(&out, &s, 0xffffffff80005000ull, phys_read, NULL, &pa), -EFAULT);
	finish();
	CHECK_HAS("reserved bits 0x8000000000000000");

	/* PS in a PML4 entry is reserved; a 2 MiB page with bits 20:13 set too */
	setup();
	s = sys4();
	put64(0x1000 + 2 * 8, 0x9000 | P | PS);
	ck_assert_int_eq(x86_walk(&out, &s, 2ull << 39, phys_read, NULL, &pa), -EFAULT);
	put64(0x6000 + 2 * 8, 0x600000 | 0x2000 | P | PS);
	ck_assert_int_eq(x86_walk(&out, &s, 0x400000, phys_read, NULL, &pa), -EFAULT);
	finish();
	ck_assert_uint_eq(count_lines_with("stopped: reserved bits"), 2);

	/* a table outside RAM */
	setup();
	s = sys4();
	put64(0x3000 + 8, 0x7f00000 | P | RW);
	ck_assert_int_eq(x86_walk(&out, &s, 0xffffffff80200000ull, phys_read, NULL, &pa), -EFAULT);
	finish();
	CHECK_HAS("PT   table 0x7f00000: outside guest RAM, the walk stops");

	/* CR3 outside RAM */
	setup();
	s = sys4();
	s.cr3 = 0xfff0000000ull;
	ck_assert_int_eq(x86_walk(&out, &s, 0x1000, phys_read, NULL, &pa), -EFAULT);
	finish();
	CHECK_HAS("PML4 table 0xfff0000000: outside guest RAM");

	/* not canonical */
	setup();
	ck_assert_int_eq(x86_walk(&out, &s, 0x0000800000000000ull, phys_read, NULL, &pa), -EINVAL);
	finish();
	CHECK_HAS("is not canonical for 4-level paging");
}
END_TEST

START_TEST(walk_pae)
{
	struct x86_sys s = { .cr0 = X86_CR0_PE | X86_CR0_PG, .cr4 = X86_CR4_PAE, .cr3 = 0x1020,
			     .efer = X86_EFER_NXE, .maxphyaddr = 36 };
	uint64_t pa;

	put64(0x1020 + 3 * 8, 0x2000 | P);		/* 0xc0000000.. */
	put64(0x2000 + 1 * 8, 0x3000 | P | RW);		/* 0xc0200000 */
	put64(0x3000 + 4 * 8, 0x9000 | P | RW | NX);
	put64(0x2000 + 2 * 8, 0x600000 | P | PS | US);	/* 0xc0400000: a 2 MiB page */
	ck_assert_int_eq(x86_walk(&out, &s, 0xc0204abc, phys_read, NULL, &pa), 0);
	ck_assert_uint_eq(pa, 0x9abc);
	ck_assert_int_eq(x86_walk(&out, &s, 0xc0412345, phys_read, NULL, &pa), 0);
	ck_assert_uint_eq(pa, 0x612345);
	finish();
	CHECK_HAS("PAE paging");
	CHECK_HAS("PDPT table 0x0000000000001020 [  3]");
	CHECK_HAS("supervisor, writable, no-execute");
	CHECK_HAS("2 MiB page at 0x600000, user, read-only, executable) - not guest RAM");

	/* PDPTE reserved bits (RW is reserved there); a 32-bit mode has no address above 4 GiB */
	setup();
	put64(0x1020 + 3 * 8, 0x2000 | P | RW);
	ck_assert_int_eq(x86_walk(&out, &s, 0xc0204abc, phys_read, NULL, &pa), -EFAULT);
	ck_assert_int_eq(x86_walk(&out, &s, 0x100000000ull, phys_read, NULL, &pa), -EINVAL);
	finish();
	CHECK_HAS("reserved bits 0x2 set in the PDPT entry");
	CHECK_HAS("above 4 GiB");
}
END_TEST

START_TEST(walk_32bit)
{
	struct x86_sys s = { .cr0 = X86_CR0_PE | X86_CR0_PG, .cr4 = X86_CR4_PSE, .cr3 = 0x1000, .maxphyaddr = 36 };
	uint64_t pa;

	put32(0x1000 + 0x300 * 4, 0x2000 | P | RW);		/* 0xc0000000 -> PT */
	put32(0x2000 + 1 * 4, 0x7000 | P | RW | US);
	put32(0x1000 + 0x301 * 4, 0x00800000 | P | PS | RW);	/* 0xc0400000: a 4 MiB page at 8 MiB */
	put32(0x1000 + 0x302 * 4, 0x00c00000 | (3u << 13) | P | PS);	/* PSE-36: bits 33:32 = 3 */
	ck_assert_int_eq(x86_walk(&out, &s, 0xc0001234, phys_read, NULL, &pa), 0);
	ck_assert_uint_eq(pa, 0x7234);
	ck_assert_int_eq(x86_walk(&out, &s, 0xc0512345, phys_read, NULL, &pa), 0);
	ck_assert_uint_eq(pa, 0x912345);
	ck_assert_int_eq(x86_walk(&out, &s, 0xc0812345, phys_read, NULL, &pa), 0);
	ck_assert_uint_eq(pa, 0x300c12345ull);
	finish();
	CHECK_HAS("32-bit paging");
	CHECK_HAS("PD   table 0x00001000 [768] = 0x00002003  P RW");
	CHECK_HAS("4 MiB page at 0x800000");

	/* without CR4.PSE the PS bit is ignored: the entry names a page table */
	again();
	s.cr4 = 0;
	ck_assert_int_eq(x86_walk(&out, &s, 0xc0512345, phys_read, NULL, &pa), -EFAULT);
	finish();
	CHECK_HAS("PT   table 0x800000: outside guest RAM");
}
END_TEST

START_TEST(walk_5level_and_off)
{
	struct x86_sys s = sys4();
	uint64_t pa;

	/* LA57: one more level on top; 0xfffeffff80005000 = PML5[510] PML4[511] PDPT[510] PD[0] PT[5] */
	s.cr4 |= X86_CR4_LA57;
	s.cr3 = 0x8000;
	put64(0x8000 + 510 * 8, 0x1000 | P | RW);
	ck_assert_int_eq(x86_walk(&out, &s, 0xfffeffff80005000ull, phys_read, NULL, &pa), 0);
	ck_assert_uint_eq(pa, 0x50000);
	ck_assert_int_eq(x86_walk(&out, &s, 0xffffffff80005000ull, phys_read, NULL, &pa), -EFAULT);
	ck_assert_int_eq(x86_walk(&out, &s, 0x0100000000000000ull, phys_read, NULL, &pa), -EINVAL);
	finish();
	CHECK_HAS("5-level paging");
	CHECK_HAS("PML5 table 0x0000000000008000 [510]");
	CHECK_HAS("not canonical for 5-level paging");

	again();
	s.cr0 = X86_CR0_PE;
	ck_assert_int_eq(x86_walk(&out, &s, 0x1234, phys_read, NULL, &pa), 0);
	ck_assert_uint_eq(pa, 0x1234);
	finish();
	CHECK_HAS("paging is off (CR0.PG=0): linear 0x1234 is physical 0x1234 (identity)");
	ck_assert_int_eq(x86_paging_mode(&s), X86_PAGING_OFF);
}
END_TEST

static const struct x86_map_limits wide = { 4096, 16384 };

START_TEST(map_merges)
{
	struct x86_sys s = sys4();
	struct x86_map_stats st;

	/* PT at 0x4000 (0xffffffff80000000..): pages 0-3 contiguous rw, 4 read-only, 5 from sys4 (NX, G), 8 elsewhere */
	for (int i = 0; i < 4; i++)
		put64(0x4000 + i * 8, (0x10000 + i * 0x1000) | P | RW);
	put64(0x4000 + 4 * 8, 0x14000 | P);
	put64(0x4000 + 8 * 8, 0x30000 | P | RW);
	put64(0x4000 + 9 * 8, 0x30000 | P | RW);	/* the same frame again: not contiguous physically */
	ck_assert_int_eq(x86_mem_map(&out, &s, phys_read, NULL, &wide, &st), 0);
	finish();
	CHECK_HAS("0x0000000000200000-0x0000000000400000 size 0x200000     phys 0x000000400000 urwx-");
	CHECK_HAS("0x0000000040000000-0x0000000080000000 size 0x40000000   phys 0x000080000000 -rwx-");
	CHECK_HAS("0xffffffff80000000-0xffffffff80004000 size 0x4000       phys 0x000000010000 -rwx-");
	CHECK_HAS("0xffffffff80004000-0xffffffff80005000 size 0x1000       phys 0x000000014000 -r-x-");
	CHECK_HAS("0xffffffff80005000-0xffffffff80006000 size 0x1000       phys 0x000000050000 -r--g");
	CHECK_HAS("0xffffffff80008000-0xffffffff80009000 size 0x1000       phys 0x000000030000 -rwx-");
	CHECK_HAS("0xffffffff80009000-0xffffffff8000a000 size 0x1000       phys 0x000000030000 -rwx-");
	ck_assert_uint_eq(st.ranges, 7);
	ck_assert_uint_eq(st.tables, 6);
	ck_assert_int_eq(st.stopped, 0);
	CHECK_HAS("7 ranges, 0x40208000 bytes mapped, 6 page tables read");
	ck_assert_msg(strstr(text, "0x00000000002") < strstr(text, "0xffffffff8"), "not in virtual order");
}
END_TEST

START_TEST(map_32bit_and_pae)
{
	struct x86_sys s = { .cr0 = X86_CR0_PE | X86_CR0_PG, .cr4 = X86_CR4_PSE, .cr3 = 0x1000, .maxphyaddr = 36 };
	struct x86_map_stats st;

	/* 4 MiB at 0 and a page table at 4 MiB whose first page continues it: one range */
	put32(0x1000, 0 | P | RW | PS);
	put32(0x1004, 0x2000 | P | RW);
	put32(0x2000, 0x400000 | P | RW);
	ck_assert_int_eq(x86_mem_map(&out, &s, phys_read, NULL, &wide, &st), 0);
	finish();
	CHECK_HAS("0x00000000-0x00401000 size 0x401000     phys 0x000000000 -rwx-");
	ck_assert_uint_eq(st.ranges, 1);

	setup();
	s.cr4 = X86_CR4_PAE;
	s.cr3 = 0x3000;
	put64(0x3000, 0x4000 | P);
	put64(0x4000 + 511 * 8, 0x200000 | P | PS | RW | US);
	put64(0x3000 + 8, 0x5000 | P);
	put64(0x5000, 0x400000 | P | PS | RW | US); /* 0x40000000 -> 0x400000: contiguous virtually, and physically */
	ck_assert_int_eq(x86_mem_map(&out, &s, phys_read, NULL, &wide, &st), 0);
	finish();
	CHECK_HAS("0x3fe00000-0x40200000 size 0x400000     phys 0x000200000 urwx-");
	ck_assert_uint_eq(st.ranges, 1);

	setup();
	s.cr0 = X86_CR0_PE;
	ck_assert_int_eq(x86_mem_map(&out, &s, phys_read, NULL, &wide, &st), -ENODATA);
	finish();
	CHECK_HAS("paging is off");
}
END_TEST

START_TEST(map_hostile)
{
	struct x86_sys s = sys4();
	const struct x86_map_limits lim = { 100, 200 };
	struct x86_map_stats st;

	/* every PML4 entry points at the PML4 itself: 512^3 tables reachable; every PT entry a page */
	for (int i = 0; i < 512; i++)
		put64(0x1000 + i * 8, 0x1000 | P | RW);
	ck_assert_int_eq(x86_mem_map(&out, &s, phys_read, NULL, &lim, &st), 0);
	finish();
	ck_assert_int_eq(st.stopped, 1);
	ck_assert_uint_eq(st.tables, 200);
	ck_assert_uint_le(reads, 201);
	CHECK_HAS("... the walk stopped after 200 page tables (the limit)");
	CHECK_HAS("more ranges");
	ck_assert_uint_le(count_lines_with("\n0x"), 100);

	/* CR3 outside RAM: one note, no crash */
	setup();
	s.cr3 = 0x7ff000000ull;
	ck_assert_int_eq(x86_mem_map(&out, &s, phys_read, NULL, &wide, &st), 0);
	finish();
	CHECK_HAS("page table outside guest RAM at 0x7ff000000, its branch is skipped");
	ck_assert_uint_eq(st.bad_tables, 1);

	/* a PD entry outside RAM and one with reserved bits end their branches only */
	setup();
	s = sys4();
	put64(0x3000 + 8, 0x7f00000 | P | RW);
	put64(0x3000 + 16, (1ull << 50) | 0x4000 | P | RW);
	ck_assert_int_eq(x86_mem_map(&out, &s, phys_read, NULL, &wide, &st), 0);
	finish();
	ck_assert_uint_eq(st.bad_tables, 2);
	ck_assert_uint_eq(st.ranges, 3);
	CHECK_HAS("0xffffffff80200000: page table outside guest RAM at 0x7f00000");
	CHECK_HAS("0xffffffff80400000: reserved bits set in entry");
}
END_TEST

START_TEST(textout_bounds)
{
	struct textout o;

	textout_init(&o, 100, collect, NULL);
	for (int i = 0; i < 50; i++)
		textout_printf(&o, "line %02d\n", i);
	ck_assert(textout_full(&o));
	textout_finish(&o);
	ck_assert_uint_le(text_len, 100 + 96);
	ck_assert_ptr_nonnull(strstr(text, "line 11\n"));
	ck_assert_ptr_null(strstr(text, "line 12\n"));
	ck_assert_ptr_nonnull(strstr(text, "38 more lines not shown"));
}
END_TEST

Suite *gdb_paging_suite(void)
{
	Suite *s = suite_create("gdb_paging");
	TCase *tc = tcase_create("paging");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, walk_4level);
	tcase_add_test(tc, walk_stops);
	tcase_add_test(tc, walk_pae);
	tcase_add_test(tc, walk_32bit);
	tcase_add_test(tc, walk_5level_and_off);
	tcase_add_test(tc, map_merges);
	tcase_add_test(tc, map_32bit_and_pae);
	tcase_add_test(tc, map_hostile);
	tcase_add_test(tc, textout_bounds);
	suite_add_tcase(s, tc);
	return s;
}
