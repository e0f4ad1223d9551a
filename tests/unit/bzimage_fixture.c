/* Compressed kernel payloads made with each library's compressor, and synthetic bzImages around them. */
#include "tests/unit/bzimage_fixture.h"

#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <bzlib.h>
#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>

static void *fx_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

/* Room for @n more bytes at the end of @b. */
static uint8_t *fx_room(struct fx_buf *b, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	return b->p + b->len;
}

void fx_put(struct fx_buf *b, const void *p, size_t n)
{
	memcpy(fx_room(b, n), p, n);
	b->len += n;
}

void fx_put_le32(struct fx_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	fx_put(b, x, 4);
}

void fx_put_be32(struct fx_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	fx_put(b, x, 4);
}

void fx_free(struct fx_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

const char *fx_name(enum fx_format f)
{
	static const char *const names[FX_NFORMATS] = { "gzip", "xz", "lzma", "lz4", "zstd", "bzip2", "lzo" };

	return names[f];
}

void fx_fake_elf(uint8_t *p, size_t len)
{
	static const char text[] = "startup_64: movq %rsi, %r15; call verify_cpu; ";
	uint32_t x = 12345;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		/* text most of the time, a random byte now and then */
		p[i] = (i / 64) % 4 == 3 ? (uint8_t)(x >> 16) : (uint8_t)text[i % (sizeof(text) - 1)];
	}
	memcpy(p, "\177ELF\002\001\001", 7);
}

static void fx_gzip(const uint8_t *in, size_t len, struct fx_buf *out)
{
	z_stream s;
	size_t cap;

	memset(&s, 0, sizeof(s));
	if (deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	cap = deflateBound(&s, len);
	s.next_in = in;
	s.avail_in = (uInt)len;
	s.next_out = fx_room(out, cap);
	s.avail_out = (uInt)cap;
	if (deflate(&s, Z_FINISH) != Z_STREAM_END)
		abort();
	out->len += s.total_out;
	deflateEnd(&s);
}

/* xz as Linux's scripts/xz_wrap.sh makes it for x86 (the x86 BCJ filter, LZMA2, CRC32), with a smaller dictionary. */
static void fx_xz(const uint8_t *in, size_t len, struct fx_buf *out)
{
	lzma_options_lzma opt;
	lzma_filter filters[3] = {
		{ .id = LZMA_FILTER_X86 },
		{ .id = LZMA_FILTER_LZMA2, .options = &opt },
		{ .id = LZMA_VLI_UNKNOWN },
	};
	size_t cap = lzma_stream_buffer_bound(len), pos = 0;

	if (lzma_lzma_preset(&opt, 6))
		abort();
	opt.dict_size = 1u << 20;
	if (lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL, in, len, fx_room(out, cap), &pos, cap) !=
	    LZMA_OK)
		abort();
	out->len += pos;
}

/* lzma "alone" (.lzma), unknown size and an end marker, as `lzma -9` writes from a pipe. */
static void fx_lzma(const uint8_t *in, size_t len, struct fx_buf *out)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	size_t cap = len + len / 2 + 4096;

	if (lzma_lzma_preset(&opt, 6))
		abort();
	opt.dict_size = 1u << 20;
	if (lzma_alone_encoder(&s, &opt) != LZMA_OK)
		abort();
	s.next_in = in;
	s.avail_in = len;
	s.next_out = fx_room(out, cap);
	s.avail_out = cap;
	if (lzma_code(&s, LZMA_FINISH) != LZMA_STREAM_END)
		abort();
	out->len += cap - s.avail_out;
	lzma_end(&s);
}

/* zstd with a checksum and no content size, as `zstd` writes from a pipe. */
static void fx_zstd(const uint8_t *in, size_t len, struct fx_buf *out)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(len), n;

	if (!c || ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 19)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0)))
		abort();
	n = ZSTD_compress2(c, fx_room(out, cap), cap, in, len);
	if (ZSTD_isError(n))
		abort();
	out->len += n;
	ZSTD_freeCCtx(c);
}

static void fx_bzip2(const uint8_t *in, size_t len, struct fx_buf *out)
{
	unsigned int cap = (unsigned int)(len + len / 100 + 600);

	if (BZ2_bzBuffToBuffCompress((char *)fx_room(out, cap), &cap, (char *)in, (unsigned int)len, 9, 0, 0) !=
	    BZ_OK)
		abort();
	out->len += cap;
}

void fx_lz4_legacy(const uint8_t *in, size_t len, size_t block, unsigned int restart, struct fx_buf *out)
{
	unsigned int nblock = 0;
	size_t n;
	int c;

	fx_put_le32(out, 0x184c2102u);
	for (size_t pos = 0; pos < len; pos += n, nblock++) {
		n = len - pos < block ? len - pos : block;
		if (restart && nblock && nblock % restart == 0)
			fx_put_le32(out, 0x184c2102u);
		fx_room(out, 4 + (size_t)LZ4_compressBound((int)n));
		c = LZ4_compress_default((const char *)in + pos, (char *)out->p + out->len + 4, (int)n,
					 LZ4_compressBound((int)n));
		if (c <= 0)
			abort();
		fx_put_le32(out, (uint32_t)c);
		out->len += (size_t)c;
	}
}

