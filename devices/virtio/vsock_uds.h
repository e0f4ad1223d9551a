/* virtio-vsock's host side, Firecracker's hybrid backend: the listening Unix socket, "CONNECT <port>\n" and "OK <port>\n", PATH_<port>, non-blocking byte I/O. */
#ifndef KEEL_DEVICES_VIRTIO_VSOCK_UDS_H
#define KEEL_DEVICES_VIRTIO_VSOCK_UDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define VSOCK_UDS_LINE_MAX 32u		/* "CONNECT 4294967295\r\n" and then some: longer is refused */

/* The backend: the Unix socket host programs connect to (listening, non-blocking). */
struct vsock_uds {
	char *path;			/* owned */
	int listen_fd;
	bool created;			/* keel made the socket file: removed at close */
};

/*
 * vsock_uds_open - bind and listen on @path (a stale socket nobody listens on is replaced; any
 * other file there is an error). Returns 0 with *@out set, or -errno with one line in @err.
 */
int vsock_uds_open(const char *path, struct vsock_uds **out, char *err, size_t errlen);

/* vsock_uds_close - stop listening, remove the socket file keel made, free. NULL is fine. */
void vsock_uds_close(struct vsock_uds *u);

/* vsock_uds_accept - the next host connection, non-blocking and close-on-exec; -EAGAIN when none waits, or -errno. */
int vsock_uds_accept(const struct vsock_uds *u);

/*
 * vsock_uds_connect - connect the non-blocking Unix stream socket @fd (without blocking) to
 * "PATH_@port", where a host program listens for the guest's connections to host port @port.
 * Returns 0 or -errno (-ENOENT, -ECONNREFUSED: nobody listens; -EAGAIN: its backlog is full).
 */
int vsock_uds_connect(const struct vsock_uds *u, int fd, uint32_t port);

/*
 * vsock_uds_read_connect - take the line "CONNECT <port>\n" ("\r\n" allowed) off @fd without
 * consuming anything after it. Returns 1 with *@port set, 0 when the line is not complete yet,
 * -EPROTO for anything else (too long, bad words, a port past 2^32 - 1), -EPIPE at the end of
 * the stream, or -errno.
 */
int vsock_uds_read_connect(int fd, uint32_t *port);

/* vsock_uds_parse_connect - the same check on @n bytes at @buf, a whole line with its "\n". 0 or -EPROTO. */
int vsock_uds_parse_connect(const char *buf, size_t n, uint32_t *port);

/* vsock_uds_send_ok - write "OK <@host_port>\n" to @fd. 0, or -errno (-EAGAIN when it did not all fit). */
int vsock_uds_send_ok(int fd, uint32_t host_port);

/*
 * vsock_uds_send - write @len bytes from @skip bytes into @iov[0, @n) to @fd without blocking
 * (no SIGPIPE). Returns the bytes written (> 0), or -errno (-EAGAIN: no room).
 */
ssize_t vsock_uds_send(int fd, const struct iovec *iov, unsigned int n, size_t skip, size_t len);

/*
 * vsock_uds_recv - read at most @len bytes from @fd into @iov[0, @n) from @skip bytes in, without
 * blocking. Returns the bytes read, 0 at the end of the stream, or -errno (-EAGAIN: nothing).
 */
ssize_t vsock_uds_recv(int fd, const struct iovec *iov, unsigned int n, size_t skip, size_t len);

/*
 * A connection's bytes from the guest waiting for the host program: a ring of at most @cap
 * bytes, allocated when first needed and freed when empty (idle connections hold nothing).
 */
struct vsock_ring {
	uint8_t *buf;
	uint32_t cap, head, len;
};

/*
 * vsock_ring_put - append @len bytes from @skip bytes into @iov[0, @n). Returns 0, -ENOSPC when
 * they do not fit (nothing appended), or -ENOMEM.
 */
int vsock_ring_put(struct vsock_ring *r, const struct iovec *iov, unsigned int n, size_t skip, size_t len);

/*
 * vsock_ring_flush - write what the ring holds to @fd until it is empty or @fd is full. Returns
 * the bytes written (0 when the ring was empty or @fd had no room), or -errno when @fd failed.
 */
ssize_t vsock_ring_flush(struct vsock_ring *r, int fd);

/* vsock_ring_free - drop what it holds. */
void vsock_ring_free(struct vsock_ring *r);

#endif
