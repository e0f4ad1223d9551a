/* Small iovec helpers for the devices: copy to and from a chain's buffers, drop bytes at either end. */
#ifndef KEEL_DEVICES_VIRTIO_IOV_H
#define KEEL_DEVICES_VIRTIO_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* iov_to_buf - copy up to @len bytes starting @skip bytes into @iov[0, @n) to @buf. Returns the bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t skip, void *buf, size_t len);

/* iov_from_buf - copy up to @len bytes of @buf into @iov[0, @n) starting @skip bytes in. Returns the bytes copied. */
size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t skip, const void *buf, size_t len);

/*
 * iov_drop_front - drop @bytes from the front of @iov[0, *@n) in place: returns the first iovec
 * still holding data and stores the new count in *@n.
 */
struct iovec *iov_drop_front(struct iovec *iov, unsigned int *n, size_t bytes);

/* iov_drop_back - drop @bytes from the end of @iov[0, *@n) in place, updating *@n. */
void iov_drop_back(struct iovec *iov, unsigned int *n, size_t bytes);

#endif
