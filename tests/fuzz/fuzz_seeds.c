/* Writes the bzImage and payload fuzzers' seed corpora: a small fake vmlinux in every format, alone and inside a bzImage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/bzimage_fixture.h"

#define SEED_ELF 1024u			/* small seeds: quick executions */

static int write_file(const char *dir, const char *name, const struct fx_buf *b)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	ok = fwrite(b->p, 1, b->len, f) == b->len;
	ok &= fclose(f) == 0;
	if (!ok)
		perror(path);
	return ok ? 0 : -1;
}

/* @payload (a stream) with its trailer into @kz_dir, and inside a bzImage into @bz_dir. */
static int write_seed(const char *kz_dir, const char *bz_dir, const char *name, struct fx_buf *payload)
{
	struct fx_buf bz = { 0 };
	int ret;

	fx_put_le32(payload, SEED_ELF);
	fx_bzimage(payload->p, payload->len, &bz);
	ret = write_file(kz_dir, name, payload) | write_file(bz_dir, name, &bz);
	fx_free(&bz);
	fx_free(payload);
	return ret;
}

int main(int argc, char **argv)
{
	const uint32_t all = FX_LZOP_ADLER32_D | FX_LZOP_ADLER32_C | FX_LZOP_CRC32_D | FX_LZOP_CRC32_C;
	uint8_t elf[SEED_ELF];
	struct fx_buf p = { 0 };
	int ret = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PAYLOAD_CORPUS_DIR BZIMAGE_CORPUS_DIR\n", argv[0]);
		return 2;
	}
	fx_fake_elf(elf, sizeof(elf));
	for (int f = 0; f < FX_NFORMATS; f++) {
		fx_compress((enum fx_format)f, elf, sizeof(elf), &p);
		ret |= write_seed(argv[1], argv[2], fx_name((enum fx_format)f), &p);
	}
	fx_lz4_legacy(elf, sizeof(elf), 256, 2, &p);	/* blocks and a second frame */
	ret |= write_seed(argv[1], argv[2], "lz4-frames", &p);
	fx_lzop(elf, sizeof(elf), 300, all | FX_LZOP_H_CRC32 | FX_LZOP_EXTRA, 3, 0, 1, &p);
	ret |= write_seed(argv[1], argv[2], "lzo-checksums", &p);
	return ret ? 1 : 0;
}
