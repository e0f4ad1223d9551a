/* iovec helpers: bounded copies in and out of guest buffers, trimming at either end. */
#include "devices/virtio/iov.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The walk both copies share: up to @len bytes between @buf and @iov, starting @skip bytes into @iov. */
static size_t iov_copy(const struct iovec *iov, unsigned int n, size_t skip, uint8_t *buf, size_t len,
		       bool into_iov)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, c;
		uint8_t *base = iov[i].iov_base;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		c = l - skip < len - done ? l - skip : len - done;
		if (into_iov)
			memcpy(base + skip, buf + done, c);
		else
			memcpy(buf + done, base + skip, c);
		done += c;
		skip = 0;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t skip, void *buf, size_t len)
{
	return iov_copy(iov, n, skip, buf, len, false);
}

size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t skip, const void *buf, size_t len)
{
	/* Only read through @buf when copying into the iovecs. */
	return iov_copy(iov, n, skip, (uint8_t *)(uintptr_t)buf, len, true);
}

struct iovec *iov_drop_front(struct iovec *iov, unsigned int *n, size_t bytes)
{
	while (*n && bytes) {
		if (bytes < iov->iov_len) {
			iov->iov_base = (uint8_t *)iov->iov_base + bytes;
			iov->iov_len -= bytes;
			break;
		}
		bytes -= iov->iov_len;
		iov++;
		(*n)--;
	}
	while (*n && iov->iov_len == 0) {
		iov++;
		(*n)--;
	}
	return iov;
}

void iov_drop_back(struct iovec *iov, unsigned int *n, size_t bytes)
{
	while (*n && bytes) {
		struct iovec *last = &iov[*n - 1];

		if (bytes < last->iov_len) {
			last->iov_len -= bytes;
			return;
		}
		bytes -= last->iov_len;
		(*n)--;
	}
}
