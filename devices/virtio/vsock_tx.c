/* virtio-vsock: the guest's packets, each header checked, then connect (to PATH_<port>), accept, reset, shut down, data and credit. */
#include "devices/virtio/vsock_conn.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio/iov.h"
#include "vmm/log.h"

/* Ask the io_uring for one more socket while connections wait for one (I/O thread). */
static void vsock_sock_request(struct vsock *v)
{
	struct io_uring_sqe *sqe;

	if (v->sock_pending || !v->nsock_wait)
		return;
	sqe = ioloop_sqe(v->dev.loop, &v->sock_op);
	if (!sqe)
		return;
	io_uring_prep_socket(sqe, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, 0);
	io_uring_sqe_set_data(sqe, &v->sock_op);
	v->sock_pending = true;
}

/* A new socket @fd for the oldest connection waiting for one: connect it to PATH_<port>, RESPONSE or RST. */
void vsock_sock_done(struct ioloop_op *op, int res)
{
	struct vsock *v = (struct vsock *)((char *)op - offsetof(struct vsock, sock_op));
	struct vconn *c = NULL;
	int ret = res;

	pthread_mutex_lock(&v->dev.lock);
	v->sock_pending = false;
	if (!ioloop_stopping(v->dev.loop))
		for (struct vconn *k = v->all; k; k = k->next)
			if (k->state == CONN_SOCKET)
				c = k;		/* the list is newest first */
	if (!c) {
		if (res >= 0)
			close(res);
		pthread_mutex_unlock(&v->dev.lock);
		return;
	}
	if (ret >= 0) {
		ret = vsock_uds_connect(v->uds, res, c->host_port);
		if (ret == 0)
			ret = vconn_attach(v, c, res);
		if (ret < 0)
			close(res);
	}
	if (ret < 0) {
		log_debug("%s: the guest's connection to host port %u refused: %s", v->dev.name, c->host_port,
			  strerror(-ret));
		vconn_reset(v, c);
	} else {
		c->state = CONN_OPEN;
		v->nsock_wait--;
		c->ctrl |= CTRL_RESPONSE;
		v->st.conns_guest++;
		vconn_kick(v, c);
	}
	vsock_sock_request(v);
	vsock_rx_run(v);
	pthread_mutex_unlock(&v->dev.lock);
}

/* A REQUEST to host port h->dst_port: a connection waiting for its socket (vsock_sock_done goes on). */
static void guest_connect(struct vsock *v, const struct virtio_vsock_hdr *h)
{
	struct vconn *c = NULL;

	if (v->nconns >= VSOCK_MAX_CONNS)
		vsock_log_once(v, VS_EV_FULL, "the guest's connection to port %u refused: %u connections already",
			       h->dst_port, VSOCK_MAX_CONNS);
	else
		c = vconn_new(v, -1, CONN_SOCKET);
	if (!c) {
		v->st.conns_refused++;
		vsock_rst_push(v, h->dst_port, h->src_port);
		return;
	}
	c->guest_port = h->src_port;
	c->host_port = h->dst_port;
	c->peer_buf = h->buf_alloc;
	c->peer_fwd = h->fwd_cnt;
	vconn_hash(v, c);
	v->nsock_wait++;
	vsock_sock_request(v);
}

/* The guest's RW payload (@len bytes after the header of @ch) for @c. False when @c is gone. */
static bool conn_write(struct vsock *v, struct vconn *c, const struct virtq_chain *ch, uint32_t len)
{
	ssize_t w = 0;

	if (len > c->ring.cap - c->ring.len) {
		vsock_log_once(v, VS_EV_OVERRUN, "%u bytes to host port %u past the credit given (%u buffered): RST",
			       len, c->host_port, c->ring.len);
		vconn_reset(v, c);
		return false;
	}
	v->st.tx_bytes += len;
	if (!c->ring.len && c->wr_ready) {
		w = vsock_uds_send(c->fd, ch->iov, ch->nout, VSOCK_HDR, len);
		if (w == -EAGAIN || w == -EINTR) {
			w = 0;
		} else if (w < 0) {
			log_debug("%s: port %u: writing the host socket: %s", v->dev.name, c->host_port,
				  strerror((int)-w));
			vconn_reset(v, c);
			return false;
		}
		if ((size_t)w < len)
			c->wr_ready = false;
	}
	if ((size_t)w < len && vsock_ring_put(&c->ring, ch->iov, ch->nout, VSOCK_HDR + (size_t)w, len - (size_t)w) < 0) {
		vconn_reset(v, c);
		return false;
	}
	c->fwd_cnt += (uint32_t)w;
	if (c->fwd_cnt - c->adv_fwd >= VSOCK_CREDIT_STEP)
		c->ctrl |= CTRL_CREDIT_UPDATE;
	return true;
}

/* The guest's SHUTDOWN flags for @c. False when @c is gone. */
static bool conn_shutdown(struct vsock *v, struct vconn *c, uint32_t flags)
{
	c->guest_shut |= (uint8_t)(flags & VIRTIO_VSOCK_SHUTDOWN_BOTH);
	if (c->guest_shut != VIRTIO_VSOCK_SHUTDOWN_BOTH && c->local_shut != VIRTIO_VSOCK_SHUTDOWN_BOTH) {
		if ((c->guest_shut & VIRTIO_VSOCK_SHUTDOWN_SEND) && !c->ring.len && !c->shut_wr) {
			shutdown(c->fd, SHUT_WR);
			c->shut_wr = true;
		}
		return true;
	}
	/* Both ways shut: the host gets the last bytes, the guest an RST. */
	c->state = CONN_CLOSING;
	if (!c->ring.len) {
		vconn_reset(v, c);
		return false;
	}
	vconn_deadline(v, c, VSOCK_CLOSE_TIMEOUT_MS);
	return true;
}

