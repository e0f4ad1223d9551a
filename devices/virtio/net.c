/* virtio-net on the I/O thread: receive through a bounce buffer into (mergeable) guest buffers, transmit straight from guest memory, control queue. */
#include "devices/virtio/net.h"

#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/iov.h"
#include "devices/virtio/backend_socket.h"
#include "devices/virtio/backend_tap.h"
#include "devices/virtio/net_ctrl.h"
#include "devices/virtio/type.h"
#include "vmm/log.h"

#define NET_PCI_CLASS 0x020000u		/* network controller, Ethernet */
#define NET_RX_MAX_IOV (4u * VIRTQ_MAX_SIZE)	/* receive buffers held for one frame, as iovecs */
#define NET_ETH_HLEN 14u

/* Offered with every backend; the offloads come from the backend. */
#define NET_FEATURES                                                                                    \
	(VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) | \
	 VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) |                           \
	 VIRTIO_BIT(VIRTIO_NET_F_CTRL_VLAN) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE) |                   \
	 VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR))

/* What is logged once per device: dropped frames by cause, the backend failing. */
enum net_event {
	NET_EV_TX_OVERSIZE,
	NET_EV_TX_HEADER,
	NET_EV_TX_SEND,
	NET_EV_RX_OVERSIZE,
	NET_EV_RX_NOFIT,
	NET_EV_GONE,
	NET_EV_OK,		/* not an event: the frame is fine */
};

/* A receive chain taken from the ring and not used yet: its writable iovecs are rx_iov[iov0, iov0 + niov). */
struct net_held {
	uint16_t head;
	uint16_t iov0, niov;
	uint32_t cap;
};

struct vnet {
	struct virtio_dev dev;
	struct net_backend *be;
	uint8_t mac[6];			/* the configured address, restored by a reset */
	struct net_ctrl ctrl;
	bool gone;			/* the backend failed: link down, frames dropped */
	bool link_down;			/* the backend says its link is down (a tap set down) */
	struct ioloop_op link_op;	/* the poll on be->link_fd */
	uint32_t logged;		/* enum net_event bits already logged */
	uint64_t rx_frames, rx_dropped, tx_frames, tx_dropped;
	uint64_t rx_bytes, tx_bytes, tx_malformed;	/* frame bytes delivered and sent; frames refused as malformed */

	/* Receive: one read at a time into rx_buf; the frame waits there until buffers take it. */
	struct ioloop_op rx_op;
	bool rx_reading;
	size_t rx_len;			/* header + frame waiting in rx_buf; 0: none */
	struct iovec rx_buf_iov;
	unsigned int rx_nheld, rx_niov;
	uint32_t rx_cap;		/* bytes the held chains take */
	struct net_held held[VIRTQ_MAX_SIZE];
	struct iovec rx_iov[NET_RX_MAX_IOV];

	/* Transmit: one frame at a time, its header copied (checked once, out of the guest's reach). */
	struct ioloop_op tx_op;
	bool tx_busy;
	uint16_t tx_head;
	struct virtio_net_hdr tx_hdr;
	struct iovec tx_iov[VIRTQ_MAX_SIZE + 1];

	struct virtq_chain chain;	/* scratch for virtio_pop */
	uint8_t rx_buf[NET_HDR_LEN + NET_MAX_GSO_FRAME];
};

