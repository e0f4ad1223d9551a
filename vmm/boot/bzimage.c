/* Reading a Linux bzImage: the setup header's fields checked against the file, and the payload decompressed to the vmlinux ELF. */
#include "vmm/boot/bzimage.h"

#include "vmm/boot/decompress.h"
#include "vmm/boot/msg.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* File offsets of the setup header's fields (boot.rst), the same as in the zero page. */
#define HDR_START 0x1f1u		/* setup_sects, the header's first byte */
#define HDR_SYSSIZE 0x1f4u
#define HDR_BOOT_FLAG 0x1feu		/* 0xaa55 */
#define HDR_JUMP_LEN 0x201u		/* the jump's 8-bit displacement: where the header ends */
#define HDR_MAGIC 0x202u		/* "HdrS" */
#define HDR_VERSION 0x206u
#define HDR_LOADFLAGS 0x211u
#define HDR_INITRD_ADDR_MAX 0x22cu
#define HDR_KERNEL_ALIGNMENT 0x230u
#define HDR_RELOCATABLE 0x234u
#define HDR_XLOADFLAGS 0x236u
#define HDR_CMDLINE_SIZE 0x238u
#define HDR_PAYLOAD_OFFSET 0x248u
#define HDR_PAYLOAD_LENGTH 0x24cu
#define HDR_PREF_ADDRESS 0x258u
#define HDR_INIT_SIZE 0x260u
#define HDR_HANDOVER_OFFSET 0x264u
#define HDR_READ_END 0x268u		/* one past the last field read here (2.11's handover_offset) */

#define BOOT_FLAG 0xaa55u
#define PROTOCOL_MIN 0x020cu		/* 2.12: XLF_KERNEL_64, the 64-bit entry */
#define XLF_KERNEL_64 0x0001u
#define SECTOR 512u

/* NAME: problem, in the caller's err; evaluates to -EINVAL. */
#define FAIL(fmt, ...) boot_errf(err, errlen, "%s: " fmt, name, ##__VA_ARGS__)

