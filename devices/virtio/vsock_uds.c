/* virtio-vsock's host side: the listening Unix socket, the CONNECT and OK lines, PATH_<port> for the guest's connections, and non-blocking byte I/O. */
#include "devices/virtio/vsock_uds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/virtio/iov.h"
#include "devices/virtio/virtqueue.h"

#define VSOCK_UDS_BACKLOG 128

/* @path as a socket address; false when it does not fit. */
static bool uds_addr(struct sockaddr_un *sa, const char *path)
{
	*sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa->sun_path))
		return false;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return true;
}

/* Something is at @path: replace it when it is a socket nobody listens on. 0 or -errno with @err. */
static int uds_clear_stale(const char *path, const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "--vsock: %s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ? -errno : 0;
	close(fd);
	if (ret == -ECONNREFUSED)
		return unlink(path) < 0 ? -errno : 0;
	snprintf(err, errlen, "--vsock: %s is in use by another program", path);
	return -EADDRINUSE;
}

int vsock_uds_open(const char *path, struct vsock_uds **out, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct vsock_uds *u;
	int ret;

	*out = NULL;
	if (!path || !path[0] || !uds_addr(&sa, path)) {
		snprintf(err, errlen, "--vsock: the socket path is empty or too long");
		return -EINVAL;
	}
	u = calloc(1, sizeof(*u));
	if (!u || !(u->path = strdup(path))) {
		free(u);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	err[0] = '\0';
	ret = uds_clear_stale(path, &sa, err, errlen);
	if (ret == 0) {
		u->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (u->listen_fd < 0)
			ret = -errno;
		else if (bind(u->listen_fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0)
			ret = -errno;
		else
			u->created = true;
		if (ret == 0 && listen(u->listen_fd, VSOCK_UDS_BACKLOG) < 0)
			ret = -errno;
	} else {
		u->listen_fd = -1;
	}
	if (ret < 0) {
		if (!err[0])
			snprintf(err, errlen, "--vsock: cannot listen on %s: %s", path, strerror(-ret));
		vsock_uds_close(u);
		return ret == -EEXIST || ret == -EADDRINUSE || ret == -ENOENT || ret == -EACCES || ret == -ENOTDIR
			       ? -EINVAL
			       : ret;
	}
	*out = u;
	return 0;
}

void vsock_uds_close(struct vsock_uds *u)
{
	if (!u)
		return;
	if (u->listen_fd >= 0)
		close(u->listen_fd);
	if (u->created)
		unlink(u->path);
	free(u->path);
	free(u);
}

int vsock_uds_accept(const struct vsock_uds *u)
{
	int fd = accept4(u->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd >= 0)
		return fd;
	return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

int vsock_uds_connect(const struct vsock_uds *u, int fd, uint32_t port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", u->path, port);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	/* A Unix stream connect does not block: it succeeds or fails at once (EAGAIN: backlog full). */
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno == EWOULDBLOCK || errno == EINPROGRESS ? -EAGAIN : -errno;
	return 0;
}

int vsock_uds_parse_connect(const char *buf, size_t n, uint32_t *port)
{
	uint64_t v = 0;
	size_t i = 8, digits = 0;

	if (n < 10 || buf[n - 1] != '\n' || memcmp(buf, "CONNECT ", 8))
		return -EPROTO;
	n--;
	if (buf[n - 1] == '\r')
		n--;
	for (; i < n; i++, digits++) {
		if (buf[i] < '0' || buf[i] > '9' || digits == 10)
			return -EPROTO;
		v = v * 10 + (uint64_t)(buf[i] - '0');
	}
	if (!digits || v > UINT32_MAX)
		return -EPROTO;
	*port = (uint32_t)v;
	return 0;
}

int vsock_uds_read_connect(int fd, uint32_t *port)
{
	char line[VSOCK_UDS_LINE_MAX];
	const char *nl;
	ssize_t n;

	/* Peek: whatever follows the line is the stream's first bytes for the guest. */
	n = recv(fd, line, sizeof(line), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK ? 0 : -errno;
	if (n == 0)
		return -EPIPE;
	nl = memchr(line, '\n', (size_t)n);
	if (!nl)
		return (size_t)n == sizeof(line) ? -EPROTO : 0;
	if (vsock_uds_parse_connect(line, (size_t)(nl - line) + 1, port) < 0)
		return -EPROTO;
	n = recv(fd, line, (size_t)(nl - line) + 1, MSG_DONTWAIT);
	return n == nl - line + 1 ? 1 : -EIO;
}

int vsock_uds_send_ok(int fd, uint32_t host_port)
{
	char line[24];
	int n = snprintf(line, sizeof(line), "OK %u\n", host_port);
	ssize_t w = send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (w < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return w == n ? 0 : -EAGAIN;
}

/* The part [@skip, @skip + @len) of @iov[0, @n) as iovecs in @out (room for VIRTQ_MAX_SIZE); their count. */
static unsigned int uds_slice(struct iovec *out, const struct iovec *iov, unsigned int n, size_t skip, size_t len)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n && len && k < VIRTQ_MAX_SIZE; i++) {
		size_t l = iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l -= skip;
		if (l > len)
			l = len;
		out[k++] = (struct iovec){ .iov_base = (uint8_t *)iov[i].iov_base + skip, .iov_len = l };
		len -= l;
		skip = 0;
	}
	return k;
}

ssize_t vsock_uds_send(int fd, const struct iovec *iov, unsigned int n, size_t skip, size_t len)
{
	struct iovec part[VIRTQ_MAX_SIZE];
	struct msghdr mh = { .msg_iov = part };
	ssize_t w;

	mh.msg_iovlen = uds_slice(part, iov, n, skip, len);
	if (!mh.msg_iovlen)
		return 0;
	w = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return w;
}

ssize_t vsock_uds_recv(int fd, const struct iovec *iov, unsigned int n, size_t skip, size_t len)
{
	struct iovec part[VIRTQ_MAX_SIZE];
	struct msghdr mh = { .msg_iov = part };
	ssize_t r;

	mh.msg_iovlen = uds_slice(part, iov, n, skip, len);
	if (!mh.msg_iovlen)
		return -ENOBUFS;
	r = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return r;
}

int vsock_ring_put(struct vsock_ring *r, const struct iovec *iov, unsigned int n, size_t skip, size_t len)
{
	size_t done = 0;

	if (len > r->cap - r->len)
		return -ENOSPC;
	if (!len)
		return 0;
	if (!r->buf) {
		r->buf = malloc(r->cap);
		if (!r->buf)
			return -ENOMEM;
		r->head = 0;
	}
	while (done < len) {
		uint32_t tail = (r->head + r->len) % r->cap;
		size_t room = tail >= r->head ? r->cap - tail : r->head - tail;
		size_t c = iov_to_buf(iov, n, skip + done, r->buf + tail, room < len - done ? room : len - done);

		if (!c)
			break;		/* the iovecs hold less than @len: the caller checked, never here */
		done += c;
		r->len += (uint32_t)c;
	}
	return 0;
}

ssize_t vsock_ring_flush(struct vsock_ring *r, int fd)
{
	ssize_t total = 0;

	while (r->len) {
		size_t n = r->head + r->len <= r->cap ? r->len : r->cap - r->head;
		ssize_t w = send(fd, r->buf + r->head, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		r->head = (r->head + (uint32_t)w) % r->cap;
		r->len -= (uint32_t)w;
		total += w;
		if ((size_t)w < n)
			break;
	}
	if (!r->len)
		vsock_ring_free(r);
	return total;
}

void vsock_ring_free(struct vsock_ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->head = r->len = 0;
}