static void net_log_once(struct vnet *n, enum net_event ev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void net_log_once(struct vnet *n, enum net_event ev, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (n->logged & (1u << ev))
		return;
	n->logged |= 1u << ev;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("%s (%s): %s (further ones are not logged)", n->dev.name, n->be->name, msg);
}

/* The backend is gone (a deleted tap): link down, a configuration interrupt, no more reads. */
static void net_backend_gone(struct vnet *n, int err)
{
	struct virtio_dev *dev = &n->dev;

	if (n->gone)
		return;
	n->gone = true;
	net_log_once(n, NET_EV_GONE, "the backend failed (%s): link down, frames are dropped", strerror(err));
	dev->config_generation++;
	if ((dev->status & VIRTIO_STATUS_DRIVER_OK) && !dev->resetting && dev->tops)
		dev->tops->notify_config(dev);
}

/* Watch the backend's link: a poll on its link_fd, when it has one. */
static void net_link_arm(struct vnet *n)
{
	struct io_uring_sqe *sqe;

	if (!n->be->ops->link_state || n->be->link_fd < 0)
		return;
	sqe = ioloop_sqe(n->dev.loop, &n->link_op);
	if (!sqe)
		return;
	io_uring_prep_poll_add(sqe, n->be->link_fd, POLLIN);
	io_uring_sqe_set_data(sqe, &n->link_op);
}

/* Ask the backend whether its link is up; on a change, tell the driver (the status field and a configuration interrupt). */
static void net_link_update(struct vnet *n, bool tell)
{
	struct virtio_dev *dev = &n->dev;
	int up = n->be->ops->link_state ? n->be->ops->link_state(n->be) : 1;

	if (up < 0 || n->link_down == !up)
		return;
	n->link_down = !up;
	log_info("%s (%s): link %s", dev->name, n->be->name, up ? "up" : "down");
	dev->config_generation++;
	if (tell && (dev->status & VIRTIO_STATUS_DRIVER_OK) && !dev->resetting && dev->tops)
		dev->tops->notify_config(dev);
}

static void net_link_done(struct ioloop_op *op, int res)
{
	struct vnet *n = (struct vnet *)((char *)op - offsetof(struct vnet, link_op));

	if (res == -ECANCELED)
		return;
	pthread_mutex_lock(&n->dev.lock);
	net_link_update(n, true);
	pthread_mutex_unlock(&n->dev.lock);
	net_link_arm(n);
}

static bool net_guest_gso(const struct virtio_dev *dev)
{
	return virtio_feature(dev, VIRTIO_NET_F_GUEST_TSO4) || virtio_feature(dev, VIRTIO_NET_F_GUEST_TSO6) ||
	       virtio_feature(dev, VIRTIO_NET_F_GUEST_UFO);
}

/*
 * Receive.
 */

/* Post the next read, unless a frame waits or the driver has no buffers (then wait for its kick). */
static void net_rx_arm(struct vnet *n)
{
	struct virtio_dev *dev = &n->dev;
	struct virtq *vq = &dev->vq[VIRTIO_NET_RX];
	struct io_uring_sqe *sqe;
	size_t off;

	if (n->rx_reading || n->rx_len || n->gone)
		return;
	/* Not live (no driver yet, reset, broken): frames are read and dropped, as on an unplugged NIC. */
	if (virtio_queue_live(dev, VIRTIO_NET_RX) && !n->rx_nheld && !virtq_pending(vq) && !virtq_kick_enable(vq))
		return;		/* no receive buffers: back off until the driver kicks the queue */
	sqe = ioloop_sqe(dev->loop, &n->rx_op);
	if (!sqe)
		return;
	off = n->be->vnet_hdr ? 0 : NET_HDR_LEN;
	n->rx_buf_iov = (struct iovec){ .iov_base = n->rx_buf + off, .iov_len = sizeof(n->rx_buf) - off };
	n->be->ops->prep_recv(n->be, sqe, &n->rx_buf_iov, 1);
	io_uring_sqe_set_data(sqe, &n->rx_op);
	n->rx_reading = true;
}

/* Take receive chains until the waiting frame fits (one chain without MRG_RXBUF). False: wait or broken. */
static bool net_rx_gather(struct vnet *n, bool mrg)
{
	struct virtio_dev *dev = &n->dev;
	struct virtq_chain *c = &n->chain;

	while (n->rx_cap < n->rx_len && (mrg || !n->rx_nheld)) {
		struct net_held *h;
		int r;

		if (n->rx_nheld == VIRTQ_MAX_SIZE || n->rx_niov + VIRTQ_MAX_SIZE > NET_RX_MAX_IOV)
			break;
		r = virtio_pop(dev, VIRTIO_NET_RX, c);
		if (r == -EAGAIN) {
			if (virtio_queue_live(dev, VIRTIO_NET_RX) && virtq_kick_enable(&dev->vq[VIRTIO_NET_RX]))
				continue;
			return false;	/* the frame waits for the driver's next kick */
		}
		if (r < 0)
			return false;
		if (c->nout) {
			virtio_fault(dev, VIRTIO_NET_RX, VQ_FAULT_DIRECTION, "device-readable buffer in the receive queue");
			return false;
		}
		if (c->in_len < NET_HDR_LEN) {
			virtio_fault(dev, VIRTIO_NET_RX, VQ_FAULT_FORMAT, "receive buffer smaller than the 12-byte header");
			return false;
		}
		h = &n->held[n->rx_nheld++];
		*h = (struct net_held){ .head = c->head, .iov0 = (uint16_t)n->rx_niov, .niov = c->nin, .cap = c->in_len };
		memcpy(n->rx_iov + n->rx_niov, c->iov + c->nout, c->nin * sizeof(c->iov[0]));
		n->rx_niov += c->nin;
		n->rx_cap += c->in_len;
	}
	return true;
}

/* Hand the waiting frame to the driver's receive buffers. */
static void net_rx_deliver(struct vnet *n)
{
	struct virtio_dev *dev = &n->dev;
	uint32_t acc = 0, left;
	unsigned int nbuf = 0, niov;
	uint16_t num;
	bool mrg;

	if (!n->rx_len)
		return;
	if (!virtio_queue_live(dev, VIRTIO_NET_RX)) {
		n->rx_dropped++;
		n->rx_len = 0;
		return;
	}
	mrg = virtio_feature(dev, VIRTIO_NET_F_MRG_RXBUF);
	if (!net_rx_gather(n, mrg))
		return;
	if (n->rx_cap < n->rx_len) {
		net_log_once(n, NET_EV_RX_NOFIT, "received frame of %zu bytes dropped: the receive buffers hold only %u",
			     n->rx_len - NET_HDR_LEN, (unsigned int)n->rx_cap);
		n->rx_dropped++;
		n->rx_len = 0;
		return;
	}
	while (acc < n->rx_len)
		acc += n->held[nbuf++].cap;
	num = (uint16_t)(mrg ? nbuf : 1);
	memcpy(n->rx_buf + offsetof(struct virtio_net_hdr, num_buffers), &num, sizeof(num));
	niov = n->held[nbuf - 1].iov0 + n->held[nbuf - 1].niov;
	iov_from_buf(n->rx_iov, niov, 0, n->rx_buf, n->rx_len);
	left = (uint32_t)n->rx_len;
	for (unsigned int i = 0; i < nbuf; i++) {
		uint32_t len = left < n->held[i].cap ? left : n->held[i].cap;

		virtio_done(dev, VIRTIO_NET_RX, n->held[i].head, len);
		left -= len;
	}
	/* chains held beyond this frame stay for the next one */
	n->rx_nheld -= nbuf;
	n->rx_niov -= niov;
	n->rx_cap -= acc;
	memmove(n->held, n->held + nbuf, n->rx_nheld * sizeof(n->held[0]));
	memmove(n->rx_iov, n->rx_iov + niov, n->rx_niov * sizeof(n->rx_iov[0]));
	for (unsigned int i = 0; i < n->rx_nheld; i++)
		n->held[i].iov0 = (uint16_t)(n->held[i].iov0 - niov);
	n->rx_bytes += n->rx_len - NET_HDR_LEN;
	n->rx_len = 0;
	n->rx_frames++;
}

static void net_rx_done(struct ioloop_op *op, int res)
{
	struct vnet *n = (struct vnet *)((char *)op - offsetof(struct vnet, rx_op));
	size_t added = n->be->vnet_hdr ? 0 : NET_HDR_LEN, total, limit;

	pthread_mutex_lock(&n->dev.lock);
	n->rx_reading = false;
	res = n->be->ops->recv_done(n->be, res);
	if (res == -ECANCELED)
		goto out;
	if (res < 0) {
		if (res != -EAGAIN && res != -EINTR && res != -ENOBUFS && res != -ENOMEM)
			net_backend_gone(n, -res);
		goto arm;
	}
	total = (size_t)res + added;
	limit = net_guest_gso(&n->dev) ? NET_MAX_GSO_FRAME : NET_MAX_PLAIN_FRAME;
	if (total < NET_HDR_LEN + NET_ETH_HLEN) {
		n->rx_dropped++;	/* a runt: nothing to deliver */
	} else if (total > sizeof(n->rx_buf) || total - NET_HDR_LEN > limit) {
		if (virtio_queue_live(&n->dev, VIRTIO_NET_RX))
			net_log_once(n, NET_EV_RX_OVERSIZE, "received frame of %zu bytes dropped: larger than the %zu negotiated",
				     total - NET_HDR_LEN, limit);
		n->rx_dropped++;
	} else {
		if (added)
			memset(n->rx_buf, 0, NET_HDR_LEN);	/* no offloads: a plain header */
		n->rx_len = total;
		net_rx_deliver(n);
	}
arm:
	net_rx_arm(n);
out:
	pthread_mutex_unlock(&n->dev.lock);
}

/*
 * Transmit.
 */

/* Check a transmit header against the negotiated features and the frame. NET_EV_OK, or why it is dropped in @why. */
static enum net_event net_tx_check(const struct virtio_dev *dev, const struct virtio_net_hdr *h, size_t frame,
				   char *why, size_t len)
{
	unsigned int gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	size_t limit = gso == VIRTIO_NET_HDR_GSO_NONE ? NET_MAX_PLAIN_FRAME : NET_MAX_GSO_FRAME;
	unsigned int need = 0;

	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		snprintf(why, len, "unknown header flags 0x%x", h->flags);
		return NET_EV_TX_HEADER;
	}
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!virtio_feature(dev, VIRTIO_NET_F_CSUM)) {
			snprintf(why, len, "checksum offload was not negotiated");
			return NET_EV_TX_HEADER;
		}
		if ((size_t)h->csum_start + h->csum_offset + 2 > frame) {
			snprintf(why, len, "checksum at %u + %u beyond the %zu-byte frame", h->csum_start, h->csum_offset, frame);
			return NET_EV_TX_HEADER;
		}
	}
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		need = VIRTIO_NET_F_HOST_TSO4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		need = VIRTIO_NET_F_HOST_TSO6;
		break;
	case VIRTIO_NET_HDR_GSO_UDP:
		need = VIRTIO_NET_F_HOST_UFO;
		break;
	default:
		snprintf(why, len, "unknown gso_type 0x%x", h->gso_type);
		return NET_EV_TX_HEADER;
	}
	if ((need && !virtio_feature(dev, need)) ||
	    ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !virtio_feature(dev, VIRTIO_NET_F_HOST_ECN))) {
		snprintf(why, len, "gso_type 0x%x was not negotiated", h->gso_type);
		return NET_EV_TX_HEADER;
	}
	if (gso != VIRTIO_NET_HDR_GSO_NONE && (h->gso_size == 0 || !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))) {
		snprintf(why, len, "segmentation without a segment size or a checksum to fill");
		return NET_EV_TX_HEADER;
	}
	if (h->hdr_len > frame) {
		snprintf(why, len, "hdr_len %u beyond the %zu-byte frame", h->hdr_len, frame);
		return NET_EV_TX_HEADER;
	}
	if (frame < NET_ETH_HLEN) {
		snprintf(why, len, "a %zu-byte frame is shorter than an Ethernet header", frame);
		return NET_EV_TX_HEADER;
	}
	if (frame > limit) {
		snprintf(why, len, "%zu bytes, larger than the %zu negotiated", frame, limit);
		return NET_EV_TX_OVERSIZE;
	}
	return NET_EV_OK;
}

