/* Unit tests of the PVH ELF loader and start information (vmm/boot/elf.c, pvh.c, boot.c). */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "firmware/machine.h"
#include "firmware/pvh.h"
#include "tests/unit/suites.h"
#include "vmm/boot/boot.h"
#include "vmm/boot/elf.h"
#include "vmm/boot/msg.h"
#include "vmm/boot/pvh.h"
#include "vmm/bundled_guest.h"
#include "vmm/memory.h"

/* The bundled guest, when the build links it in (it does for build/tests/unit/keel-unit). */

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define RAM_FILL 0x5a			/* small test RAM starts with this, to see any write */

/* The hand-made kernel: ELF header, program headers, a Xen note, code; loaded at 1 MiB. */
#define K_NOTE_OFF 0x800u
#define K_CODE_OFF 0x1000u
#define K_CODE_SIZE 0x40u
#define K_PADDR 0x100000ull
#define K_VADDR 0xffffffff81000000ull	/* differs from the physical address on purpose */
#define K_MEMSZ 0x3000ull
#define K_ENTRY (K_PADDR + 0x10)
#define K_MAX_PHDRS 30

struct kimg {
	uint8_t bytes[0x2000];
	size_t size;
};

struct xen_note {
	Elf64_Nhdr nh;
	char name[4];
	uint8_t desc[8];
};

static Elf64_Ehdr get_eh(const struct kimg *k)
{
	Elf64_Ehdr eh;

	memcpy(&eh, k->bytes, sizeof(eh));
	return eh;
}

static void put_eh(struct kimg *k, const Elf64_Ehdr *eh)
{
	memcpy(k->bytes, eh, sizeof(*eh));
}

static Elf64_Phdr get_ph(const struct kimg *k, unsigned int i)
{
	Elf64_Phdr ph;

	memcpy(&ph, k->bytes + sizeof(Elf64_Ehdr) + i * sizeof(ph), sizeof(ph));
	return ph;
}

static void put_ph(struct kimg *k, unsigned int i, const Elf64_Phdr *ph)
{
	memcpy(k->bytes + sizeof(Elf64_Ehdr) + i * sizeof(*ph), ph, sizeof(*ph));
}

static void set_phnum(struct kimg *k, unsigned int n)
{
	Elf64_Ehdr eh = get_eh(k);

	eh.e_phnum = (Elf64_Half)n;
	put_eh(k, &eh);
}

/* Replace the note with owner @name, type @type and a @descsz-byte little-endian @entry. */
static void put_note(struct kimg *k, const char *name, uint32_t type, uint32_t descsz,
		     uint64_t entry)
{
	struct xen_note n = { .nh = { .n_namesz = 4, .n_descsz = descsz, .n_type = type } };
	Elf64_Phdr ph = get_ph(k, 1);

	memcpy(n.name, name, 4);
	for (unsigned int i = 0; i < 8; i++)
		n.desc[i] = (uint8_t)(entry >> (8 * i));
	memcpy(k->bytes + K_NOTE_OFF, &n, sizeof(n));
	ph.p_filesz = sizeof(n.nh) + 4 + ((descsz + 3) & ~3u);
	put_ph(k, 1, &ph);
}

static uint8_t code_byte(unsigned int i)
{
	return (uint8_t)(i * 7 + 3);
}

/* A valid PVH ELF64: PT_LOAD [1 MiB, +0x3000) R+X with 0x40 bytes of code, PT_NOTE with the entry. */
static void make_kernel(struct kimg *k)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_entry = K_VADDR,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = 2,
	};
	Elf64_Phdr load = {
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = K_CODE_OFF,
		.p_vaddr = K_VADDR, .p_paddr = K_PADDR, .p_filesz = K_CODE_SIZE, .p_memsz = K_MEMSZ,
		.p_align = 0x1000,
	};
	Elf64_Phdr note = { .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = K_NOTE_OFF, .p_align = 4 };

	memset(k, 0, sizeof(*k));
	put_eh(k, &eh);
	put_ph(k, 0, &load);
	put_ph(k, 1, &note);
	put_note(k, XEN_ELFNOTE_NAME, XEN_ELFNOTE_PHYS32_ENTRY, 4, K_ENTRY);
	for (unsigned int i = 0; i < K_CODE_SIZE; i++)
		k->bytes[K_CODE_OFF + i] = code_byte(i);
	k->size = K_CODE_OFF + K_CODE_SIZE;
}

/* Guest RAM of @size; small RAM is filled with RAM_FILL so that any write shows. */
static void ram_init(struct guest_mem *mem, uint64_t size)
{
	ck_assert_int_eq(gmem_init(mem, size), 0);
	if (size <= 64 * MiB)
		memset(mem->base, RAM_FILL, size);
}

static int ram_untouched(const struct guest_mem *mem)
{
	for (uint64_t i = 0; i < mem->size; i++)
		if (mem->base[i] != RAM_FILL)
			return 0;
	return 1;
}

static struct boot_request request(const struct kimg *k)
{
	return (struct boot_request){
		.kernel = k->bytes,
		.kernel_size = k->size,
		.kernel_name = "test-kernel",
		.cmdline = "console=ttyS0",
		.ncpus = 1,
	};
}

