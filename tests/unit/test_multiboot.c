/* Unit tests of Multiboot 1 and 2 (vmm/boot/multiboot.c, multiboot2.c, mb_common.c): headers, every refusal, the boot information, ELF32, the a.out kludge, ELF64 with an entry tag, the entry registers. */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "firmware/machine.h"
#include "firmware/multiboot.h"
#include "firmware/pvh.h"
#include "tests/unit/elf_fixture.h"
#include "tests/unit/suites.h"
#include "vcpu/regs.h"
#include "vmm/boot/boot.h"
#include "vmm/boot/pvh.h"

#define HDR_OFF 0x1000u			/* where the builders put the Multiboot header (and the code) */
#define LOAD 0x100000u			/* where they load */
#define HIGH 0xc0000000u		/* the ELF32 kernel's virtual offset */
#define RAM (64 * MiB)

/* A kernel file under construction. */
struct mbk {
	uint8_t b[0x3000];
	size_t size;
	size_t mb2_at, mb2_len;		/* the Multiboot 2 header being built */
};

static void put32(struct mbk *k, size_t off, uint32_t v)
{
	memcpy(k->b + off, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Code bytes at HDR_OFF + 0x40 on: what the loads must copy. */
static void put_code(struct mbk *k)
{
	for (unsigned int i = 0; i < 0x100; i++)
		k->b[HDR_OFF + 0x40 + i] = (uint8_t)(i * 7 + 3);
}

/* A Multiboot 1 header at HDR_OFF with @flags and a checksum that adds up. */
static void mb1_header(struct mbk *k, uint32_t flags)
{
	put32(k, HDR_OFF, MB1_HEADER_MAGIC);
	put32(k, HDR_OFF + 4, flags);
	put32(k, HDR_OFF + 8, 0u - (MB1_HEADER_MAGIC + flags));
}

/*
 * An ELF executable of class @CLASS for @MACHINE: one R+X PT_LOAD [LOAD, +0x2000) from file HDR_OFF
 * (0x200 bytes), linked at @vaddr, entry @entry.
 */
#define ELF_EXEC(k, Ehdr, Phdr, CLASS, MACHINE, vaddr, entry)                                            \
	do {                                                                                             \
		Ehdr eh_ = { .e_type = ET_EXEC, .e_machine = (MACHINE), .e_version = EV_CURRENT,        \
			     .e_entry = (entry), .e_phoff = sizeof(Ehdr), .e_ehsize = sizeof(Ehdr),      \
			     .e_phentsize = sizeof(Phdr), .e_phnum = 1 };                                \
		Phdr ph_ = { .p_type = PT_LOAD, .p_offset = HDR_OFF, .p_vaddr = (vaddr), .p_paddr = LOAD, \
			     .p_filesz = 0x200, .p_memsz = 0x2000, .p_flags = PF_R | PF_X,               \
			     .p_align = 0x1000 };                                                        \
		memcpy(eh_.e_ident, ELFMAG, SELFMAG);                                                    \
		eh_.e_ident[EI_CLASS] = (CLASS);                                                         \
		eh_.e_ident[EI_DATA] = ELFDATA2LSB;                                                      \
		eh_.e_ident[EI_VERSION] = EV_CURRENT;                                                    \
		memcpy((k)->b, &eh_, sizeof(eh_));                                                       \
		memcpy((k)->b + sizeof(eh_), &ph_, sizeof(ph_));                                         \
		if ((k)->size < HDR_OFF + 0x200)                                                         \
			(k)->size = HDR_OFF + 0x200;                                                     \
	} while (0)

static void elf32(struct mbk *k, uint32_t vaddr, uint32_t entry)
{
	ELF_EXEC(k, Elf32_Ehdr, Elf32_Phdr, ELFCLASS32, EM_386, vaddr, entry);
}

/* The same as an ELF64 x86-64 file (Multiboot 2 with an entry tag). */
static void elf64(struct mbk *k, uint64_t vaddr, uint64_t entry)
{
	ELF_EXEC(k, Elf64_Ehdr, Elf64_Phdr, ELFCLASS64, EM_X86_64, vaddr, entry);
}

/* A valid Multiboot 1 ELF32 kernel linked high: e_entry is virtual (HIGH + LOAD + 0x40). */
static void mb1_elf(struct mbk *k)
{
	memset(k, 0, sizeof(*k));
	elf32(k, HIGH + LOAD, HIGH + LOAD + 0x40);
	mb1_header(k, MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO);
	put_code(k);
}

/* A flat Multiboot 1 binary at file offset 0 of its own: header at 0x40, loaded at LOAD, bss to LOAD + 0x3000. */
static void mb1_aout(struct mbk *k)
{
	const uint32_t flags = MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO | MB1_HF_AOUT_KLUDGE;

	memset(k, 0, sizeof(*k));
	for (unsigned int i = 0; i < 0x800; i++)
		k->b[i] = (uint8_t)(i * 5 + 1);
	put32(k, 0x40, MB1_HEADER_MAGIC);
	put32(k, 0x44, flags);
	put32(k, 0x48, 0u - (MB1_HEADER_MAGIC + flags));
	put32(k, 0x4c, LOAD + 0x40);	/* header_addr */
	put32(k, 0x50, LOAD);		/* load_addr: the file's first byte */
	put32(k, 0x54, LOAD + 0x800);	/* load_end_addr: the whole file */
	put32(k, 0x58, LOAD + 0x3000);	/* bss_end_addr */
	put32(k, 0x5c, LOAD + 0x100);	/* entry_addr */
	k->size = 0x800;
}

/* mb1_aout with these address fields. */
static void aout_fields(struct mbk *k, uint32_t header, uint32_t load, uint32_t load_end, uint32_t bss_end,
			uint32_t entry)
{
	const uint32_t f[5] = { header, load, load_end, bss_end, entry };

	mb1_aout(k);
	memcpy(k->b + 0x4c, f, sizeof(f));
}

static void mb2_begin(struct mbk *k, size_t at)
{
	k->mb2_at = at;
	k->mb2_len = sizeof(struct mb2_header);
}

/* A header tag of @type with @flags and @n payload words; @size 0: 8 + 4 * @n. */
static void mb2_tag(struct mbk *k, uint16_t type, uint16_t flags, uint32_t size, const uint32_t *w, unsigned int n)
{
	size_t at = k->mb2_at + ((k->mb2_len + 7) & ~(size_t)7);
	uint16_t tf[2] = { type, flags };

	memcpy(k->b + at, tf, 4);
	put32(k, at + 4, size ? size : 8 + 4 * n);
	for (unsigned int i = 0; i < n; i++)
		put32(k, at + 8 + 4 * i, w[i]);
	k->mb2_len = at - k->mb2_at + 8 + 4 * n;
}

/* The end tag, then the fixed part with its checksum. */
static void mb2_finish(struct mbk *k)
{
	mb2_tag(k, MB2_HT_END, 0, 8, NULL, 0);
	put32(k, k->mb2_at, MB2_HEADER_MAGIC);
	put32(k, k->mb2_at + 4, MB2_ARCH_I386);
	put32(k, k->mb2_at + 8, (uint32_t)k->mb2_len);
	put32(k, k->mb2_at + 12, 0u - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (uint32_t)k->mb2_len));
}

/* Fix the checksum after a test changed the fixed part. */
static void mb2_resum(struct mbk *k)
{
	const uint8_t *h = k->b + k->mb2_at;

	put32(k, k->mb2_at + 12, 0u - (get32(h) + get32(h + 4) + get32(h + 8)));
}

/* A valid Multiboot 2 ELF64 kernel: e_entry is a virtual address above 4 GiB, the entry tag gives the physical one. */
static void mb2_elf64(struct mbk *k, bool finish)
{
	static const uint32_t want[] = { MB2_TAG_CMDLINE, MB2_TAG_MODULE, MB2_TAG_MMAP, MB2_TAG_ACPI_NEW };
	const uint32_t entry = LOAD + 0x40;

	memset(k, 0, sizeof(*k));
	elf64(k, 0xffffffff80000000ull + LOAD, 0xffffffff80000000ull + LOAD + 0x40);
	mb2_begin(k, HDR_OFF);
	mb2_tag(k, MB2_HT_INFO_REQUEST, 0, 0, want, 4);
	mb2_tag(k, MB2_HT_ENTRY, 0, 0, &entry, 1);
	put_code(k);
	if (finish)
		mb2_finish(k);
}

/* @req for @k, named "mbk", with command line "a=b c" and, with @nmods, the modules of @mods. */
static struct boot_request mbreq(const struct mbk *k, const struct boot_module *mods, unsigned int nmods)
{
	return (struct boot_request){
		.kernel = k->b, .kernel_size = k->size, .kernel_name = "mbk", .cmdline = "a=b c", .ncpus = 1,
		.modules = nmods ? mods : NULL, .nmodules = nmods,
	};
}

/* @req must be refused by protocol @proto, in @ram of RAM, with one line containing @want, writing nothing. */
static void refused_by(const struct boot_protocol *proto, const struct boot_request *req, uint64_t ram,
		       const char *want)
{
	expect_protocol_rejected(proto, req, ram, NULL, want);
}

/* @k is claimed by @proto (as the table picks) and refused with one "mbk: " line containing @want. */
static void refused(const struct boot_protocol *proto, const struct mbk *k, const char *want)
{
	struct boot_request req = mbreq(k, NULL, 0);

	ck_assert_ptr_eq(boot_protocol_for(&req), proto);
	expect_protocol_rejected(proto, &req, RAM, "mbk: ", want);
}

static void loaded(const struct boot_protocol *proto, struct guest_mem *mem, const struct boot_request *req,
		   struct boot_result *res)
{
	char err[512] = "";
	int r;

	ram_init(mem, RAM);
	ck_assert_ptr_eq(boot_protocol_for(req), proto);
	r = proto->check(mem, req, err, sizeof(err));
	ck_assert_msg(r == 0, "check: %d (%s)", r, err);
	r = proto->load(mem, req, res, err, sizeof(err));
	ck_assert_msg(r == 0, "load: %d (%s)", r, err);
}

static const uint8_t mod_a[3000] = { 1, 2, 3 }, mod_b[5] = { 9, 8, 7, 6, 5 };
static const struct boot_module two_mods[2] = {
	{ .data = mod_a, .size = sizeof(mod_a), .name = "/tmp/a.img" },
	{ .data = mod_b, .size = sizeof(mod_b), .name = "b.img" },
};

/* The RAM map every protocol shares, for comparisons. */
static int ram_map(struct hvm_memmap_table_entry *map)
{
	struct guest_mem mem;
	int n;

	ck_assert_int_eq(gmem_init(&mem, RAM), 0);
	n = pvh_memmap(&mem, map, PVH_MEMMAP_MAX);
	gmem_destroy(&mem);
	ck_assert_int_gt(n, 0);
	return n;
}

static void expect_string(const struct guest_mem *mem, uint64_t gpa, const char *want)
{
	char s[256] = "";

	read_gpa(mem, gpa, s, strlen(want) + 1);
	ck_assert_str_eq(s, want);
}

START_TEST(mb1_elf32_info)
{
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];
	int n = ram_map(map);
	struct mbk k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct mb1_info info;
	struct mb1_module mods[2];
	uint8_t code[0x100];

	mb1_elf(&k);
	req = mbreq(&k, two_mods, 2);
	loaded(&boot_multiboot, &mem, &req, &res);
	/* the image at its physical address, entered through its virtual entry translated */
	ck_assert_uint_eq(res.entry, LOAD + 0x40);
	ck_assert_uint_eq(res.kernel_start, LOAD);
	ck_assert_uint_eq(res.kernel_end, LOAD + 0x2000);
	read_gpa(&mem, LOAD + 0x40, code, sizeof(code));
	ck_assert_int_eq(memcmp(code, k.b + HDR_OFF + 0x40, sizeof(code)), 0);
	ck_assert_uint_eq(mem.base[LOAD + 0x1fff], 0);	/* bss zeroed */
	ck_assert_uint_eq(res.nmap, 1);
	ck_assert_uint_eq(res.map[0].vaddr, HIGH + LOAD);
	ck_assert_uint_eq(res.map[0].paddr, LOAD);
	ck_assert_uint_eq(res.map[0].size, 0x2000);
	/* the information */
	ck_assert_uint_eq(res.start_info_gpa, KEEL_BOOT_INFO_GPA);
	read_gpa(&mem, res.start_info_gpa, &info, sizeof(info));
	ck_assert_uint_eq(info.flags, MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP |
					      MB1_INFO_LOADER_NAME);
	ck_assert_uint_eq(info.mem_lower, 640);
	ck_assert_uint_eq(info.mem_upper, (RAM - MiB) / 1024);
	expect_string(&mem, info.cmdline, "mbk a=b c");
	ck_assert_uint_eq(res.cmdline_gpa, info.cmdline);
	expect_string(&mem, info.boot_loader_name, "keel " KEEL_VERSION);
	ck_assert_uint_eq(info.mmap_length, (uint32_t)n * sizeof(struct mb1_mmap_entry));
	for (int i = 0; i < n; i++) {
		struct mb1_mmap_entry e;

		read_gpa(&mem, info.mmap_addr + i * sizeof(e), &e, sizeof(e));
		ck_assert_uint_eq(e.size, 20);
		ck_assert_uint_eq((uint64_t)e.base_hi << 32 | e.base_lo, map[i].addr);
		ck_assert_uint_eq((uint64_t)e.length_hi << 32 | e.length_lo, map[i].size);
		ck_assert_uint_eq(e.type, map[i].type);
	}
	/* modules: page-aligned, one after the other from the page after the kernel, strings the paths */
	ck_assert_uint_eq(info.mods_count, 2);
	read_gpa(&mem, info.mods_addr, mods, sizeof(mods));
	ck_assert_uint_eq(mods[0].mod_start, LOAD + 0x2000);
	ck_assert_uint_eq(mods[0].mod_end, mods[0].mod_start + sizeof(mod_a));
	ck_assert_uint_eq(mods[1].mod_start, LOAD + 0x3000);
	ck_assert_uint_eq(mods[1].mod_end, mods[1].mod_start + sizeof(mod_b));
	ck_assert_int_eq(memcmp(mem.base + mods[0].mod_start, mod_a, sizeof(mod_a)), 0);
	ck_assert_int_eq(memcmp(mem.base + mods[1].mod_start, mod_b, sizeof(mod_b)), 0);
	expect_string(&mem, mods[0].string, "/tmp/a.img");
	expect_string(&mem, mods[1].string, "b.img");
	ck_assert_uint_eq(mods[0].reserved, 0);
	ck_assert_uint_eq(res.initrd_gpa, mods[0].mod_start);
	ck_assert_uint_eq(res.initrd_size, sizeof(mod_a));
	/* everything inside keel's boot area */
	ck_assert_uint_ge(info.mods_addr, KEEL_BOOT_INFO_GPA);
	ck_assert_uint_lt(info.boot_loader_name, KEEL_BOOT_INFO_GPA + KEEL_BOOT_INFO_SIZE);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(mb1_aout_load)
{
	struct mbk k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct mb1_info info;

	mb1_aout(&k);
	req = mbreq(&k, NULL, 0);
	loaded(&boot_multiboot, &mem, &req, &res);
	ck_assert_uint_eq(res.entry, LOAD + 0x100);
	ck_assert_uint_eq(res.kernel_start, LOAD);
	ck_assert_uint_eq(res.kernel_end, LOAD + 0x3000);
	ck_assert_int_eq(memcmp(mem.base + LOAD, k.b, 0x800), 0);
	for (unsigned int i = 0x800; i < 0x3000; i++)
		ck_assert_uint_eq(mem.base[LOAD + i], 0);	/* bss, on RAM_FILL */
	ck_assert_uint_eq(res.nmap, 1);	/* a.out: virtual = physical */
	ck_assert_uint_eq(res.map[0].vaddr, LOAD);
	ck_assert_uint_eq(res.map[0].paddr, LOAD);
	ck_assert_uint_eq(res.map[0].size, 0x3000);
	read_gpa(&mem, res.start_info_gpa, &info, sizeof(info));
	ck_assert_uint_eq(info.mods_count, 0);
	expect_string(&mem, info.cmdline, "mbk a=b c");
	gmem_destroy(&mem);

	/* load_end_addr 0: the rest of the file; bss_end_addr 0: no bss */
	put32(&k, 0x54, 0);
	put32(&k, 0x58, 0);
	loaded(&boot_multiboot, &mem, &req, &res);
	ck_assert_uint_eq(res.kernel_end, LOAD + 0x800);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(mb1_refusals)
{
	struct mbk k;
	struct boot_request req;

	mb1_elf(&k);
	put32(&k, HDR_OFF + 8, 0x12345678);
	refused(&boot_multiboot, &k, "Multiboot header at offset 0x1000: bad checksum 0x12345678");
	mb1_elf(&k);
	mb1_header(&k, MB1_HF_MEMINFO | (1u << 3));
	refused(&boot_multiboot, &k, "require features keel does not know (bits 0x0008");
	mb1_elf(&k);
	mb1_header(&k, MB1_HF_VIDEO);
	refused(&boot_multiboot, &k, "video mode information");
	mb1_elf(&k);
	mb1_header(&k, (1u << 20));	/* an unknown optional bit is ignored */
	req = mbreq(&k, NULL, 0);
	{
		struct guest_mem mem;
		struct boot_result res;

		loaded(&boot_multiboot, &mem, &req, &res);
		gmem_destroy(&mem);
	}
	/* the magic at the file's very end: a truncated header */
	memset(&k, 0, sizeof(k));
	put32(&k, 0x100, MB1_HEADER_MAGIC);
	k.size = 0x104;
	refused(&boot_multiboot, &k, "truncated: the Multiboot header at offset 0x100 needs 12 bytes");
	/* neither ELF nor flag 16 */
	memset(&k, 0, sizeof(k));
	mb1_header(&k, 0);
	k.size = 0x1100;
	refused(&boot_multiboot, &k, "not an ELF file, and its Multiboot header has no address fields");
	/* ELF: a bad ELF32 file is named by the ELF checks */
	mb1_elf(&k);
	k.b[EI_DATA] = ELFDATA2MSB;
	refused(&boot_multiboot, &k, "not a little-endian ELF file");
	mb1_elf(&k);
	put32(&k, offsetof(Elf32_Ehdr, e_phoff), 0x2f00);
	refused(&boot_multiboot, &k, "truncated: program headers end at");
	/* ELF entry outside every executable segment, by physical and by virtual address */
	mb1_elf(&k);
	put32(&k, offsetof(Elf32_Ehdr, e_entry), 0x5000);
	refused(&boot_multiboot, &k, "ELF entry point 0x5000 is outside every executable segment");
	/* ELF segment outside RAM, in the legacy hole, over keel's boot area */
	mb1_elf(&k);
	put32(&k, sizeof(Elf32_Ehdr) + offsetof(Elf32_Phdr, p_paddr), 0x80000000);
	refused(&boot_multiboot, &k, "segment 0 [0x80000000, 0x80002000) is not in the guest's RAM");
	mb1_elf(&k);
	put32(&k, sizeof(Elf32_Ehdr) + offsetof(Elf32_Phdr, p_paddr), 0xa0000);
	refused(&boot_multiboot, &k, "segment 0 [0xa0000, 0xa2000) is not in the guest's RAM");
	mb1_elf(&k);
	put32(&k, sizeof(Elf32_Ehdr) + offsetof(Elf32_Phdr, p_paddr), 0x5000);
	refused(&boot_multiboot, &k, "overlaps keel's boot information area");
}
END_TEST

START_TEST(mb1_aout_refusals)
{
	struct mbk k;

	mb1_aout(&k);
	put32(&k, 0x50, LOAD + 0x80);	/* load_addr above header_addr */
	refused(&boot_multiboot, &k, "load_addr 0x100080 is above header_addr 0x100040");
	mb1_aout(&k);
	put32(&k, 0x4c, LOAD + 0x1040);	/* the loaded part would start 0x1000 bytes before the header: before the file */
	refused(&boot_multiboot, &k, "loading would start before the file");
	mb1_aout(&k);
	put32(&k, 0x54, LOAD + 0x900);	/* more than the file has */
	refused(&boot_multiboot, &k, "load_end_addr 0x100900 asks for 0x900 bytes from file offset 0x0 but the file has 0x800");
	mb1_aout(&k);
	put32(&k, 0x54, LOAD);	/* nothing */
	refused(&boot_multiboot, &k, "load_end_addr 0x100000 is not above the load address");
	mb1_aout(&k);
	put32(&k, 0x54, LOAD + 0x48);	/* cuts the header */
	refused(&boot_multiboot, &k, "does not contain the Multiboot header");
	mb1_aout(&k);
	put32(&k, 0x58, LOAD + 0x400);	/* bss before the data's end */
	refused(&boot_multiboot, &k, "bss_end_addr 0x100400 is below the end of the loaded part 0x100800");
	mb1_aout(&k);
	put32(&k, 0x5c, LOAD + 0x900);	/* entry in the bss */
	refused(&boot_multiboot, &k, "entry_addr 0x100900 is outside the executable part");
	mb1_aout(&k);
	put32(&k, 0x5c, 0x1000);
	refused(&boot_multiboot, &k, "entry_addr 0x1000 is outside");
	/* out of RAM: the same image moved to 2 GiB, past 4 GiB, into the hole below 1 MiB */
	aout_fields(&k, 0x80000040, 0x80000000, 0x80000800, 0x80003000, 0x80000100);
	refused(&boot_multiboot, &k, "the image [0x80000000, 0x80003000) is not in the guest's RAM");
	aout_fields(&k, 0xffffff40, 0xffffff00, 0, 0, 0xffffff40);
	refused(&boot_multiboot, &k, "runs past 4 GiB");
	aout_fields(&k, 0xf0040, 0xf0000, 0xf0800, 0, 0xf0100);
	refused(&boot_multiboot, &k, "the image [0xf0000, 0xf0800) is not in the guest's RAM");
	/* the address fields cut by the 8 KiB window's end */
	memset(&k, 0, sizeof(k));
	mb1_header(&k, MB1_HF_AOUT_KLUDGE);
	memmove(k.b + 0x1ff0, k.b + HDR_OFF, 12);
	memset(k.b + HDR_OFF, 0, 12);
	k.size = 0x2100;
	refused(&boot_multiboot, &k, "needs 32 bytes (address fields: flag 16) within the file's first 8192 bytes");
}
END_TEST

/* Walk the Multiboot 2 information at @gpa: every tag 8-aligned, sizes inside total_size; the tag of @type (its header) into @out. */
static bool find_tag(const struct guest_mem *mem, uint64_t gpa, uint32_t type, uint32_t nth, uint64_t *out)
{
	struct mb2_info_header h;
	uint64_t at = sizeof(h);

	read_gpa(mem, gpa, &h, sizeof(h));
	ck_assert_uint_eq(h.reserved, 0);
	while (at + 8 <= h.total_size) {
		struct mb2_tag t;

		ck_assert_uint_eq((gpa + at) % 8, 0);
		read_gpa(mem, gpa + at, &t, sizeof(t));
		ck_assert_uint_ge(t.size, 8);
		ck_assert_uint_le(at + t.size, h.total_size);
		if (t.type == type && nth-- == 0) {
			*out = gpa + at;
			return true;
		}
		if (t.type == MB2_TAG_END) {
			ck_assert_uint_eq(t.size, 8);
			ck_assert_uint_eq(at + 8, h.total_size);
			return false;
		}
		at += (t.size + 7) & ~7u;
	}
	ck_abort_msg("no end tag");
	return false;
}

START_TEST(mb2_elf64_info)
{
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];
	int n = ram_map(map);
	struct mbk k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct mb2_tag t;
	struct mb2_tag_module m;
	struct mb2_tag_meminfo mi;
	struct mb2_tag_mmap mm;
	uint8_t rsdp[36];
	uint64_t at;

	mb2_elf64(&k, true);
	req = mbreq(&k, two_mods, 2);
	loaded(&boot_multiboot2, &mem, &req, &res);
	ck_assert_uint_eq(res.entry, LOAD + 0x40);	/* the entry tag's, not e_entry */
	ck_assert_uint_eq(res.map[0].vaddr, 0xffffffff80000000ull + LOAD);
	ck_assert_uint_eq(res.start_info_gpa % 8, 0);
	ck_assert(find_tag(&mem, res.start_info_gpa, MB2_TAG_CMDLINE, 0, &at));
	read_gpa(&mem, at, &t, sizeof(t));
	ck_assert_uint_eq(t.size, 8 + strlen("mbk a=b c") + 1);
	expect_string(&mem, at + 8, "mbk a=b c");
	ck_assert_uint_eq(res.cmdline_gpa, at + 8);
	ck_assert(find_tag(&mem, res.start_info_gpa, MB2_TAG_LOADER_NAME, 0, &at));
	expect_string(&mem, at + 8, "keel " KEEL_VERSION);
	for (unsigned int i = 0; i < 2; i++) {
		ck_assert(find_tag(&mem, res.start_info_gpa, MB2_TAG_MODULE, i, &at));
		read_gpa(&mem, at, &m, sizeof(m));
		ck_assert_uint_eq(m.tag.size, sizeof(m) + strlen(two_mods[i].name) + 1);
		ck_assert_uint_eq(m.mod_start % 4096, 0);
		ck_assert_uint_eq(m.mod_end - m.mod_start, two_mods[i].size);
		ck_assert_int_eq(memcmp(mem.base + m.mod_start, two_mods[i].data, two_mods[i].size), 0);
		expect_string(&mem, at + sizeof(m), two_mods[i].name);
	}
	ck_assert(!find_tag(&mem, res.start_info_gpa, MB2_TAG_MODULE, 2, &at));
	ck_assert(find_tag(&mem, res.start_info_gpa, MB2_TAG_BASIC_MEMINFO, 0, &at));
	read_gpa(&mem, at, &mi, sizeof(mi));
	ck_assert_uint_eq(mi.tag.size, 16);
	ck_assert_uint_eq(mi.mem_lower, 640);
	ck_assert_uint_eq(mi.mem_upper, (RAM - MiB) / 1024);
	ck_assert(find_tag(&mem, res.start_info_gpa, MB2_TAG_MMAP, 0, &at));
	read_gpa(&mem, at, &mm, sizeof(mm));
	ck_assert_uint_eq(mm.entry_size, 24);
	ck_assert_uint_eq(mm.entry_version, 0);
	ck_assert_uint_eq(mm.tag.size, 16 + (uint32_t)n * 24);
	for (int i = 0; i < n; i++) {
		struct mb2_mmap_entry e;

		read_gpa(&mem, at + 16 + i * sizeof(e), &e, sizeof(e));
		ck_assert_uint_eq(e.base_addr, map[i].addr);
		ck_assert_uint_eq(e.length, map[i].size);
		ck_assert_uint_eq(e.type, map[i].type);
		ck_assert_uint_eq(e.reserved, 0);
	}
	/* keel's RSDP is revision 2: both copies */
	ck_assert(find_tag(&mem, res.start_info_gpa, MB2_TAG_ACPI_OLD, 0, &at));
	read_gpa(&mem, at, &t, sizeof(t));
	ck_assert_uint_eq(t.size, 8 + 20);
	read_gpa(&mem, at + 8, rsdp, 20);
	ck_assert_int_eq(memcmp(rsdp, mem.base + res.acpi_gpa, 20), 0);
	ck_assert_int_eq(memcmp(rsdp, "RSD PTR ", 8), 0);
	ck_assert(find_tag(&mem, res.start_info_gpa, MB2_TAG_ACPI_NEW, 0, &at));
	read_gpa(&mem, at, &t, sizeof(t));
	ck_assert_uint_eq(t.size, 8 + 36);
	read_gpa(&mem, at + 8, rsdp, 36);
	ck_assert_int_eq(memcmp(rsdp, mem.base + res.acpi_gpa, 36), 0);
	ck_assert_uint_eq(rsdp[15], 2);
	/* no relocatable tag and no request: no load base; never a framebuffer */
	ck_assert(!find_tag(&mem, res.start_info_gpa, MB2_TAG_LOAD_BASE, 0, &at));
	ck_assert(!find_tag(&mem, res.start_info_gpa, MB2_TAG_FRAMEBUFFER, 0, &at));
	gmem_destroy(&mem);

	/* a relocatable tag: keel loads at the linked address and says where in tag 21 */
	{
		static const uint32_t reloc[] = { LOAD, 0x1000000, 0x1000, 0 };
		uint32_t base = 0;

		mb2_elf64(&k, false);
		mb2_tag(&k, MB2_HT_RELOCATABLE, 0, 0, reloc, 4);
		mb2_finish(&k);
		req = mbreq(&k, NULL, 0);
		loaded(&boot_multiboot2, &mem, &req, &res);
		ck_assert(find_tag(&mem, res.start_info_gpa, MB2_TAG_LOAD_BASE, 0, &at));
		read_gpa(&mem, at + 8, &base, 4);
		ck_assert_uint_eq(base, LOAD);
		gmem_destroy(&mem);
	}
}
END_TEST

START_TEST(mb2_address_tag)
{
	/* a flat binary from its first byte (load_addr -1): header at file offset 0x40 lands at LOAD + 0x40 */
	const uint32_t addr[4] = { LOAD + 0x40, MB2_LOAD_FROM_FILE_START, 0, LOAD + 0x2000 };
	const uint32_t entry = LOAD + 0x100;
	struct mbk k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;

	memset(&k, 0, sizeof(k));
	for (unsigned int i = 0x100; i < 0x800; i++)
		k.b[i] = (uint8_t)i;
	mb2_begin(&k, 0x40);
	mb2_tag(&k, MB2_HT_ADDRESS, 0, 0, addr, 4);
	mb2_tag(&k, MB2_HT_ENTRY, 0, 0, &entry, 1);
	mb2_finish(&k);
	k.size = 0x800;
	req = mbreq(&k, NULL, 0);
	loaded(&boot_multiboot2, &mem, &req, &res);
	ck_assert_uint_eq(res.kernel_start, LOAD);
	ck_assert_uint_eq(res.kernel_end, LOAD + 0x2000);
	ck_assert_uint_eq(res.entry, LOAD + 0x100);
	ck_assert_int_eq(memcmp(mem.base + LOAD, k.b, 0x800), 0);
	gmem_destroy(&mem);

	/* the address tag without an entry tag: nowhere to enter */
	memset(&k, 0, sizeof(k));
	mb2_begin(&k, 0x40);
	mb2_tag(&k, MB2_HT_ADDRESS, 0, 0, addr, 4);
	mb2_finish(&k);
	k.size = 0x800;
	refused(&boot_multiboot2, &k, "has an address tag but no entry address tag");
	/* header_addr below the header's offset with load_addr -1 */
	memset(&k, 0, sizeof(k));
	{
		const uint32_t low[4] = { 0x10, MB2_LOAD_FROM_FILE_START, 0, 0 };

		mb2_begin(&k, 0x40);
		mb2_tag(&k, MB2_HT_ADDRESS, 0, 0, low, 4);
		mb2_tag(&k, MB2_HT_ENTRY, 0, 0, &entry, 1);
		mb2_finish(&k);
	}
	k.size = 0x800;
	refused(&boot_multiboot2, &k, "header_addr 0x10 is below the header's file offset 0x40");
}
END_TEST

/* A header tag added to a valid Multiboot 2 kernel, and the line it is refused with (NULL: it boots). */
struct extra_tag {
	uint16_t type, flags;
	uint32_t size;			/* 0: from the words */
	uint32_t w[3];
	unsigned int n;
	const char *want;
};

static const struct extra_tag extra[] = {
	{ MB2_HT_ENTRY, 0, 16, { 0x300000 }, 1, "tag type 3 at offset 0x1038: size 16, expected 12" },
	{ MB2_HT_INFO_REQUEST, 0, 0, { MB2_TAG_FRAMEBUFFER }, 1,
	  "asks for tag type 8 (framebuffer: keel has no display), which keel cannot provide" },
	{ MB2_HT_INFO_REQUEST, MB2_HT_OPTIONAL, 0, { MB2_TAG_FRAMEBUFFER }, 1, NULL },
	{ MB2_HT_INFO_REQUEST, 0, 0, { MB2_TAG_LOAD_BASE, MB2_TAG_ACPI_OLD }, 2, NULL },
	{ MB2_HT_FRAMEBUFFER, 0, 0, { 1024, 768, 32 }, 3, "framebuffer tag is not optional and keel has no display" },
	{ MB2_HT_FRAMEBUFFER, MB2_HT_OPTIONAL, 0, { 1024, 768, 32 }, 3, NULL },
	{ MB2_HT_MODULE_ALIGN, 0, 0, { 0 }, 0, NULL },
	{ MB2_HT_CONSOLE_FLAGS, 0, 0, { MB2_CONSOLE_REQUIRED }, 1, "console flags tag requires a console" },
	{ MB2_HT_CONSOLE_FLAGS, MB2_HT_OPTIONAL, 0, { MB2_CONSOLE_REQUIRED }, 1, NULL },
	{ MB2_HT_CONSOLE_FLAGS, 0, 0, { MB2_CONSOLE_EGA_TEXT }, 1, NULL },
	{ MB2_HT_EFI_BS, 0, 0, { 0 }, 0, "header tag type 7 is for EFI, and keel boots without EFI" },
	{ MB2_HT_ENTRY_EFI32, 0, 0, { 0x100040 }, 1, "header tag type 8 is for EFI" },
	{ MB2_HT_ENTRY_EFI64, 0, 0, { 0x100040 }, 1, "header tag type 9 is for EFI" },
	{ MB2_HT_ENTRY_EFI64, MB2_HT_OPTIONAL, 0, { 0x100040 }, 1, NULL },
	{ MB2_HT_RELOCATABLE, 0, 0, { LOAD, 0x1000000, 0x1000 }, 3, "size 20, expected 24" },
	{ 77, 0, 0, { 1 }, 1, "header tag type 77 at offset 0x1038 is unknown to keel and not optional" },
	{ 77, MB2_HT_OPTIONAL, 0, { 1 }, 1, NULL },
};

START_TEST(mb2_refusals)
{
	const uint32_t far = 0x300000;
	struct mbk k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;

	mb2_elf64(&k, true);
	put32(&k, HDR_OFF + 12, 1);
	refused(&boot_multiboot2, &k, "Multiboot 2 header at offset 0x1000: bad checksum 0x00000001");
	mb2_elf64(&k, true);
	put32(&k, HDR_OFF + 4, MB2_ARCH_MIPS32);
	mb2_resum(&k);
	refused(&boot_multiboot2, &k, "is for architecture 4; keel boots i386 (0) kernels");
	mb2_elf64(&k, true);
	put32(&k, HDR_OFF + 8, 16);
	mb2_resum(&k);
	refused(&boot_multiboot2, &k, "header_length 16 is too short");
	mb2_elf64(&k, true);
	put32(&k, HDR_OFF + 8, 0x10000);
	mb2_resum(&k);
	refused(&boot_multiboot2, &k, "header_length 65536 runs past the end of the file");
	/* a tag smaller than its header, one running past header_length, one of the wrong fixed size */
	mb2_elf64(&k, true);
	put32(&k, HDR_OFF + 16 + 4, 4);
	refused(&boot_multiboot2, &k, "size 4 is smaller than a tag header (8)");
	mb2_elf64(&k, true);
	put32(&k, HDR_OFF + 16 + 4, 0x400);
	refused(&boot_multiboot2, &k, "size 1024 runs past header_length");
	/* one more tag after the valid kernel's: refused with a line, or (want NULL) booted without what it asks */
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		const struct extra_tag *e = &extra[i];

		mb2_elf64(&k, false);
		mb2_tag(&k, e->type, e->flags, e->size, e->w, e->n);
		mb2_finish(&k);
		if (e->want) {
			refused(&boot_multiboot2, &k, e->want);
			continue;
		}
		req = mbreq(&k, NULL, 0);
		loaded(&boot_multiboot2, &mem, &req, &res);
		gmem_destroy(&mem);
	}
	/* no end tag within header_length */
	mb2_elf64(&k, true);
	put32(&k, HDR_OFF + 8, (uint32_t)k.mb2_len - 8);
	mb2_resum(&k);
	refused(&boot_multiboot2, &k, "no end tag within its header_length");
	/* the entry tag outside the image; no entry tag: e_entry is above 4 GiB and virtual nowhere executable */
	mb2_elf64(&k, true);
	put32(&k, HDR_OFF + 16 + 24 + 8, far);
	refused(&boot_multiboot2, &k, "the entry address tag's entry_addr 0x300000 is outside the executable part");
	mb2_elf64(&k, false);
	memset(k.b + HDR_OFF + 16 + 24, 0, 16);	/* drop the entry tag */
	k.mb2_len = 16 + 24;
	mb2_finish(&k);
	put32(&k, offsetof(Elf64_Ehdr, e_entry), 0x40);
	refused(&boot_multiboot2, &k, "a 64-bit ELF gives its 32-bit entry in the Multiboot 2 entry address tag");
	/* not ELF and no address tag; the magic cut by the file's end */
	memset(&k, 0, sizeof(k));
	mb2_begin(&k, 0x40);
	mb2_finish(&k);
	k.size = 0x200;
	refused(&boot_multiboot2, &k, "not an ELF file, and its Multiboot 2 header has no address tag");
	memset(&k, 0, sizeof(k));
	put32(&k, 0x100, MB2_HEADER_MAGIC);
	k.size = 0x108;
	refused(&boot_multiboot2, &k, "truncated: the Multiboot 2 header at offset 0x100 needs 16 bytes");
}
END_TEST

