/* virtio-vsock on the I/O thread: the stream packet protocol (connect, accept, reset, shutdown, data, credit) between the guest's queues and host Unix sockets. */
#include "devices/virtio/vsock_conn.h"

#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio/iov.h"
#include "vmm/log.h"

#define VSOCK_PCI_CLASS 0x078000u	/* simple communication controller, other */
#define VSOCK_EVENTS 64			/* epoll events taken at a time */
#define VSOCK_TICK_MS 200		/* the deadline timer's period while a deadline is set */
#define VSOCK_TAG_LISTEN 1ull		/* epoll data of the listening socket */

void vsock_log_once(struct vsock *v, enum vsock_event ev, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ev != VS_EV_FULL && ev != VS_EV_RST_LOST)
		v->st.bad_packets++;
	if (v->logged & (1u << ev))
		return;
	v->logged |= 1u << ev;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("%s: %s (further ones are not logged)", v->dev.name, msg);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * The connection table.
 */

static unsigned int conn_bucket(uint32_t guest_port, uint32_t host_port)
{
	uint64_t k = ((uint64_t)guest_port << 32 | host_port) * 0x9e3779b97f4a7c15ull;

	return (unsigned int)(k >> 56) % VSOCK_BUCKETS;
}

struct vconn *vconn_find(const struct vsock *v, uint32_t guest_port, uint32_t host_port)
{
	struct vconn *c = v->buckets[conn_bucket(guest_port, host_port)];

	while (c && (c->guest_port != guest_port || c->host_port != host_port))
		c = c->hnext;
	return c;
}

void vconn_hash(struct vsock *v, struct vconn *c)
{
	unsigned int b = conn_bucket(c->guest_port, c->host_port);

	c->hnext = v->buckets[b];
	v->buckets[b] = c;
	c->hashed = true;
}

static void conn_unhash(struct vsock *v, struct vconn *c)
{
	struct vconn **p = &v->buckets[conn_bucket(c->guest_port, c->host_port)];

	if (!c->hashed)
		return;
	while (*p && *p != c)
		p = &(*p)->hnext;
	if (*p)
		*p = c->hnext;
	c->hashed = false;
}

static void work_remove(struct vsock *v, struct vconn *c)
{
	if (!c->queued)
		return;
	if (c->wprev)
		c->wprev->wnext = c->wnext;
	else
		v->work_head = c->wnext;
	if (c->wnext)
		c->wnext->wprev = c->wprev;
	else
		v->work_tail = c->wprev;
	c->wprev = c->wnext = NULL;
	c->queued = false;
}

/* The guest's credit for @c: bytes it can still take (0 when its numbers make no sense). */
uint32_t vconn_credit(const struct vconn *c)
{
	uint32_t inflight = c->rx_cnt - c->peer_fwd;

	return inflight > c->peer_buf ? 0 : c->peer_buf - inflight;
}

/* @c has data the guest may take now. */
static bool conn_has_data(const struct vconn *c)
{
	return c->state == CONN_OPEN && c->rd_ready && !c->host_eof && !(c->guest_shut & VIRTIO_VSOCK_SHUTDOWN_RCV);
}

/* Put @c on the work list when it owes the guest something it may send now. */
void vconn_kick(struct vsock *v, struct vconn *c)
{
	bool data = conn_has_data(c);

	if (data && !vconn_credit(c)) {
		data = false;
		if (!c->credit_asked) {	/* ask once; the guest's next header brings its credit */
			c->credit_asked = true;
			c->ctrl |= CTRL_CREDIT_REQUEST;
		}
	}
	if (c->queued || (!data && !c->ctrl))
		return;
	c->wprev = v->work_tail;
	c->wnext = NULL;
	if (v->work_tail)
		v->work_tail->wnext = c;
	else
		v->work_head = c;
	v->work_tail = c;
	c->queued = true;
}

/* Run vsock_tick in VSOCK_TICK_MS (I/O thread). */
static void timer_arm(struct vsock *v)
{
	struct io_uring_sqe *sqe;

	if (v->timer_pending)
		return;
	sqe = ioloop_sqe(v->dev.loop, &v->timer_op);
	if (!sqe)
		return;
	v->timer_ts = (struct __kernel_timespec){ .tv_nsec = VSOCK_TICK_MS * 1000000ll };
	io_uring_prep_timeout(sqe, &v->timer_ts, 0, 0);
	io_uring_sqe_set_data(sqe, &v->timer_op);
	v->timer_pending = true;
}

