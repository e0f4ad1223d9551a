/* libFuzzer target: arbitrary bytes as a bzImage file: probe, parse and unpack must stay inside the file, refuse cleanly, and never crash or hang. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/boot/bzimage.h"
#include "vmm/boot/decompress.h"

#define FUZZ_LIMIT (64u << 20)		/* what a 64 MiB guest could take */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An error line: terminated, one line, named after the file. */
static void check_err(const char *err, size_t errlen)
{
	if (!memchr(err, '\0', errlen) || strchr(err, '\n') || strncmp(err, "fuzz: ", 6) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bzimage bz;
	char err[256];
	uint8_t *out = NULL;
	size_t outlen = 0;
	bool probed = bzimage_probe(data, size);
	int r;

	memset(err, 0x5a, sizeof(err));
	r = bzimage_parse(data, size, "fuzz", &bz, err, sizeof(err));
	if (r == -EINVAL) {
		check_err(err, sizeof(err));
		return 0;
	}
	/* parsed: a bzImage whose header and payload lie in the file */
	if (r != 0 || !probed || bz.version < 0x020c || !(bz.xloadflags & 1) || bz.setup_sects == 0 ||
	    bz.setup_hdr != data + 0x1f1 || bz.setup_hdr_len < 0x268 - 0x1f1 || bz.setup_hdr_len > size - 0x1f1 ||
	    bz.payload < data + bz.pm_offset || bz.payload_len == 0 || bz.payload_len > size ||
	    bz.payload + bz.payload_len > data + size || !bz.payload_format ||
	    strcmp(bz.payload_format, kz_format_name(bz.payload, bz.payload_len)) != 0)
		abort();
	memset(err, 0x5a, sizeof(err));
	r = bzimage_vmlinux(&bz, "fuzz", FUZZ_LIMIT, &out, &outlen, err, sizeof(err));
	if (r == -EINVAL) {
		check_err(err, sizeof(err));
		if (out)
			abort();
		return 0;
	}
	if (r == -ENOMEM)
		return 0;
	if (r != 0 || outlen != bz.vmlinux_size || outlen > FUZZ_LIMIT || outlen < SELFMAG ||
	    memcmp(out, ELFMAG, SELFMAG) != 0)
		abort();
	free(out);
	return 0;
}