static void net_tx_drop(struct vnet *n, uint16_t head)
{
	n->tx_dropped++;
	virtio_done(&n->dev, VIRTIO_NET_TX, head, 0);
}

/* Send transmit chains one at a time while the queue has them. */
static void net_tx_run(struct vnet *n)
{
	struct virtio_dev *dev = &n->dev;
	struct virtq *vq = &dev->vq[VIRTIO_NET_TX];
	struct virtq_chain *c = &n->chain;
	char why[160];

	while (!n->tx_busy && virtio_queue_live(dev, VIRTIO_NET_TX)) {
		struct virtio_net_hdr h;
		struct io_uring_sqe *sqe;
		struct iovec *iov;
		unsigned int niov, k = 0;
		enum net_event ev;
		int r;

		virtq_kick_disable(vq);
		r = virtio_pop(dev, VIRTIO_NET_TX, c);
		if (r == -EAGAIN) {
			if (virtio_queue_live(dev, VIRTIO_NET_TX) && virtq_kick_enable(vq))
				continue;
			return;
		}
		if (r < 0)
			return;
		if (c->nin) {
			virtio_fault(dev, VIRTIO_NET_TX, VQ_FAULT_DIRECTION, "device-writable buffer in the transmit queue");
			return;
		}
		if (c->out_len < NET_HDR_LEN) {
			virtio_fault(dev, VIRTIO_NET_TX, VQ_FAULT_FORMAT, "transmit chain shorter than the 12-byte header");
			return;
		}
		iov_to_buf(c->iov, c->nout, 0, &h, sizeof(h));
		ev = net_tx_check(dev, &h, c->out_len - NET_HDR_LEN, why, sizeof(why));
		if (ev != NET_EV_OK) {
			net_log_once(n, ev, "transmitted frame dropped: %s", why);
			n->tx_malformed++;
			net_tx_drop(n, c->head);
			continue;
		}
		if (n->gone) {
			net_tx_drop(n, c->head);
			continue;
		}
		if (n->be->ops->send_check && (r = n->be->ops->send_check(n->be)) < 0) {
			net_log_once(n, NET_EV_TX_SEND, "transmitted frames are dropped: %s",
				     r == -ENOTCONN ? "no peer yet (none given, and none has sent a frame)" : strerror(-r));
			net_tx_drop(n, c->head);
			continue;
		}
		niov = c->nout;
		iov = iov_drop_front(c->iov, &niov, NET_HDR_LEN);
		if (n->be->vnet_hdr) {
			n->tx_hdr = h;
			n->tx_hdr.num_buffers = 0;
			n->tx_iov[k++] = (struct iovec){ .iov_base = &n->tx_hdr, .iov_len = NET_HDR_LEN };
		}
		memcpy(n->tx_iov + k, iov, niov * sizeof(*iov));
		k += niov;
		sqe = ioloop_sqe(dev->loop, &n->tx_op);
		if (!sqe) {
			net_tx_drop(n, c->head);
			return;
		}
		n->be->ops->prep_send(n->be, sqe, n->tx_iov, k);
		io_uring_sqe_set_data(sqe, &n->tx_op);
		n->tx_busy = true;
		n->tx_head = c->head;
		virtio_request_start(dev);
	}
}