void vconn_deadline(struct vsock *v, struct vconn *c, unsigned int ms)
{
	c->deadline = now_ms() + ms;
	timer_arm(v);
}

/* Watch @fd as @c's socket (edge-triggered). 0 or -errno. */
int vconn_attach(struct vsock *v, struct vconn *c, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c };

	if (epoll_ctl(v->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	c->fd = fd;
	c->wr_ready = true;
	return 0;
}

/* A connection on @fd (-1: none yet), or NULL (@fd is not closed). */
struct vconn *vconn_new(struct vsock *v, int fd, enum conn_state state)
{
	struct vconn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = -1;
	if (fd >= 0 && vconn_attach(v, c, fd) < 0) {
		free(c);
		return NULL;
	}
	c->state = state;
	c->ring.cap = VSOCK_CONN_BUF;
	c->next = v->all;
	if (v->all)
		v->all->prev = c;
	v->all = c;
	v->nconns++;
	v->st.conns_open = v->nconns;
	return c;
}

/* Forget @c and close its socket (the guest is told nothing). Any thread: the close alone leaves the epoll set. */
void vconn_free(struct vsock *v, struct vconn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->state == CONN_SOCKET)
		v->nsock_wait--;
	conn_unhash(v, c);
	work_remove(v, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		v->all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	vsock_ring_free(&c->ring);
	v->nconns--;
	v->st.conns_open = v->nconns;
	free(c);
}

/* Queue an RST from host port @host_port to guest port @guest_port. */
void vsock_rst_push(struct vsock *v, uint32_t host_port, uint32_t guest_port)
{
	unsigned int i = (v->rst_head + v->rst_len) % VSOCK_RST_MAX;

	if (v->rst_len == VSOCK_RST_MAX) {
		vsock_log_once(v, VS_EV_RST_LOST, "RST to port %u dropped: %u wait for receive buffers", guest_port,
			       VSOCK_RST_MAX);
		return;
	}
	v->rst[i].host_port = host_port;
	v->rst[i].guest_port = guest_port;
	v->rst_len++;
}

/* End @c at once: close its socket and send the guest an RST when it knows the connection. */
void vconn_reset(struct vsock *v, struct vconn *c)
{
	if (c->state == CONN_REQUEST || c->state == CONN_SOCKET)
		v->st.conns_refused++;
	if (c->state != CONN_LINE && (c->state != CONN_REQUEST || c->req_sent))
		vsock_rst_push(v, c->host_port, c->guest_port);
	vconn_free(v, c);
}

/*
 * Packets to the guest.
 */

/* Take a receive chain into v->rx. 0, or -EAGAIN (none: the driver's kick comes back) / -EPROTO. */
static int vsock_rx_take(struct vsock *v)
{
	struct virtio_dev *dev = &v->dev;
	int r;

	for (;;) {
		r = virtio_pop(dev, VIRTIO_VSOCK_RX, &v->rx);
		if (r != -EAGAIN)
			break;
		if (!virtio_queue_live(dev, VIRTIO_VSOCK_RX) || !virtq_kick_enable(&dev->vq[VIRTIO_VSOCK_RX]))
			return -EAGAIN;
	}
	if (r < 0)
		return r;
	if (v->rx.nout || v->rx.in_len <= VSOCK_HDR) {
		virtio_fault(dev, VIRTIO_VSOCK_RX, v->rx.nout ? VQ_FAULT_DIRECTION : VQ_FAULT_FORMAT,
			     v->rx.nout ? "device-readable buffer in the receive queue"
					: "receive buffer without room for a header and data");
		return -EPROTO;
	}
	v->rx_held = true;
	return 0;
}

/* A header from the host's @host_port to the guest's @guest_port. */
static struct virtio_vsock_hdr hdr_out(const struct vsock *v, uint32_t host_port, uint32_t guest_port, uint16_t op)
{
	return (struct virtio_vsock_hdr){ .src_cid = VSOCK_CID_HOST, .dst_cid = v->cid, .src_port = host_port,
					  .dst_port = guest_port, .type = VIRTIO_VSOCK_TYPE_STREAM, .op = op };
}

/* Send @h (its payload, h->len bytes, already behind the header) in the held receive chain. */
static void rx_send(struct vsock *v, struct virtio_vsock_hdr *h, struct vconn *c)
{
	if (c) {
		h->buf_alloc = VSOCK_CONN_BUF;
		h->fwd_cnt = c->fwd_cnt;
		c->adv_fwd = c->fwd_cnt;
		c->ctrl &= (uint8_t)~CTRL_CREDIT_UPDATE;	/* every header carries the credit */
	}
	iov_from_buf(v->rx.iov, v->rx.nin, 0, h, VSOCK_HDR);
	virtio_done(&v->dev, VIRTIO_VSOCK_RX, v->rx.head, VSOCK_HDR + h->len);
	v->rx_held = false;
	v->st.rx_packets++;
	v->st.rx_bytes += h->len;
}

/* Send @c's most urgent control packet. */
static void conn_send_ctrl(struct vsock *v, struct vconn *c)
{
	static const struct {
		uint8_t bit;
		uint16_t op;
	} order[] = {
		{ CTRL_REQUEST, VIRTIO_VSOCK_OP_REQUEST },
		{ CTRL_RESPONSE, VIRTIO_VSOCK_OP_RESPONSE },
		{ CTRL_SHUTDOWN, VIRTIO_VSOCK_OP_SHUTDOWN },
		{ CTRL_CREDIT_UPDATE, VIRTIO_VSOCK_OP_CREDIT_UPDATE },
		{ CTRL_CREDIT_REQUEST, VIRTIO_VSOCK_OP_CREDIT_REQUEST },
	};
	struct virtio_vsock_hdr h;
	unsigned int k = 0;

	while (!(c->ctrl & order[k].bit))
		k++;
	c->ctrl &= (uint8_t)~order[k].bit;
	h = hdr_out(v, c->host_port, c->guest_port, order[k].op);
	if (order[k].bit == CTRL_REQUEST) {
		c->req_sent = true;
		vconn_deadline(v, c, VSOCK_CONNECT_TIMEOUT_MS);
	} else if (order[k].bit == CTRL_SHUTDOWN) {
		h.flags = c->local_shut;
		if (c->local_shut == VIRTIO_VSOCK_SHUTDOWN_BOTH)
			vconn_deadline(v, c, VSOCK_CLOSE_TIMEOUT_MS);	/* the guest's RST is awaited */
	}
	rx_send(v, &h, c);
}

/* Read @c's socket straight into the held receive chain. False when @c is gone. */
static bool conn_send_data(struct vsock *v, struct vconn *c)
{
	size_t room = v->rx.in_len - VSOCK_HDR, credit = vconn_credit(c);
	struct virtio_vsock_hdr h;
	ssize_t r;

	if (room > VSOCK_MAX_PKT)
		room = VSOCK_MAX_PKT;
	if (room > credit)
		room = credit;
	r = vsock_uds_recv(c->fd, v->rx.iov, v->rx.nin, VSOCK_HDR, room);
	if (r > 0) {
		h = hdr_out(v, c->host_port, c->guest_port, VIRTIO_VSOCK_OP_RW);
		h.len = (uint32_t)r;
		c->rx_cnt += (uint32_t)r;
		rx_send(v, &h, c);
	} else if (r == 0) {
		/* The host shut its side (or closed): tell the guest once its bytes are all out. */
		c->host_eof = true;
		c->local_shut |= VIRTIO_VSOCK_SHUTDOWN_SEND | (c->host_hup ? VIRTIO_VSOCK_SHUTDOWN_RCV : 0);
		c->ctrl |= CTRL_SHUTDOWN;
	} else if (r == -EAGAIN || r == -EINTR) {
		c->rd_ready = false;
	} else {
		log_debug("%s: port %u: reading the host socket: %s", v->dev.name, c->host_port, strerror((int)-r));
		vconn_reset(v, c);
		return false;
	}
	return true;
}

/* Send the guest what is owed, while it gives receive buffers: RSTs first, then connections in turn. */
void vsock_rx_run(struct vsock *v)
{
	while (v->rst_len || v->work_head) {
		struct vconn *c;

		if (!v->rx_held && vsock_rx_take(v) < 0)
			return;
		if (v->rst_len) {
			struct virtio_vsock_hdr h = hdr_out(v, v->rst[v->rst_head].host_port,
							    v->rst[v->rst_head].guest_port, VIRTIO_VSOCK_OP_RST);

			v->rst_head = (v->rst_head + 1) % VSOCK_RST_MAX;
			v->rst_len--;
			rx_send(v, &h, NULL);
			continue;
		}
		c = v->work_head;
		work_remove(v, c);
		if (c->ctrl)
			conn_send_ctrl(v, c);
		else if (conn_has_data(c) && vconn_credit(c) && !conn_send_data(v, c))
			continue;
		vconn_kick(v, c);
	}
}

/*
 * The host side's events.
 */

/* A free host port for a host-initiated connection to guest port @guest_port. */
static int vsock_host_port(struct vsock *v, uint32_t guest_port, uint32_t *out)
{
	for (unsigned int i = 0; i <= VSOCK_MAX_CONNS; i++) {
		uint32_t p = v->next_port;

		v->next_port = p + 1 >= UINT32_MAX ? VSOCK_HOST_PORT_FIRST : p + 1;
		if (!vconn_find(v, guest_port, p)) {
			*out = p;
			return 0;
		}
	}
	return -EADDRINUSE;
}

/* Host connections waiting on the listening socket: each must first say which guest port it wants. */
static void vsock_accept(struct vsock *v)
{
	for (;;) {
		int fd = vsock_uds_accept(v->uds);
		struct vconn *c;

		if (fd == -EINTR || fd == -ECONNABORTED)
			continue;
		if (fd < 0) {
			if (fd != -EAGAIN)
				log_warn("%s: accepting on %s: %s", v->dev.name, v->uds->path, strerror(-fd));
			return;
		}
		c = v->nconns < VSOCK_MAX_CONNS ? vconn_new(v, fd, CONN_LINE) : NULL;
		if (!c) {
			if (v->nconns >= VSOCK_MAX_CONNS)
				vsock_log_once(v, VS_EV_FULL, "a host connection refused: %u connections already",
					       VSOCK_MAX_CONNS);
			v->st.conns_refused++;
			close(fd);
			continue;
		}
		vconn_deadline(v, c, VSOCK_LINE_TIMEOUT_MS);
	}
}

/* A host connection in CONN_LINE became readable: its "CONNECT <port>\n" turns it into a REQUEST. */
static void conn_line(struct vsock *v, struct vconn *c)
{
	uint32_t port, host_port;
	int r = vsock_uds_read_connect(c->fd, &port);

	if (r == 0)
		return;
	if (r < 0 || vsock_host_port(v, port, &host_port) < 0) {
		log_debug("%s: a host connection ended before a valid CONNECT line (%s)", v->dev.name,
			  strerror(r < 0 ? -r : EADDRINUSE));
		v->st.conns_refused++;
		vconn_free(v, c);
		return;
	}
	c->guest_port = port;
	c->host_port = host_port;
	c->state = CONN_REQUEST;
	c->rd_ready = true;	/* bytes after the line wait for the connection to open */
	c->ctrl |= CTRL_REQUEST;
	vconn_hash(v, c);
	vconn_deadline(v, c, VSOCK_CONNECT_TIMEOUT_MS);	/* a guest without a driver times out too */
	vconn_kick(v, c);
}

/* Write @c's buffered bytes to its socket. False when @c is gone. */
static bool conn_flush(struct vsock *v, struct vconn *c)
{
	ssize_t w = vsock_ring_flush(&c->ring, c->fd);

	if (w < 0) {
		log_debug("%s: port %u: writing the host socket: %s", v->dev.name, c->host_port, strerror((int)-w));
		vconn_reset(v, c);
		return false;
	}
	c->fwd_cnt += (uint32_t)w;
	if (c->ring.len) {
		c->wr_ready = false;
	} else {
		if ((c->guest_shut & VIRTIO_VSOCK_SHUTDOWN_SEND) && !c->shut_wr) {
			shutdown(c->fd, SHUT_WR);
			c->shut_wr = true;
		}
		if (c->state == CONN_CLOSING) {	/* the guest's full shutdown, done: RST ends it */
			vconn_reset(v, c);
			return false;
		}
	}
	if (c->fwd_cnt - c->adv_fwd >= VSOCK_CREDIT_STEP)
		c->ctrl |= CTRL_CREDIT_UPDATE;
	return true;
}

/* epoll's @events on @c's socket. */
static void conn_event(struct vsock *v, struct vconn *c, uint32_t events)
{
	if (c->state == CONN_LINE) {
		conn_line(v, c);
		return;
	}
	if (events & EPOLLHUP) {
		c->host_hup = true;
		/* Nothing more can reach the host, and nothing can go to a guest that shut receiving. */
		if (c->state != CONN_OPEN || (c->guest_shut & VIRTIO_VSOCK_SHUTDOWN_RCV)) {
			vconn_reset(v, c);
			return;
		}
		if (c->host_eof && !(c->local_shut & VIRTIO_VSOCK_SHUTDOWN_RCV)) {	/* its end was seen already */
			c->local_shut |= VIRTIO_VSOCK_SHUTDOWN_RCV;
			c->ctrl |= CTRL_SHUTDOWN;
		}
	}
	if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
		c->wr_ready = true;
		if (c->ring.len && !conn_flush(v, c))
			return;
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->rd_ready = true;
	vconn_kick(v, c);
}

/* The timer: end what waited too long. */
static void vsock_tick(struct vsock *v)
{
	uint64_t now = now_ms();
	bool more = false;

	for (struct vconn *c = v->all, *next; c; c = next) {
		next = c->next;
		if (!c->deadline)
			continue;
		if (c->deadline > now) {
			more = true;
			continue;
		}
		log_debug("%s: guest port %u, host port %u: timed out (state %d)", v->dev.name, c->guest_port,
			  c->host_port, (int)c->state);
		if (c->state == CONN_LINE) {
			v->st.conns_refused++;
			vconn_free(v, c);
		} else {
			vconn_reset(v, c);
		}
	}
	if (more)
		timer_arm(v);
}

static void vsock_timer_done(struct ioloop_op *op, int res)
{
	struct vsock *v = (struct vsock *)((char *)op - offsetof(struct vsock, timer_op));

	pthread_mutex_lock(&v->dev.lock);
	v->timer_pending = false;
	if (res != -ECANCELED && !ioloop_stopping(v->dev.loop)) {
		vsock_tick(v);
		vsock_rx_run(v);
	}
	pthread_mutex_unlock(&v->dev.lock);
}

static void vsock_poll_arm(struct vsock *v)
{
	struct io_uring_sqe *sqe = ioloop_sqe(v->dev.loop, &v->poll_op);

	if (!sqe) {
		if (!ioloop_stopping(v->dev.loop))
			log_error("%s: cannot watch the host sockets any more", v->dev.name);
		return;
	}
	io_uring_prep_poll_add(sqe, v->epfd, POLLIN);
	io_uring_sqe_set_data(sqe, &v->poll_op);
}

static void vsock_poll_done(struct ioloop_op *op, int res)
{
	struct vsock *v = (struct vsock *)((char *)op - offsetof(struct vsock, poll_op));
	struct epoll_event evs[VSOCK_EVENTS];
	int n;

	if (res == -ECANCELED || ioloop_stopping(v->dev.loop))
		return;
	pthread_mutex_lock(&v->dev.lock);
	n = epoll_wait(v->epfd, evs, VSOCK_EVENTS, 0);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u64 == VSOCK_TAG_LISTEN)
			vsock_accept(v);
		else
			conn_event(v, evs[i].data.ptr, evs[i].events);
	}
	vsock_rx_run(v);
	pthread_mutex_unlock(&v->dev.lock);
	vsock_poll_arm(v);
}