static uint32_t fx_sum(uint32_t flags, const uint8_t *p, size_t n)
{
	return flags & FX_LZOP_H_CRC32 ? lzo_crc32(0, p, n) : lzo_adler32(1, p, n);
}

void fx_lzop(const uint8_t *in, size_t len, size_t block, uint32_t flags, uint32_t extra, uint32_t filter,
	     unsigned int method, struct fx_buf *out)
{
	static const uint8_t magic[] = { 0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a };
	/* lzop 1.04, lzo 2.10, needs 0.94 to extract */
	static const uint8_t ver[] = { 0x10, 0x40, 0x20, 0xa0, 0x09, 0x40 };
	void *wrk = fx_alloc(LZO1X_1_MEM_COMPRESS);
	uint8_t *cbuf = fx_alloc(block + block / 16 + 64 + 3);
	uint8_t m[2] = { (uint8_t)method, 5 };
	size_t start, n;
	lzo_uint clen;

	if (lzo_init() != LZO_E_OK)
		abort();
	fx_put(out, magic, sizeof(magic));
	start = out->len;
	fx_put(out, ver, sizeof(ver));
	fx_put(out, m, 2);
	fx_put_be32(out, flags);
	if (flags & FX_LZOP_FILTER)
		fx_put_be32(out, filter);
	fx_put_be32(out, 0100644);	/* mode */
	fx_put_be32(out, 0);		/* mtime, low and high */
	fx_put_be32(out, 0);
	fx_put(out, "\005linux", 6);	/* the name, after its length */
	fx_put_be32(out, fx_sum(flags, out->p + start, out->len - start));
	if (flags & FX_LZOP_EXTRA) {
		start = out->len;
		fx_put_be32(out, extra);
		for (uint32_t i = 0; i < extra; i++)
			fx_put(out, "x", 1);
		fx_put_be32(out, fx_sum(flags, out->p + start, out->len - start));
	}
	for (size_t pos = 0; pos < len; pos += n) {
		n = len - pos < block ? len - pos : block;
		if (lzo1x_1_compress(in + pos, n, cbuf, &clen, wrk) != LZO_E_OK)
			abort();
		if (clen >= n) {	/* incompressible: stored as is */
			memcpy(cbuf, in + pos, n);
			clen = n;
		}
		fx_put_be32(out, (uint32_t)n);
		fx_put_be32(out, (uint32_t)clen);
		if (flags & FX_LZOP_ADLER32_D)
			fx_put_be32(out, lzo_adler32(1, in + pos, n));
		if (flags & FX_LZOP_CRC32_D)
			fx_put_be32(out, lzo_crc32(0, in + pos, n));
		if ((flags & FX_LZOP_ADLER32_C) && clen < n)
			fx_put_be32(out, lzo_adler32(1, cbuf, clen));
		if ((flags & FX_LZOP_CRC32_C) && clen < n)
			fx_put_be32(out, lzo_crc32(0, cbuf, clen));
		fx_put(out, cbuf, clen);
	}
	fx_put_be32(out, 0);		/* the end */
	free(cbuf);
	free(wrk);
}

void fx_compress(enum fx_format f, const uint8_t *in, size_t len, struct fx_buf *out)
{
	switch (f) {
	case FX_GZIP:
		fx_gzip(in, len, out);
		break;
	case FX_XZ:
		fx_xz(in, len, out);
		break;
	case FX_LZMA:
		fx_lzma(in, len, out);
		break;
	case FX_LZ4:
		fx_lz4_legacy(in, len, 8u << 20, 0, out);
		break;
	case FX_ZSTD:
		fx_zstd(in, len, out);
		break;
	case FX_BZIP2:
		fx_bzip2(in, len, out);
		break;
	default:
		fx_lzop(in, len, 256u << 10, FX_LZOP_ADLER32_D | FX_LZOP_ADLER32_C, 0, 0, 1, out);
		break;
	}
}

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void fx_bzimage(const uint8_t *payload, size_t len, struct fx_buf *out)
{
	size_t start = out->len, total = FX_PM_OFFSET + FX_PAYLOAD_OFF + len + FX_TAIL;
	uint8_t *f = fx_room(out, total);

	memset(f, 0, total);
	f[0x1f1] = FX_SETUP_SECTS;
	put_le(f + 0x1f4, (total - FX_PM_OFFSET + 15) / 16, 4);	/* syssize */
	put_le(f + 0x1fe, 0xaa55, 2);
	f[0x200] = 0xeb;					/* jmp short to the setup code */
	f[0x201] = FX_HDR_END - 0x202;
	memcpy(f + 0x202, "HdrS", 4);
	put_le(f + 0x206, 0x020f, 2);
	f[0x211] = 0x01;					/* LOADED_HIGH */
	put_le(f + 0x22c, 0x7fffffff, 4);
	put_le(f + 0x230, 0x200000, 4);
	f[0x234] = 1;
	f[0x235] = 21;
	put_le(f + 0x236, 0x7f, 2);
	put_le(f + 0x238, 2047, 4);
	put_le(f + 0x248, FX_PAYLOAD_OFF, 4);
	put_le(f + 0x24c, len, 4);
	put_le(f + 0x258, 0x1000000, 8);
	put_le(f + 0x260, 0x3378000, 4);
	put_le(f + 0x264, 0x190, 4);
	memcpy(f + FX_PM_OFFSET + FX_PAYLOAD_OFF, payload, len);
	out->len = start + total;
}
