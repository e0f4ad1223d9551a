/* Decompressing a Linux kernel payload: format detection, the size trailer, and the stream formats through zlib, liblzma, libzstd and libbz2. */
#include "vmm/boot/decompress.h"

#include "vmm/boot/decompress_frames.h"
#include "vmm/boot/msg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define KZ_TRAILER 4u			/* the uncompressed size, little-endian, after the stream */
#define KZ_LZMA_MEMLIMIT (256u << 20)	/* liblzma's dictionary and all; Linux's xz uses 32 MiB, lzma 64 */

/* FMT payload: problem, in @j's err; evaluates to -EINVAL. */
#define FAIL(j, f, ...) boot_errf((j)->err, (j)->errlen, "%s payload" f, (j)->fmt, ##__VA_ARGS__)

/* One format: its name, its magic number and its decoder. */
struct kz_format {
	const char *name;
	const uint8_t *magic;
	size_t magic_len;
	int (*decode)(const struct kz_job *j);
};

int kz_fail_big(const struct kz_job *j)
{
	return FAIL(j, " decompresses to more than the %s its size trailer gives (%zu bytes)",
		    boot_size(j->outlen).s, j->outlen);
}

int kz_fail_size(const struct kz_job *j, size_t got)
{
	return FAIL(j, " decompresses to %zu bytes, but its size trailer says %zu", got, j->outlen);
}

int kz_fail_trailing(const struct kz_job *j, size_t extra)
{
	return FAIL(j, ": %zu bytes of garbage after the end of the %s stream", extra, j->fmt);
}

static int fail_truncated(const struct kz_job *j)
{
	return FAIL(j, " is truncated: the %s stream ends early", j->fmt);
}

/* Once a decoder says its stream ended: nothing may follow it, and the output is full. */
static int check_end(const struct kz_job *j, size_t in_left, size_t out_left)
{
	if (in_left)
		return kz_fail_trailing(j, in_left);
	if (out_left)
		return kz_fail_size(j, j->outlen - out_left);
	return 0;
}

/* gzip through zlib (one member; the input and output fit zlib's 32-bit counters, kz_decompress checked). */
static int kz_gzip(const struct kz_job *j)
{
	z_stream s;
	int ret;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)	/* 16: a gzip wrapper, nothing else */
		return -ENOMEM;
	s.next_in = j->in;
	s.avail_in = (uInt)j->inlen;
	s.next_out = j->out;
	s.avail_out = (uInt)j->outlen;
	do
		ret = inflate(&s, Z_FINISH);
	while (ret == Z_OK);
	switch (ret) {
	case Z_STREAM_END:
		ret = check_end(j, s.avail_in, s.avail_out);
		break;
	case Z_BUF_ERROR:	/* no progress possible: out of input, or of output */
		ret = s.avail_in == 0 ? fail_truncated(j) : kz_fail_big(j);
		break;
	case Z_MEM_ERROR:
		ret = -ENOMEM;
		break;
	default:		/* Z_DATA_ERROR, Z_NEED_DICT */
		ret = FAIL(j, " is corrupt (zlib: %s)", s.msg ? s.msg : "bad data");
		break;
	}
	inflateEnd(&s);
	return ret;
}

/* xz (a .xz stream) or lzma (a .lzma "alone" file) through liblzma. */
static int kz_lzma_common(const struct kz_job *j, int alone)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r;
	int ret;

	r = alone ? lzma_alone_decoder(&s, KZ_LZMA_MEMLIMIT) : lzma_stream_decoder(&s, KZ_LZMA_MEMLIMIT, 0);
	if (r != LZMA_OK)
		return -ENOMEM;
	s.next_in = j->in;
	s.avail_in = j->inlen;
	s.next_out = j->out;
	s.avail_out = j->outlen;
	do
		r = lzma_code(&s, LZMA_FINISH);
	while (r == LZMA_OK);
	switch (r) {
	case LZMA_STREAM_END:
		ret = check_end(j, s.avail_in, s.avail_out);
		break;
	case LZMA_BUF_ERROR:	/* no progress possible: out of input, or of output */
		ret = s.avail_in == 0 ? fail_truncated(j) : kz_fail_big(j);
		break;
	case LZMA_MEM_ERROR:
		ret = -ENOMEM;
		break;
	case LZMA_MEMLIMIT_ERROR:
		ret = FAIL(j, " needs %s of memory to decompress, more than keel's %s",
			   boot_size(lzma_memusage(&s)).s, boot_size(KZ_LZMA_MEMLIMIT).s);
		break;
	case LZMA_FORMAT_ERROR:
		ret = FAIL(j, " is corrupt (not a valid %s header)", j->fmt);
		break;
	case LZMA_OPTIONS_ERROR:
		ret = FAIL(j, " is corrupt or uses options liblzma does not support");
		break;
	case LZMA_DATA_ERROR:
		ret = FAIL(j, " is corrupt (liblzma: bad compressed data or check)");
		break;
	default:
		ret = FAIL(j, " is corrupt (liblzma error %d)", (int)r);
		break;
	}
	lzma_end(&s);
	return ret;
}

