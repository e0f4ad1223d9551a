/* The raw disk-image backend of virtio-blk: open, lock, size, and io_uring submissions (O_DIRECT when it can). */
#ifndef KEEL_DEVICES_VIRTIO_BACKEND_DISK_H
#define KEEL_DEVICES_VIRTIO_BACKEND_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "devices/virtio/config.h"

struct io_uring_sqe;
struct ioloop;

struct disk {
	char *path;
	int fd;				/* buffered */
	int dfd;			/* O_DIRECT, -1 when the file does not allow it (or after it failed) */
	int lfd;			/* holds the lock alone: never given to io_uring, whose registered
					   descriptors outlive a killed keel by some milliseconds */
	int fixed, dfixed;		/* their io_uring fixed-file indexes, -1 when not registered */
	uint64_t size;			/* bytes */
	bool readonly;
	uint32_t align;			/* O_DIRECT alignment of buffers, lengths and offsets */
	char id[VIRTIO_BLK_ID_BYTES + 1]; /* what VIRTIO_BLK_T_GET_ID returns */
	dev_t dev;			/* the file's identity (st_dev, st_ino) */
	ino_t ino;
	bool swap;			/* opened by disk_reopen: messages name the path alone */
	bool lock_later;		/* the same file as the disk it replaces: locked by disk_swap_lock */
};

/*
 * disk_open - open the image of @o (read-only or read-write, a regular file or a block device),
 * lock it (shared when read-only, exclusive otherwise) and size it; try an O_DIRECT descriptor
 * too. @index names the disk when no id= was given. Returns 0 and the disk in *@out, or -errno
 * with one line naming the problem in @err ("--disk PATH: ...").
 */
int disk_open(const struct virtio_disk_opts *o, unsigned int index, struct disk **out, char *err, size_t errlen);

/*
 * disk_reopen - open @path as a replacement image for @old (a drive swap): read-only or not as
 * @old, the same id, the same checks as disk_open, and its size a multiple of 512 bytes and its
 * sector size @old's. @path may be @old's own file (its new size is then read again): the lock
 * is left to @old until disk_swap_lock. Returns 0 and the disk in *@out, or -errno with one
 * line naming @path and the problem in @err. @old is not touched.
 */
int disk_reopen(const struct disk *old, const char *path, struct disk **out, char *err, size_t errlen);

/* disk_swap_lock - once the disk @d replaced is closed: take the lock it left to it (best effort). */
void disk_swap_lock(struct disk *d);

/* disk_close - close and free; NULL is fine. */
void disk_close(struct disk *d);

/* disk_register - register the descriptors with @l's fixed-file table (best effort), before it starts. */
void disk_register(struct disk *d, struct ioloop *l);

/* disk_direct_ok - an O_DIRECT transfer of @iov[0, @n) at @off would meet the alignment rules. */
bool disk_direct_ok(const struct disk *d, uint64_t off, const struct iovec *iov, unsigned int n);

/* disk_prep_rw - a READV / WRITEV of @iov at @off, through the O_DIRECT descriptor when @direct. */
void disk_prep_rw(const struct disk *d, struct io_uring_sqe *sqe, bool write, const struct iovec *iov,
		  unsigned int n, uint64_t off, bool direct);

/* disk_prep_flush - fdatasync. */
void disk_prep_flush(const struct disk *d, struct io_uring_sqe *sqe);

/* disk_prep_fallocate - fallocate(@mode) of [@off, @off + @len). */
void disk_prep_fallocate(const struct disk *d, struct io_uring_sqe *sqe, int mode, uint64_t off, uint64_t len);

/* disk_prep_write_buf - a plain WRITE of @len bytes from @buf at @off (buffered descriptor). */
void disk_prep_write_buf(const struct disk *d, struct io_uring_sqe *sqe, const void *buf, uint32_t len, uint64_t off);

#endif
