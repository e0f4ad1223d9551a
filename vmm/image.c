/* Maps the kernel and initrd files read-only, refusing what is not a readable, non-empty regular file. */
#include "vmm/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int image_open(const char *path, const char *what, struct image *img, char *err, size_t errlen)
{
	struct stat st;
	void *p;
	int fd, ret = 0;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s %s: is a directory, not a file", what, path);
	} else if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s %s: not a regular file", what, path);
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