/*
 * The device.
 */

static void vsock_queue_notify(struct virtio_dev *dev, unsigned int q)
{
	struct vsock *v = dev->priv;

	if (q == VIRTIO_VSOCK_TX)
		vsock_tx_run(v);
	/* The event queue's buffers wait for an event keel never sends (a migration's transport reset). */
	if (q != VIRTIO_VSOCK_EVENT)
		vsock_rx_run(v);
}

static uint64_t vsock_features(const struct virtio_dev *dev)
{
	(void)dev;
	return VIRTIO_BIT(VIRTIO_VSOCK_F_STREAM);
}

static void vsock_config_read(const struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	const struct vsock *v = dev->priv;
	uint8_t cfg[VIRTIO_VSOCK_CFG_SIZE];

	memcpy(cfg, &v->cid, sizeof(cfg));	/* le64 on a little-endian host */
	memcpy(data, cfg + off, len);
}

/* Every connection goes: the guest's driver forgot them (host sockets are closed, no RST). */
static void vsock_drop_all(struct vsock *v)
{
	while (v->all)
		vconn_free(v, v->all);
	v->rst_head = v->rst_len = 0;
	v->rx_held = false;
}

static void vsock_reset(struct virtio_dev *dev)
{
	vsock_drop_all(dev->priv);
}