static void net_tx_done(struct ioloop_op *op, int res)
{
	struct vnet *n = (struct vnet *)((char *)op - offsetof(struct vnet, tx_op));
	struct virtio_dev *dev = &n->dev;

	pthread_mutex_lock(&dev->lock);
	n->tx_busy = false;
	if (res >= 0) {
		n->tx_frames++;
		n->tx_bytes += (uint64_t)res - (n->be->vnet_hdr && res >= (int)NET_HDR_LEN ? NET_HDR_LEN : 0);
	} else if (res != -ECANCELED) {
		n->tx_dropped++;
		if (res == -EIO)
			net_link_update(n, true);	/* a tap set down refuses frames with EIO */
		if (res == -EBADFD || res == -ENODEV || res == -ENXIO)
			net_backend_gone(n, -res);
		else if (res != -EAGAIN && res != -ENOBUFS && !(res == -EIO && n->link_down))
			net_log_once(n, NET_EV_TX_SEND, "sending a frame failed (%s); it is dropped", strerror(-res));
	}
	virtio_done(dev, VIRTIO_NET_TX, n->tx_head, 0);
	virtio_request_done(dev);
	if (res != -ECANCELED)
		net_tx_run(n);
	pthread_mutex_unlock(&dev->lock);
}

/*
 * Control queue, configuration, life cycle.
 */

