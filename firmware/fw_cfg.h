/* The fw_cfg contract with the guest (QEMU's firmware configuration interface on x86): ports, item keys, the DMA request and the file directory's layout. */
#ifndef KEEL_FIRMWARE_FW_CFG_H
#define KEEL_FIRMWARE_FW_CFG_H

/*
 * Written from QEMU's docs/specs/fw_cfg.rst (the guest-side interface). Ports, as on QEMU's PC
 * machine:
 *   0x510  selector: a 16-bit write selects an item and sets its offset to 0
 *   0x511  data: each byte read gives the item's next byte; past the end, 0
 *   0x514  DMA address, high 32 bits, big-endian (a 32-bit write)
 *   0x518  DMA address, low 32 bits, big-endian: writing it starts the request at the address
 *          (high << 32 | low); the address register is 0 again afterwards
 * Reading [0x514, 0x51c) gives the bytes of FW_CFG_DMA_SIGNATURE. Everything is read-only to the
 * guest: data-port writes are ignored, DMA writes fail with the error bit.
 */
#define FW_CFG_PORT_SEL 0x510u
#define FW_CFG_PORT_DATA 0x511u
#define FW_CFG_PORT_DMA_HI 0x514u
#define FW_CFG_PORT_DMA_LO 0x518u
#define FW_CFG_PORT_COUNT 12u		/* [0x510, 0x51c), the range ACPI's _CRS claims */
#define FW_CFG_DMA_SIGNATURE "QEMU CFG"	/* 0x51454d5520434647, big-endian */

/* Item keys (the selector's value). Bit 14 (write channel) is ignored; bit 15 (architecture) selects nothing here. */
#define FW_CFG_SIGNATURE 0x0000u	/* "QEMU" */
#define FW_CFG_ID 0x0001u		/* le32 feature bits below */
#define FW_CFG_RAM_SIZE 0x0003u		/* le64: bytes of guest RAM */
#define FW_CFG_NB_CPUS 0x0005u		/* le16: vCPUs at boot */
#define FW_CFG_KERNEL_ADDR 0x0007u	/* le32: where the kernel's lowest byte was loaded */
#define FW_CFG_KERNEL_SIZE 0x0008u	/* le32: size of KERNEL_DATA */
#define FW_CFG_KERNEL_CMDLINE 0x0009u	/* le32: the same as CMDLINE_ADDR (QEMU's older key) */
#define FW_CFG_INITRD_ADDR 0x000au	/* le32: where the (first) initrd was loaded */
#define FW_CFG_INITRD_SIZE 0x000bu	/* le32: size of INITRD_DATA */
#define FW_CFG_MAX_CPUS 0x000fu		/* le16: vCPUs at most (keel has no CPU hotplug: NB_CPUS) */
#define FW_CFG_KERNEL_DATA 0x0011u	/* the kernel file as given (--kernel, or the bundled guest's ELF) */
#define FW_CFG_INITRD_DATA 0x0012u	/* the first initrd's bytes */
#define FW_CFG_CMDLINE_ADDR 0x0013u	/* le32: where the kernel finds its command line */
#define FW_CFG_CMDLINE_SIZE 0x0014u	/* le32: its length with the NUL */
#define FW_CFG_CMDLINE_DATA 0x0015u	/* the command line as the kernel receives it, NUL-terminated */
#define FW_CFG_FILE_DIR 0x0019u		/* the file directory below */
#define FW_CFG_FILE_FIRST 0x0020u	/* the files' keys: FILE_FIRST + their index in the directory */
#define FW_CFG_WRITE_CHANNEL 0x4000u
#define FW_CFG_ARCH_LOCAL 0x8000u

#define FW_CFG_SIGNATURE_BYTES "QEMU"
#define FW_CFG_ID_TRADITIONAL 0x01u	/* the selector and data ports */
#define FW_CFG_ID_DMA 0x02u		/* the DMA interface */

/*
 * The DMA request the guest writes the address of: every field big-endian. control: bits below,
 * the selector in bits 16-31 with FW_CFG_DMA_CTL_SELECT. On completion keel writes control back
 * as 0, or FW_CFG_DMA_CTL_ERROR (the request's memory is not RAM, a write, or the data ran out
 * of RAM; what was copied before that stays).
 */
struct fw_cfg_dma_access {
	unsigned int control;
	unsigned int length;
	unsigned long long address;
};

#define FW_CFG_DMA_CTL_ERROR 0x01u
#define FW_CFG_DMA_CTL_READ 0x02u	/* copy length bytes of the item at its offset to address */
#define FW_CFG_DMA_CTL_SKIP 0x04u	/* advance the offset by length (neither READ nor WRITE) */
#define FW_CFG_DMA_CTL_SELECT 0x08u	/* select control >> 16 first, as the selector port does */
#define FW_CFG_DMA_CTL_WRITE 0x10u	/* copy into the item: always refused (no item is writable) */

/*
 * The file directory (FW_CFG_FILE_DIR): be32 count, then count entries sorted by name, each
 * 64 bytes: be32 size, be16 select, be16 reserved (0), name NUL-terminated and NUL-padded.
 */
#define FW_CFG_NAME_MAX 56u		/* name bytes with the NUL: names are at most 55 bytes */

struct fw_cfg_file_entry {
	unsigned int size;
	unsigned short select;
	unsigned short reserved;
	char name[FW_CFG_NAME_MAX];
};

/*
 * keel's own files. "etc/e820": the memory map the guest was given (PVH's memory map, Linux's
 * e820), one 20-byte entry per range: le64 address, le64 length, le32 type (1 RAM, 2 reserved).
 */
#define FW_CFG_FILE_E820 "etc/e820"
#define FW_CFG_E820_ENTRY_BYTES 20u

/* The names `keel run --fw-cfg name=NAME,...` may give: QEMU reserves every other for itself. */
#define FW_CFG_USER_PREFIX "opt/"

_Static_assert(sizeof(struct fw_cfg_dma_access) == 16, "FWCfgDmaAccess layout");
_Static_assert(sizeof(struct fw_cfg_file_entry) == 64, "FWCfgFile layout");

#endif