static const struct virtio_dev_ops virtio_vsock_ops = {
	.name = "virtio-vsock",
	.device_id = VIRTIO_ID_VSOCK,
	.pci_class = VSOCK_PCI_CLASS,
	.nqueues = 3,
	.queue_max = VIRTIO_VSOCK_QUEUE_SIZE,
	.config_size = VIRTIO_VSOCK_CFG_SIZE,
	.features = vsock_features,
	.config_read = vsock_config_read,
	.queue_notify = vsock_queue_notify,
	.reset = vsock_reset,
};

/* The epoll set: the listening socket, then each connection's socket. */
static int vsock_watch_init(struct vsock *v)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = VSOCK_TAG_LISTEN };

	v->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (v->epfd < 0)
		return -errno;
	if (epoll_ctl(v->epfd, EPOLL_CTL_ADD, v->uds->listen_fd, &ev) < 0)
		return -errno;
	return 0;
}

int virtio_vsock_create(struct vsock_uds *uds, uint64_t guest_cid, const struct guest_mem *mem, struct ioloop *loop,
			struct virtio_dev **out)
{
	struct vsock *v = calloc(1, sizeof(*v));
	int ret;

	if (!v)
		return -ENOMEM;
	v->epfd = -1;
	v->uds = uds;
	v->cid = guest_cid;
	v->next_port = VSOCK_HOST_PORT_FIRST;
	v->poll_op.done = vsock_poll_done;
	v->timer_op.done = vsock_timer_done;
	v->sock_op.done = vsock_sock_done;
	ret = virtio_dev_init(&v->dev, &virtio_vsock_ops, v, "virtio-vsock0", mem, loop);
	if (ret == 0)
		ret = vsock_watch_init(v);
	if (ret < 0) {
		virtio_vsock_destroy(&v->dev);
		return ret;
	}
	vsock_poll_arm(v);	/* posted now, submitted when the I/O thread starts */
	*out = &v->dev;
	return 0;
}

