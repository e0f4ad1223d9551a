/* The containers parsed by hand around library block decoders: LZ4's legacy frames (liblz4) and lzop files (liblzo2). */
#include "vmm/boot/decompress_frames.h"

#include "vmm/boot/msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <lzo/lzo1x.h>

/* FMT payload: problem, in @j's err; evaluates to -EINVAL. */
#define FAIL(j, f, ...) boot_errf((j)->err, (j)->errlen, "%s payload" f, (j)->fmt, ##__VA_ARGS__)

#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20)	/* what one block decompresses to at most */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * A block that does not fit the room left in the output: is it too big for the trailer's size,
 * or corrupt? Decoding it again into a whole block's room tells them apart.
 */
static int lz4_block_failed(const struct kz_job *j, const uint8_t *src, uint32_t csize, size_t room,
			    unsigned int block)
{
	uint8_t *scratch;
	int n;

	if (room < LZ4_LEGACY_BLOCK) {
		scratch = malloc(LZ4_LEGACY_BLOCK);
		if (!scratch)
			return -ENOMEM;
		n = LZ4_decompress_safe((const char *)src, (char *)scratch, (int)csize, (int)LZ4_LEGACY_BLOCK);
		free(scratch);
		if (n >= 0)
			return kz_fail_big(j);
	}
	return FAIL(j, ": block %u is corrupt", block);
}

int kz_lz4_legacy(const struct kz_job *j)
{
	const uint32_t max_csize = (uint32_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK);
	size_t pos = 0, done = 0, room;
	unsigned int block = 0;
	uint32_t csize;
	int n;

	if (j->inlen < 4 || le32(j->in) != LZ4_LEGACY_MAGIC)
		return FAIL(j, " does not start with an LZ4 legacy frame");
	while (pos < j->inlen) {
		if (j->inlen - pos < 4)
			return FAIL(j, " is truncated: %zu bytes where a block's size should be", j->inlen - pos);
		csize = le32(j->in + pos);
		pos += 4;
		if (csize == LZ4_LEGACY_MAGIC)
			continue;	/* a new frame */
		block++;
		if (csize == 0 || csize > max_csize)
			return FAIL(j, ": block %u is corrupt (%u compressed bytes; an 8 MiB block takes 1 to %u)",
				    block, csize, max_csize);
		if (csize > j->inlen - pos)
			return FAIL(j, " is truncated: block %u needs %u bytes, %zu are left", block, csize,
				    j->inlen - pos);
		room = j->outlen - done;
		if (room > LZ4_LEGACY_BLOCK)
			room = LZ4_LEGACY_BLOCK;
		n = LZ4_decompress_safe((const char *)j->in + pos, (char *)j->out + done, (int)csize, (int)room);
		if (n < 0)
			return lz4_block_failed(j, j->in + pos, csize, room, block);
		done += (size_t)n;
		pos += csize;
	}
	return done == j->outlen ? 0 : kz_fail_size(j, done);
}

/* --- lzop ------------------------------------------------------------------------------ */

#define LZOP_MAGIC_LEN 9u
#define LZOP_MAX_BLOCK (64u << 20)	/* lzop's largest block */
#define LZOP_VERSION_LONG 0x0940u	/* headers from this version on carry more fields */

#define F_ADLER32_D 0x00000001u		/* lzop's header flags */
#define F_ADLER32_C 0x00000002u
#define F_H_EXTRA_FIELD 0x00000040u
#define F_CRC32_D 0x00000100u
#define F_CRC32_C 0x00000200u
#define F_MULTIPART 0x00000400u
#define F_H_FILTER 0x00000800u
#define F_H_CRC32 0x00001000u
#define F_KNOWN 0xfff03fffu		/* the flags, the OS and the character-set fields */

/* A bounded reader over the lzop input; any short read fails the whole parse. */
struct lzop_rd {
	const struct kz_job *j;
	size_t pos;
	int short_read;
};

static const uint8_t *rd_take(struct lzop_rd *r, size_t n)
{
	const uint8_t *p = r->j->in + r->pos;

	if (r->short_read || n > r->j->inlen - r->pos) {
		r->short_read = 1;
		return NULL;
	}
	r->pos += n;
	return p;
}