static void net_ctrl_run(struct vnet *n)
{
	struct virtio_dev *dev = &n->dev;
	struct virtq *vq = &dev->vq[VIRTIO_NET_CTRL];
	struct virtq_chain *c = &n->chain;

	for (;;) {
		uint8_t ack;
		int r = virtio_pop(dev, VIRTIO_NET_CTRL, c);

		if (r == -EAGAIN) {
			if (virtio_queue_live(dev, VIRTIO_NET_CTRL) && virtq_kick_enable(vq))
				continue;
			return;
		}
		if (r < 0)
			return;
		if (c->out_len < 2 || !c->nin) {
			virtio_fault(dev, VIRTIO_NET_CTRL, VQ_FAULT_FORMAT,
				     "control message without class and command, or without room for the ack");
			return;
		}
		ack = net_ctrl_exec(&n->ctrl, dev->guest_features, c->iov, c->nout, c->out_len);
		iov_from_buf(c->iov + c->nout, c->nin, 0, &ack, 1);
		virtio_done(dev, VIRTIO_NET_CTRL, c->head, 1);
	}
}

static uint64_t net_features(const struct virtio_dev *dev)
{
	const struct vnet *n = dev->priv;

	return NET_FEATURES | n->be->features;
}

static void net_config_read(const struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	const struct vnet *n = dev->priv;
	uint8_t cfg[VIRTIO_NET_CFG_SIZE] = { 0 };
	uint16_t status = n->gone || n->link_down ? 0 : VIRTIO_NET_S_LINK_UP, pairs = 1;

	memcpy(cfg + VIRTIO_NET_CFG_MAC, n->ctrl.mac, 6);
	memcpy(cfg + VIRTIO_NET_CFG_STATUS, &status, 2);
	memcpy(cfg + VIRTIO_NET_CFG_MAX_VQ_PAIRS, &pairs, 2);
	memcpy(data, cfg + off, len);
}