void virtio_vsock_destroy(struct virtio_dev *dev)
{
	struct vsock *v;

	if (!dev)
		return;
	v = dev->priv;
	vsock_drop_all(v);
	if (v->epfd >= 0)
		close(v->epfd);
	virtio_dev_destroy(dev);
	free(v);
}

int virtio_vsock_stats(struct virtio_dev *dev, struct virtio_vsock_stats *s)
{
	if (!dev || dev->ops != &virtio_vsock_ops)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	*s = ((struct vsock *)dev->priv)->st;
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

/* --- the device type (devices/virtio/type.h) ----------------------------------------------- */

static unsigned int vsock_type_count(const struct virtio_config *c)
{
	return c->vsock.on;
}

static struct virtio_place vsock_type_place(const struct virtio_config *c, unsigned int i)
{
	(void)i;
	return c->vsock.place;
}

static int vsock_type_open(const struct virtio_config *c, unsigned int i, const struct virtio_env *env, void **backend,
			   char *err, size_t errlen)
{
	struct vsock_uds *u = NULL;
	int ret;

	(void)i;
	(void)env;
	ret = vsock_uds_open(c->vsock.uds_path, &u, err, errlen);
	*backend = u;
	return ret;
}

static void vsock_type_close(void *backend)
{
	vsock_uds_close(backend);
}

static int vsock_type_create(void *backend, const struct virtio_config *c, unsigned int i,
			     const struct guest_mem *mem, struct ioloop *loop, struct virtio_dev **out)
{
	(void)i;
	return virtio_vsock_create(backend, c->vsock.guest_cid, mem, loop, out);
}

const struct virtio_type virtio_vsock_type = {
	.name = "virtio-vsock",
	.count = vsock_type_count,
	.place = vsock_type_place,
	.open = vsock_type_open,
	.close = vsock_type_close,
	.create = vsock_type_create,
	.destroy = virtio_vsock_destroy,
};