START_TEST(modules_and_info_limits)
{
	static uint8_t big[3 * MiB];
	struct boot_module mods[BOOT_MODULES_MAX + 1];
	char names[BOOT_MODULES_MAX][600];
	struct mbk k;
	struct boot_request req;

	mb1_elf(&k);
	/* a module that does not fit after the kernel */
	mods[0] = (struct boot_module){ .data = big, .size = sizeof(big), .name = "big.img" };
	req = mbreq(&k, mods, 1);
	refused_by(&boot_multiboot, &req, 4 * MiB, "big.img: the 3 MiB module does not fit in guest RAM at 0x102000");
	/* too many modules */
	for (unsigned int i = 0; i <= BOOT_MODULES_MAX; i++)
		mods[i] = (struct boot_module){ .data = mod_b, .size = sizeof(mod_b), .name = "m" };
	req = mbreq(&k, mods, BOOT_MODULES_MAX + 1);
	refused_by(&boot_multiboot, &req, RAM, "17 initrds: keel hands over at most 16 modules");
	/* an empty module: refused by check as load refuses it (found by fuzz-elf-pvh) */
	mods[1] = (struct boot_module){ .data = NULL, .size = 0, .name = "empty.img" };
	req = mbreq(&k, mods, 3);
	refused_by(&boot_multiboot, &req, RAM, "empty.img: empty initrd");
	mods[1].name = NULL;
	refused_by(&boot_multiboot, &req, RAM, "initrd: empty initrd");
	mods[1] = mods[0];
	/* module strings that overflow keel's boot area */
	for (unsigned int i = 0; i < BOOT_MODULES_MAX; i++) {
		memset(names[i], 'x', sizeof(names[i]) - 1);
		names[i][sizeof(names[i]) - 1] = '\0';
		mods[i].name = names[i];
	}
	req = mbreq(&k, mods, BOOT_MODULES_MAX);
	refused_by(&boot_multiboot, &req, RAM, "does not fit in keel's 8 KiB boot area");
	mb2_elf64(&k, true);
	req = mbreq(&k, mods, BOOT_MODULES_MAX);
	refused_by(&boot_multiboot2, &req, RAM, "does not fit in keel's 8 KiB boot area");
	mods[0] = mods[2] = (struct boot_module){ .data = mod_b, .size = sizeof(mod_b), .name = "m" };
	mods[1] = (struct boot_module){ .data = NULL, .size = 0, .name = "empty2.img" };
	req = mbreq(&k, mods, 3);
	refused_by(&boot_multiboot2, &req, RAM, "empty2.img: empty initrd");
}
END_TEST

