/* libFuzzer target: arbitrary bytes as a compressed kernel payload: kz_decompress must fill exactly the trailer's size or refuse cleanly, and never crash or hang. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/boot/decompress.h"

#define FUZZ_LIMIT (16u << 20)		/* smaller than a kernel's: more executions a second */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *out = NULL;
	size_t outlen = 0;
	char err[256];
	int r;

	memset(err, 0x5a, sizeof(err));
	r = kz_decompress(data, size, FUZZ_LIMIT, &out, &outlen, err, sizeof(err));
	if (r == -EINVAL) {
		/* one terminated line, naming the format when the magic matched one */
		const char *fmt = kz_format_name(data, size);

		if (out || !memchr(err, '\0', sizeof(err)) || strchr(err, '\n') ||
		    (fmt && strncmp(err, fmt, strlen(fmt)) != 0))
			abort();
		return 0;
	}
	if (r == -ENOMEM)
		return 0;
	if (r != 0 || !kz_format_name(data, size) || outlen == 0 || outlen > FUZZ_LIMIT ||
	    (int64_t)outlen != kz_output_size(data, size))
		abort();
	free(out);
	return 0;
}
