/* virtio-vsock on the I/O thread: the stream packet protocol (connect, accept, reset, shutdown, data, credit) between the guest's queues and host Unix sockets. */
#include "devices/virtio/vsock.h"

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
#define VSOCK_HDR VIRTIO_VSOCK_HDR_LEN
#define VSOCK_BUCKETS 256u		/* connection hash table */
#define VSOCK_RST_MAX 128u		/* RSTs waiting for a receive buffer; past that the guest times out */
#define VSOCK_EVENTS 64			/* epoll events taken at a time */
#define VSOCK_TICK_MS 200		/* the deadline timer's period while a deadline is set */
#define VSOCK_CREDIT_STEP (VSOCK_CONN_BUF / 4)	/* bytes forwarded that earn the guest a CREDIT_UPDATE */
#define VSOCK_TAG_LISTEN 1ull		/* epoll data of the listening socket */

/* What is logged once per device: the guest's packets broken by cause, and running out of room. */
enum vsock_event {
	VS_EV_SHORT,		/* a packet shorter than its header */
	VS_EV_CID,		/* from a cid not the guest's, or to one not the host's */
	VS_EV_LEN,		/* len past the buffer, past VSOCK_MAX_PKT, or on a packet without data */
	VS_EV_TYPE,		/* not a stream packet */
	VS_EV_OP,		/* an unknown operation */
	VS_EV_STATE,		/* an operation the connection's state does not allow */
	VS_EV_OVERRUN,		/* more data than the credit keel gave */
	VS_EV_FULL,		/* VSOCK_MAX_CONNS reached */
	VS_EV_RST_LOST,		/* the RST queue is full */
};

enum conn_state {
	CONN_SOCKET,		/* guest-initiated: waiting for a socket to connect to PATH_<port> with */
	CONN_LINE,		/* host-initiated: waiting for "CONNECT <port>\n" */
	CONN_REQUEST,		/* host-initiated: REQUEST owed or sent, the guest's answer awaited */
	CONN_OPEN,		/* established */
	CONN_CLOSING,		/* the guest shut both ways: the last bytes go to the host, then RST */
};

/* Control packets a connection owes the guest, most urgent first. */
enum {
	CTRL_REQUEST = 1u << 0,
	CTRL_RESPONSE = 1u << 1,
	CTRL_SHUTDOWN = 1u << 2,	/* with local_shut as its flags */
	CTRL_CREDIT_UPDATE = 1u << 3,
	CTRL_CREDIT_REQUEST = 1u << 4,
};

/* One connection: a host Unix socket and the guest's (guest_port, host_port). */
struct vconn {
	struct vconn *hnext;		/* hash chain */
	struct vconn *prev, *next;	/* every connection */
	struct vconn *wprev, *wnext;	/* the work list: owes the guest a packet */
	bool hashed, queued;
	int fd;				/* -1 in CONN_SOCKET */
	enum conn_state state;
	uint32_t guest_port, host_port;
	bool req_sent;			/* CONN_REQUEST: the guest has the REQUEST */
	bool rd_ready, wr_ready;	/* epoll's edges: readable / writable until EAGAIN */
	bool host_eof, host_hup;	/* the host program shut its sending side / closed */
	bool shut_wr;			/* keel shut the socket's writing side (the guest's SHUTDOWN SEND) */
	bool credit_asked;		/* a CREDIT_REQUEST went out since the guest's credit was 0 */
	uint8_t ctrl;			/* CTRL_* owed */
	uint8_t guest_shut;		/* SHUTDOWN flags the guest sent */
	uint8_t local_shut;		/* SHUTDOWN flags keel sent (or owes) */
	uint64_t deadline;		/* ms on CLOCK_MONOTONIC, 0: none */
	/* guest to host: bytes the socket did not take yet (at most VSOCK_CONN_BUF, our buf_alloc) */
	struct vsock_ring ring;
	uint32_t fwd_cnt;		/* bytes written to the socket */
	uint32_t adv_fwd;		/* fwd_cnt as the guest last heard it */
	/* host to guest: the guest's receive buffer */
	uint32_t rx_cnt;		/* bytes sent to the guest */
	uint32_t peer_buf, peer_fwd;	/* its buf_alloc and fwd_cnt */
};

