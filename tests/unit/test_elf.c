/* Unit tests of the PVH ELF loader (vmm/boot/elf.c): valid kernels, malformed kernels, the bundled guest. */
#include <elf.h>
#include <stdint.h>
#include <string.h>

#include "firmware/machine.h"
#include "firmware/pvh.h"
#include "tests/unit/elf_fixture.h"
#include "tests/unit/suites.h"
#include "vmm/boot/boot.h"
#include "vmm/boot/elf.h"
#include "vmm/bundled_guest.h"
#include "vmm/memory.h"

static void set_phnum(struct kimg *k, unsigned int n)
{
	Elf64_Ehdr eh = get_eh(k);

	eh.e_phnum = (Elf64_Half)n;
	put_eh(k, &eh);
}

/* --- a valid kernel ------------------------------------------------------------------ */

START_TEST(valid_kernel_loads)
{
	struct kimg k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	uint8_t buf[K_MEMSZ];

	make_kernel(&k);
	req = request(&k);
	boot_ok(&mem, 4 * MiB, &req, &res);
	ck_assert_uint_eq(res.entry, K_ENTRY);
	ck_assert_uint_eq(res.kernel_start, K_PADDR);
	ck_assert_uint_eq(res.kernel_end, K_PADDR + K_MEMSZ);
	ck_assert_uint_eq(res.start_info_gpa, KEEL_BOOT_INFO_GPA);
	ck_assert_uint_eq(res.initrd_gpa, 0);
	ck_assert_uint_eq(res.initrd_size, 0);
	read_gpa(&mem, K_PADDR, buf, sizeof(buf));
	for (unsigned int i = 0; i < K_CODE_SIZE; i++)
		ck_assert_uint_eq(buf[i], code_byte(i));
	for (unsigned int i = K_CODE_SIZE; i < K_MEMSZ; i++)
		ck_assert_msg(buf[i] == 0, "bss byte 0x%x not zeroed", i);
	/* Nothing just outside the segment was touched. */
	ck_assert_uint_eq(mem.base[K_PADDR - 1], RAM_FILL);
	ck_assert_uint_eq(mem.base[K_PADDR + K_MEMSZ], RAM_FILL);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(valid_kernel_validates_without_writing)
{
	struct kimg k;
	struct guest_mem mem;
	struct elf_image img;
	char err[256];

	make_kernel(&k);
	ram_init(&mem, 4 * MiB);
	ck_assert_int_eq(elf_validate(&mem, k.bytes, k.size, "k", &img, err, sizeof(err)), 0);
	ck_assert_uint_eq(img.nsegs, 1);
	ck_assert_uint_eq(img.segs[0].paddr, K_PADDR);
	ck_assert_uint_eq(img.entry, K_ENTRY);
	ck_assert(ram_untouched(&mem));
	ck_assert_int_eq(elf_load(&mem, &img), 0);
	ck_assert_uint_eq(mem.base[K_PADDR], code_byte(0));
	gmem_destroy(&mem);
}
END_TEST

START_TEST(entry_note_with_8_byte_desc)
{
	struct kimg k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;

	make_kernel(&k);
	put_note(&k, XEN_ELFNOTE_NAME, XEN_ELFNOTE_PHYS32_ENTRY, 8, K_ENTRY + 4);
	req = request(&k);
	boot_ok(&mem, 4 * MiB, &req, &res);
	ck_assert_uint_eq(res.entry, K_ENTRY + 4);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(other_notes_are_skipped)
{
	/* A foreign note first, then the Xen one, both in one PT_NOTE segment. */
	struct kimg k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct xen_note gnu = { .nh = { .n_namesz = 4, .n_descsz = 3, .n_type = 3 } };
	Elf64_Phdr ph;

	make_kernel(&k);
	memcpy(gnu.name, "GNU", 4);
	memmove(k.bytes + K_NOTE_OFF + 20, k.bytes + K_NOTE_OFF, 20);
	memcpy(k.bytes + K_NOTE_OFF, &gnu, 20);	/* 12 + 4 + 3 bytes padded to 4 = 20 */
	ph = get_ph(&k, 1);
	ph.p_filesz = 40;
	put_ph(&k, 1, &ph);
	req = request(&k);
	boot_ok(&mem, 4 * MiB, &req, &res);
	ck_assert_uint_eq(res.entry, K_ENTRY);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(empty_segment_is_ignored)
{
	struct kimg k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	Elf64_Phdr ph = { .p_type = PT_LOAD, .p_paddr = K_PADDR, .p_flags = PF_R };

	make_kernel(&k);
	put_ph(&k, 2, &ph);
	set_phnum(&k, 3);
	req = request(&k);
	boot_ok(&mem, 4 * MiB, &req, &res);
	gmem_destroy(&mem);
}
END_TEST

/* --- malformed kernels ----------------------------------------------------------------- */

START_TEST(rejects_empty_file)
{
	struct kimg k;

	make_kernel(&k);
	k.size = 0;
	expect_rejected(&k, "empty file");
}
END_TEST

START_TEST(rejects_bad_magic)
{
	struct kimg k;

	make_kernel(&k);
	k.bytes[1] = 'X';
	expect_rejected(&k, "not an ELF file (bad magic)");
	k.size = 3;		/* shorter than the magic */
	expect_rejected(&k, "not an ELF file (bad magic)");
}
END_TEST

START_TEST(rejects_truncated_header)
{
	struct kimg k;

	make_kernel(&k);
	k.size = 20;
	expect_rejected(&k, "truncated: the ELF header needs 64 bytes but the file has 20");
}
END_TEST

START_TEST(rejects_32_bit_class)
{
	struct kimg k;

	make_kernel(&k);
	k.bytes[EI_CLASS] = ELFCLASS32;
	expect_rejected(&k, "not a 64-bit ELF file");
}
END_TEST

START_TEST(rejects_big_endian)
{
	struct kimg k;

	make_kernel(&k);
	k.bytes[EI_DATA] = ELFDATA2MSB;
	expect_rejected(&k, "not a little-endian ELF file");
}
END_TEST

START_TEST(rejects_bad_version)
{
	struct kimg k;
	Elf64_Ehdr eh;

	make_kernel(&k);
	eh = get_eh(&k);
	eh.e_version = 2;
	put_eh(&k, &eh);
	expect_rejected(&k, "unsupported ELF version");
}
END_TEST

START_TEST(rejects_wrong_machine)
{
	struct kimg k;
	Elf64_Ehdr eh;

	make_kernel(&k);
	eh = get_eh(&k);
	eh.e_machine = EM_AARCH64;
	put_eh(&k, &eh);
	expect_rejected(&k, "not an x86-64 ELF file (e_machine 183");
}
END_TEST

START_TEST(rejects_et_dyn)
{
	struct kimg k;
	Elf64_Ehdr eh;

	make_kernel(&k);
	eh = get_eh(&k);
	eh.e_type = ET_DYN;
	put_eh(&k, &eh);
	expect_rejected(&k, "not an executable ELF file (e_type 3 ET_DYN");
}
END_TEST

START_TEST(rejects_phoff_past_end)
{
	struct kimg k;
	Elf64_Ehdr eh;

	make_kernel(&k);
	eh = get_eh(&k);
	eh.e_phoff = k.size - 8;
	put_eh(&k, &eh);
	expect_rejected(&k, "truncated: program headers end at 0x10a8 but the file has 0x1040 bytes");
}
END_TEST

START_TEST(rejects_phdr_table_overflow)
{
	/* e_phoff + e_phnum * e_phentsize wraps past 2^64. */
	struct kimg k;
	Elf64_Ehdr eh;

	make_kernel(&k);
	eh = get_eh(&k);
	eh.e_phoff = UINT64_MAX - 16;
	eh.e_phnum = 0xfffe;
	put_eh(&k, &eh);
	expect_rejected(&k, "program headers at offset 0xffffffffffffffef wrap past 2^64");
}
END_TEST

START_TEST(rejects_wrong_phentsize)
{
	struct kimg k;
	Elf64_Ehdr eh;

	make_kernel(&k);
	eh = get_eh(&k);
	eh.e_phentsize = 32;
	put_eh(&k, &eh);
	expect_rejected(&k, "program header size is 32 bytes, expected 56");
}
END_TEST

START_TEST(rejects_no_program_headers)
{
	struct kimg k;

	make_kernel(&k);
	set_phnum(&k, 0);
	expect_rejected(&k, "no program headers");
	set_phnum(&k, PN_XNUM);
	expect_rejected(&k, "extended program header numbering");
}
END_TEST

START_TEST(rejects_segment_past_end_of_file)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_filesz = 0x2000;
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "truncated: segment 0 ends at file offset 0x3000 but the file has 0x1040 bytes");
}
END_TEST

START_TEST(rejects_segment_file_range_overflow)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_offset = UINT64_MAX - 8;
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "segment 0: file range at offset 0xfffffffffffffff7 wraps past 2^64");
}
END_TEST

