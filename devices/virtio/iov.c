/* iovec helpers: bounded copies in and out of guest buffers, trimming at either end. */
#include "devices/virtio/iov.h"

#include <stdint.h>
#include <string.h>

size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t skip, void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, c;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		c = l - skip < len - done ? l - skip : len - done;
		memcpy((uint8_t *)buf + done, (const uint8_t *)iov[i].iov_base + skip, c);
		done += c;
		skip = 0;
	}
	return done;
}

size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t skip, const void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, c;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		c = l - skip < len - done ? l - skip : len - done;
		memcpy((uint8_t *)iov[i].iov_base + skip, (const uint8_t *)buf + done, c);
		done += c;
		skip = 0;
	}
	return done;
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
