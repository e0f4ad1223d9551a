/* Multiboot 1 and 2: the kernel's header, the boot information keel hands over and the magics, as both specifications define them. */
#ifndef KEEL_FIRMWARE_MULTIBOOT_H
#define KEEL_FIRMWARE_MULTIBOOT_H

/*
 * Written from the Multiboot Specification version 0.6.96 and the Multiboot2 Specification
 * version 1.0 (i386 state). Little-endian, fixed offsets (checked below), no libc beyond
 * <stdint.h>: the VMM and the freestanding test kernels (tests/multiboot/) both include it.
 * Every address in these structures is a 32-bit guest-physical one, except the 64-bit base and
 * length of memory map entries. The constants are plain numbers so that assembly can use them.
 */

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* ---- Multiboot 1 ------------------------------------------------------------------------- */

#define MB1_HEADER_MAGIC 0x1badb002	/* in the kernel file, 4-byte aligned ... */
#define MB1_SEARCH 8192		/* ... within its first 8192 bytes */
#define MB1_BOOT_MAGIC 0x2badb002	/* %eax at the kernel's entry */

/* Header flags. Bits 0-15 are requirements a loader must refuse when it cannot meet them. */
#define MB1_HF_PAGE_ALIGN (1 << 0)	/* modules page aligned */
#define MB1_HF_MEMINFO (1 << 1)	/* mem_lower/mem_upper and the memory map wanted */
#define MB1_HF_VIDEO (1 << 2)		/* the video mode table wanted (needs a display) */
#define MB1_HF_AOUT_KLUDGE (1 << 16)	/* the address fields are valid: load by them */
#define MB1_HF_REQUIRED_MASK 0xffff

/* Info flags: which fields of struct mb1_info are valid. */
#define MB1_INFO_MEMORY (1 << 0)	/* mem_lower, mem_upper */
#define MB1_INFO_BOOTDEV (1 << 1)
#define MB1_INFO_CMDLINE (1 << 2)
#define MB1_INFO_MODS (1 << 3)
#define MB1_INFO_AOUT_SYMS (1 << 4)
#define MB1_INFO_ELF_SHDR (1 << 5)
#define MB1_INFO_MMAP (1 << 6)
#define MB1_INFO_DRIVES (1 << 7)
#define MB1_INFO_CONFIG_TABLE (1 << 8)
#define MB1_INFO_LOADER_NAME (1 << 9)
#define MB1_INFO_APM (1 << 10)
#define MB1_INFO_VBE (1 << 11)
#define MB1_INFO_FRAMEBUFFER (1 << 12)

/* Memory types, the same in both versions (and the same numbers as e820). */
#define MB_MEMORY_AVAILABLE 1
#define MB_MEMORY_RESERVED 2
#define MB_MEMORY_ACPI_RECLAIMABLE 3
#define MB_MEMORY_NVS 4
#define MB_MEMORY_BADRAM 5

/* ---- Multiboot 2 ------------------------------------------------------------------------- */

#define MB2_HEADER_MAGIC 0xe85250d6	/* in the kernel file, 8-byte aligned ... */
#define MB2_SEARCH 32768		/* ... within its first 32768 bytes */
#define MB2_BOOT_MAGIC 0x36d76289	/* %eax at the kernel's entry */
#define MB2_ARCH_I386 0		/* 32-bit protected mode */
#define MB2_ARCH_MIPS32 4

#define MB2_HT_OPTIONAL 1
#define MB2_HT_END 0
#define MB2_HT_INFO_REQUEST 1		/* u32 tag types the kernel wants in the boot information */
#define MB2_HT_ADDRESS 2		/* struct mb2_ht_address */
#define MB2_HT_ENTRY 3			/* u32 entry_addr (physical, i386 state) */
#define MB2_HT_CONSOLE_FLAGS 4		/* u32 console_flags */
#define MB2_HT_FRAMEBUFFER 5		/* u32 width, height, depth */
#define MB2_HT_MODULE_ALIGN 6		/* modules page aligned */
#define MB2_HT_EFI_BS 7		/* leave EFI boot services running */
#define MB2_HT_ENTRY_EFI32 8
#define MB2_HT_ENTRY_EFI64 9
#define MB2_HT_RELOCATABLE 10		/* struct mb2_ht_relocatable */

#define MB2_CONSOLE_REQUIRED (1 << 0)	/* console_flags: a supported console must exist and be described */
#define MB2_CONSOLE_EGA_TEXT (1 << 1)	/* console_flags: the kernel drives EGA text mode */

