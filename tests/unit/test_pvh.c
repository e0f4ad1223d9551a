/* Unit tests of the PVH start information, memory map, command line and initrd placement (vmm/boot/pvh.c, boot.c). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "firmware/machine.h"
#include "firmware/pvh.h"
#include "tests/unit/elf_fixture.h"
#include "tests/unit/suites.h"
#include "vmm/boot/boot.h"
#include "vmm/boot/msg.h"
#include "vmm/boot/pvh.h"
#include "vmm/memory.h"

/* The NUL-terminated guest string at @gpa (at most @max - 1 bytes) into @dst. */
static void read_str(const struct guest_mem *mem, uint64_t gpa, char *dst, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		read_gpa(mem, gpa + i, &dst[i], 1);
		if (dst[i] == '\0')
			return;
	}
	ck_abort_msg("guest string at 0x%llx is not terminated", (unsigned long long)gpa);
}

static int in_boot_area(uint64_t gpa, uint64_t len)
{
	return gpa >= KEEL_BOOT_INFO_GPA && len <= KEEL_BOOT_INFO_SIZE &&
	       gpa - KEEL_BOOT_INFO_GPA <= KEEL_BOOT_INFO_SIZE - len;
}

/* --- start information ----------------------------------------------------------------- */

START_TEST(start_info_contents)
{
	struct kimg k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct hvm_start_info si;
	struct hvm_memmap_table_entry map[3];
	struct hvm_modlist_entry mod;
	char s[KEEL_CMDLINE_MAX];

	make_kernel(&k);
	req = request(&k);
	req.cmdline = "console=ttyS0 keel.test=start-info";
	boot_ok(&mem, 4 * MiB, &req, &res);
	ck_assert_uint_eq(res.start_info_gpa, KEEL_BOOT_INFO_GPA);
	read_gpa(&mem, res.start_info_gpa, &si, sizeof(si));
	ck_assert_uint_eq(si.magic, PVH_START_MAGIC);
	ck_assert_uint_eq(si.version, 1);
	ck_assert_uint_eq(si.flags, 0);
	ck_assert_uint_eq(si.rsdp_paddr, KEEL_ACPI_GPA);	/* keel's ACPI tables */
	ck_assert_uint_eq(si.reserved, 0);

	ck_assert(in_boot_area(si.cmdline_paddr, 1));
	ck_assert_uint_eq(res.cmdline_gpa, si.cmdline_paddr);	/* fw_cfg's CMDLINE_ADDR */
	read_str(&mem, si.cmdline_paddr, s, sizeof(s));
	ck_assert_str_eq(s, "console=ttyS0 keel.test=start-info");

	ck_assert_uint_eq(si.memmap_entries, 3);
	ck_assert(in_boot_area(si.memmap_paddr, sizeof(map)));
	read_gpa(&mem, si.memmap_paddr, map, sizeof(map));
	ck_assert_uint_eq(map[0].addr, 0);
	ck_assert_uint_eq(map[0].size, 0xa0000);
	ck_assert_uint_eq(map[0].type, PVH_MEMMAP_RAM);
	ck_assert_uint_eq(map[1].addr, 0xa0000);
	ck_assert_uint_eq(map[1].size, 0x60000);
	ck_assert_uint_eq(map[1].type, PVH_MEMMAP_RESERVED);
	ck_assert_uint_eq(map[2].addr, MiB);
	ck_assert_uint_eq(map[2].size, 3 * MiB);
	ck_assert_uint_eq(map[2].type, PVH_MEMMAP_RAM);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(map[i].reserved, 0);

	/* No initrd: module 0 is an empty one (Linux takes module 0 for its initrd), then the device tree. */
	ck_assert_uint_eq(si.nr_modules, 2);
	ck_assert(in_boot_area(si.modlist_paddr, 2 * sizeof(mod)));
	read_gpa(&mem, si.modlist_paddr, &mod, sizeof(mod));
	ck_assert_uint_eq(mod.size, 0);
	read_gpa(&mem, si.modlist_paddr + sizeof(mod), &mod, sizeof(mod));
	ck_assert_uint_eq(mod.paddr, res.fdt_gpa);
	ck_assert_uint_eq(mod.size, res.fdt_size);
	ck_assert_uint_eq(mod.reserved, 0);
	read_str(&mem, mod.cmdline_paddr, s, sizeof(s));
	ck_assert_str_eq(s, KEEL_FDT_MODULE_CMDLINE);
	ck_assert_str_eq(s, "keel,fdt");
	/* The device tree sits at the top of low RAM, page aligned. */
	ck_assert_uint_eq(res.fdt_gpa & 0xfff, 0);
	ck_assert_uint_le(res.fdt_gpa + res.fdt_size, 4 * MiB);
	ck_assert_uint_gt(res.fdt_gpa + res.fdt_size + 0x1000, 4 * MiB);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(memmap_above_4g)
{
	struct kimg k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct hvm_start_info si;
	struct hvm_memmap_table_entry map[4];

	make_kernel(&k);
	req = request(&k);
	boot_ok(&mem, 5 * GiB, &req, &res);
	read_gpa(&mem, res.start_info_gpa, &si, sizeof(si));
	ck_assert_uint_eq(si.memmap_entries, 4);
	read_gpa(&mem, si.memmap_paddr, map, sizeof(map));
	ck_assert_uint_eq(map[2].addr, MiB);
	ck_assert_uint_eq(map[2].size, 3 * GiB - MiB);
	ck_assert_uint_eq(map[2].type, PVH_MEMMAP_RAM);
	ck_assert_uint_eq(map[3].addr, 4 * GiB);
	ck_assert_uint_eq(map[3].size, 2 * GiB);
	ck_assert_uint_eq(map[3].type, PVH_MEMMAP_RAM);
	/* The device tree is at the top of RAM below 3 GiB. */
	ck_assert_uint_le(res.fdt_gpa + res.fdt_size, 3 * GiB);
	ck_assert_uint_gt(res.fdt_gpa + res.fdt_size + 0x1000, 3 * GiB);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(memmap_helper_reports_no_room)
{
	struct guest_mem mem;
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];

	ck_assert_int_eq(gmem_init(&mem, 5 * GiB), 0);
	ck_assert_int_eq(pvh_memmap(&mem, map, PVH_MEMMAP_MAX), 4);
	ck_assert_int_eq(pvh_memmap(&mem, map, 3), -ENOSPC);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(boot_area_overflow)
{
	/* Module command lines are not capped, so pvh_build() itself must notice a full boot area. */
	static char longname[KEEL_BOOT_INFO_SIZE];
	static struct pvh_block blk;
	struct pvh_module mod = { .paddr = 2 * MiB, .size = 4096, .cmdline = longname };
	struct guest_mem mem;
	char err[256] = "";

	memset(longname, 'm', sizeof(longname) - 1);
	ck_assert_int_eq(gmem_init(&mem, 4 * MiB), 0);
	ck_assert_int_eq(pvh_build(&blk, &mem, "", &mod, 1, 0, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "boot information does not fit in keel's 8 KiB boot area");
	longname[100] = '\0';
	ck_assert_int_eq(pvh_build(&blk, &mem, "", &mod, 1, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(blk.start_info_gpa, KEEL_BOOT_INFO_GPA);
	ck_assert_uint_le(blk.used, KEEL_BOOT_INFO_SIZE);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(cmdline_length_limit)
{
	static char line[KEEL_CMDLINE_MAX + 1];
	struct kimg k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct hvm_start_info si;
	static char back[KEEL_CMDLINE_MAX];

	make_kernel(&k);
	req = request(&k);
	memset(line, 'a', KEEL_CMDLINE_MAX);
	line[KEEL_CMDLINE_MAX] = '\0';		/* 2048 bytes: one too many */
	req.cmdline = line;
	expect_request_rejected(&req, 4 * MiB,
				"command line is 2048 bytes, longer than keel's limit of 2047");

	line[KEEL_CMDLINE_MAX - 1] = '\0';	/* 2047 bytes: fits */
	boot_ok(&mem, 4 * MiB, &req, &res);
	read_gpa(&mem, res.start_info_gpa, &si, sizeof(si));
	ck_assert(in_boot_area(si.cmdline_paddr, KEEL_CMDLINE_MAX));
	read_str(&mem, si.cmdline_paddr, back, sizeof(back));
	ck_assert_str_eq(back, line);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(initrd_placement)
{
	struct boot_module mod;
	static uint8_t initrd[MiB + 123];
	struct kimg k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct hvm_start_info si;
	struct hvm_modlist_entry mods[2];
	char s[64];

	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 13 + 1);
	make_kernel(&k);
	req = request(&k);
	mod = (struct boot_module){ .data = initrd, .size = sizeof(initrd), .name = "test-initrd" };
	req.modules = &mod;
	req.nmodules = 1;
	boot_ok(&mem, 64 * MiB, &req, &res);
	/* FDT at the top of low RAM, the initrd right below it, both page aligned. */
	ck_assert_uint_eq(res.fdt_gpa, (64 * MiB - res.fdt_size) & ~0xfffull);
	ck_assert_uint_eq(res.initrd_size, sizeof(initrd));
	ck_assert_uint_eq(res.initrd_gpa, (res.fdt_gpa - sizeof(initrd)) & ~0xfffull);
	ck_assert_uint_ge(res.initrd_gpa, res.kernel_end);
	ck_assert_int_eq(memcmp(mem.base + res.initrd_gpa, initrd, sizeof(initrd)), 0);

	read_gpa(&mem, res.start_info_gpa, &si, sizeof(si));
	ck_assert_uint_eq(si.nr_modules, 2);
	read_gpa(&mem, si.modlist_paddr, mods, sizeof(mods));
	ck_assert_uint_eq(mods[0].paddr, res.initrd_gpa);	/* module 0 is the initrd */
	ck_assert_uint_eq(mods[0].size, sizeof(initrd));
	ck_assert_uint_eq(mods[0].cmdline_paddr, 0);
	ck_assert_uint_eq(mods[1].paddr, res.fdt_gpa);		/* the device tree is last */
	ck_assert_uint_eq(mods[1].size, res.fdt_size);
	read_str(&mem, mods[1].cmdline_paddr, s, sizeof(s));
	ck_assert_str_eq(s, KEEL_FDT_MODULE_CMDLINE);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(initrd_too_large)
{
	struct boot_module mod;
	/* 300 MiB of address space that is never touched: the request must fail first. */
	const size_t size = 300 * MiB;
	void *big = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct kimg k;
	struct boot_request req;

	ck_assert(big != MAP_FAILED);
	make_kernel(&k);
	req = request(&k);
	mod = (struct boot_module){ .data = big, .size = size, .name = "big.cpio" };
	req.modules = &mod;
	req.nmodules = 1;
	expect_request_rejected(&req, 64 * MiB,
				"big.cpio: 300 MiB initrd does not fit in guest RAM below 0x3fff000");
	munmap(big, size);
}
END_TEST

START_TEST(initrd_over_kernel)
{
	struct boot_module mod;
	static uint8_t initrd[1536 * 1024];
	struct kimg k;
	struct boot_request req;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_memsz = 2 * MiB;		/* kernel [1 MiB, 3 MiB) in 4 MiB of RAM */
	put_ph(&k, 0, &ph);
	req = request(&k);
	mod = (struct boot_module){ .data = initrd, .size = sizeof(initrd), .name = "test-initrd" };
	req.modules = &mod;
	req.nmodules = 1;
	expect_request_rejected(&req, 4 * MiB, "test-initrd: 1.5 MiB initrd at [0x27f000, 0x3ff000) "
				"would overlap kernel segment 0 [0x100000, 0x300000)");
	mod.size = 0;
	expect_request_rejected(&req, 4 * MiB, "test-initrd: empty initrd");
}
END_TEST

/* The boot protocol table: PVH takes the kernel; its check writes nothing, its load writes, its registers are PVH's. */
START_TEST(protocol_table)
{
	static const uint8_t junk[] = "not a kernel";
	const struct boot_protocol *bp;
	struct boot_request req;
	struct boot_result res;
	struct guest_mem mem;
	char err[512] = "";
	struct kimg k;

	make_kernel(&k);
	req = request(&k);
	struct boot_request bad = req;

	bp = boot_protocol_for(&req);
	ck_assert_ptr_eq(bp, &boot_pvh);
	ck_assert_str_eq(bp->name, "pvh");
	ck_assert_ptr_eq(boot_protocol_named("pvh"), &boot_pvh);
	ck_assert_ptr_eq(boot_protocol_named("linux"), &boot_linux);
	ck_assert_ptr_eq(boot_protocol_named("multiboot"), &boot_multiboot);
	ck_assert_ptr_eq(boot_protocol_named("multiboot2"), &boot_multiboot2);
	ck_assert_ptr_null(boot_protocol_named("multiboot3"));
	ck_assert(bp->probe(&req));
	ck_assert(!boot_linux.probe(&req));		/* an ELF with the PVH note and no "Linux" note */
	bad.kernel = junk;
	bad.kernel_size = sizeof(junk);
	ck_assert(!bp->probe(&bad));
	ck_assert(!boot_linux.probe(&bad));
	ck_assert_ptr_eq(boot_protocol_for(&bad), &boot_pvh);	/* the fallback reports it */
	bad.kernel = k.bytes;
	bad.kernel_size = 3;
	ck_assert(!bp->probe(&bad));			/* shorter than the ELF magic */
	ram_init(&mem, 4 * MiB);
	ck_assert_int_eq(bp->check(&mem, &req, err, sizeof(err)), 0);
	ck_assert_msg(ram_untouched(&mem), "check wrote guest RAM");
	ck_assert_int_eq(bp->load(&mem, &req, &res, err, sizeof(err)), 0);
	ck_assert(!ram_untouched(&mem));
	ck_assert_uint_eq(res.entry, K_ENTRY);
	ck_assert_uint_eq(res.start_info_gpa, KEEL_BOOT_INFO_GPA);
	gmem_destroy(&mem);
	req.kernel = junk;
	req.kernel_size = sizeof(junk);
	ram_init(&mem, 4 * MiB);
	ck_assert_int_eq(bp->check(&mem, &req, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not an ELF file") != NULL, "error \"%s\"", err);
	gmem_destroy(&mem);
	ck_assert_ptr_nonnull(bp->set_regs);
}
END_TEST

START_TEST(size_formatting)
{
	ck_assert_str_eq(boot_size(12).s, "12 bytes");
	ck_assert_str_eq(boot_size(4096).s, "4 KiB");
	ck_assert_str_eq(boot_size(1536).s, "1.5 KiB");
	ck_assert_str_eq(boot_size(300 * MiB).s, "300 MiB");
	ck_assert_str_eq(boot_size(5 * GiB).s, "5 GiB");
}
END_TEST

Suite *pvh_suite(void)
{
	Suite *s = suite_create("pvh");
	TCase *pvh = tcase_create("start-info");

	tcase_add_test(pvh, start_info_contents);
	tcase_add_test(pvh, memmap_above_4g);
	tcase_add_test(pvh, memmap_helper_reports_no_room);
	tcase_add_test(pvh, boot_area_overflow);
	tcase_add_test(pvh, cmdline_length_limit);
	tcase_add_test(pvh, initrd_placement);
	tcase_add_test(pvh, initrd_too_large);
	tcase_add_test(pvh, initrd_over_kernel);
	tcase_add_test(pvh, size_formatting);
	tcase_add_test(pvh, protocol_table);
	suite_add_tcase(s, pvh);
	return s;
}