START_TEST(protocol_choice)
{
	struct mbk k;
	struct boot_request req;

	/* both headers: Multiboot 2 first; forced, version 1 still boots it */
	mb2_elf64(&k, true);
	put32(&k, 0x800, MB1_HEADER_MAGIC);	/* a bad Multiboot 1 header: only a forced version 1 looks */
	req = mbreq(&k, NULL, 0);
	ck_assert_ptr_eq(boot_protocol_for(&req), &boot_multiboot2);
	refused_by(&boot_multiboot, &req, RAM, "Multiboot header at offset 0x800: bad checksum");
	/* a Multiboot 1 magic past 8 KiB or off its 4-byte grid is not one */
	memset(&k, 0, sizeof(k));
	put32(&k, 0x2000, MB1_HEADER_MAGIC);
	put32(&k, 0x102, MB1_HEADER_MAGIC);
	k.size = 0x2100;
	req = mbreq(&k, NULL, 0);
	ck_assert_ptr_eq(boot_protocol_for(&req), &boot_pvh);
	refused_by(&boot_multiboot, &req, RAM, "no Multiboot header (magic 0x1badb002 at a 4-byte boundary in the first 8192 bytes)");
	refused_by(&boot_multiboot2, &req, RAM, "no Multiboot 2 header");
	/* a PVH kernel with a stray Multiboot magic (no checksum adds up) boots by PVH */
	{
		struct kimg pk;
		struct guest_mem mem;
		struct boot_result res;

		make_kernel(&pk);
		memcpy(pk.bytes + 0x900, (const uint32_t[]){ MB2_HEADER_MAGIC, MB1_HEADER_MAGIC }, 8);
		req = request(&pk);
		ck_assert_ptr_eq(boot_protocol_for(&req), &boot_pvh);
		boot_ok(&mem, RAM, &req, &res);
		gmem_destroy(&mem);
	}
	/* an ELF32 without a Multiboot header still goes to PVH, which names the class */
	memset(&k, 0, sizeof(k));
	elf32(&k, LOAD, LOAD);
	req = mbreq(&k, NULL, 0);
	ck_assert_ptr_eq(boot_protocol_for(&req), &boot_pvh);
}
END_TEST

