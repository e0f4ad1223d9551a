/* Input files (kernel, initrd) mapped read-only into keel, with one-line errors naming what is wrong. */
#ifndef KEEL_VMM_IMAGE_H
#define KEEL_VMM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct image {
	const uint8_t *data;	/* the file's bytes */
	size_t size;
	int mapped;		/* 1 when data must be munmap'd */
};

/*
 * image_open - map the regular file @path read-only. On failure writes "WHAT PATH: reason" into
 * @err (e.g. "--kernel /x: No such file or directory", "... is a directory", "... is empty") and
 * returns -errno (-EINVAL for not-a-regular-file and empty).
 */
int image_open(const char *path, const char *what, struct image *img, char *err, size_t errlen);

/* image_take - move @src's mapping into @dst (which must be closed or zeroed); @src is left zeroed. */
void image_take(struct image *dst, struct image *src);

/* image_close - unmap; safe on a zeroed struct. */
void image_close(struct image *img);

#endif