static int kz_xz(const struct kz_job *j)
{
	return kz_lzma_common(j, 0);
}

static int kz_lzma(const struct kz_job *j)
{
	return kz_lzma_common(j, 1);
}

/* The frames of a zstd stream (one or more, skippable ones too) must cover the input exactly. */
static int zstd_frames(const struct kz_job *j)
{
	size_t pos = 0, n;

	for (unsigned int frame = 1; pos < j->inlen; frame++) {
		n = ZSTD_findFrameCompressedSize(j->in + pos, j->inlen - pos);
		if (!ZSTD_isError(n)) {
			pos += n;
			continue;
		}
		if (frame > 1 && ZSTD_getErrorCode(n) == ZSTD_error_prefix_unknown)
			return kz_fail_trailing(j, j->inlen - pos);
		if (ZSTD_getErrorCode(n) == ZSTD_error_srcSize_wrong)
			return frame > 1 && j->inlen - pos < 4 ? kz_fail_trailing(j, j->inlen - pos)
							      : fail_truncated(j);
		return FAIL(j, " is corrupt (frame %u: %s)", frame, ZSTD_getErrorName(n));
	}
	return 0;
}

/*
 * zstd through libzstd: the frames are walked first (truncation and trailing bytes are told
 * apart), then decoded in one call straight into the output, which needs no window buffer (the
 * kernel's `zstd -22 --ultra` frames have a 128 MiB window and no content size).
 */
static int kz_zstd(const struct kz_job *j)
{
	ZSTD_DCtx *dctx;
	size_t n;
	int ret;

	ret = zstd_frames(j);
	if (ret)
		return ret;
	dctx = ZSTD_createDCtx();
	if (!dctx)
		return -ENOMEM;
	n = ZSTD_decompressDCtx(dctx, j->out, j->outlen, j->in, j->inlen);
	ZSTD_freeDCtx(dctx);
	if (!ZSTD_isError(n))
		return n == j->outlen ? 0 : kz_fail_size(j, n);
	switch (ZSTD_getErrorCode(n)) {
	case ZSTD_error_dstSize_tooSmall:
		return kz_fail_big(j);
	case ZSTD_error_memory_allocation:
		return -ENOMEM;
	default:
		return FAIL(j, " is corrupt (zstd: %s)", ZSTD_getErrorName(n));
	}
}

/* bzip2 through libbz2 (one stream; sizes fit its 32-bit counters, kz_decompress checked). */
static int kz_bzip2(const struct kz_job *j)
{
	bz_stream s;
	unsigned int in_before, out_before;
	int r, ret;

	memset(&s, 0, sizeof(s));
	if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK)
		return -ENOMEM;
	s.next_in = (char *)j->in;	/* libbz2 never writes through it */
	s.avail_in = (unsigned int)j->inlen;
	s.next_out = (char *)j->out;
	s.avail_out = (unsigned int)j->outlen;
	for (;;) {
		in_before = s.avail_in;
		out_before = s.avail_out;
		r = BZ2_bzDecompress(&s);
		if (r != BZ_OK || (s.avail_in == in_before && s.avail_out == out_before))
			break;	/* the end, an error, or stuck for want of input or of room */
	}
	switch (r) {
	case BZ_STREAM_END:
		ret = check_end(j, s.avail_in, s.avail_out);
		break;
	case BZ_OK:		/* stuck: out of input, or of output */
		ret = s.avail_in == 0 ? fail_truncated(j) : kz_fail_big(j);
		break;
	case BZ_MEM_ERROR:
		ret = -ENOMEM;
		break;
	case BZ_DATA_ERROR:
		ret = FAIL(j, " is corrupt (libbz2: bad compressed data or CRC)");
		break;
	case BZ_DATA_ERROR_MAGIC:
		ret = FAIL(j, " is corrupt (libbz2: bad stream header)");
		break;
	default:
		ret = FAIL(j, " is corrupt (libbz2 error %d)", r);
		break;
	}
	BZ2_bzDecompressEnd(&s);
	return ret;
}

