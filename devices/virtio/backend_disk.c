/* Raw disk images: open and validate, lock against a second user, size, and prepare io_uring operations. */
#include "devices/virtio/backend_disk.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/ioloop.h"
#include "vmm/log.h"

#define DISK_DEFAULT_ALIGN 512u

static int disk_fail(struct disk *d, int err, char *buf, size_t len, const char *why)
{
	snprintf(buf, len, "%s%s: %s", d->swap ? "" : "--disk ", d->path, why ? why : strerror(err));
	disk_close(d);
	return -err;
}

/*
 * Lock @d's file (shared when read-only, exclusive otherwise) through a descriptor of its own,
 * checked to be the same file as d->fd: a lock on a descriptor io_uring registered would outlive
 * a SIGKILLed keel. Returns 0 or -errno (errno set too: EWOULDBLOCK when another holds it).
 */
static int disk_lock(struct disk *d)
{
	struct stat st;
	int e;

	d->lfd = open(d->path, (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (d->lfd < 0)
		return -errno;
	if (fstat(d->lfd, &st) < 0)
		e = errno;
	else if (st.st_dev != d->dev || st.st_ino != d->ino)
		e = ESTALE;	/* the path names another file now */
	else if (flock(d->lfd, (d->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0)
		return 0;
	else
		e = errno;
	close(d->lfd);
	d->lfd = -1;
	errno = e;
	return -e;
}

/*
 * Open @o's image as disk_open says. A swap (@old not NULL) names the image without "--disk" in
 * messages and does not fight @old for the lock when both are the same file: the new descriptor
 * takes it once @old is closed (disk_swap_lock).
 */
static int disk_open_as(const struct virtio_disk_opts *o, unsigned int index, const struct disk *old,
			struct disk **out, char *err, size_t errlen)
{
	int flags = (o->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	struct disk *d = calloc(1, sizeof(*d));
	struct stat st;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->fd = d->dfd = d->lfd = -1;
	d->fixed = d->dfixed = -1;
	d->readonly = o->readonly;
	d->align = DISK_DEFAULT_ALIGN;
	d->swap = old != NULL;
	d->path = strdup(o->path);
	if (!d->path) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->fd = open(d->path, flags);
	if (d->fd < 0) {
		int e = errno;

		if ((e == EACCES || e == EROFS) && !o->readonly)
			return disk_fail(d, e, err, errlen, e == EACCES ? "Permission denied (add ,readonly to use it read-only)"
									: "Read-only file system (add ,readonly)");
		return disk_fail(d, e, err, errlen, e == EISDIR ? "is a directory" : NULL);
	}
	if (fstat(d->fd, &st) < 0)
		return disk_fail(d, errno, err, errlen, NULL);
	if (S_ISDIR(st.st_mode))
		return disk_fail(d, EISDIR, err, errlen, "is a directory");
	if (S_ISREG(st.st_mode)) {
		d->size = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		int ssz = 0;

		if (ioctl(d->fd, BLKGETSIZE64, &d->size) < 0)
			return disk_fail(d, errno, err, errlen, NULL);
		if (ioctl(d->fd, BLKSSZGET, &ssz) == 0 && ssz > (int)DISK_DEFAULT_ALIGN && ssz <= 4096)
			d->align = (uint32_t)ssz;
	} else {
		return disk_fail(d, EINVAL, err, errlen,
				 S_ISFIFO(st.st_mode) ? "is a FIFO (named pipe), not a regular file or a block device"
						      : "not a regular file or a block device");
	}
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	if (old && old->dev == d->dev && old->ino == d->ino)
		d->lock_later = true;	/* the same file: the old descriptor holds its lock */
	else if (disk_lock(d) < 0)
		return disk_fail(d, errno, err, errlen,
				 errno == EWOULDBLOCK ? "in use by another --disk or another program (locked)" : NULL);
	d->dfd = open(d->path, flags | O_DIRECT);	/* -1 (EINVAL) on file systems without O_DIRECT */
	if (o->id[0])
		snprintf(d->id, sizeof(d->id), "%s", o->id);
	else
		snprintf(d->id, sizeof(d->id), "keel-disk%u", index);
	*out = d;
	return 0;
}

int disk_open(const struct virtio_disk_opts *o, unsigned int index, struct disk **out, char *err, size_t errlen)
{
	return disk_open_as(o, index, NULL, out, err, errlen);
}

int disk_reopen(const struct disk *old, const char *path, struct disk **out, char *err, size_t errlen)
{
	struct virtio_disk_opts o = { .path = (char *)path, .readonly = old->readonly };
	struct disk *d;
	int ret;

	snprintf(o.id, sizeof(o.id), "%s", old->id);
	ret = disk_open_as(&o, 0, old, &d, err, errlen);
	if (ret < 0)
		return ret;
	if (d->size % VIRTIO_BLK_SECTOR)
		return disk_fail(d, EINVAL, err, errlen, "its size is not a multiple of 512 bytes");
	if (d->align != old->align)
		return disk_fail(d, EINVAL, err, errlen, "its sector size differs from the disk's");
	*out = d;
	return 0;
}

void disk_swap_lock(struct disk *d)
{
	if (!d->lock_later)
		return;
	d->lock_later = false;
	if (disk_lock(d) < 0)
		log_warn("%s: cannot lock it again after the swap (%s)", d->path, strerror(errno));
}

void disk_close(struct disk *d)
{
	if (!d)
		return;
	if (d->dfd >= 0)
		close(d->dfd);
	if (d->lfd >= 0) {
		flock(d->lfd, LOCK_UN);
		close(d->lfd);
	}
	if (d->fd >= 0)
		close(d->fd);
	free(d->path);
	free(d);
}

void disk_register(struct disk *d, struct ioloop *l)
{
	d->fixed = ioloop_register_fd(l, d->fd);
	if (d->fixed < 0)
		d->fixed = -1;
	if (d->dfd >= 0) {
		d->dfixed = ioloop_register_fd(l, d->dfd);
		if (d->dfixed < 0)
			d->dfixed = -1;
	}
}

bool disk_direct_ok(const struct disk *d, uint64_t off, const struct iovec *iov, unsigned int n)
{
	uint64_t m = d->align - 1;

	if (d->dfd < 0 || (off & m))
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (((uintptr_t)iov[i].iov_base & m) || (iov[i].iov_len & m))
			return false;
	return true;
}

/* Point @sqe at the right descriptor, fixed when registered. */
static void disk_target(const struct disk *d, struct io_uring_sqe *sqe, bool direct)
{
	int fixed = direct ? d->dfixed : d->fixed;

	if (fixed >= 0) {
		sqe->fd = fixed;
		sqe->flags |= IOSQE_FIXED_FILE;
	} else {
		sqe->fd = direct ? d->dfd : d->fd;
	}
}

void disk_prep_rw(const struct disk *d, struct io_uring_sqe *sqe, bool write, const struct iovec *iov,
		  unsigned int n, uint64_t off, bool direct)
{
	void *data = (void *)(uintptr_t)sqe->user_data;

	if (n == 1 && write)		/* one buffer: the plain opcodes skip the iovec import */
		io_uring_prep_write(sqe, 0, iov[0].iov_base, (unsigned int)iov[0].iov_len, off);
	else if (n == 1)
		io_uring_prep_read(sqe, 0, iov[0].iov_base, (unsigned int)iov[0].iov_len, off);
	else if (write)
		io_uring_prep_writev(sqe, 0, iov, n, off);
	else
		io_uring_prep_readv(sqe, 0, iov, n, off);
	io_uring_sqe_set_data(sqe, data);
	disk_target(d, sqe, direct && d->dfd >= 0);
}

void disk_prep_flush(const struct disk *d, struct io_uring_sqe *sqe)
{
	void *data = (void *)(uintptr_t)sqe->user_data;

	io_uring_prep_fsync(sqe, 0, IORING_FSYNC_DATASYNC);
	io_uring_sqe_set_data(sqe, data);
	disk_target(d, sqe, false);
}

void disk_prep_fallocate(const struct disk *d, struct io_uring_sqe *sqe, int mode, uint64_t off, uint64_t len)
{
	void *data = (void *)(uintptr_t)sqe->user_data;

	io_uring_prep_fallocate(sqe, 0, mode, off, len);
	io_uring_sqe_set_data(sqe, data);
	disk_target(d, sqe, false);
}

void disk_prep_write_buf(const struct disk *d, struct io_uring_sqe *sqe, const void *buf, uint32_t len, uint64_t off)
{
	void *data = (void *)(uintptr_t)sqe->user_data;

	io_uring_prep_write(sqe, 0, buf, len, off);
	io_uring_sqe_set_data(sqe, data);
	disk_target(d, sqe, false);
}