START_TEST(entry_registers)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	memset(&regs, 0xff, sizeof(regs));
	regs_multiboot_regs(&regs, 0x100040, MB2_BOOT_MAGIC, 0x6000);
	ck_assert_uint_eq(regs.rip, 0x100040);
	ck_assert_uint_eq(regs.rax, MB2_BOOT_MAGIC);
	ck_assert_uint_eq(regs.rbx, 0x6000);
	ck_assert_uint_eq(regs.rflags, 0x2);	/* IF = 0, VM = 0 */
	ck_assert_uint_eq(regs.rcx | regs.rdx | regs.rsi | regs.rdi | regs.rsp | regs.rbp, 0);
	memset(&sregs, 0, sizeof(sregs));
	regs_pvh_sregs(&sregs);			/* the segment state Multiboot shares with PVH */
	ck_assert_uint_eq(sregs.cr0 & 0x80000001u, 1);	/* PE, no PG */
	ck_assert_uint_eq(sregs.cs.base, 0);
	ck_assert_uint_eq(sregs.cs.limit, 0xffffffff);
	ck_assert_uint_eq(sregs.cs.db, 1);
	ck_assert_uint_eq(sregs.cs.type & 0x8, 0x8);	/* code */
	ck_assert_uint_eq(sregs.ds.type & 0x8, 0);	/* data */
	ck_assert_uint_eq(sregs.ds.limit, 0xffffffff);
	ck_assert_uint_eq(sregs.ss.selector, sregs.ds.selector);
	ck_assert_uint_eq(sregs.es.base | sregs.fs.base | sregs.gs.base | sregs.ss.base, 0);
	ck_assert_uint_eq(sregs.efer, 0);
}
END_TEST

