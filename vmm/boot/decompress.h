/* Decompressing a Linux kernel payload (gzip, xz, lzma, lz4, zstd, bzip2, lzo) with Debian's libraries, sized by its 4-byte trailer. */
#ifndef KEEL_VMM_BOOT_DECOMPRESS_H
#define KEEL_VMM_BOOT_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A payload is what Linux's build puts in a bzImage: one compressed stream in one of the formats
 * below, then the uncompressed size as a 4-byte little-endian trailer. lz4 is LZ4's legacy frame
 * (what `lz4 -l` writes), lzo is lzop's container (what `lzop` writes).
 */

/*
 * kz_format_name - "gzip", "xz", "lzma", "lz4", "zstd", "bzip2" or "lzo", or NULL when @p (@n
 * bytes) starts with none of their magic numbers.
 */
const char *kz_format_name(const uint8_t *p, size_t n);

/*
 * kz_output_size - the uncompressed size the trailer of @in (@inlen bytes, a whole payload) gives,
 * or -1 when @inlen is under 4 bytes. Reads nothing else: a caller can judge a kernel's size
 * before paying for its decompression.
 */
int64_t kz_output_size(const uint8_t *in, size_t inlen);

/*
 * kz_decompress - decompress the payload @in (@inlen bytes, hostile: never read outside it) into a
 * new heap buffer *@out of exactly *@outlen bytes, the size its trailer gives, which must be
 * between 1 and @limit bytes (refused before anything is decompressed). The caller frees *@out.
 * Returns 0; -EINVAL when the payload is in no known format, is truncated, corrupt, followed by
 * garbage inside the payload, decompresses to another size than the trailer's, or is larger
 * than @limit, with one line in @err (@errlen bytes) naming the format and the problem:
 * "lz4 payload: block 3 is corrupt", "xz payload decompresses to 96 MiB, more than the 64 MiB
 * allowed"; -ENOMEM when the host is out of memory, -EIO when a library fails to start. *@out and
 * *@outlen are set only on success.
 */
int kz_decompress(const uint8_t *in, size_t inlen, size_t limit, uint8_t **out, size_t *outlen,
		  char *err, size_t errlen);

#endif