START_TEST(rejects_filesz_above_memsz)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_memsz = 0x20;
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "segment 0: file size 0x40 is larger than its memory size 0x20");
}
END_TEST

START_TEST(rejects_segment_outside_ram)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_paddr = 4 * MiB - 0x1000;
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "segment 0 [0x3ff000, 0x402000) does not fit in 4 MiB of guest RAM");
	ph.p_paddr = 3 * GiB + 0x1000;	/* in the device hole */
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "does not fit in 4 MiB of guest RAM");
}
END_TEST

START_TEST(rejects_segment_wrapping)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_paddr = UINT64_MAX - 0xfff;
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "segment 0 [0xfffffffffffff000, +0x3000) wraps past the end of the 64-bit "
			    "address space");
}
END_TEST

START_TEST(rejects_overlapping_segments)
{
	struct kimg k;
	Elf64_Phdr ph = {
		.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = K_CODE_OFF,
		.p_paddr = K_PADDR + 0x2000, .p_filesz = 0, .p_memsz = 0x2000,
	};

	make_kernel(&k);
	put_ph(&k, 2, &ph);
	set_phnum(&k, 3);
	expect_rejected(&k, "segment 2 [0x102000, 0x104000) overlaps segment 0 [0x100000, 0x103000)");
}
END_TEST