START_TEST(pvh_modules)
{
	/* PVH: one module per --initrd, in order, the device tree last */
	struct kimg k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct hvm_start_info si;
	struct hvm_modlist_entry mods[3];

	make_kernel(&k);
	req = request(&k);
	req.modules = two_mods;
	req.nmodules = 2;
	boot_ok(&mem, RAM, &req, &res);
	read_gpa(&mem, res.start_info_gpa, &si, sizeof(si));
	ck_assert_uint_eq(si.nr_modules, 3);
	read_gpa(&mem, si.modlist_paddr, mods, sizeof(mods));
	ck_assert_uint_eq(mods[0].size, sizeof(mod_a));
	ck_assert_uint_eq(mods[1].size, sizeof(mod_b));
	ck_assert_uint_eq(mods[0].paddr, res.initrd_gpa);
	ck_assert_uint_eq(mods[2].paddr, res.fdt_gpa);
	ck_assert_uint_lt(mods[1].paddr + mods[1].size, mods[0].paddr + 1);	/* each below the one before */
	ck_assert_int_eq(memcmp(mem.base + mods[1].paddr, mod_b, sizeof(mod_b)), 0);
	expect_string(&mem, mods[2].cmdline_paddr, KEEL_FDT_MODULE_CMDLINE);
	gmem_destroy(&mem);
}
END_TEST