/* Feature dependencies of 5.1.3.1: a set that breaks them is refused at DRIVER_OK. */
static const char *net_deps_broken(uint64_t f)
{
	const uint64_t gso_out = VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |
				 VIRTIO_BIT(VIRTIO_NET_F_HOST_UFO);
	const uint64_t gso_in = VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) |
				VIRTIO_BIT(VIRTIO_NET_F_GUEST_UFO);
	const uint64_t ctrl = VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_VLAN) |
			      VIRTIO_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR);

	if ((f & gso_out) && !(f & VIRTIO_BIT(VIRTIO_NET_F_CSUM)))
		return "host segmentation offload without VIRTIO_NET_F_CSUM";
	if ((f & gso_in) && !(f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return "guest segmentation offload without VIRTIO_NET_F_GUEST_CSUM";
	if ((f & ctrl) && !(f & VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ)))
		return "control commands without VIRTIO_NET_F_CTRL_VQ";
	return NULL;
}

/* vCPU thread: no ring work here; the core kicks the ready queues right after. */
static int net_activate(struct virtio_dev *dev)
{
	struct vnet *n = dev->priv;
	const char *why = net_deps_broken(dev->guest_features);
	int ret;

	if (why) {
		log_warn("%s: the driver's features break the specification's dependencies: %s", dev->name, why);
		return -EINVAL;
	}
	if (n->be->ops->set_offload) {
		ret = n->be->ops->set_offload(n->be, dev->guest_features);
		if (ret < 0)
			return ret;
	}
	log_debug("%s: %s, features 0x%llx", dev->name, n->be->name, (unsigned long long)dev->guest_features);
	return 0;
}

static void net_queue_notify(struct virtio_dev *dev, unsigned int q)
{
	struct vnet *n = dev->priv;

	if (q == VIRTIO_NET_RX) {
		net_rx_deliver(n);
		net_rx_arm(n);
	} else if (q == VIRTIO_NET_TX) {
		net_tx_run(n);
	} else {
		net_ctrl_run(n);
	}
}

static void net_reset(struct virtio_dev *dev)
{
	struct vnet *n = dev->priv;

	/* held chains belong to the old session; a waiting frame is dropped with it */
	n->rx_nheld = n->rx_niov = 0;
	n->rx_cap = 0;
	if (n->rx_len) {
		n->rx_dropped++;
		n->rx_len = 0;
	}
	net_ctrl_reset(&n->ctrl, n->mac);
	if (n->be->ops->set_offload && n->be->ops->set_offload(n->be, 0) < 0)
		log_debug("%s: cannot turn the backend's offloads off", dev->name);
}

static const struct virtio_dev_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.pci_class = NET_PCI_CLASS,
	.nqueues = 3,
	.queue_max = VIRTIO_NET_QUEUE_SIZE,
	.config_size = VIRTIO_NET_CFG_SIZE,
	.features = net_features,
	.config_read = net_config_read,
	.activate = net_activate,
	.queue_notify = net_queue_notify,
	.reset = net_reset,
};

int virtio_net_create(struct net_backend *be, const uint8_t mac[6], unsigned int index, const struct guest_mem *mem,
		      struct ioloop *loop, struct virtio_dev **out)
{
	struct vnet *n = calloc(1, sizeof(*n));
	char name[32];
	int ret;

	if (!n)
		return -ENOMEM;
	n->be = be;
	memcpy(n->mac, mac, sizeof(n->mac));
	net_ctrl_reset(&n->ctrl, mac);
	n->rx_op.done = net_rx_done;
	n->tx_op.done = net_tx_done;
	n->link_op.done = net_link_done;
	snprintf(name, sizeof(name), "virtio-net%u", index);
	ret = virtio_dev_init(&n->dev, &virtio_net_ops, n, name, mem, loop);
	if (ret < 0) {
		virtio_net_destroy(&n->dev);
		return ret;
	}
	net_rx_arm(n);		/* posted now, submitted when the I/O thread starts */
	net_link_update(n, false);
	net_link_arm(n);
	*out = &n->dev;
	return 0;
}

