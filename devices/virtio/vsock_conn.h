/* virtio-vsock's inside, shared by the device (vsock.c: connections, packets to the guest, host events) and vsock_tx.c (the guest's packets). */
#ifndef KEEL_DEVICES_VIRTIO_VSOCK_CONN_H
#define KEEL_DEVICES_VIRTIO_VSOCK_CONN_H

#include <linux/time_types.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/vsock.h"

#define VSOCK_HDR VIRTIO_VSOCK_HDR_LEN
#define VSOCK_CREDIT_STEP (VSOCK_CONN_BUF / 4)	/* bytes forwarded that earn the guest a CREDIT_UPDATE */
#define VSOCK_BUCKETS 256u		/* connection hash table */
#define VSOCK_RST_MAX 128u		/* RSTs waiting for a receive buffer; past that the guest times out */

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

/*
 * Helpers of vsock.c for vsock_tx.c; all with the device's lock held (on the I/O thread unless said).
 */

/* vsock_log_once - a warning about event @ev, the first time only; the guest's faults are counted always. */
void vsock_log_once(struct vsock *v, enum vsock_event ev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* vconn_find - the connection (guest_port, host_port), or NULL. vconn_hash - make @c findable so. */
struct vconn *vconn_find(const struct vsock *v, uint32_t guest_port, uint32_t host_port);
void vconn_hash(struct vsock *v, struct vconn *c);

/* vconn_credit - the bytes the guest can still take on @c (0 when its numbers make no sense). */
uint32_t vconn_credit(const struct vconn *c);

/* vconn_kick - put @c on the work list when it owes the guest a packet it may send now. */
void vconn_kick(struct vsock *v, struct vconn *c);

/* vconn_deadline - end @c (vsock_tick) unless something happens within @ms. */
void vconn_deadline(struct vsock *v, struct vconn *c, unsigned int ms);

/* vconn_attach - watch @fd as @c's socket (edge-triggered epoll). 0 or -errno. */
int vconn_attach(struct vsock *v, struct vconn *c, int fd);

/* vconn_new - a connection in @state on @fd (-1: none yet), or NULL (@fd is then not closed). */
struct vconn *vconn_new(struct vsock *v, int fd, enum conn_state state);

/* vconn_free - forget @c and close its socket, telling the guest nothing (any thread). */
void vconn_free(struct vsock *v, struct vconn *c);

/* vconn_reset - end @c at once: close its socket, RST to the guest when it knows the connection. */
void vconn_reset(struct vsock *v, struct vconn *c);

/* vsock_rst_push - queue an RST from host port @host_port to guest port @guest_port. */
void vsock_rst_push(struct vsock *v, uint32_t host_port, uint32_t guest_port);

/* vsock_rx_run - send the guest what is owed while it gives receive buffers. */
void vsock_rx_run(struct vsock *v);

/*
 * vsock_tx.c.
 * vsock_tx_run - take the guest's packets off the transmit queue and act on each.
 * vsock_sock_done - a socket the io_uring made for the oldest connection waiting for one (the
 *   sock_op's completion, on the I/O thread; takes the lock itself).
 */
void vsock_tx_run(struct vsock *v);
void vsock_sock_done(struct ioloop_op *op, int res);

#endif