static const uint8_t magic_gzip[] = { 0x1f, 0x8b };
static const uint8_t magic_xz[] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };
static const uint8_t magic_lzma[] = { 0x5d, 0x00, 0x00 };
static const uint8_t magic_lz4[] = { 0x02, 0x21, 0x4c, 0x18 };	/* 0x184c2102, the legacy frame */
static const uint8_t magic_zstd[] = { 0x28, 0xb5, 0x2f, 0xfd };
static const uint8_t magic_bzip2[] = { 'B', 'Z', 'h' };
static const uint8_t magic_lzo[] = { 0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a };

#define FORMAT(n, d) { #n, magic_##n, sizeof(magic_##n), d }
static const struct kz_format formats[] = {
	FORMAT(gzip, kz_gzip),
	FORMAT(xz, kz_xz),
	FORMAT(lzma, kz_lzma),
	FORMAT(lz4, kz_lz4_legacy),
	FORMAT(zstd, kz_zstd),
	FORMAT(bzip2, kz_bzip2),
	FORMAT(lzo, kz_lzop),
};

static const struct kz_format *find_format(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (n >= formats[i].magic_len && memcmp(p, formats[i].magic, formats[i].magic_len) == 0)
			return &formats[i];
	return NULL;
}

const char *kz_format_name(const uint8_t *p, size_t n)
{
	const struct kz_format *f = find_format(p, n);

	return f ? f->name : NULL;
}

int64_t kz_output_size(const uint8_t *in, size_t inlen)
{
	const uint8_t *t;

	if (inlen < KZ_TRAILER)
		return -1;
	t = in + inlen - KZ_TRAILER;
	return (int64_t)((uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24);
}

int kz_decompress(const uint8_t *in, size_t inlen, size_t limit, uint8_t **out, size_t *outlen,
		  char *err, size_t errlen)
{
	const struct kz_format *f = find_format(in, inlen);
	struct kz_job j = { .err = err, .errlen = errlen };
	char first[3 * 4 + 1] = "";
	size_t used = 0;
	int ret;

	if (!f) {
		for (size_t i = 0; i < inlen && i < 4; i++)
			used += (size_t)snprintf(first + used, sizeof(first) - used, "%s%02x", i ? " " : "", in[i]);
		if (inlen == 0)
			return boot_errf(err, errlen, "empty payload");
		return boot_errf(err, errlen, "payload in no known compression format (it starts with %s)",
				 first);
	}
	j.fmt = f->name;
	if (inlen < f->magic_len + KZ_TRAILER)
		return FAIL(&j, " of %zu bytes is too short for a stream and its 4-byte size trailer", inlen);
	j.in = in;
	j.inlen = inlen - KZ_TRAILER;
	j.outlen = (size_t)kz_output_size(in, inlen);
	if (j.inlen > UINT_MAX)	/* zlib and libbz2 count in 32 bits; a bzImage's payload does too */
		return FAIL(&j, " is %s, more than the 4 GiB keel decompresses", boot_size(inlen).s);
	if (j.outlen == 0)
		return FAIL(&j, ": its size trailer says it decompresses to 0 bytes");
	if (j.outlen > limit)
		return FAIL(&j, " decompresses to %s, more than the %s allowed", boot_size(j.outlen).s,
			    boot_size(limit).s);
	j.out = malloc(j.outlen);
	if (!j.out)
		return -ENOMEM;
	ret = f->decode(&j);
	if (ret) {
		free(j.out);
		return ret;
	}
	*out = j.out;
	*outlen = j.outlen;
	return 0;
}
