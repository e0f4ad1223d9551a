/* Reading a Linux bzImage held in memory: its setup header, its compressed payload, and the vmlinux ELF inside. */
#ifndef KEEL_VMM_BOOT_BZIMAGE_H
#define KEEL_VMM_BOOT_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A bzImage as bzimage_parse() found it (Linux's Documentation/arch/x86/boot.rst): header fields
 * in host order, and pointers into the caller's file buffer, valid as long as it is.
 */
struct bzimage {
	uint16_t version;		/* boot protocol, 0x020f for 2.15; always 2.12 or later */
	unsigned int setup_sects;	/* real-mode setup sectors (a 0 in the file reads as 4) */
	uint32_t syssize;		/* protected-mode code, in 16-byte paragraphs */
	uint8_t loadflags;
	uint16_t xloadflags;		/* always has XLF_KERNEL_64 (bit 0) */
	uint32_t initrd_addr_max;	/* highest address an initrd may end at */
	uint32_t kernel_alignment;
	uint8_t relocatable_kernel;
	uint32_t cmdline_size;		/* longest command line, NUL excluded (255 before protocol 2.06) */
	uint64_t pref_address;		/* where the kernel prefers to be loaded */
	uint32_t init_size;		/* bytes the kernel needs from its load address while it boots */
	uint32_t payload_offset;	/* the payload, from the start of the protected-mode part */
	uint32_t payload_length;	/* its size trailer included */
	uint32_t handover_offset;	/* EFI handover entry, from the start of the protected-mode part */
	size_t pm_offset;		/* where the protected-mode part starts: (setup_sects + 1) * 512 */
	const uint8_t *setup_hdr;	/* the setup header in the file, from 0x1f1 ... */
	size_t setup_hdr_len;		/* ... to 0x202 + the byte at 0x201 */
	const uint8_t *payload;		/* the compressed vmlinux in the file, its 4-byte trailer included */
	size_t payload_len;
	const char *payload_format;	/* "gzip", "xz", "lzma", "lz4", "zstd", "bzip2" or "lzo" */
	uint32_t vmlinux_size;		/* what the payload decompresses to, by its trailer (not checked yet) */
};

/* bzimage_probe - whether @file (@size bytes) looks like a bzImage: 0xAA55 at 0x1fe and "HdrS" at 0x202. */
bool bzimage_probe(const uint8_t *file, size_t size);

/*
 * bzimage_parse - check @file (@size bytes, hostile) as a bzImage that keel can boot and fill @out.
 * Reads only the header and the payload's first bytes and trailer. Returns 0, or -EINVAL with one
 * line "@name: problem" in @err (@errlen bytes): a file too short, a setup header or a payload
 * outside the file, boot protocol before 2.12, no 64-bit entry (XLF_KERNEL_64), a payload in no
 * known compression format.
 */
int bzimage_parse(const uint8_t *file, size_t size, const char *name, struct bzimage *out, char *err,
		  size_t errlen);

/*
 * bzimage_vmlinux - decompress the payload of @bz (from bzimage_parse()) into a new heap buffer
 * *@out of *@outlen bytes, at most @limit, and check it starts as an ELF file (the vmlinux, maybe
 * followed by its relocations: every byte is kept). The caller frees *@out. Returns 0, -EINVAL with
 * one line "@name: problem" in @err (@errlen bytes), or another negative errno from kz_decompress().
 */
int bzimage_vmlinux(const struct bzimage *bz, const char *name, size_t limit, uint8_t **out,
		    size_t *outlen, char *err, size_t errlen);

#endif