static uint32_t rd_be(struct lzop_rd *r, unsigned int n)
{
	const uint8_t *p = rd_take(r, n);
	uint32_t v = 0;

	for (unsigned int i = 0; p && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* lzop's checksum of a header part: CRC-32 (from 0) or Adler-32 (from 1). */
static uint32_t lzop_sum(uint32_t flags, const uint8_t *p, size_t n)
{
	return flags & F_H_CRC32 ? lzo_crc32(0, p, n) : lzo_adler32(1, p, n);
}

/* The lzop header after the magic: versions, method, flags, filter, mode, times, name, checksum, extra field. */
static int lzop_header(const struct kz_job *j, struct lzop_rd *r, uint32_t *flags)
{
	size_t start = r->pos, extra;
	uint32_t version, method, filter = 0, sum;

	version = rd_be(r, 2);
	rd_be(r, 2);			/* the library's version */
	if (version >= LZOP_VERSION_LONG)
		rd_be(r, 2);		/* the version needed to extract */
	method = rd_be(r, 1);
	if (version >= LZOP_VERSION_LONG)
		rd_be(r, 1);		/* level */
	*flags = rd_be(r, 4);
	if (*flags & F_H_FILTER)
		filter = rd_be(r, 4);
	rd_be(r, 4);			/* mode */
	rd_be(r, 4);			/* mtime, low */
	if (version >= LZOP_VERSION_LONG)
		rd_be(r, 4);		/* mtime, high */
	rd_take(r, rd_be(r, 1));	/* the file's name */
	if (r->short_read)
		return FAIL(j, " is truncated inside its lzop header");
	sum = lzop_sum(*flags, j->in + start, r->pos - start);
	if (rd_be(r, 4) != sum || r->short_read)
		return r->short_read ? FAIL(j, " is truncated inside its lzop header")
				     : FAIL(j, ": the lzop header's checksum does not match");
	if (version < 0x0900)
		return FAIL(j, ": lzop version %u.%03x predates the format keel reads", version >> 12,
			    version & 0xfff);
	if (method < 1 || method > 3)
		return FAIL(j, ": lzop method %u is not LZO1X (1 to 3)", method);
	if (*flags & ~F_KNOWN)
		return FAIL(j, ": unknown lzop flags 0x%08x", *flags & ~F_KNOWN);
	if (*flags & F_MULTIPART)
		return FAIL(j, " is a multipart lzop file");
	if (filter)
		return FAIL(j, " uses lzop filter %u, which keel does not undo", filter);
	if (*flags & F_H_EXTRA_FIELD) {
		start = r->pos;
		extra = rd_be(r, 4);
		rd_take(r, extra);
		if (r->short_read)
			return FAIL(j, " is truncated inside its lzop extra field");
		sum = lzop_sum(*flags, j->in + start, r->pos - start);
		if (rd_be(r, 4) != sum || r->short_read)
			return r->short_read ? FAIL(j, " is truncated inside its lzop extra field")
					     : FAIL(j, ": the lzop extra field's checksum does not match");
	}
	return 0;
}

/* The checksums @flags asks for over @p (@n bytes) match the ones read (@adler, @crc)? */
static int lzop_sums_ok(uint32_t flags, uint32_t want_adler, uint32_t want_crc, uint32_t adler,
			uint32_t crc, const uint8_t *p, size_t n)
{
	if ((flags & want_adler) && lzo_adler32(1, p, n) != adler)
		return 0;
	if ((flags & want_crc) && lzo_crc32(0, p, n) != crc)
		return 0;
	return 1;
}

/* One block at @r: 1 when it ended the file, 0 when it went into the output at *@done, or -EINVAL. */
static int lzop_block(const struct kz_job *j, struct lzop_rd *r, uint32_t flags, unsigned int block,
		      size_t *done)
{
	uint32_t dlen, clen, d_adler = 0, d_crc = 0, c_adler = 0, c_crc = 0;
	const uint8_t *src;
	lzo_uint n;

	dlen = rd_be(r, 4);
	if (!r->short_read && dlen == 0)
		return 1;
	clen = rd_be(r, 4);
	if (flags & F_ADLER32_D)
		d_adler = rd_be(r, 4);
	if (flags & F_CRC32_D)
		d_crc = rd_be(r, 4);
	if ((flags & F_ADLER32_C) && clen < dlen)
		c_adler = rd_be(r, 4);
	if ((flags & F_CRC32_C) && clen < dlen)
		c_crc = rd_be(r, 4);
	if (r->short_read)
		return FAIL(j, " is truncated: the lzop end marker is missing (in block %u's header)", block);
	if (dlen > LZOP_MAX_BLOCK)
		return FAIL(j, ": block %u is corrupt (%u bytes; lzop blocks have at most 64 MiB)", block, dlen);
	if (clen == 0 || clen > dlen)
		return FAIL(j, ": block %u is corrupt (%u compressed bytes for %u)", block, clen, dlen);
	src = rd_take(r, clen);
	if (!src)
		return FAIL(j, " is truncated: block %u needs %u bytes, %zu are left", block, clen,
			    j->inlen - r->pos);
	if (dlen > j->outlen - *done)
		return kz_fail_big(j);
	if (clen < dlen && !lzop_sums_ok(flags, F_ADLER32_C, F_CRC32_C, c_adler, c_crc, src, clen))
		return FAIL(j, ": block %u is corrupt (its compressed checksum does not match)", block);
	if (clen < dlen) {
		n = dlen;
		if (lzo1x_decompress_safe(src, clen, j->out + *done, &n, NULL) != LZO_E_OK || n != dlen)
			return FAIL(j, ": block %u is corrupt", block);
	} else {
		memcpy(j->out + *done, src, dlen);	/* stored as is */
	}
	if (!lzop_sums_ok(flags, F_ADLER32_D, F_CRC32_D, d_adler, d_crc, j->out + *done, dlen))
		return FAIL(j, ": block %u is corrupt (its checksum does not match)", block);
	*done += dlen;
	return 0;
}

int kz_lzop(const struct kz_job *j)
{
	struct lzop_rd r = { .j = j };
	size_t done = 0;
	uint32_t flags;
	int ret;

	if (lzo_init() != LZO_E_OK)
		return -EIO;
	if (!rd_take(&r, LZOP_MAGIC_LEN))
		return FAIL(j, " is truncated inside its lzop header");
	ret = lzop_header(j, &r, &flags);
	for (unsigned int block = 1; ret == 0; block++)
		ret = lzop_block(j, &r, flags, block, &done);
	if (ret < 0)
		return ret;
	if (r.pos != j->inlen)
		return kz_fail_trailing(j, j->inlen - r.pos);
	return done == j->outlen ? 0 : kz_fail_size(j, done);
}
