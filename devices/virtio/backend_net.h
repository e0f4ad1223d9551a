/* What a virtio-net backend is: an fd that carries one Ethernet frame per read and write, and a const ops table (tap, socket). */
#ifndef KEEL_DEVICES_VIRTIO_BACKEND_NET_H
#define KEEL_DEVICES_VIRTIO_BACKEND_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

struct net_backend;
struct io_uring_sqe;

/*
 * One table per backend kind. The device calls these on the I/O thread (the open and close
 * functions on the main thread), with at most one receive and one send in flight per backend.
 */
struct net_backend_ops {
	const char *kind;		/* "tap", "socket" */
	/* Fill @sqe to receive one frame into @iov[0, @n) (the vnet header first when be->vnet_hdr). */
	void (*prep_recv)(struct net_backend *be, struct io_uring_sqe *sqe, const struct iovec *iov, unsigned int n);
	/*
	 * A receive completed with @res: returns the bytes of the frame as it was on the wire (larger
	 * than the buffer: it was truncated), or -errno.
	 */
	int (*recv_done)(struct net_backend *be, int res);
	/* 0 when a frame can be sent now, or -errno saying why not (the frame is dropped). May be NULL. */
	int (*send_check)(const struct net_backend *be);
	/* Fill @sqe to send @iov[0, @n) as one frame (the vnet header first when be->vnet_hdr). */
	void (*prep_send)(struct net_backend *be, struct io_uring_sqe *sqe, const struct iovec *iov, unsigned int n);
	/* The driver accepted @guest_features (VIRTIO_NET_F_GUEST_* bits): what the backend hands over. 0 or -errno. May be NULL. */
	int (*set_offload)(struct net_backend *be, uint64_t guest_features);
	/*
	 * Whether the link is up: 1 up, 0 down, -errno when it cannot tell. Called when link_fd
	 * became readable (it drains what is waiting there) and once at the start. NULL: always up.
	 */
	int (*link_state)(struct net_backend *be);
	/* Release everything; the struct is freed by net_backend_close. */
	void (*close)(struct net_backend *be);
};

struct net_backend {
	const struct net_backend_ops *ops;
	int fd;
	char name[48];			/* "tap:keel0", "socket:/run/a.sock", for messages */
	bool vnet_hdr;			/* every frame on the fd starts with a 12-byte virtio-net header */
	uint64_t features;		/* VIRTIO_NET_F_* offload bits it can carry (none without vnet_hdr) */
	int link_fd;			/* with ops->link_state: readable when the link may have changed; -1: never */

	/* socket: the bound path (unlinked at close), the peer, the messages of the one recv and one send */
	char *bound;
	struct sockaddr_un peer;
	socklen_t peer_len;		/* 0: no peer known yet */
	bool peer_fixed;		/* peer= given: never learnt from senders */
	struct sockaddr_un from;
	struct msghdr rmsg, smsg;
};

/* net_backend_close - close and free @be; NULL is fine. */
static inline void net_backend_close(struct net_backend *be)
{
	if (be)
		be->ops->close(be);
}

#endif
