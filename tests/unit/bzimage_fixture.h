/* Compressed kernel payloads made with each library's compressor, and synthetic bzImages around them, for the bzImage tests and the fuzzers' seeds. */
#ifndef KEEL_TESTS_UNIT_BZIMAGE_FIXTURE_H
#define KEEL_TESTS_UNIT_BZIMAGE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/* The formats, in vmm/boot/decompress.c's order. */
enum fx_format { FX_GZIP, FX_XZ, FX_LZMA, FX_LZ4, FX_ZSTD, FX_BZIP2, FX_LZO, FX_NFORMATS };

/* lzop header flags the fixture can ask for (lzop's values). */
#define FX_LZOP_ADLER32_D 0x00000001u
#define FX_LZOP_ADLER32_C 0x00000002u
#define FX_LZOP_EXTRA 0x00000040u
#define FX_LZOP_CRC32_D 0x00000100u
#define FX_LZOP_CRC32_C 0x00000200u
#define FX_LZOP_FILTER 0x00000800u
#define FX_LZOP_H_CRC32 0x00001000u

/* A growing byte buffer; every fixture function aborts when memory runs out. */
struct fx_buf {
	uint8_t *p;
	size_t len, cap;
};

/* fx_put - append @n bytes at @p to @b. */
void fx_put(struct fx_buf *b, const void *p, size_t n);

/* fx_put_le32 / fx_put_be32 - append @v to @b, little- or big-endian. */
void fx_put_le32(struct fx_buf *b, uint32_t v);
void fx_put_be32(struct fx_buf *b, uint32_t v);

/* fx_free - release @b's bytes and empty it. */
void fx_free(struct fx_buf *b);

/* fx_name - "gzip", ... for @f. */
const char *fx_name(enum fx_format f);

/* fx_fake_elf - fill @p (@len bytes, at least 16) with an ELF magic and a fixed, partly compressible pattern. */
void fx_fake_elf(uint8_t *p, size_t len);

/* fx_compress - append to @out the stream of @in (@len bytes) in format @f, as Linux's build makes it (no trailer). */
void fx_compress(enum fx_format f, const uint8_t *in, size_t len, struct fx_buf *out);

/*
 * fx_lz4_legacy - append to @out an LZ4 legacy frame of @in (@len bytes) cut in blocks of @block
 * bytes, the frame's magic repeated before every @restart-th block (0: never).
 */
void fx_lz4_legacy(const uint8_t *in, size_t len, size_t block, unsigned int restart, struct fx_buf *out);

/*
 * fx_lzop - append to @out an lzop file of @in (@len bytes) in blocks of @block bytes, with header
 * @flags (FX_LZOP_*): the checksums they name, an @extra-byte extra field with FX_LZOP_EXTRA, filter
 * @filter with FX_LZOP_FILTER; its method byte is @method (1 for LZO1X-1).
 */
void fx_lzop(const uint8_t *in, size_t len, size_t block, uint32_t flags, uint32_t extra, uint32_t filter,
	     unsigned int method, struct fx_buf *out);

/* The synthetic bzImage: setup header at its offsets, FX_SETUP_SECTS sectors, payload at FX_PAYLOAD_OFF. */
#define FX_SETUP_SECTS 3u
#define FX_PM_OFFSET ((FX_SETUP_SECTS + 1) * 512u)
#define FX_PAYLOAD_OFF 0x240u		/* from the protected-mode part (past 512: see setup_sects 0) */
#define FX_HDR_END 0x26cu		/* 0x202 + the jump's 0x6a, as in Linux 6.1 */
#define FX_TAIL 32u			/* bytes after the payload */

/*
 * fx_bzimage - append to @out a bzImage of protocol 2.15 (xloadflags 0x7f) whose payload is
 * @payload (@len bytes, its trailer included), followed by FX_TAIL bytes.
 */
void fx_bzimage(const uint8_t *payload, size_t len, struct fx_buf *out);

#endif