/* @req must fail with -EINVAL and one line starting with @prefix (when given) that contains @want. */
static void expect_failure(const struct boot_request *req, uint64_t ram, const char *prefix,
			   const char *want)
{
	struct guest_mem mem;
	struct boot_result res;
	char err[512] = "";
	int r;

	ram_init(&mem, ram);
	r = boot_setup(&mem, req, &res, err, sizeof(err));
	ck_assert_msg(r == -EINVAL, "boot_setup returned %d, not -EINVAL (%s)", r, err);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" does not say \"%s\"", err, want);
	ck_assert_msg(!prefix || strncmp(err, prefix, strlen(prefix)) == 0,
		      "error \"%s\" does not start with \"%s\"", err, prefix);
	ck_assert_msg(strchr(err, '\n') == NULL, "error \"%s\" is more than one line", err);
	ck_assert_msg(ram_untouched(&mem), "a rejected boot wrote guest RAM");
	gmem_destroy(&mem);
}

static void expect_request_rejected(const struct boot_request *req, uint64_t ram, const char *want)
{
	expect_failure(req, ram, NULL, want);
}

/* The kernel @k must be rejected, in 4 MiB of RAM, with a "test-kernel: " line containing @want. */
static void expect_rejected(const struct kimg *k, const char *want)
{
	struct boot_request req = request(k);

	expect_failure(&req, 4 * MiB, "test-kernel: ", want);
}

/* Boot @req in @ram bytes of RAM; it must succeed. */
static void boot_ok(struct guest_mem *mem, uint64_t ram, const struct boot_request *req,
		    struct boot_result *res)
{
	char err[512] = "";
	int r;

	ram_init(mem, ram);
	r = boot_setup(mem, req, res, err, sizeof(err));
	ck_assert_msg(r == 0, "boot_setup failed: %d (%s)", r, err);
}

static void read_gpa(const struct guest_mem *mem, uint64_t gpa, void *dst, size_t len)
{
	ck_assert_int_eq(gmem_read(mem, gpa, dst, len), 0);
}

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
	expect_rejected(&k, "keel boots PVH ELF kernels");
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
	ck_assert_uint_eq(si.rsdp_paddr, 0);
	ck_assert_uint_eq(si.reserved, 0);

	ck_assert(in_boot_area(si.cmdline_paddr, 1));
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

	/* No initrd: the device tree is the only module. */
	ck_assert_uint_eq(si.nr_modules, 1);
	ck_assert(in_boot_area(si.modlist_paddr, sizeof(mod)));
	read_gpa(&mem, si.modlist_paddr, &mod, sizeof(mod));
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
	ck_assert_int_eq(pvh_build(&blk, &mem, "", &mod, 1, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "boot information does not fit in keel's 8 KiB boot area");
	longname[100] = '\0';
	ck_assert_int_eq(pvh_build(&blk, &mem, "", &mod, 1, err, sizeof(err)), 0);
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
	req.initrd = initrd;
	req.initrd_size = sizeof(initrd);
	req.initrd_name = "test-initrd";
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
	/* 300 MiB of address space that is never touched: the request must fail first. */
	const size_t size = 300 * MiB;
	void *big = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct kimg k;
	struct boot_request req;

	ck_assert(big != MAP_FAILED);
	make_kernel(&k);
	req = request(&k);
	req.initrd = big;
	req.initrd_size = size;
	req.initrd_name = "big.cpio";
	expect_request_rejected(&req, 64 * MiB,
				"big.cpio: 300 MiB initrd does not fit in guest RAM below 0x3fff000");
	munmap(big, size);
}
END_TEST

START_TEST(initrd_over_kernel)
{
	static uint8_t initrd[1536 * 1024];
	struct kimg k;
	struct boot_request req;
	Elf64_Phdr ph;

	make_kernel(&k);
	ph = get_ph(&k, 0);
	ph.p_memsz = 2 * MiB;		/* kernel [1 MiB, 3 MiB) in 4 MiB of RAM */
	put_ph(&k, 0, &ph);
	req = request(&k);
	req.initrd = initrd;
	req.initrd_size = sizeof(initrd);
	req.initrd_name = "test-initrd";
	expect_request_rejected(&req, 4 * MiB, "test-initrd: 1.5 MiB initrd at [0x27f000, 0x3ff000) "
				"would overlap kernel segment 0 [0x100000, 0x300000)");
	req.initrd_size = 0;
	expect_request_rejected(&req, 4 * MiB, "test-initrd: empty initrd");
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
	TCase *pvh = tcase_create("start-info");

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

	tcase_add_test(pvh, start_info_contents);
	tcase_add_test(pvh, memmap_above_4g);
	tcase_add_test(pvh, memmap_helper_reports_no_room);
	tcase_add_test(pvh, boot_area_overflow);
	tcase_add_test(pvh, cmdline_length_limit);
	tcase_add_test(pvh, initrd_placement);
	tcase_add_test(pvh, initrd_too_large);
	tcase_add_test(pvh, initrd_over_kernel);
	tcase_add_test(pvh, size_formatting);
	suite_add_tcase(s, pvh);
	return s;
}
