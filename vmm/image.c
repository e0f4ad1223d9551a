/* Opens file options' files without ever blocking on a FIFO, and maps the kernel and initrd read-only, refusing what is not a readable, non-empty regular file. */
#include "vmm/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *image_refusal(mode_t mode, bool char_ok)
{
	if (S_ISREG(mode) || (char_ok && S_ISCHR(mode)))
		return NULL;
	if (S_ISDIR(mode))
		return "is a directory, not a regular file";
	if (S_ISFIFO(mode))
		return "is a FIFO (named pipe), not a regular file";
	if (S_ISSOCK(mode))
		return "is a socket, not a regular file";
	if (S_ISCHR(mode))
		return "is a character device, not a regular file";
	if (S_ISBLK(mode))
		return "is a block device, not a regular file";
	return "not a regular file";
}

int image_open_fd(const char *path, int flags, mode_t mode, bool char_ok, const char **why)
{
	struct stat st;
	int fd, fl, e;

	*why = NULL;
	fd = open(path, flags | O_NONBLOCK | O_CLOEXEC, mode);
	if (fd < 0) {
		e = errno;
		/* ENXIO: a FIFO opened for writing with nobody reading it */
		if ((e == ENXIO || e == ENODEV) && stat(path, &st) == 0)
			*why = image_refusal(st.st_mode, char_ok);
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	*why = image_refusal(st.st_mode, char_ok);
	if (*why) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int image_open(const char *path, const char *what, struct image *img, char *err, size_t errlen)
{
	struct stat st;
	const char *why;
	void *p;
	int fd, ret = 0;

	memset(img, 0, sizeof(*img));
	fd = image_open_fd(path, O_RDONLY, 0, false, &why);
	if (fd < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, why ? why : strerror(-fd));
		return why ? -EINVAL : fd;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	} else if (st.st_size == 0) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s %s: the file is empty", what, path);
	} else {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			ret = -errno;
			snprintf(err, errlen, "%s %s: cannot map it: %s", what, path, strerror(errno));
		} else {
			img->data = p;
			img->size = (size_t)st.st_size;
			img->mapped = 1;
		}
	}
	close(fd);
	return ret;
}

void image_take(struct image *dst, struct image *src)
{
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

void image_close(struct image *img)
{
	if (img->mapped)
		munmap((void *)img->data, img->size);
	memset(img, 0, sizeof(*img));
}