static uint64_t le(const uint8_t *p, unsigned int len)
{
	uint64_t v = 0;

	for (unsigned int i = len; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* "xx xx xx xx": the first bytes of @p (up to 4 of @n), for messages. */
static void first_bytes(char *buf, size_t len, const uint8_t *p, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < 4 && used + 3 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%02x", i ? " " : "", p[i]);
}

bool bzimage_probe(const uint8_t *file, size_t size)
{
	return size >= HDR_MAGIC + 4 && le(file + HDR_BOOT_FLAG, 2) == BOOT_FLAG &&
	       memcmp(file + HDR_MAGIC, "HdrS", 4) == 0;
}

/* The header's fields, once it is known to lie in the file and to have them all. */
static void read_fields(const uint8_t *file, struct bzimage *bz)
{
	bz->version = (uint16_t)le(file + HDR_VERSION, 2);
	bz->setup_sects = file[HDR_START] ? file[HDR_START] : 4;
	bz->syssize = (uint32_t)le(file + HDR_SYSSIZE, 4);
	bz->loadflags = file[HDR_LOADFLAGS];
	bz->xloadflags = (uint16_t)le(file + HDR_XLOADFLAGS, 2);
	bz->initrd_addr_max = (uint32_t)le(file + HDR_INITRD_ADDR_MAX, 4);
	bz->kernel_alignment = (uint32_t)le(file + HDR_KERNEL_ALIGNMENT, 4);
	bz->relocatable_kernel = file[HDR_RELOCATABLE];
	bz->cmdline_size = bz->version >= 0x0206 ? (uint32_t)le(file + HDR_CMDLINE_SIZE, 4) : 255;
	bz->pref_address = le(file + HDR_PREF_ADDRESS, 8);
	bz->init_size = (uint32_t)le(file + HDR_INIT_SIZE, 4);
	bz->payload_offset = (uint32_t)le(file + HDR_PAYLOAD_OFFSET, 4);
	bz->payload_length = (uint32_t)le(file + HDR_PAYLOAD_LENGTH, 4);
	bz->handover_offset = (uint32_t)le(file + HDR_HANDOVER_OFFSET, 4);
	bz->pm_offset = ((size_t)bz->setup_sects + 1) * SECTOR;
	bz->setup_hdr = file + HDR_START;
	bz->setup_hdr_len = HDR_MAGIC + file[HDR_JUMP_LEN] - HDR_START;
}

int bzimage_parse(const uint8_t *file, size_t size, const char *name, struct bzimage *out, char *err,
		  size_t errlen)
{
	struct bzimage bz;
	size_t hdr_end;
	uint64_t start;
	char first[16];

	if (size < HDR_VERSION + 2)
		return FAIL("%zu bytes, too short for a bzImage (its setup header needs 0x%x at least)", size,
			    HDR_READ_END);
	if (!bzimage_probe(file, size))
		return FAIL("not a bzImage (no 0xAA55 boot flag at 0x1fe and \"HdrS\" at 0x202)");
	hdr_end = HDR_MAGIC + file[HDR_JUMP_LEN];
	if (hdr_end > size)
		return FAIL("the setup header runs to 0x%zx, past the end of the file (%zu bytes)", hdr_end,
			    size);
	memset(&bz, 0, sizeof(bz));
	bz.version = (uint16_t)le(file + HDR_VERSION, 2);
	if (bz.version < PROTOCOL_MIN)
		return FAIL("needs boot protocol 2.12 or later (64-bit entry); this kernel has %u.%02u",
			    bz.version >> 8, bz.version & 0xff);
	if (hdr_end < HDR_READ_END)
		return FAIL("the setup header ends at 0x%zx, too short for boot protocol %u.%02u (0x%x)",
			    hdr_end, bz.version >> 8, bz.version & 0xff, HDR_READ_END);
	read_fields(file, &bz);
	if (!(bz.xloadflags & XLF_KERNEL_64))
		return FAIL("not a 64-bit kernel: XLF_KERNEL_64 (bit 0 of xloadflags 0x%04x) is clear",
			    bz.xloadflags);
	if (bz.pm_offset > size)
		return FAIL("the %u setup sectors run past the end of the file (%zu bytes)", bz.setup_sects,
			    size);
	start = (uint64_t)bz.pm_offset + bz.payload_offset;
	if (bz.payload_length == 0)
		return FAIL("no payload (payload_length is 0)");
	if (start > size || bz.payload_length > size - start)
		return FAIL("the payload [0x%llx, +0x%x) lies outside the file (%zu bytes)",
			    (unsigned long long)start, bz.payload_length, size);
	bz.payload = file + start;
	bz.payload_len = bz.payload_length;
	bz.payload_format = kz_format_name(bz.payload, bz.payload_len);
	if (!bz.payload_format) {
		first_bytes(first, sizeof(first), bz.payload, bz.payload_len);
		return FAIL("unknown payload format (it starts with %s; keel reads gzip, xz, lzma, lz4, zstd, bzip2"
			    " and lzo)", first);
	}
	if (bz.payload_len >= 4)
		bz.vmlinux_size = (uint32_t)kz_output_size(bz.payload, bz.payload_len);
	*out = bz;
	return 0;
}

int bzimage_vmlinux(const struct bzimage *bz, const char *name, size_t limit, uint8_t **out,
		    size_t *outlen, char *err, size_t errlen)
{
	char why[256], first[16];
	uint8_t *buf;
	size_t len;
	int ret;

	ret = kz_decompress(bz->payload, bz->payload_len, limit, &buf, &len, why, sizeof(why));
	if (ret == -EINVAL)
		return FAIL("%s", why);
	if (ret)
		return ret;
	if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0) {
		first_bytes(first, sizeof(first), buf, len);
		free(buf);
		return FAIL("the decompressed %s payload is not an ELF file (it starts with %s)",
			    bz->payload_format, first);
	}
	*out = buf;
	*outlen = len;
	return 0;
}