START_TEST(rejects_segment_over_boot_info)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_paddr = KEEL_BOOT_INFO_GPA + KEEL_BOOT_INFO_SIZE - 0x1000;
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "segment 0 [0x7000, 0xa000) overlaps keel's boot information area "
			    "[0x6000, 0x8000)");
}
END_TEST

START_TEST(rejects_too_many_segments)
{
	struct kimg k;

	make_kernel(&k);
	for (unsigned int i = 2; i < ELF_MAX_LOAD_SEGMENTS + 2; i++) {
		Elf64_Phdr ph = {
			.p_type = PT_LOAD, .p_flags = PF_R, .p_offset = K_CODE_OFF,
			.p_paddr = 2 * MiB + i * 0x1000, .p_memsz = 0x1000,
		};
		put_ph(&k, i, &ph);
	}
	set_phnum(&k, ELF_MAX_LOAD_SEGMENTS + 2);
	expect_rejected(&k, "more than 16 loadable segments");
}
END_TEST

START_TEST(rejects_no_load_segment)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_type = PT_NULL;
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "no loadable (PT_LOAD) segment");
}
END_TEST

START_TEST(rejects_no_pvh_note)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 1);
	ph.p_type = PT_NULL;
	put_ph(&k, 1, &ph);
	expect_rejected(&k, "an ELF kernel booted by PVH carries");
	expect_rejected(&k, "XEN_ELFNOTE_PHYS32_ENTRY");
	/* A note of the right type from another owner, or of another type, does not count. */
	make_kernel(&k);
	put_note(&k, "Gnu", XEN_ELFNOTE_PHYS32_ENTRY, 4, K_ENTRY);
	expect_rejected(&k, "XEN_ELFNOTE_PHYS32_ENTRY");
	make_kernel(&k);
	put_note(&k, XEN_ELFNOTE_NAME, 17, 4, K_ENTRY);
	expect_rejected(&k, "XEN_ELFNOTE_PHYS32_ENTRY");
}
END_TEST

START_TEST(rejects_lying_note_sizes)
{
	struct kimg k;
	Elf64_Nhdr nh;

	make_kernel(&k);
	memcpy(&nh, k.bytes + K_NOTE_OFF, sizeof(nh));
	nh.n_namesz = 0x100;
	memcpy(k.bytes + K_NOTE_OFF, &nh, sizeof(nh));
	expect_rejected(&k, "note at offset 0x0 of segment 1: its name (256 bytes) and descriptor "
			    "(4 bytes) run past the segment's 0x14 bytes");
	make_kernel(&k);
	memcpy(&nh, k.bytes + K_NOTE_OFF, sizeof(nh));
	nh.n_descsz = UINT32_MAX;
	memcpy(k.bytes + K_NOTE_OFF, &nh, sizeof(nh));
	expect_rejected(&k, "run past the segment");
	make_kernel(&k);
	memcpy(&nh, k.bytes + K_NOTE_OFF, sizeof(nh));
	nh.n_namesz = UINT32_MAX;
	memcpy(k.bytes + K_NOTE_OFF, &nh, sizeof(nh));
	expect_rejected(&k, "run past the segment");
}
END_TEST

START_TEST(rejects_bad_entry_desc_size)
{
	struct kimg k;

	make_kernel(&k);
	put_note(&k, XEN_ELFNOTE_NAME, XEN_ELFNOTE_PHYS32_ENTRY, 2, K_ENTRY);
	expect_rejected(&k, "has a 2-byte descriptor, expected 4 or 8");
}
END_TEST