#define MB2_LOAD_FROM_FILE_START 0xffffffff

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1		/* NUL-terminated string */
#define MB2_TAG_LOADER_NAME 2		/* NUL-terminated string */
#define MB2_TAG_MODULE 3		/* struct mb2_tag_module + NUL-terminated string */
#define MB2_TAG_BASIC_MEMINFO 4	/* struct mb2_tag_meminfo */
#define MB2_TAG_BOOTDEV 5
#define MB2_TAG_MMAP 6			/* struct mb2_tag_mmap + entries */
#define MB2_TAG_VBE 7
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ELF_SECTIONS 9
#define MB2_TAG_APM 10
#define MB2_TAG_EFI32 11
#define MB2_TAG_EFI64 12
#define MB2_TAG_SMBIOS 13
#define MB2_TAG_ACPI_OLD 14		/* a copy of the ACPI 1.0 RSDP (20 bytes) */
#define MB2_TAG_ACPI_NEW 15		/* a copy of the ACPI 2.0+ RSDP (its length field's bytes) */
#define MB2_TAG_NETWORK 16
#define MB2_TAG_EFI_MMAP 17
#define MB2_TAG_EFI_BS 18
#define MB2_TAG_EFI32_IH 19
#define MB2_TAG_EFI64_IH 20
#define MB2_TAG_LOAD_BASE 21		/* u32 load_base_addr: where the image's lowest byte was loaded */

#define MB2_ALIGN 8			/* tags, header tags and the information itself */
#define MB_ACPI_RSDP_V1_LEN 20		/* the ACPI 1.0 part of an RSDP */

#ifndef __ASSEMBLER__
/* ---- The structures (C only) ---------------------------------------------------------------- */

struct mb1_header {
	uint32_t magic;			/* MB1_HEADER_MAGIC */
	uint32_t flags;			/* MB1_HF_* */
	uint32_t checksum;		/* magic + flags + checksum == 0 (mod 2^32) */
	/* valid with MB1_HF_AOUT_KLUDGE: */
	uint32_t header_addr;		/* where the magic lands */
	uint32_t load_addr;		/* where the file's loaded part starts (<= header_addr) */
	uint32_t load_end_addr;		/* end of the loaded part; 0: the rest of the file */
	uint32_t bss_end_addr;		/* end of the zeroed part after it; 0: none */
	uint32_t entry_addr;		/* physical entry */
	/* valid with MB1_HF_VIDEO: */
	uint32_t mode_type, width, height, depth;
};

/* The boot information (%ebx at entry). */
struct mb1_info {
	uint32_t flags;			/*   0: MB1_INFO_* */
	uint32_t mem_lower;		/*   4: KiB of RAM from 0 (at most 640) */
	uint32_t mem_upper;		/*   8: KiB of RAM from 1 MiB up to the first hole */
	uint32_t boot_device;		/*  12 */
	uint32_t cmdline;		/*  16: NUL-terminated */
	uint32_t mods_count;		/*  20 */
	uint32_t mods_addr;		/*  24: struct mb1_module[mods_count] */
	uint32_t syms[4];		/*  28: a.out symbols or ELF section headers */
	uint32_t mmap_length;		/*  44: bytes of memory map */
	uint32_t mmap_addr;		/*  48: the first entry's size field */
	uint32_t drives_length;		/*  52 */
	uint32_t drives_addr;		/*  56 */
	uint32_t config_table;		/*  60 */
	uint32_t boot_loader_name;	/*  64: NUL-terminated */
	uint32_t apm_table;		/*  68 */
	uint32_t vbe_control_info;	/*  72 */
	uint32_t vbe_mode_info;		/*  76 */
	uint16_t vbe_mode;		/*  80 */
	uint16_t vbe_interface_seg;	/*  82 */
	uint16_t vbe_interface_off;	/*  84 */
	uint16_t vbe_interface_len;	/*  86 */
	uint32_t framebuffer_addr_lo;	/*  88: 64 bits split so the struct stays 4-byte aligned */
	uint32_t framebuffer_addr_hi;	/*  92 */
	uint32_t framebuffer_pitch;	/*  96 */
	uint32_t framebuffer_width;	/* 100 */
	uint32_t framebuffer_height;	/* 104 */
	uint8_t framebuffer_bpp;	/* 108 */
	uint8_t framebuffer_type;	/* 109 */
	uint8_t color_info[6];		/* 110 */
};

struct mb1_module {
	uint32_t mod_start;		/* first byte */
	uint32_t mod_end;		/* one past the last byte */
	uint32_t string;		/* NUL-terminated module string, or 0 */
	uint32_t reserved;		/* 0 */
};

