/* Unit tests of bzImage parsing and payload decompression (vmm/boot/bzimage.c, decompress.c, decompress_frames.c). */
#include <errno.h>
#include "firmware/le.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/bzimage_fixture.h"
#include "tests/unit/suites.h"
#include "vmm/boot/bzimage.h"
#include "vmm/boot/decompress.h"

#define ELF_LEN (64u << 10)		/* the fake vmlinux */
#define LIMIT (64u << 20)
#define NAME "vmlinuz"

/* The fake vmlinux, on the heap (the caller frees it). */
static uint8_t *fake_elf(size_t len)
{
	uint8_t *p = malloc(len);

	ck_assert_ptr_nonnull(p);
	fx_fake_elf(p, len);
	return p;
}

/* A payload of @elf (ELF_LEN bytes) in format @f, its trailer @delta bytes off the true size. */
static void make_payload(enum fx_format f, const uint8_t *elf, int delta, struct fx_buf *p)
{
	fx_compress(f, elf, ELF_LEN, p);
	fx_put_le32(p, (uint32_t)((int)ELF_LEN + delta));
}

/* kz_decompress on @in must fail with -EINVAL and an error containing @want. */
static void kz_fails(const uint8_t *in, size_t len, size_t limit, const char *want)
{
	uint8_t *out = NULL;
	size_t outlen = 0;
	char err[256] = "";
	int ret = kz_decompress(in, len, limit, &out, &outlen, err, sizeof(err));

	ck_assert_msg(ret == -EINVAL, "kz_decompress returned %d (%s), want -EINVAL with \"%s\"", ret, err, want);
	ck_assert_msg(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
	ck_assert_ptr_null(out);
}

/* kz_decompress on @in must give exactly @want (@len bytes). */
static void kz_gives(const uint8_t *in, size_t inlen, const uint8_t *want, size_t len)
{
	uint8_t *out = NULL;
	size_t outlen = 0;
	char err[256] = "";
	int ret = kz_decompress(in, inlen, LIMIT, &out, &outlen, err, sizeof(err));

	ck_assert_msg(ret == 0, "kz_decompress returned %d: %s", ret, err);
	ck_assert_uint_eq(outlen, len);
	ck_assert(memcmp(out, want, len) == 0);
	free(out);
}

/* bzimage_parse on @f must fail with -EINVAL and exactly "vmlinuz: @want". */
static void parse_fails(const struct fx_buf *f, size_t size, const char *want)
{
	struct bzimage bz;
	char err[256] = "", full[256];
	int ret = bzimage_parse(f->p, size, NAME, &bz, err, sizeof(err));

	snprintf(full, sizeof(full), "%s: %s", NAME, want);
	ck_assert_msg(ret == -EINVAL, "bzimage_parse returned %d (%s), want \"%s\"", ret, err, full);
	ck_assert_str_eq(err, full);
}

/* A whole bzImage around the fake vmlinux in gzip. */
static void make_bzimage(struct fx_buf *f)
{
	uint8_t *elf = fake_elf(ELF_LEN);
	struct fx_buf p = { 0 };

	make_payload(FX_GZIP, elf, 0, &p);
	fx_bzimage(p.p, p.len, f);
	fx_free(&p);
	free(elf);
}

/* --- every format, through kz_decompress and through a bzImage -------------------------- */

START_TEST(format_round_trips)
{
	enum fx_format fmt = (enum fx_format)_i;
	uint8_t *elf = fake_elf(ELF_LEN), *out = NULL;
	struct fx_buf p = { 0 }, f = { 0 };
	struct bzimage bz;
	char err[256] = "";
	size_t outlen = 0;

	make_payload(fmt, elf, 0, &p);
	ck_assert_str_eq(kz_format_name(p.p, p.len), fx_name(fmt));
	ck_assert_int_eq(kz_output_size(p.p, p.len), ELF_LEN);
	kz_gives(p.p, p.len, elf, ELF_LEN);

	fx_bzimage(p.p, p.len, &f);
	ck_assert(bzimage_probe(f.p, f.len));
	ck_assert_msg(bzimage_parse(f.p, f.len, NAME, &bz, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(bz.payload_format, fx_name(fmt));
	ck_assert_uint_eq(bz.vmlinux_size, ELF_LEN);
	ck_assert_msg(bzimage_vmlinux(&bz, NAME, LIMIT, &out, &outlen, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(outlen, ELF_LEN);
	ck_assert(memcmp(out, elf, ELF_LEN) == 0);
	free(out);
	fx_free(&f);
	fx_free(&p);
	free(elf);
}
END_TEST

/* Truncations, corruption, trailing bytes, wrong trailers, limits: each format names the problem. */
START_TEST(format_refuses_bad_payloads)
{
	enum fx_format fmt = (enum fx_format)_i;
	const char *name = fx_name(fmt);
	uint8_t *elf = fake_elf(ELF_LEN);
	struct fx_buf s = { 0 }, p = { 0 };
	char want[128];

	fx_compress(fmt, elf, ELF_LEN, &s);

	/* cut in the middle, and one byte short, each with the right trailer */
	snprintf(want, sizeof(want), "%s payload is truncated", name);
	for (size_t keep = s.len / 2; keep < s.len; keep += s.len - 1 - s.len / 2) {
		p.len = 0;
		fx_put(&p, s.p, keep);
		fx_put_le32(&p, ELF_LEN);
		kz_fails(p.p, p.len, LIMIT, want);
	}

	/* one byte changed in the middle (LZ4 has no checksum: see lz4_corrupt_block) */
	if (fmt != FX_LZ4) {
		p.len = 0;
		fx_put(&p, s.p, s.len);
		p.p[s.len / 2] ^= 0x55;
		fx_put_le32(&p, ELF_LEN);
		snprintf(want, sizeof(want), "%s payload", name);
		kz_fails(p.p, p.len, LIMIT, want);
		kz_fails(p.p, p.len, LIMIT, "corrupt");
	}

	/* garbage after the stream (in LZ4's legacy frame it reads as a block) */
	p.len = 0;
	fx_put(&p, s.p, s.len);
	fx_put(&p, "garbage!", 8);
	fx_put_le32(&p, ELF_LEN);
	if (fmt == FX_LZ4)
		snprintf(want, sizeof(want), "lz4 payload: block 2 is corrupt");
	else
		snprintf(want, sizeof(want), "%s payload: 8 bytes of garbage after the end of the %s stream", name,
			 name);
	kz_fails(p.p, p.len, LIMIT, want);

	/* a trailer one byte short, one byte long, zero */
	p.len = 0;
	make_payload(fmt, elf, -1, &p);
	snprintf(want, sizeof(want), "%s payload decompresses to more than the 64.0 KiB its size trailer gives", name);
	kz_fails(p.p, p.len, LIMIT, want);
	p.len = 0;
	make_payload(fmt, elf, 1, &p);
	snprintf(want, sizeof(want), "%s payload decompresses to 65536 bytes, but its size trailer says 65537", name);
	kz_fails(p.p, p.len, LIMIT, want);
	p.len = 0;
	make_payload(fmt, elf, -(int)ELF_LEN, &p);
	snprintf(want, sizeof(want), "%s payload: its size trailer says it decompresses to 0 bytes", name);
	kz_fails(p.p, p.len, LIMIT, want);

	/* over the caller's limit: refused from the trailer alone */
	p.len = 0;
	make_payload(fmt, elf, 0, &p);
	snprintf(want, sizeof(want), "%s payload decompresses to 64 KiB, more than the 32 KiB allowed", name);
	kz_fails(p.p, p.len, 32u << 10, want);

	fx_free(&p);
	fx_free(&s);
	free(elf);
}
END_TEST

START_TEST(unknown_or_short_payloads)
{
	static const uint8_t junk[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0, 0, 1, 0 };
	static const uint8_t gz_short[] = { 0x1f, 0x8b, 0, 0, 0 };

	kz_fails(junk, sizeof(junk), LIMIT, "payload in no known compression format (it starts with 12 34 56 78)");
	kz_fails(junk, 0, LIMIT, "empty payload");
	kz_fails(gz_short, sizeof(gz_short), LIMIT,
		 "gzip payload of 5 bytes is too short for a stream and its 4-byte size trailer");
	ck_assert_ptr_null(kz_format_name(junk, sizeof(junk)));
	ck_assert_ptr_null(kz_format_name(gz_short, 1));
	ck_assert_int_eq(kz_output_size(junk, 3), -1);
	ck_assert_int_eq(kz_output_size(junk, 4), 0x78563412);
}
END_TEST

/* --- LZ4 legacy frames ------------------------------------------------------------------- */

START_TEST(lz4_blocks_and_frames)
{
	uint8_t *elf = fake_elf(ELF_LEN);
	struct fx_buf p = { 0 };

	/* 16 blocks of 4 KiB, a new frame every 3 blocks */
	fx_lz4_legacy(elf, ELF_LEN, 4096, 3, &p);
	fx_put_le32(&p, ELF_LEN);
	kz_gives(p.p, p.len, elf, ELF_LEN);

	/* 1 to 3 bytes where a block's size should be */
	p.len -= 4;
	fx_put(&p, "\001\002", 2);
	fx_put_le32(&p, ELF_LEN);
	kz_fails(p.p, p.len, LIMIT, "lz4 payload is truncated: 2 bytes where a block's size should be");
	fx_free(&p);
	free(elf);
}
END_TEST

START_TEST(lz4_corrupt_block)
{
	uint8_t *elf = fake_elf(ELF_LEN);
	struct fx_buf p = { 0 };
	size_t pos = 4;
	uint32_t csize = 0;

	fx_lz4_legacy(elf, ELF_LEN, 16384, 0, &p);
	/* find block 3 and fill its second half with 0xff: a token there asks for more input than is left */
	for (int b = 1; b <= 3; b++, pos += 4 + csize)
		csize = (uint32_t)p.p[pos] | (uint32_t)p.p[pos + 1] << 8 | (uint32_t)p.p[pos + 2] << 16;
	pos -= csize;
	memset(p.p + pos + csize / 2, 0xff, csize - csize / 2);
	fx_put_le32(&p, ELF_LEN);
	kz_fails(p.p, p.len, LIMIT, "lz4 payload: block 3 is corrupt");

	/* a compressed size of 0, then one past what an 8 MiB block can take */
	le_put32(p.p + 4, 0);
	kz_fails(p.p, p.len, LIMIT, "lz4 payload: block 1 is corrupt (0 compressed bytes");
	le_put32(p.p + 4, (8u << 20) + (8u << 20) / 255 + 17);
	kz_fails(p.p, p.len, LIMIT, "lz4 payload: block 1 is corrupt");
	le_put32(p.p + 4, (uint32_t)p.len);
	kz_fails(p.p, p.len, LIMIT, "lz4 payload is truncated: block 1 needs");
	fx_free(&p);
	free(elf);
}
END_TEST

/* A block decompressing to more than 8 MiB breaks the legacy frame's rule. */
START_TEST(lz4_block_over_8mib)
{
	size_t len = (8u << 20) + 4096;
	uint8_t *big = calloc(1, len);
	struct fx_buf p = { 0 };

	ck_assert_ptr_nonnull(big);
	memcpy(big, "\177ELF", 4);
	fx_lz4_legacy(big, len, len, 0, &p);
	fx_put_le32(&p, (uint32_t)len);
	kz_fails(p.p, p.len, LIMIT, "lz4 payload: block 1 is corrupt");
	fx_free(&p);
	free(big);
}
END_TEST

/* --- lzop files -------------------------------------------------------------------------- */

START_TEST(lzop_variants)
{
	const uint32_t all = FX_LZOP_ADLER32_D | FX_LZOP_ADLER32_C | FX_LZOP_CRC32_D | FX_LZOP_CRC32_C;
	uint8_t *elf = fake_elf(ELF_LEN), *rnd = malloc(ELF_LEN);
	struct fx_buf p = { 0 };
	uint32_t x = 1;

	/* every checksum, a CRC-32 header, an extra field, 5 KiB blocks */
	fx_lzop(elf, ELF_LEN, 5000, all | FX_LZOP_H_CRC32 | FX_LZOP_EXTRA, 17, 0, 1, &p);
	fx_put_le32(&p, ELF_LEN);
	kz_gives(p.p, p.len, elf, ELF_LEN);

	/* incompressible data: blocks stored as they are */
	ck_assert_ptr_nonnull(rnd);
	for (size_t i = 0; i < ELF_LEN; i++, x = x * 1664525u + 1013904223u)
		rnd[i] = (uint8_t)(x >> 24);
	p.len = 0;
	fx_lzop(rnd, ELF_LEN, 8192, all, 0, 0, 1, &p);
	fx_put_le32(&p, ELF_LEN);
	kz_gives(p.p, p.len, rnd, ELF_LEN);
	fx_free(&p);
	free(rnd);
	free(elf);
}
END_TEST

START_TEST(lzop_refusals)
{
	uint8_t *elf = fake_elf(ELF_LEN);
	struct fx_buf p = { 0 };
	size_t hdr;

	fx_lzop(elf, ELF_LEN, 256u << 10, FX_LZOP_FILTER, 0, 3, 1, &p);
	fx_put_le32(&p, ELF_LEN);
	kz_fails(p.p, p.len, LIMIT, "lzo payload uses lzop filter 3, which keel does not undo");

	p.len = 0;
	fx_lzop(elf, ELF_LEN, 256u << 10, 0, 0, 0, 4, &p);
	fx_put_le32(&p, ELF_LEN);
	kz_fails(p.p, p.len, LIMIT, "lzo payload: lzop method 4 is not LZO1X (1 to 3)");

	/* the header's checksum, then an extra field's (the name's last byte, the field's last byte) */
	p.len = 0;
	fx_lzop(elf, ELF_LEN, 256u << 10, FX_LZOP_ADLER32_D | FX_LZOP_EXTRA, 5, 0, 1, &p);
	fx_put_le32(&p, ELF_LEN);
	hdr = 9 + 6 + 2 + 4 + 4 + 4 + 4 + 6;
	p.p[hdr - 1] ^= 1;
	kz_fails(p.p, p.len, LIMIT, "lzo payload: the lzop header's checksum does not match");
	p.p[hdr - 1] ^= 1;
	p.p[hdr + 4 + 4 + 4] ^= 1;
	kz_fails(p.p, p.len, LIMIT, "lzo payload: the lzop extra field's checksum does not match");
	p.p[hdr + 4 + 4 + 4] ^= 1;
	kz_gives(p.p, p.len, elf, ELF_LEN);

	/* a block whose data checksum is wrong: block 2 of 4 KiB blocks */
	p.len = 0;
	fx_lzop(elf, ELF_LEN, 4096, FX_LZOP_ADLER32_D, 0, 0, 1, &p);
	fx_put_le32(&p, ELF_LEN);
	hdr = 9 + 6 + 2 + 4 + 4 + 4 + 4 + 6 + 4;
	hdr += 12 + ((size_t)p.p[hdr + 6] << 8 | p.p[hdr + 7]);	/* past block 1 */
	p.p[hdr + 8] ^= 1;
	kz_fails(p.p, p.len, LIMIT, "lzo payload: block 2 is corrupt (its checksum does not match)");

	/* no end marker */
	p.len = 0;
	fx_lzop(elf, ELF_LEN, 256u << 10, 0, 0, 0, 1, &p);
	p.len -= 4;
	fx_put_le32(&p, ELF_LEN);
	kz_fails(p.p, p.len, LIMIT, "lzo payload is truncated: the lzop end marker is missing");
	fx_free(&p);
	free(elf);
}
END_TEST

/* --- the bzImage header ------------------------------------------------------------------ */

START_TEST(header_fields)
{
	struct fx_buf f = { 0 };
	struct bzimage bz;
	char err[256] = "";

	make_bzimage(&f);
	ck_assert_msg(bzimage_parse(f.p, f.len, NAME, &bz, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(bz.version, 0x020f);
	ck_assert_uint_eq(bz.setup_sects, FX_SETUP_SECTS);
	ck_assert_uint_eq(bz.syssize, (f.len - FX_PM_OFFSET + 15) / 16);
	ck_assert_uint_eq(bz.loadflags, 1);
	ck_assert_uint_eq(bz.xloadflags, 0x7f);
	ck_assert_uint_eq(bz.initrd_addr_max, 0x7fffffff);
	ck_assert_uint_eq(bz.kernel_alignment, 0x200000);
	ck_assert_uint_eq(bz.relocatable_kernel, 1);
	ck_assert_uint_eq(bz.cmdline_size, 2047);
	ck_assert_uint_eq(bz.pref_address, 0x1000000);
	ck_assert_uint_eq(bz.init_size, 0x3378000);
	ck_assert_uint_eq(bz.payload_offset, FX_PAYLOAD_OFF);
	ck_assert_uint_eq(bz.payload_length, f.len - FX_PM_OFFSET - FX_PAYLOAD_OFF - FX_TAIL);
	ck_assert_uint_eq(bz.handover_offset, 0x190);
	ck_assert_uint_eq(bz.pm_offset, FX_PM_OFFSET);
	ck_assert_ptr_eq(bz.setup_hdr, f.p + 0x1f1);
	ck_assert_uint_eq(bz.setup_hdr_len, FX_HDR_END - 0x1f1);
	ck_assert_ptr_eq(bz.payload, f.p + FX_PM_OFFSET + FX_PAYLOAD_OFF);
	ck_assert_uint_eq(bz.payload_len, bz.payload_length);
	ck_assert_str_eq(bz.payload_format, "gzip");
	ck_assert_uint_eq(bz.vmlinux_size, ELF_LEN);

	/* a setup_sects of 0 means 4: the protected-mode part moves one sector on */
	f.p[0x1f1] = 0;
	le_put32(f.p + 0x248, FX_PAYLOAD_OFF - 512);
	ck_assert_msg(bzimage_parse(f.p, f.len, NAME, &bz, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(bz.setup_sects, 4);
	ck_assert_uint_eq(bz.pm_offset, 5 * 512);
	ck_assert_ptr_eq(bz.payload, f.p + FX_PM_OFFSET + FX_PAYLOAD_OFF);
	fx_free(&f);
}
END_TEST

START_TEST(probe)
{
	struct fx_buf f = { 0 };

	make_bzimage(&f);
	ck_assert(bzimage_probe(f.p, f.len));
	ck_assert(bzimage_probe(f.p, 0x206));
	ck_assert(!bzimage_probe(f.p, 0x205));
	f.p[0x205] = 'Z';
	ck_assert(!bzimage_probe(f.p, f.len));
	f.p[0x205] = 'S';
	f.p[0x1fe] = 0;
	ck_assert(!bzimage_probe(f.p, f.len));
	fx_free(&f);
}
END_TEST

START_TEST(header_refusals)
{
	struct fx_buf f = { 0 };
	char want[160];

	make_bzimage(&f);
	parse_fails(&f, 0x100, "256 bytes, too short for a bzImage (its setup header needs 0x268 at least)");
	parse_fails(&f, 0x260, "the setup header runs to 0x26c, past the end of the file (608 bytes)");

	f.p[0x202] = 'h';
	parse_fails(&f, f.len, "not a bzImage (no 0xAA55 boot flag at 0x1fe and \"HdrS\" at 0x202)");
	f.p[0x202] = 'H';

	le_put16(f.p + 0x206, 0x020a);
	parse_fails(&f, f.len, "needs boot protocol 2.12 or later (64-bit entry); this kernel has 2.10");
	le_put16(f.p + 0x206, 0x020f);

	f.p[0x201] = 0x40;
	parse_fails(&f, f.len, "the setup header ends at 0x242, too short for boot protocol 2.15 (0x268)");
	f.p[0x201] = FX_HDR_END - 0x202;

	le_put16(f.p + 0x236, 0x7e);
	parse_fails(&f, f.len, "not a 64-bit kernel: XLF_KERNEL_64 (bit 0 of xloadflags 0x007e) is clear");
	le_put16(f.p + 0x236, 0x7f);

	f.p[0x1f1] = 0xff;
	snprintf(want, sizeof(want), "the 255 setup sectors run past the end of the file (%zu bytes)", f.len);
	parse_fails(&f, f.len, want);
	f.p[0x1f1] = FX_SETUP_SECTS;

	le_put32(f.p + 0x248, 0xfffffff0u);
	snprintf(want, sizeof(want), "the payload [0x%llx, +0x%x) lies outside the file (%zu bytes)",
		 FX_PM_OFFSET + 0xfffffff0ull, (unsigned int)(f.len - FX_PM_OFFSET - FX_PAYLOAD_OFF - FX_TAIL), f.len);
	parse_fails(&f, f.len, want);
	le_put32(f.p + 0x248, FX_PAYLOAD_OFF);

	le_put32(f.p + 0x24c, (uint32_t)(f.len - FX_PM_OFFSET - FX_PAYLOAD_OFF + 1));
	snprintf(want, sizeof(want), "the payload [0x%x, +0x%zx) lies outside the file (%zu bytes)",
		 FX_PM_OFFSET + FX_PAYLOAD_OFF, f.len - FX_PM_OFFSET - FX_PAYLOAD_OFF + 1, f.len);
	parse_fails(&f, f.len, want);
	le_put32(f.p + 0x24c, 0);
	parse_fails(&f, f.len, "no payload (payload_length is 0)");
	le_put32(f.p + 0x24c, (uint32_t)(f.len - FX_PM_OFFSET - FX_PAYLOAD_OFF - FX_TAIL));

	memcpy(f.p + FX_PM_OFFSET + FX_PAYLOAD_OFF, "\x12\x34\x56\x78", 4);
	parse_fails(&f, f.len, "unknown payload format (it starts with 12 34 56 78;"
		    " keel reads gzip, xz, lzma, lz4, zstd, bzip2 and lzo)");
	fx_free(&f);
}
END_TEST

START_TEST(vmlinux_refusals)
{
	uint8_t *data = fake_elf(ELF_LEN), *out = NULL;
	struct fx_buf p = { 0 }, f = { 0 };
	struct bzimage bz;
	char err[256] = "";
	size_t outlen = 0;

	/* a payload that is not an ELF file */
	memcpy(data, "MZ\220\000", 4);
	make_payload(FX_XZ, data, 0, &p);
	fx_bzimage(p.p, p.len, &f);
	ck_assert(bzimage_parse(f.p, f.len, NAME, &bz, err, sizeof(err)) == 0);
	ck_assert_int_eq(bzimage_vmlinux(&bz, NAME, LIMIT, &out, &outlen, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "vmlinuz: the decompressed xz payload is not an ELF file (it starts with 4d 5a 90 00)");

	/* over the limit, named after the file */
	ck_assert_int_eq(bzimage_vmlinux(&bz, NAME, 48u << 10, &out, &outlen, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "vmlinuz: xz payload decompresses to 64 KiB, more than the 48 KiB allowed");
	ck_assert_ptr_null(out);
	fx_free(&f);
	fx_free(&p);
	free(data);
}
END_TEST

Suite *bzimage_suite(void)
{
	Suite *s = suite_create("bzimage");
	TCase *tc = tcase_create("bzimage");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, format_round_trips, 0, FX_NFORMATS);
	tcase_add_loop_test(tc, format_refuses_bad_payloads, 0, FX_NFORMATS);
	tcase_add_test(tc, unknown_or_short_payloads);
	tcase_add_test(tc, lz4_blocks_and_frames);
	tcase_add_test(tc, lz4_corrupt_block);
	tcase_add_test(tc, lz4_block_over_8mib);
	tcase_add_test(tc, lzop_variants);
	tcase_add_test(tc, lzop_refusals);
	tcase_add_test(tc, header_fields);
	tcase_add_test(tc, probe);
	tcase_add_test(tc, header_refusals);
	tcase_add_test(tc, vmlinux_refusals);
	suite_add_tcase(s, tc);
	return s;
}
