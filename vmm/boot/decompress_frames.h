/* Inside the payload decompressor: one decompression job, and the two container formats parsed by hand (LZ4 legacy frames, lzop). */
#ifndef KEEL_VMM_BOOT_DECOMPRESS_FRAMES_H
#define KEEL_VMM_BOOT_DECOMPRESS_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* One payload being decompressed: its stream without the trailer, and the output it must fill. */
struct kz_job {
	const char *fmt;		/* "lz4", for messages */
	const uint8_t *in;		/* the compressed stream (the 4-byte trailer excluded) */
	size_t inlen;
	uint8_t *out;			/* exactly outlen bytes, the trailer's size */
	size_t outlen;
	char *err;
	size_t errlen;
};

/* kz_fail_big - "FMT payload decompresses to more than the N bytes of its size trailer" in @j's err; -EINVAL. */
int kz_fail_big(const struct kz_job *j);

/* kz_fail_size - "FMT payload decompresses to @got bytes, but its size trailer says N" in @j's err; -EINVAL. */
int kz_fail_size(const struct kz_job *j, size_t got);

/* kz_fail_trailing - "FMT payload: @extra bytes of garbage after the end of the stream" in @j's err; -EINVAL. */
int kz_fail_trailing(const struct kz_job *j, size_t extra);

/*
 * kz_lz4_legacy - decode @j's input as LZ4 legacy frames (magic, then blocks of a 4-byte
 * little-endian compressed size and the block, each at most 8 MiB uncompressed; the magic again
 * starts a new frame) until the input ends, filling exactly @j's output. 0, -EINVAL with one line
 * in @j's err, or -ENOMEM.
 */
int kz_lz4_legacy(const struct kz_job *j);

/*
 * kz_lzop - decode @j's input as an lzop file (header, then blocks of LZO1X data with the
 * checksums its flags ask for, until a zero-length block), filling exactly @j's output. 0, or
 * -EINVAL with one line in @j's err.
 */
int kz_lzop(const struct kz_job *j);

#endif
