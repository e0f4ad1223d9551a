/* Opening a kernel file: a bzImage is unpacked to its vmlinux on the host (no emulated decompression); an ELF is used as it is. */
#include "vmm/boot/kernel.h"

#include "vmm/boot/bzimage.h"
#include "vmm/boot/elf.h"
#include "vmm/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int kernel_file_open(const uint8_t *file, size_t size, const char *name, uint64_t limit, struct kernel_file *k,
		     char *err, size_t errlen)
{
	struct bzimage bz;
	struct timespec t0, t1;
	bool pvh = false, linux_note = false;
	int r;

	memset(k, 0, sizeof(*k));
	if (!bzimage_probe(file, size)) {
		k->elf = file;
		k->elf_size = size;
		k->linux_kernel = elf_notes(file, size, &pvh, &linux_note) && linux_note;
		return 0;
	}
	r = bzimage_parse(file, size, name, &bz, err, errlen);
	if (r < 0)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = bzimage_vmlinux(&bz, name, limit > SIZE_MAX ? SIZE_MAX : (size_t)limit, &k->unpacked, &k->elf_size,
			    err, errlen);
	if (r < 0)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("%s: bzImage, boot protocol %u.%02u, %s payload unpacked to a %zu-byte vmlinux in %ld ms", name,
		 bz.version >> 8, bz.version & 0xff, bz.payload_format, k->elf_size,
		 (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	k->elf = k->unpacked;
	k->setup_hdr = bz.setup_hdr;
	k->setup_hdr_len = bz.setup_hdr_len;
	k->compression = bz.payload_format;
	k->linux_kernel = true;
	return 0;
}

void kernel_file_close(struct kernel_file *k)
{
	free(k->unpacked);
	memset(k, 0, sizeof(*k));
}