/* Answer a broken packet @h with an RST (and end its connection, if any). */
static void answer_rst(struct vsock *v, const struct virtio_vsock_hdr *h)
{
	struct vconn *c = vconn_find(v, h->src_port, h->dst_port);

	if (c)
		vconn_reset(v, c);
	else
		vsock_rst_push(v, h->dst_port, h->src_port);
}

/* One packet @h of an existing connection @c, in the chain @ch. */
static void conn_packet(struct vsock *v, struct vconn *c, const struct virtio_vsock_hdr *h, const struct virtq_chain *ch)
{
	bool live = true;

	c->peer_buf = h->buf_alloc;
	c->peer_fwd = h->fwd_cnt;
	if (vconn_credit(c))
		c->credit_asked = false;
	switch (h->op) {
	case VIRTIO_VSOCK_OP_RESPONSE:
		if (c->state != CONN_REQUEST || !c->req_sent)
			goto bad_state;
		if (vsock_uds_send_ok(c->fd, c->host_port) < 0) {
			vconn_reset(v, c);
			return;
		}
		c->state = CONN_OPEN;
		c->deadline = 0;
		v->st.conns_host++;
		break;
	case VIRTIO_VSOCK_OP_SHUTDOWN:
		if (c->state != CONN_OPEN && c->state != CONN_CLOSING)
			goto bad_state;
		live = conn_shutdown(v, c, h->flags);
		break;
	case VIRTIO_VSOCK_OP_RW:
		if (c->state != CONN_OPEN || (c->guest_shut & VIRTIO_VSOCK_SHUTDOWN_SEND))
			goto bad_state;
		live = conn_write(v, c, ch, h->len);
		break;
	case VIRTIO_VSOCK_OP_CREDIT_UPDATE:
		break;		/* the header said it */
	case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		c->ctrl |= CTRL_CREDIT_UPDATE;
		break;
	case VIRTIO_VSOCK_OP_REQUEST:
		goto bad_state;
	default:
		vsock_log_once(v, VS_EV_OP, "unknown operation %u from guest port %u: RST", h->op, h->src_port);
		vconn_reset(v, c);
		return;
	}
	if (live)
		vconn_kick(v, c);
	return;
bad_state:
	vsock_log_once(v, VS_EV_STATE, "operation %u from guest port %u to host port %u in state %d: RST", h->op,
		       h->src_port, h->dst_port, (int)c->state);
	vconn_reset(v, c);
}

/* One transmit chain @ch: its header checked, then the packet handled. */
static void vsock_tx_packet(struct vsock *v, const struct virtq_chain *ch)
{
	struct virtio_vsock_hdr h;
	struct vconn *c;

	v->st.tx_packets++;
	if (ch->out_len < VSOCK_HDR || iov_to_buf(ch->iov, ch->nout, 0, &h, VSOCK_HDR) != VSOCK_HDR) {
		vsock_log_once(v, VS_EV_SHORT, "a %u-byte packet, shorter than its header: dropped", ch->out_len);
		return;
	}
	if (h.src_cid != v->cid || h.dst_cid != VSOCK_CID_HOST) {
		vsock_log_once(v, VS_EV_CID, "a packet from cid %llu to cid %llu (the guest is %llu, the host 2): dropped",
			       (unsigned long long)h.src_cid, (unsigned long long)h.dst_cid, (unsigned long long)v->cid);
		return;
	}
	c = vconn_find(v, h.src_port, h.dst_port);
	if (h.op == VIRTIO_VSOCK_OP_RST) {	/* never answered */
		if (c && c->state == CONN_REQUEST)
			v->st.conns_refused++;
		if (c)
			vconn_free(v, c);
		return;
	}
	if (h.type != VIRTIO_VSOCK_TYPE_STREAM) {
		vsock_log_once(v, VS_EV_TYPE, "a packet of type %u (keel has stream sockets only): RST", h.type);
		answer_rst(v, &h);
		return;
	}
	if (h.len > ch->out_len - VSOCK_HDR || h.len > VSOCK_MAX_PKT || (h.op != VIRTIO_VSOCK_OP_RW && h.len)) {
		vsock_log_once(v, VS_EV_LEN, "operation %u with len %u in a %u-byte packet: RST", h.op, h.len, ch->out_len);
		answer_rst(v, &h);
		return;
	}
	if (c)
		conn_packet(v, c, &h, ch);
	else if (h.op == VIRTIO_VSOCK_OP_REQUEST)
		guest_connect(v, &h);
	else
		vsock_rst_push(v, h.dst_port, h.src_port);	/* no such connection */
}

void vsock_tx_run(struct vsock *v)
{
	struct virtio_dev *dev = &v->dev;
	struct virtq *vq = &dev->vq[VIRTIO_VSOCK_TX];

	do {
		virtq_kick_disable(vq);
		while (virtio_pop(dev, VIRTIO_VSOCK_TX, &v->tx) == 0) {
			if (v->tx.nin) {
				virtio_fault(dev, VIRTIO_VSOCK_TX, VQ_FAULT_DIRECTION,
					     "device-writable buffer in the transmit queue");
				return;
			}
			vsock_tx_packet(v, &v->tx);
			virtio_done(dev, VIRTIO_VSOCK_TX, v->tx.head, 0);
		}
		if (!virtio_queue_live(dev, VIRTIO_VSOCK_TX))
			return;
	} while (virtq_kick_enable(vq));
}
