/* Input files (kernel, initrd) mapped read-only into keel, with one-line errors naming what is wrong. */
#ifndef KEEL_VMM_IMAGE_H
#define KEEL_VMM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/*
 * image_refusal - why a file of type @mode (st_mode) cannot be a file option's file: "is a directory, not a
 * regular file", "is a FIFO (named pipe), not a regular file", ...; NULL for a regular file, and for a character
 * device (/dev/null, a terminal) when @char_ok.
 */
const char *image_refusal(mode_t mode, bool char_ok);

/*
 * image_open_fd - open(@path, @flags | O_NONBLOCK | O_CLOEXEC, @mode) so that a FIFO never blocks the
 * open (with or without a process at its other end), refuse what image_refusal refuses, then clear
 * O_NONBLOCK again. Returns the descriptor, or -errno with *@why set to the reason's text (NULL:
 * strerror's text says it). A FIFO opened for writing without a reader is named a FIFO too.
 */
int image_open_fd(const char *path, int flags, mode_t mode, bool char_ok, const char **why);

/* image_take - move @src's mapping into @dst (which must be closed or zeroed); @src is left zeroed. */
void image_take(struct image *dst, struct image *src);

/* image_close - unmap; safe on a zeroed struct. */
void image_close(struct image *img);

#endif