/*
 * A memory map entry: the size field comes first but does not count itself (20 for this layout);
 * the next entry starts size + 4 bytes further. mmap_addr points at the size field. The 64-bit
 * fields sit at offsets 4 and 12, so the entry is written as 32-bit halves.
 */
struct mb1_mmap_entry {
	uint32_t size;			/* 20 */
	uint32_t base_lo, base_hi;
	uint32_t length_lo, length_hi;
	uint32_t type;			/* MB_MEMORY_* */
};

struct mb2_header {
	uint32_t magic;			/* MB2_HEADER_MAGIC */
	uint32_t architecture;		/* MB2_ARCH_* */
	uint32_t header_length;		/* bytes, tags included */
	uint32_t checksum;		/* magic + architecture + header_length + checksum == 0 */
};

/* Header tags follow the header, each 8-byte aligned; the list ends with an end tag (type 0, size 8). */
struct mb2_header_tag {
	uint16_t type;			/* MB2_HT_* */
	uint16_t flags;			/* MB2_HT_OPTIONAL: a loader that cannot honour the tag may ignore it */
	uint32_t size;			/* bytes, this header included, padding excluded */
};

struct mb2_ht_address {
	struct mb2_header_tag tag;	/* type 2, size 24 */
	uint32_t header_addr;		/* where the header's magic lands */
	uint32_t load_addr;		/* where loading starts (<= header_addr); 0xffffffff: the file's start */
	uint32_t load_end_addr;		/* end of the loaded part; 0: the rest of the file */
	uint32_t bss_end_addr;		/* end of the zeroed part after it; 0: none */
};

struct mb2_ht_relocatable {
	struct mb2_header_tag tag;	/* type 10, size 24 */
	uint32_t min_addr, max_addr, align;
	uint32_t preference;		/* 0 none, 1 lowest, 2 highest */
};

/* The boot information (%ebx at entry, 8-byte aligned): this fixed part, then tags each 8-byte aligned. */
struct mb2_info_header {
	uint32_t total_size;		/* bytes, this header and the end tag included */
	uint32_t reserved;		/* 0 */
};

struct mb2_tag {
	uint32_t type;			/* MB2_TAG_* */
	uint32_t size;			/* bytes, this header included, padding excluded */
};

struct mb2_tag_module {
	struct mb2_tag tag;		/* type 3, size 17 + strlen(string) */
	uint32_t mod_start;		/* first byte */
	uint32_t mod_end;		/* one past the last byte */
	/* char string[]: NUL-terminated */
};

struct mb2_tag_meminfo {
	struct mb2_tag tag;		/* type 4, size 16 */
	uint32_t mem_lower;		/* KiB of RAM from 0 (at most 640) */
	uint32_t mem_upper;		/* KiB of RAM from 1 MiB up to the first hole */
};

struct mb2_tag_mmap {
	struct mb2_tag tag;		/* type 6, size 16 + n * entry_size */
	uint32_t entry_size;		/* 24 (a multiple of 8) */
	uint32_t entry_version;		/* 0 */
	/* struct mb2_mmap_entry entries[] */
};

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;			/* MB_MEMORY_* */
	uint32_t reserved;		/* 0 */
};

struct mb2_tag_load_base {
	struct mb2_tag tag;		/* type 21, size 12 */
	uint32_t load_base_addr;
};

_Static_assert(sizeof(struct mb1_header) == 48, "mb1_header layout");
_Static_assert(sizeof(struct mb1_info) == 116, "mb1_info layout");
_Static_assert(__builtin_offsetof(struct mb1_info, mmap_length) == 44, "mb1_info.mmap_length");
_Static_assert(__builtin_offsetof(struct mb1_info, boot_loader_name) == 64, "mb1_info.boot_loader_name");
_Static_assert(__builtin_offsetof(struct mb1_info, framebuffer_addr_lo) == 88, "mb1_info.framebuffer_addr");
_Static_assert(sizeof(struct mb1_module) == 16, "mb1_module layout");
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "mb1_mmap_entry layout");
_Static_assert(sizeof(struct mb2_header) == 16, "mb2_header layout");
_Static_assert(sizeof(struct mb2_header_tag) == 8, "mb2_header_tag layout");
_Static_assert(sizeof(struct mb2_ht_address) == 24, "mb2_ht_address layout");
_Static_assert(sizeof(struct mb2_ht_relocatable) == 24, "mb2_ht_relocatable layout");
_Static_assert(sizeof(struct mb2_tag_module) == 16, "mb2_tag_module layout");
_Static_assert(sizeof(struct mb2_tag_meminfo) == 16, "mb2_tag_meminfo layout");
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "mb2_tag_mmap layout");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2_mmap_entry layout");
#endif

#endif