/* @req through @proto: 0, or -EINVAL with one line; loads what it accepted. */
static void survives(const struct boot_protocol *proto, struct guest_mem *mem, const struct boot_request *req)
{
	struct boot_result res;
	char err[512];
	int r;

	memset(err, 0x5a, sizeof(err));
	r = proto->check(mem, req, err, sizeof(err));
	ck_assert_msg(r == 0 || r == -EINVAL, "%s check returned %d", proto->name, r);
	ck_assert_msg(memchr(err, '\0', sizeof(err)) != NULL, "unterminated error line");
	if (r == 0) {
		r = proto->load(mem, req, &res, err, sizeof(err));
		ck_assert_msg(r == 0, "%s: checked, then load failed: %s", proto->name, err);
		ck_assert_uint_lt(res.entry, 1ull << 32);
		ck_assert_uint_le(res.kernel_end, 1ull << 32);
	} else {
		ck_assert_msg(strchr(err, '\n') == NULL && err[0], "error \"%s\" is not one line", err);
	}
}

/* Hostile kernels: valid ones with a few bytes changed or cut short never crash or slip through. */
START_TEST(mutated_kernels)
{
	uint32_t seed = 0x12345678u;
	struct guest_mem mem;
	struct mbk k, base[3];
	struct boot_request req;

	mb1_elf(&base[0]);
	mb1_aout(&base[1]);
	mb2_elf64(&base[2], true);
	ck_assert_int_eq(gmem_init(&mem, 16 * MiB), 0);
	for (unsigned int i = 0; i < 3000; i++) {
		const struct mbk *b = &base[i % 3];
		unsigned int n;

		k = *b;
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 28) % 4;
		for (unsigned int j = 0; j < n; j++) {
			/* the ELF and Multiboot headers, where the parsers look */
			size_t at;

			seed = seed * 1103515245u + 12345u;
			at = (seed >> 8) % 2 ? (seed >> 12) % 0x80 : HDR_OFF - 0x40 + (seed >> 12) % 0x100;
			if (b == &base[1])
				at = (seed >> 12) % 0x80;
			k.b[at] = (uint8_t)(seed >> 3);
		}
		if ((seed >> 20) % 8 == 0)
			k.size = (seed >> 4) % (k.size + 1);
		req = mbreq(&k, two_mods, (seed >> 24) % 3);
		survives(&boot_multiboot, &mem, &req);
		survives(&boot_multiboot2, &mem, &req);
	}
	gmem_destroy(&mem);
}
END_TEST

Suite *multiboot_suite(void)
{
	Suite *s = suite_create("multiboot");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, mb1_elf32_info);
	tcase_add_test(tc, mb1_aout_load);
	tcase_add_test(tc, mb1_refusals);
	tcase_add_test(tc, mb1_aout_refusals);
	tcase_add_test(tc, mb2_elf64_info);
	tcase_add_test(tc, mb2_address_tag);
	tcase_add_test(tc, mb2_refusals);
	tcase_add_test(tc, modules_and_info_limits);
	tcase_add_test(tc, protocol_choice);
	tcase_add_test(tc, entry_registers);
	tcase_add_test(tc, pvh_modules);
	tcase_add_test(tc, mutated_kernels);
	tcase_set_timeout(tc, 30);	/* each refusal case loads a whole RAM image: seconds under ASan on a busy host */
	suite_add_tcase(s, tc);
	return s;
}