void virtio_net_destroy(struct virtio_dev *dev)
{
	struct vnet *n;

	if (!dev)
		return;
	n = dev->priv;
	log_debug("%s: %llu frames received (%llu dropped), %llu sent (%llu dropped)", dev->name,
		  (unsigned long long)n->rx_frames, (unsigned long long)n->rx_dropped,
		  (unsigned long long)n->tx_frames, (unsigned long long)n->tx_dropped);
	virtio_dev_destroy(dev);
	free(n);
}

int virtio_net_stats(struct virtio_dev *dev, struct virtio_net_stats *out)
{
	struct vnet *n = dev->priv;

	if (dev->ops != &virtio_net_ops)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	*out = (struct virtio_net_stats){ .rx_bytes = n->rx_bytes, .rx_packets = n->rx_frames,
					  .rx_dropped = n->rx_dropped, .tx_bytes = n->tx_bytes,
					  .tx_packets = n->tx_frames, .tx_dropped = n->tx_dropped,
					  .tx_malformed = n->tx_malformed };
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

int virtio_net_save(struct virtio_dev *dev, struct virtio_net_state *s)
{
	struct vnet *n = dev->priv;
	int ret = 0;

	if (dev->ops != &virtio_net_ops)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&dev->lock);
	if (dev->inflight || dev->resetting || n->tx_busy || n->rx_nheld) {
		ret = -EBUSY;
	} else {
		s->ctrl = n->ctrl;
		s->link_up = !n->gone;
		s->logged = n->logged;
		s->rx_frames = n->rx_frames;
		s->rx_dropped = n->rx_dropped;
		s->tx_frames = n->tx_frames;
		s->tx_dropped = n->tx_dropped;
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int virtio_net_restore(struct virtio_dev *dev, const struct virtio_net_state *s)
{
	struct vnet *n = dev->priv;
	int ret = 0;

	if (dev->ops != &virtio_net_ops)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (dev->inflight || dev->resetting || n->tx_busy || n->rx_nheld)
		ret = -EBUSY;
	else if ((s->logged >> NET_EV_OK) ||
		 !net_ctrl_reachable(&s->ctrl, dev->guest_features, dev->status & VIRTIO_STATUS_DRIVER_OK, n->mac))
		ret = -EINVAL;
	if (ret == 0) {
		n->ctrl = s->ctrl;
		n->gone = !s->link_up;
		n->logged = s->logged;
		n->rx_frames = s->rx_frames;
		n->rx_dropped = s->rx_dropped;
		n->tx_frames = s->tx_frames;
		n->tx_dropped = s->tx_dropped;
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* --- the device type (devices/virtio/type.h) ----------------------------------------------- */

static unsigned int net_type_count(const struct virtio_config *c)
{
	return c->nnets;
}

static struct virtio_place net_type_place(const struct virtio_config *c, unsigned int i)
{
	return c->nets[i].place;
}

static int net_type_open(const struct virtio_config *c, unsigned int i, const struct virtio_env *env, void **backend,
			 char *err, size_t errlen)
{
	const struct virtio_net_opts *o = &c->nets[i];
	struct net_backend *be = NULL;
	int ret;

	(void)env;
	ret = o->kind == VIRTIO_NET_TAP ? net_tap_open(o, &be, err, errlen) : net_socket_open(o, &be, err, errlen);
	*backend = be;
	return ret;
}

static void net_type_close(void *backend)
{
	net_backend_close(backend);
}

static int net_type_create(void *backend, const struct virtio_config *c, unsigned int i, const struct guest_mem *mem,
			   struct ioloop *loop, struct virtio_dev **out)
{
	return virtio_net_create(backend, c->nets[i].mac, i, mem, loop, out);
}

static int net_type_save(struct virtio_dev *dev, union virtio_type_state *s)
{
	return virtio_net_save(dev, &s->net);
}

static int net_type_restore(struct virtio_dev *dev, const union virtio_type_state *s)
{
	return virtio_net_restore(dev, &s->net);
}

const struct virtio_type virtio_net_type = {
	.name = "virtio-net",
	.count = net_type_count,
	.place = net_type_place,
	.open = net_type_open,
	.close = net_type_close,
	.create = net_type_create,
	.destroy = virtio_net_destroy,
	.save = net_type_save,
	.restore = net_type_restore,
};