struct vsock {
	struct virtio_dev dev;
	struct vsock_uds *uds;
	uint64_t cid;
	int epfd;
	struct ioloop_op poll_op;
	/*
	 * The deadline timer and new sockets come through the io_uring: the I/O thread's seccomp
	 * filter allows neither timerfd_settime nor socket.
	 */
	struct ioloop_op timer_op, sock_op;
	struct __kernel_timespec timer_ts;
	bool timer_pending, sock_pending;
	unsigned int nsock_wait;	/* connections in CONN_SOCKET */
	struct vconn *buckets[VSOCK_BUCKETS];
	struct vconn *all;
	unsigned int nconns;
	struct vconn *work_head, *work_tail;
	struct {
		uint32_t host_port, guest_port;
	} rst[VSOCK_RST_MAX];
	unsigned int rst_head, rst_len;
	uint32_t next_port;
	uint32_t logged;		/* enum vsock_event bits */
	struct virtio_vsock_stats st;
	bool rx_held;			/* rx holds a receive chain not used yet */
	struct virtq_chain rx, tx;
};

static void vs_log_once(struct vsock *v, enum vsock_event ev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void vs_log_once(struct vsock *v, enum vsock_event ev, const char *fmt, ...)
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

static struct vconn *conn_find(const struct vsock *v, uint32_t guest_port, uint32_t host_port)
{
	struct vconn *c = v->buckets[conn_bucket(guest_port, host_port)];

	while (c && (c->guest_port != guest_port || c->host_port != host_port))
		c = c->hnext;
	return c;
}

static void conn_hash(struct vsock *v, struct vconn *c)
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
static uint32_t conn_credit(const struct vconn *c)
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
static void conn_kick(struct vsock *v, struct vconn *c)
{
	bool data = conn_has_data(c);

	if (data && !conn_credit(c)) {
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

static void conn_deadline(struct vsock *v, struct vconn *c, unsigned int ms)
{
	c->deadline = now_ms() + ms;
	timer_arm(v);
}

/* Watch @fd as @c's socket (edge-triggered). 0 or -errno. */
static int conn_attach(struct vsock *v, struct vconn *c, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c };

	if (epoll_ctl(v->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	c->fd = fd;
	c->wr_ready = true;
	return 0;
}

/* A connection on @fd (-1: none yet), or NULL (@fd is not closed). */
static struct vconn *conn_new(struct vsock *v, int fd, enum conn_state state)
{
	struct vconn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = -1;
	if (fd >= 0 && conn_attach(v, c, fd) < 0) {
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
static void conn_free(struct vsock *v, struct vconn *c)
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
static void rst_push(struct vsock *v, uint32_t host_port, uint32_t guest_port)
{
	unsigned int i = (v->rst_head + v->rst_len) % VSOCK_RST_MAX;

	if (v->rst_len == VSOCK_RST_MAX) {
		vs_log_once(v, VS_EV_RST_LOST, "RST to port %u dropped: %u wait for receive buffers", guest_port,
			    VSOCK_RST_MAX);
		return;
	}
	v->rst[i].host_port = host_port;
	v->rst[i].guest_port = guest_port;
	v->rst_len++;
}

/* End @c at once: close its socket and send the guest an RST when it knows the connection. */
static void conn_reset(struct vsock *v, struct vconn *c)
{
	if (c->state == CONN_REQUEST || c->state == CONN_SOCKET)
		v->st.conns_refused++;
	if (c->state != CONN_LINE && (c->state != CONN_REQUEST || c->req_sent))
		rst_push(v, c->host_port, c->guest_port);
	conn_free(v, c);
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
		conn_deadline(v, c, VSOCK_CONNECT_TIMEOUT_MS);
	} else if (order[k].bit == CTRL_SHUTDOWN) {
		h.flags = c->local_shut;
		if (c->local_shut == VIRTIO_VSOCK_SHUTDOWN_BOTH)
			conn_deadline(v, c, VSOCK_CLOSE_TIMEOUT_MS);	/* the guest's RST is awaited */
	}
	rx_send(v, &h, c);
}

/* Read @c's socket straight into the held receive chain. False when @c is gone. */
static bool conn_send_data(struct vsock *v, struct vconn *c)
{
	size_t room = v->rx.in_len - VSOCK_HDR, credit = conn_credit(c);
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
		conn_reset(v, c);
		return false;
	}
	return true;
}

/* Send the guest what is owed, while it gives receive buffers: RSTs first, then connections in turn. */
static void vsock_rx_run(struct vsock *v)
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
		else if (conn_has_data(c) && conn_credit(c) && !conn_send_data(v, c))
			continue;
		conn_kick(v, c);
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
		if (!conn_find(v, guest_port, p)) {
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
		c = v->nconns < VSOCK_MAX_CONNS ? conn_new(v, fd, CONN_LINE) : NULL;
		if (!c) {
			if (v->nconns >= VSOCK_MAX_CONNS)
				vs_log_once(v, VS_EV_FULL, "a host connection refused: %u connections already",
					    VSOCK_MAX_CONNS);
			v->st.conns_refused++;
			close(fd);
			continue;
		}
		conn_deadline(v, c, VSOCK_LINE_TIMEOUT_MS);
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
		conn_free(v, c);
		return;
	}
	c->guest_port = port;
	c->host_port = host_port;
	c->state = CONN_REQUEST;
	c->rd_ready = true;	/* bytes after the line wait for the connection to open */
	c->ctrl |= CTRL_REQUEST;
	conn_hash(v, c);
	conn_deadline(v, c, VSOCK_CONNECT_TIMEOUT_MS);	/* a guest without a driver times out too */
	conn_kick(v, c);
}

/* Write @c's buffered bytes to its socket. False when @c is gone. */
static bool conn_flush(struct vsock *v, struct vconn *c)
{
	ssize_t w = vsock_ring_flush(&c->ring, c->fd);

	if (w < 0) {
		log_debug("%s: port %u: writing the host socket: %s", v->dev.name, c->host_port, strerror((int)-w));
		conn_reset(v, c);
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
			conn_reset(v, c);
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
			conn_reset(v, c);
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
	conn_kick(v, c);
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
			conn_free(v, c);
		} else {
			conn_reset(v, c);
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
 * The guest's packets.
 */

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
static void vsock_sock_done(struct ioloop_op *op, int res)
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
			ret = conn_attach(v, c, res);
		if (ret < 0)
			close(res);
	}
	if (ret < 0) {
		log_debug("%s: the guest's connection to host port %u refused: %s", v->dev.name, c->host_port,
			  strerror(-ret));
		conn_reset(v, c);
	} else {
		c->state = CONN_OPEN;
		v->nsock_wait--;
		c->ctrl |= CTRL_RESPONSE;
		v->st.conns_guest++;
		conn_kick(v, c);
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
		vs_log_once(v, VS_EV_FULL, "the guest's connection to port %u refused: %u connections already",
			    h->dst_port, VSOCK_MAX_CONNS);
	else
		c = conn_new(v, -1, CONN_SOCKET);
	if (!c) {
		v->st.conns_refused++;
		rst_push(v, h->dst_port, h->src_port);
		return;
	}
	c->guest_port = h->src_port;
	c->host_port = h->dst_port;
	c->peer_buf = h->buf_alloc;
	c->peer_fwd = h->fwd_cnt;
	conn_hash(v, c);
	v->nsock_wait++;
	vsock_sock_request(v);
}

/* The guest's RW payload (@len bytes after the header of @ch) for @c. False when @c is gone. */
static bool conn_write(struct vsock *v, struct vconn *c, const struct virtq_chain *ch, uint32_t len)
{
	ssize_t w = 0;

	if (len > c->ring.cap - c->ring.len) {
		vs_log_once(v, VS_EV_OVERRUN, "%u bytes to host port %u past the credit given (%u buffered): RST",
			    len, c->host_port, c->ring.len);
		conn_reset(v, c);
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
			conn_reset(v, c);
			return false;
		}
		if ((size_t)w < len)
			c->wr_ready = false;
	}
	if ((size_t)w < len && vsock_ring_put(&c->ring, ch->iov, ch->nout, VSOCK_HDR + (size_t)w, len - (size_t)w) < 0) {
		conn_reset(v, c);
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
		conn_reset(v, c);
		return false;
	}
	conn_deadline(v, c, VSOCK_CLOSE_TIMEOUT_MS);
	return true;
}

/* Answer a broken packet @h with an RST (and end its connection, if any). */
static void answer_rst(struct vsock *v, const struct virtio_vsock_hdr *h)
{
	struct vconn *c = conn_find(v, h->src_port, h->dst_port);

	if (c)
		conn_reset(v, c);
	else
		rst_push(v, h->dst_port, h->src_port);
}

/* One packet @h of an existing connection @c, in the chain @ch. */
static void conn_packet(struct vsock *v, struct vconn *c, const struct virtio_vsock_hdr *h, const struct virtq_chain *ch)
{
	bool live = true;

	c->peer_buf = h->buf_alloc;
	c->peer_fwd = h->fwd_cnt;
	if (conn_credit(c))
		c->credit_asked = false;
	switch (h->op) {
	case VIRTIO_VSOCK_OP_RESPONSE:
		if (c->state != CONN_REQUEST || !c->req_sent)
			goto bad_state;
		if (vsock_uds_send_ok(c->fd, c->host_port) < 0) {
			conn_reset(v, c);
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
		vs_log_once(v, VS_EV_OP, "unknown operation %u from guest port %u: RST", h->op, h->src_port);
		conn_reset(v, c);
		return;
	}
	if (live)
		conn_kick(v, c);
	return;
bad_state:
	vs_log_once(v, VS_EV_STATE, "operation %u from guest port %u to host port %u in state %d: RST", h->op,
		    h->src_port, h->dst_port, (int)c->state);
	conn_reset(v, c);
}

/* One transmit chain @ch: its header checked, then the packet handled. */
static void vsock_tx_packet(struct vsock *v, const struct virtq_chain *ch)
{
	struct virtio_vsock_hdr h;
	struct vconn *c;

	v->st.tx_packets++;
	if (ch->out_len < VSOCK_HDR || iov_to_buf(ch->iov, ch->nout, 0, &h, VSOCK_HDR) != VSOCK_HDR) {
		vs_log_once(v, VS_EV_SHORT, "a %u-byte packet, shorter than its header: dropped", ch->out_len);
		return;
	}
	if (h.src_cid != v->cid || h.dst_cid != VSOCK_CID_HOST) {
		vs_log_once(v, VS_EV_CID, "a packet from cid %llu to cid %llu (the guest is %llu, the host 2): dropped",
			    (unsigned long long)h.src_cid, (unsigned long long)h.dst_cid, (unsigned long long)v->cid);
		return;
	}
	c = conn_find(v, h.src_port, h.dst_port);
	if (h.op == VIRTIO_VSOCK_OP_RST) {	/* never answered */
		if (c && c->state == CONN_REQUEST)
			v->st.conns_refused++;
		if (c)
			conn_free(v, c);
		return;
	}
	if (h.type != VIRTIO_VSOCK_TYPE_STREAM) {
		vs_log_once(v, VS_EV_TYPE, "a packet of type %u (keel has stream sockets only): RST", h.type);
		answer_rst(v, &h);
		return;
	}
	if (h.len > ch->out_len - VSOCK_HDR || h.len > VSOCK_MAX_PKT || (h.op != VIRTIO_VSOCK_OP_RW && h.len)) {
		vs_log_once(v, VS_EV_LEN, "operation %u with len %u in a %u-byte packet: RST", h.op, h.len, ch->out_len);
		answer_rst(v, &h);
		return;
	}
	if (c)
		conn_packet(v, c, &h, ch);
	else if (h.op == VIRTIO_VSOCK_OP_REQUEST)
		guest_connect(v, &h);
	else
		rst_push(v, h.dst_port, h.src_port);	/* no such connection */
}

static void vsock_tx_run(struct vsock *v)
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
		conn_free(v, v->all);
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
