/* Linux's x86 boot protocol: the zero page (boot_params), its setup header, e820 entries and setup_data, as the kernel documents them. */
#ifndef KEEL_FIRMWARE_LINUX_BOOT_H
#define KEEL_FIRMWARE_LINUX_BOOT_H

/*
 * Written from Linux's Documentation/arch/x86/boot.rst and zero-page.rst. Little-endian,
 * packed, fixed offsets (checked below). A bzImage file starts with the same first 4 KiB-ish:
 * its setup header sits at file offset LINUX_SETUP_HDR_OFF, the same offset as in the zero page.
 */

#include <stdint.h>

#define LINUX_SETUP_HDR_OFF 0x1f1u	/* the setup header, in a bzImage file and in boot_params */
#define LINUX_BOOT_FLAG 0xaa55u		/* setup_header.boot_flag */
#define LINUX_HDRS_MAGIC 0x53726448u	/* "HdrS", setup_header.header */
#define LINUX_LOADER_UNDEFINED 0xffu	/* type_of_loader: a boot loader without an assigned id */
#define LINUX_LOADED_HIGH (1u << 0)	/* loadflags: the protected-mode kernel is at 1 MiB or above */
#define LINUX_CAN_USE_HEAP (1u << 7)	/* loadflags: heap_end_ptr is valid */
#define LINUX_XLF_KERNEL_64 (1u << 0)	/* xloadflags: the kernel has the 64-bit entry at +0x200 */
#define LINUX_E820_MAX 128u		/* entries of boot_params.e820_table */
#define LINUX_E820_RAM 1u
#define LINUX_E820_RESERVED 2u
#define LINUX_E820_ACPI 3u
#define LINUX_SETUP_RNG_SEED 9u		/* setup_data type: bytes to seed the kernel's RNG early */
#define LINUX_BOOT_CS 0x10u		/* the 64-bit entry wants these selectors (__BOOT_CS, __BOOT_DS) */
#define LINUX_BOOT_DS 0x18u

struct linux_setup_header {
	uint8_t setup_sects;		/* 0x1f1: 512-byte sectors of real-mode setup (0 means 4) */
	uint16_t root_flags;
	uint32_t syssize;		/* protected-mode part, in 16-byte paragraphs */
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;		/* 0x1fe: LINUX_BOOT_FLAG */
	uint16_t jump;
	uint32_t header;		/* 0x202: LINUX_HDRS_MAGIC */
	uint16_t version;		/* 0x206: boot protocol version, 0x020c = 2.12 */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t type_of_loader;		/* 0x210 */
	uint8_t loadflags;
	uint16_t setup_move_size;
	uint32_t code32_start;		/* 0x214 */
	uint32_t ramdisk_image;		/* 0x218 */
	uint32_t ramdisk_size;
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr;		/* 0x228 */
	uint32_t initrd_addr_max;	/* 0x22c: highest byte an initrd may occupy */
	uint32_t kernel_alignment;
	uint8_t relocatable_kernel;
	uint8_t min_alignment;
	uint16_t xloadflags;		/* 0x236 */
	uint32_t cmdline_size;		/* 0x238: longest command line, NUL excluded */
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;	/* 0x248: from the protected-mode part's start */
	uint32_t payload_length;
	uint64_t setup_data;		/* 0x250: guest-physical address of the first struct linux_setup_data */
	uint64_t pref_address;
	uint32_t init_size;		/* 0x260: bytes the kernel needs from its load address while it boots */
	uint32_t handover_offset;
	uint32_t kernel_info_offset;
} __attribute__((packed));

struct linux_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

/* The zero page. Only the fields a boot loader fills are named; the rest is padding. */
struct linux_boot_params {
	uint8_t pad0[0x70];
	uint64_t acpi_rsdp_addr;	/* 0x070: the RSDP's guest-physical address (protocol 2.14) */
	uint8_t pad1[0xc0 - 0x78];
	uint32_t ext_ramdisk_image;	/* 0x0c0: high 32 bits of ramdisk_image */
	uint32_t ext_ramdisk_size;
	uint32_t ext_cmd_line_ptr;
	uint8_t pad2[0x1e8 - 0xcc];
	uint8_t e820_entries;		/* 0x1e8 */
	uint8_t pad3[LINUX_SETUP_HDR_OFF - 0x1e9];
	struct linux_setup_header hdr;	/* 0x1f1 */
	uint8_t pad4[0x2d0 - 0x1f1 - sizeof(struct linux_setup_header)];
	struct linux_e820_entry e820_table[LINUX_E820_MAX];	/* 0x2d0 */
	uint8_t pad5[0x1000 - 0x2d0 - LINUX_E820_MAX * sizeof(struct linux_e820_entry)];
} __attribute__((packed));

/* One node of the setup_data list (hdr.setup_data, then each next); @len bytes of data follow. */
struct linux_setup_data {
	uint64_t next;
	uint32_t type;
	uint32_t len;
} __attribute__((packed));

_Static_assert(sizeof(struct linux_boot_params) == 0x1000, "boot_params is one page");
_Static_assert(__builtin_offsetof(struct linux_boot_params, hdr) == 0x1f1, "setup header offset");
_Static_assert(__builtin_offsetof(struct linux_boot_params, e820_table) == 0x2d0, "e820 table offset");
_Static_assert(__builtin_offsetof(struct linux_boot_params, hdr.cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(__builtin_offsetof(struct linux_boot_params, hdr.xloadflags) == 0x236, "xloadflags");
_Static_assert(__builtin_offsetof(struct linux_boot_params, hdr.setup_data) == 0x250, "setup_data");
_Static_assert(__builtin_offsetof(struct linux_boot_params, hdr.kernel_info_offset) == 0x268, "kernel_info_offset");

#endif