START_TEST(rejects_note_segment_past_end)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 1);
	ph.p_offset = k.size - 4;
	put_ph(&k, 1, &ph);
	expect_rejected(&k, "truncated: note segment 1 ends at file offset 0x1050");
}
END_TEST

START_TEST(rejects_entry_outside_executable_segment)
{
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	put_note(&k, XEN_ELFNOTE_NAME, XEN_ELFNOTE_PHYS32_ENTRY, 4, K_PADDR + K_MEMSZ);
	expect_rejected(&k, "PVH entry 0x103000 is not inside a loaded executable (PF_X) segment");
	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_flags = PF_R | PF_W;
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "PVH entry 0x100010 is not inside a loaded executable (PF_X) segment");
	make_kernel(&k);
	put_note(&k, XEN_ELFNOTE_NAME, XEN_ELFNOTE_PHYS32_ENTRY, 8, (1ull << 32) | K_ENTRY);
	expect_rejected(&k, "is above 4 GiB");
}
END_TEST

START_TEST(rejects_segment_under_device_tree)
{
	/* A kernel reaching the top of low RAM leaves no room for the device tree. */
	struct kimg k;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_memsz = 3 * MiB;
	put_ph(&k, 0, &ph);
	expect_rejected(&k, "segment 0 [0x100000, 0x400000) overlaps the device tree");
}
END_TEST

START_TEST(rejects_bad_request)
{
	struct kimg k;
	struct boot_request req;

	make_kernel(&k);
	req = request(&k);
	req.ncpus = 0;
	expect_request_rejected(&req, 4 * MiB, "no vCPUs");
}
END_TEST

/* --- the bundled guest ----------------------------------------------------------------- */

START_TEST(bundled_guest_loads)
{
	struct kimg dummy;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;

	make_kernel(&dummy);
	req = request(&dummy);
	req.kernel = keel_bundled_guest;
	req.kernel_size = (size_t)keel_bundled_guest_size;
	req.kernel_name = "bundled guest";
	req.ncpus = 2;
	boot_ok(&mem, 64 * MiB, &req, &res);
	ck_assert_uint_ge(res.entry, res.kernel_start);
	ck_assert_uint_lt(res.entry, res.kernel_end);
	ck_assert_uint_lt(res.entry, 1ull << 32);
	gmem_destroy(&mem);
}
END_TEST

Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *load = tcase_create("load");
	TCase *bad = tcase_create("malformed");

	tcase_add_test(load, valid_kernel_loads);
	tcase_add_test(load, valid_kernel_validates_without_writing);
	tcase_add_test(load, entry_note_with_8_byte_desc);
	tcase_add_test(load, other_notes_are_skipped);
	tcase_add_test(load, empty_segment_is_ignored);
	tcase_add_test(load, bundled_guest_loads);
	suite_add_tcase(s, load);

	tcase_add_test(bad, rejects_empty_file);
	tcase_add_test(bad, rejects_bad_magic);
	tcase_add_test(bad, rejects_truncated_header);
	tcase_add_test(bad, rejects_32_bit_class);
	tcase_add_test(bad, rejects_big_endian);
	tcase_add_test(bad, rejects_bad_version);
	tcase_add_test(bad, rejects_wrong_machine);
	tcase_add_test(bad, rejects_et_dyn);
	tcase_add_test(bad, rejects_phoff_past_end);
	tcase_add_test(bad, rejects_phdr_table_overflow);
	tcase_add_test(bad, rejects_wrong_phentsize);
	tcase_add_test(bad, rejects_no_program_headers);
	tcase_add_test(bad, rejects_segment_past_end_of_file);
	tcase_add_test(bad, rejects_segment_file_range_overflow);
	tcase_add_test(bad, rejects_filesz_above_memsz);
	tcase_add_test(bad, rejects_segment_outside_ram);
	tcase_add_test(bad, rejects_segment_wrapping);
	tcase_add_test(bad, rejects_overlapping_segments);
	tcase_add_test(bad, rejects_segment_over_boot_info);
	tcase_add_test(bad, rejects_too_many_segments);
	tcase_add_test(bad, rejects_no_load_segment);
	tcase_add_test(bad, rejects_no_pvh_note);
	tcase_add_test(bad, rejects_lying_note_sizes);
	tcase_add_test(bad, rejects_bad_entry_desc_size);
	tcase_add_test(bad, rejects_note_segment_past_end);
	tcase_add_test(bad, rejects_entry_outside_executable_segment);
	tcase_add_test(bad, rejects_segment_under_device_tree);
	tcase_add_test(bad, rejects_bad_request);
	suite_add_tcase(s, bad);
	return s;
}
