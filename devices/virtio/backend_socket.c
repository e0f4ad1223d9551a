/* virtio-net's socket backend: one Ethernet frame per datagram on a Unix SOCK_DGRAM socket bound at PATH. */
#include "devices/virtio/backend_socket.h"

#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/log.h"

static void sock_prep_recv(struct net_backend *be, struct io_uring_sqe *sqe, const struct iovec *iov, unsigned int n)
{
	memset(&be->rmsg, 0, sizeof(be->rmsg));
	be->rmsg.msg_name = &be->from;
	be->rmsg.msg_namelen = sizeof(be->from);
	be->rmsg.msg_iov = (struct iovec *)iov;
	be->rmsg.msg_iovlen = n;
	/* MSG_TRUNC: the result is the datagram's real length, so an oversized one is seen as such */
	io_uring_prep_recvmsg(sqe, be->fd, &be->rmsg, MSG_TRUNC);
}

static int sock_recv_done(struct net_backend *be, int res)
{
	socklen_t len = be->rmsg.msg_namelen;

	/* learn where to answer, from a bound sender (an unbound one has no address) */
	if (res >= 0 && !be->peer_fixed && len > sizeof(sa_family_t) && len <= sizeof(be->from) &&
	    (be->peer_len != len || memcmp(&be->peer, &be->from, len))) {
		memcpy(&be->peer, &be->from, len);
		be->peer_len = len;
		log_debug("%s: frames now go to %.*s", be->name, (int)(len - sizeof(sa_family_t)), be->peer.sun_path);
	}
	return res;
}

static int sock_send_check(const struct net_backend *be)
{
	return be->peer_len ? 0 : -ENOTCONN;
}

static void sock_prep_send(struct net_backend *be, struct io_uring_sqe *sqe, const struct iovec *iov, unsigned int n)
{
	memset(&be->smsg, 0, sizeof(be->smsg));
	be->smsg.msg_name = &be->peer;
	be->smsg.msg_namelen = be->peer_len;
	be->smsg.msg_iov = (struct iovec *)iov;
	be->smsg.msg_iovlen = n;
	/* a peer that does not keep up loses frames, as on a congested link; the ring never stalls */
	io_uring_prep_sendmsg(sqe, be->fd, &be->smsg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void sock_close(struct net_backend *be)
{
	if (be->fd >= 0)
		close(be->fd);
	if (be->bound) {
		unlink(be->bound);
		free(be->bound);
	}
	free(be);
}

static const struct net_backend_ops socket_ops = {
	.kind = "socket",
	.prep_recv = sock_prep_recv,
	.recv_done = sock_recv_done,
	.send_check = sock_send_check,
	.prep_send = sock_prep_send,
	.close = sock_close,
};

static int sock_fail(struct net_backend *be, const struct virtio_net_opts *o, int e, char *err, size_t errlen,
		     const char *why)
{
	snprintf(err, errlen, "--net %s: %s%s%s", o->spec, why ? why : "", why ? ": " : "", strerror(e));
	sock_close(be);
	return -e;
}

/* Is there a socket at @sa that nobody serves (a previous run's leftover)? */
static bool sock_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	bool stale = false;
	int fd;

	if (stat(sa->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 && errno == ECONNREFUSED)
		stale = true;
	close(fd);
	return stale;
}

int net_socket_open(const struct virtio_net_opts *o, struct net_backend **out, char *err, size_t errlen)
{
	struct net_backend *be = calloc(1, sizeof(*be));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!be) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	be->ops = &socket_ops;
	be->fd = -1;
	be->link_fd = -1;		/* no link state: always up */
	if (strlen(o->path) >= sizeof(sa.sun_path) || (o->peer && strlen(o->peer) >= sizeof(be->peer.sun_path)))
		return sock_fail(be, o, ENAMETOOLONG, err, errlen, NULL);
	memcpy(sa.sun_path, o->path, strlen(o->path));
	be->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);	/* blocking: io_uring waits for frames */
	if (be->fd < 0)
		return sock_fail(be, o, errno, err, errlen, NULL);
	if (bind(be->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (e != EADDRINUSE || !sock_stale(&sa))
			return sock_fail(be, o, e, err, errlen, e == EADDRINUSE ? "the socket path is in use" : "cannot bind");
		unlink(sa.sun_path);
		if (bind(be->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return sock_fail(be, o, errno, err, errlen, "cannot bind");
	}
	be->bound = strdup(sa.sun_path);
	if (!be->bound)
		return sock_fail(be, o, ENOMEM, err, errlen, NULL);
	if (o->peer) {
		be->peer.sun_family = AF_UNIX;
		memcpy(be->peer.sun_path, o->peer, strlen(o->peer));
		be->peer_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(o->peer) + 1);
		be->peer_fixed = true;
	}
	snprintf(be->name, sizeof(be->name), "socket:%.*s", (int)(sizeof(be->name) - 8), sa.sun_path);
	*out = be;
	return 0;
}
