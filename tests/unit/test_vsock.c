/* virtio-vsock through both transports and a fake driver: connections either way on real Unix sockets, data byte for byte, credit, shutdown, RST, malformed packets, many connections. */
#include "tests/unit/suites.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/virtio/vsock.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/log.h"

#define RING_GPA 0x100000ull		/* queue q at RING_GPA + q * 0x10000 */
#define RXBUF_GPA 0x400000ull		/* receive slot k: header at + k * 0x2000, payload 0x40 after it */
#define TXBUF_GPA 0x800000ull		/* transmit slot j: header at + j * 0x11000, payload 0x100 after it */
#define QS 128u
#define NRX 32u				/* receive buffers kept posted */
#define NTX 32u
#define RX_PAYLOAD 4096u
#define CID 3u
#define RXQ VIRTIO_VSOCK_RX
#define TXQ VIRTIO_VSOCK_TX
#define EVQ VIRTIO_VSOCK_EVENT
#define HDR VIRTIO_VSOCK_HDR_LEN
#define BIG_CREDIT (1u << 20)

static struct vm vm;
static struct fakedrv d;
static struct fakeq q[3];
static char dir[64], uds[96];
static bool started;
static unsigned int tx_next;
static uint32_t listened[16];	/* ports host_listen bound, removed by teardown */
static unsigned int nlistened;

static uint8_t *area(uint64_t gpa, uint64_t len)
{
	uint8_t *p = testvm_hva(&vm, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void rx_post(unsigned int k)
{
	uint64_t base = RXBUF_GPA + k * 0x2000ull;
	struct fakeq_buf b[2] = { { base, HDR, true }, { base + 0x40, RX_PAYLOAD, true } };

	fakeq_offer(&q[RXQ], fakeq_chain(&q[RXQ], (uint16_t)(2 * k), b, 2));
}

/* A VM with the vsock device (cid 3) on a socket in a fresh directory; the driver set up, receive buffers posted. */
static void start(bool pci)
{
	struct virtio_config c = { .transport = pci ? VIRTIO_TRANSPORT_PCI : VIRTIO_TRANSPORT_MMIO };

	snprintf(dir, sizeof(dir), "/tmp/keel-vsock.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(uds, sizeof(uds), "%s/v.sock", dir);
	c.vsock = (struct virtio_vsock_opts){ .on = true, .spec = strdup("cid=3"), .guest_cid = CID,
					      .uds_path = strdup(uds) };
	started = true;
	tx_next = 0;
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
	if (pci)
		ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 1), 0);
	else
		ck_assert_int_eq(fakedrv_open_mmio(&d, &vm, KEEL_VIRTIO_MMIO_BASE), 0);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
	for (unsigned int i = 0; i < 3; i++) {
		fakeq_init(&q[i], &vm.plat.mem, RING_GPA + i * 0x10000ull, QS);
		fakedrv_queue(&d, i, &q[i], 0);
	}
	fakedrv_driver_ok(&d);
	for (unsigned int k = 0; k < NRX; k++)
		rx_post(k);
	fakedrv_kick(&d, RXQ);
}

static void teardown(void)
{
	char path[128];

	if (started)
		testvm_stop(&vm);
	started = false;
	for (unsigned int i = 0; i < nlistened; i++) {
		snprintf(path, sizeof(path), "%s_%u", uds, listened[i]);
		unlink(path);
	}
	nlistened = 0;
	if (dir[0])
		rmdir(dir);
	dir[0] = '\0';
}

static struct virtio_dev *vsock_dev(void)
{
	return vm.virtio->slots[0].dev;
}

/* A header from the guest's @src port to host port @dst. */
static struct virtio_vsock_hdr gh(uint16_t op, uint32_t src, uint32_t dst)
{
	return (struct virtio_vsock_hdr){ .src_cid = CID, .dst_cid = VSOCK_CID_HOST, .src_port = src, .dst_port = dst,
					  .type = VIRTIO_VSOCK_TYPE_STREAM, .op = op, .buf_alloc = BIG_CREDIT };
}

/* The guest sends @h with @plen payload bytes in the chain (h->len as given); waits for the chain back. */
static void tx(const struct virtio_vsock_hdr *h, const void *payload, uint32_t plen)
{
	unsigned int j = tx_next++ % NTX;
	uint64_t base = TXBUF_GPA + j * 0x11000ull;
	struct fakeq_buf b[2] = { { base, HDR, false }, { base + 0x100, plen, false } };
	uint32_t id, len;

	memcpy(area(base, HDR), h, HDR);
	if (plen)
		memcpy(area(base + 0x100, plen), payload, plen);
	fakeq_offer(&q[TXQ], fakeq_chain(&q[TXQ], (uint16_t)(2 * j), b, plen ? 2 : 1));
	fakedrv_kick(&d, TXQ);
	ck_assert_int_eq(fakeq_wait_used(&q[TXQ], &id, &len, 2000), 1);
	ck_assert_uint_eq(id, 2 * j);
}

static void tx_op(uint16_t op, uint32_t src, uint32_t dst, uint32_t flags)
{
	struct virtio_vsock_hdr h = gh(op, src, dst);

	h.flags = flags;
	tx(&h, NULL, 0);
}

static void tx_data(uint32_t src, uint32_t dst, const void *buf, uint32_t n)
{
	struct virtio_vsock_hdr h = gh(VIRTIO_VSOCK_OP_RW, src, dst);

	h.len = n;
	tx(&h, buf, n);
}

/* The next packet for the guest within @ms: 1 with its header in @h and payload in @buf (room for RX_PAYLOAD), or 0. */
static int rx_next(struct virtio_vsock_hdr *h, uint8_t *buf, int ms)
{
	uint32_t id, len;
	unsigned int k;

	if (!fakeq_wait_used(&q[RXQ], &id, &len, ms))
		return 0;
	ck_assert_uint_eq(id % 2, 0);
	k = id / 2;
	memcpy(h, area(RXBUF_GPA + k * 0x2000ull, HDR), HDR);
	ck_assert_uint_le(h->len, RX_PAYLOAD);
	ck_assert_uint_eq(len, HDR + h->len);
	ck_assert_uint_eq(h->src_cid, VSOCK_CID_HOST);
	ck_assert_uint_eq(h->dst_cid, CID);
	ck_assert_uint_eq(h->type, VIRTIO_VSOCK_TYPE_STREAM);
	if (buf && h->len)
		memcpy(buf, area(RXBUF_GPA + k * 0x2000ull + 0x40, h->len), h->len);
	rx_post(k);
	fakedrv_kick(&d, RXQ);
	return 1;
}

/* The next packet must be @op from host port @src to guest port @dst. */
static void rx_expect(uint16_t op, uint32_t src, uint32_t dst, struct virtio_vsock_hdr *out)
{
	struct virtio_vsock_hdr h;

	ck_assert_int_eq(rx_next(&h, NULL, 3000), 1);
	ck_assert_uint_eq(h.op, op);
	ck_assert_uint_eq(h.src_port, src);
	ck_assert_uint_eq(h.dst_port, dst);
	if (out)
		*out = h;
}

/* Nothing for the guest within @ms. */
static void rx_none(int ms)
{
	struct virtio_vsock_hdr h;

	ck_assert_msg(rx_next(&h, NULL, ms) == 0, "unexpected op %u %u -> %u", h.op, h.src_port, h.dst_port);
}

static int host_listen(uint32_t port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", uds, port);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 64), 0);
	ck_assert_uint_lt(nlistened, 16);
	listened[nlistened++] = port;
	return fd;
}

static int host_accept(int l)
{
	struct pollfd p = { .fd = l, .events = POLLIN };
	int fd;

	ck_assert_int_eq(poll(&p, 1, 3000), 1);
	fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static int host_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", uds);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void host_write(int fd, const void *buf, size_t n)
{
	ck_assert_int_eq(send(fd, buf, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Read exactly @n bytes within @ms in all; the count read (short at the end of the stream or on time-out). */
static size_t host_read(int fd, void *buf, size_t n, int ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, ms) != 1)
			break;
		r = recv(fd, (char *)buf + got, n - got, MSG_DONTWAIT);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* The host socket @fd reaches its end within @ms: read gives 0 (or ECONNRESET: keel closed with bytes unread). */
static void host_eof(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t r;
	char c;

	ck_assert_int_eq(poll(&p, 1, ms), 1);
	r = recv(fd, &c, 1, MSG_DONTWAIT);
	ck_assert_msg(r == 0 || (r < 0 && errno == ECONNRESET), "read %zd (%s)", r, r < 0 ? strerror(errno) : "data");
}

static void pattern(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

/* Receive @n bytes of data from host port @src to guest port @dst into @buf (CREDIT_UPDATEs skipped). */
static void rx_data(uint32_t src, uint32_t dst, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct virtio_vsock_hdr h;

		ck_assert_int_eq(rx_next(&h, buf + got, 3000), 1);
		if (h.op == VIRTIO_VSOCK_OP_CREDIT_UPDATE)
			continue;
		ck_assert_uint_eq(h.op, VIRTIO_VSOCK_OP_RW);
		ck_assert_uint_eq(h.src_port, src);
		ck_assert_uint_eq(h.dst_port, dst);
		ck_assert_uint_le(got + h.len, n);
		got += h.len;
	}
}

/* A guest connection from guest port @gport to host port @hport, accepted on @l; returns the host's socket. */
static int guest_open(int l, uint32_t gport, uint32_t hport)
{
	struct virtio_vsock_hdr r;

	tx_op(VIRTIO_VSOCK_OP_REQUEST, gport, hport, 0);
	rx_expect(VIRTIO_VSOCK_OP_RESPONSE, hport, gport, &r);
	ck_assert_uint_eq(r.buf_alloc, VSOCK_CONN_BUF);
	return host_accept(l);
}

/* A host connection to guest port @gport, accepted by the guest; its host port in *@hport. */
static int host_open(uint32_t gport, uint32_t *hport)
{
	struct virtio_vsock_hdr r;
	char line[32], want[32];
	int fd = host_connect();
	size_t n;

	snprintf(line, sizeof(line), "CONNECT %u\n", gport);
	host_write(fd, line, strlen(line));
	ck_assert_int_eq(rx_next(&r, NULL, 3000), 1);
	ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_REQUEST);
	ck_assert_uint_eq(r.dst_port, gport);
	ck_assert_uint_ge(r.src_port, VSOCK_HOST_PORT_FIRST);
	*hport = r.src_port;
	tx_op(VIRTIO_VSOCK_OP_RESPONSE, gport, r.src_port, 0);
	n = (size_t)snprintf(want, sizeof(want), "OK %u\n", r.src_port);
	ck_assert_uint_eq(host_read(fd, line, n, 3000), n);
	ck_assert_int_eq(memcmp(line, want, n), 0);
	return fd;
}

/* The configuration space holds the cid; the stream feature is offered; no seqpacket. */
START_TEST(config_and_features)
{
	uint64_t f;

	start(_i == 0);
	ck_assert_uint_eq(fakedrv_config(&d, 0, 4), CID);
	ck_assert_uint_eq(fakedrv_config(&d, 4, 4), 0);
	f = fakedrv_device_features(&d);
	ck_assert(f & VIRTIO_BIT(VIRTIO_VSOCK_F_STREAM));
	ck_assert(!(f & VIRTIO_BIT(VIRTIO_VSOCK_F_SEQPACKET)));
	ck_assert_int_eq(access(uds, F_OK), 0);
}
END_TEST

/* The guest connects to host port 1234 (uds_1234): RESPONSE, data both ways byte for byte, full shutdown answered by RST. */
START_TEST(guest_connects)
{
	static uint8_t out[10000], in[10000];
	const char hello[] = "hello from the guest";
	struct virtio_vsock_stats st;
	char got[64];
	int l, a;

	start(_i == 0);
	l = host_listen(1234);
	a = guest_open(l, 5000, 1234);
	tx_data(5000, 1234, hello, sizeof(hello));
	ck_assert_uint_eq(host_read(a, got, sizeof(hello), 3000), sizeof(hello));
	ck_assert_str_eq(got, hello);
	pattern(out, sizeof(out), 1);
	host_write(a, out, sizeof(out));
	rx_data(1234, 5000, in, sizeof(in));
	ck_assert_int_eq(memcmp(in, out, sizeof(out)), 0);
	tx_op(VIRTIO_VSOCK_OP_SHUTDOWN, 5000, 1234, VIRTIO_VSOCK_SHUTDOWN_BOTH);
	rx_expect(VIRTIO_VSOCK_OP_RST, 1234, 5000, NULL);
	host_eof(a, 3000);
	ck_assert_int_eq(virtio_vsock_stats(vsock_dev(), &st), 0);
	ck_assert_uint_eq(st.conns_guest, 1);
	ck_assert_uint_eq(st.conns_open, 0);
	ck_assert_uint_eq(st.rx_bytes, sizeof(out));
	ck_assert_uint_eq(st.tx_bytes, sizeof(hello));
	close(a);
	close(l);
}
END_TEST

/* Nobody listens at uds_99: RST; the connection table stays empty. */
START_TEST(guest_connect_refused)
{
	struct virtio_vsock_stats st;

	start(_i == 0);
	tx_op(VIRTIO_VSOCK_OP_REQUEST, 5001, 99, 0);
	rx_expect(VIRTIO_VSOCK_OP_RST, 99, 5001, NULL);
	ck_assert_int_eq(virtio_vsock_stats(vsock_dev(), &st), 0);
	ck_assert_uint_eq(st.conns_refused, 1);
	ck_assert_uint_eq(st.conns_open, 0);
}
END_TEST

/* "CONNECT 52\n" (with bytes after it in the same write): REQUEST, RESPONSE, "OK <port>\n", the bytes, data back; the host's close gives SHUTDOWN. */
START_TEST(host_connects)
{
	static uint8_t out[9000], in[9000];
	const char first[] = "CONNECT 52\nearly bytes";
	struct virtio_vsock_hdr r;
	char line[32], want[32];
	uint8_t buf[RX_PAYLOAD];
	int fd = -1;
	size_t n;

	start(_i == 0);
	fd = host_connect();
	host_write(fd, first, strlen(first));
	ck_assert_int_eq(rx_next(&r, NULL, 3000), 1);
	ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_REQUEST);
	ck_assert_uint_eq(r.dst_port, 52);
	ck_assert_uint_eq(r.src_port, VSOCK_HOST_PORT_FIRST);
	ck_assert_uint_eq(r.buf_alloc, VSOCK_CONN_BUF);
	tx_op(VIRTIO_VSOCK_OP_RESPONSE, 52, r.src_port, 0);
	n = (size_t)snprintf(want, sizeof(want), "OK %u\n", r.src_port);
	ck_assert_uint_eq(host_read(fd, line, n, 3000), n);
	ck_assert_int_eq(memcmp(line, want, n), 0);
	rx_data(r.src_port, 52, buf, strlen("early bytes"));
	ck_assert_int_eq(memcmp(buf, "early bytes", strlen("early bytes")), 0);
	pattern(out, sizeof(out), 2);
	for (size_t off = 0; off < sizeof(out); off += 3000)
		tx_data(52, r.src_port, out + off, 3000);
	ck_assert_uint_eq(host_read(fd, in, sizeof(in), 3000), sizeof(in));
	ck_assert_int_eq(memcmp(in, out, sizeof(in)), 0);
	close(fd);
	rx_expect(VIRTIO_VSOCK_OP_SHUTDOWN, r.src_port, 52, &r);
	ck_assert_uint_eq(r.flags, VIRTIO_VSOCK_SHUTDOWN_BOTH);
	tx_op(VIRTIO_VSOCK_OP_RST, 52, r.src_port, 0);
	rx_none(200);
}
END_TEST

/* The guest refuses (RST): the host socket ends without "OK". A bad line, and a guest that never answers, end it too. */
START_TEST(host_connect_refused)
{
	struct virtio_vsock_hdr r, h;
	struct virtio_vsock_stats st;
	int fd;

	start(_i == 0);
	fd = host_connect();
	host_write(fd, "CONNECT 53\n", 11);
	ck_assert_int_eq(rx_next(&r, NULL, 3000), 1);
	ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_REQUEST);
	tx_op(VIRTIO_VSOCK_OP_RST, 53, r.src_port, 0);
	host_eof(fd, 3000);
	close(fd);

	fd = host_connect();
	host_write(fd, "CONNECT x53\n", 12);
	host_eof(fd, 3000);
	close(fd);
	fd = host_connect();
	host_write(fd, "CONNECT 4294967296\n", 19);
	host_eof(fd, 3000);
	close(fd);
	fd = host_connect();
	host_write(fd, "CONNECT 12345678901234567890123456789\n", 38);
	host_eof(fd, 3000);
	close(fd);

	/* No answer: RST to the guest and the host socket closed after VSOCK_CONNECT_TIMEOUT_MS. */
	fd = host_connect();
	host_write(fd, "CONNECT 54\r\n", 12);
	ck_assert_int_eq(rx_next(&r, NULL, 3000), 1);
	ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_REQUEST);
	ck_assert_uint_eq(r.dst_port, 54);
	ck_assert_int_eq(rx_next(&h, NULL, VSOCK_CONNECT_TIMEOUT_MS + 3000), 1);
	ck_assert_uint_eq(h.op, VIRTIO_VSOCK_OP_RST);
	ck_assert_uint_eq(h.src_port, r.src_port);
	ck_assert_uint_eq(h.dst_port, 54);
	host_eof(fd, 3000);
	close(fd);
	ck_assert_int_eq(virtio_vsock_stats(vsock_dev(), &st), 0);
	ck_assert_uint_eq(st.conns_refused, 5);
	ck_assert_uint_eq(st.conns_open, 0);
}
END_TEST

/* A guest that gives 100 bytes of credit gets 100 bytes and a CREDIT_REQUEST, and more only as it gives more. */
START_TEST(credit_to_guest)
{
	static uint8_t out[1000], in[1000];
	struct virtio_vsock_hdr h, r;
	size_t got = 0;
	int l, a;

	start(_i == 0);
	l = host_listen(2000);
	h = gh(VIRTIO_VSOCK_OP_REQUEST, 6000, 2000);
	h.buf_alloc = 100;
	tx(&h, NULL, 0);
	rx_expect(VIRTIO_VSOCK_OP_RESPONSE, 2000, 6000, NULL);
	a = host_accept(l);
	pattern(out, sizeof(out), 3);
	host_write(a, out, sizeof(out));
	while (got < 100) {
		ck_assert_int_eq(rx_next(&r, in + got, 3000), 1);
		ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_RW);
		got += r.len;
		ck_assert_uint_le(got, 100);
	}
	rx_expect(VIRTIO_VSOCK_OP_CREDIT_REQUEST, 2000, 6000, NULL);
	rx_none(300);
	/* The guest took the 100 bytes: 100 more. */
	h = gh(VIRTIO_VSOCK_OP_CREDIT_UPDATE, 6000, 2000);
	h.buf_alloc = 100;
	h.fwd_cnt = 100;
	tx(&h, NULL, 0);
	while (got < 200) {
		ck_assert_int_eq(rx_next(&r, in + got, 3000), 1);
		ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_RW);
		got += r.len;
		ck_assert_uint_le(got, 200);
	}
	rx_expect(VIRTIO_VSOCK_OP_CREDIT_REQUEST, 2000, 6000, NULL);
	/* A lying fwd_cnt (past what was sent) gives nothing. */
	h.fwd_cnt = 5000;
	tx(&h, NULL, 0);
	rx_none(300);
	/* A bigger buffer: the rest. */
	h.buf_alloc = 4096;
	h.fwd_cnt = 200;
	tx(&h, NULL, 0);
	while (got < sizeof(out)) {
		ck_assert_int_eq(rx_next(&r, in + got, 3000), 1);
		ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_RW);
		got += r.len;
		ck_assert_uint_le(got, sizeof(out));
	}
	ck_assert_int_eq(memcmp(in, out, sizeof(out)), 0);
	close(a);
	close(l);
}
END_TEST

/* The host reads: the guest hears of it (CREDIT_UPDATE); a guest that writes past its credit while the host does not read gets RST. */
START_TEST(credit_from_guest)
{
	static uint8_t out[32768];
	struct virtio_vsock_hdr r;
	uint8_t *sink = malloc(1 << 20);
	bool updated = false, reset = false;
	unsigned int sent = 0;
	int l, a;

	ck_assert_ptr_nonnull(sink);
	start(_i == 0);
	l = host_listen(3000);
	a = guest_open(l, 7000, 3000);
	pattern(out, sizeof(out), 4);
	for (unsigned int i = 0; i < 2; i++)
		tx_data(7000, 3000, out, sizeof(out));
	ck_assert_uint_eq(host_read(a, sink, 2 * sizeof(out), 3000), 2 * sizeof(out));
	while (rx_next(&r, NULL, 300)) {
		ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_CREDIT_UPDATE);
		ck_assert_uint_eq(r.buf_alloc, VSOCK_CONN_BUF);
		ck_assert_uint_ge(r.fwd_cnt, VSOCK_CONN_BUF / 4);
		updated = true;
	}
	ck_assert(updated);
	/* The host stops reading: its socket fills, then keel's 64 KiB, then RST. */
	for (unsigned int i = 0; i < 64 && !reset; i++) {
		tx_data(7000, 3000, out, sizeof(out));
		sent += sizeof(out);
		while (rx_next(&r, NULL, 50)) {
			if (r.op == VIRTIO_VSOCK_OP_RST)
				reset = true;
			else
				ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_CREDIT_UPDATE);
		}
	}
	ck_assert(reset);
	ck_assert_uint_gt(sent, VSOCK_CONN_BUF);
	free(sink);
	close(a);
	close(l);
}
END_TEST

/* Half-closes: the guest's SHUTDOWN SEND is the host's end of stream (and data still flows to the guest); the host's shutdown is SHUTDOWN SEND. */
START_TEST(half_close)
{
	struct virtio_vsock_hdr r;
	uint8_t buf[RX_PAYLOAD];
	int l, a;

	start(_i == 0);
	l = host_listen(4000);
	a = guest_open(l, 8000, 4000);
	tx_data(8000, 4000, "last", 4);
	tx_op(VIRTIO_VSOCK_OP_SHUTDOWN, 8000, 4000, VIRTIO_VSOCK_SHUTDOWN_SEND);
	ck_assert_uint_eq(host_read(a, buf, 4, 3000), 4);
	host_eof(a, 3000);
	host_write(a, "answer", 6);
	rx_data(4000, 8000, buf, 6);
	ck_assert_int_eq(memcmp(buf, "answer", 6), 0);
	/* Data after the guest's SHUTDOWN SEND breaks the protocol: RST. */
	tx_data(8000, 4000, "more", 4);
	rx_expect(VIRTIO_VSOCK_OP_RST, 4000, 8000, NULL);
	close(a);

	a = guest_open(l, 8001, 4000);
	ck_assert_int_eq(shutdown(a, SHUT_WR), 0);
	rx_expect(VIRTIO_VSOCK_OP_SHUTDOWN, 4000, 8001, &r);
	ck_assert_uint_eq(r.flags, VIRTIO_VSOCK_SHUTDOWN_SEND);
	tx_data(8001, 4000, "still", 5);
	ck_assert_uint_eq(host_read(a, buf, 5, 3000), 5);
	ck_assert_int_eq(memcmp(buf, "still", 5), 0);
	tx_op(VIRTIO_VSOCK_OP_SHUTDOWN, 8001, 4000, VIRTIO_VSOCK_SHUTDOWN_BOTH);
	rx_expect(VIRTIO_VSOCK_OP_RST, 4000, 8001, NULL);
	host_eof(a, 3000);
	close(a);
	close(l);
}
END_TEST

/* Packets for connections that do not exist are answered RST (an RST itself is not). */
START_TEST(unknown_connections)
{
	start(_i == 0);
	tx_data(9000, 1, "x", 1);
	rx_expect(VIRTIO_VSOCK_OP_RST, 1, 9000, NULL);
	tx_op(VIRTIO_VSOCK_OP_SHUTDOWN, 9001, 2, VIRTIO_VSOCK_SHUTDOWN_BOTH);
	rx_expect(VIRTIO_VSOCK_OP_RST, 2, 9001, NULL);
	tx_op(VIRTIO_VSOCK_OP_RESPONSE, 9002, VSOCK_HOST_PORT_FIRST, 0);
	rx_expect(VIRTIO_VSOCK_OP_RST, VSOCK_HOST_PORT_FIRST, 9002, NULL);
	tx_op(VIRTIO_VSOCK_OP_CREDIT_REQUEST, 9003, 3, 0);
	rx_expect(VIRTIO_VSOCK_OP_RST, 3, 9003, NULL);
	tx_op(VIRTIO_VSOCK_OP_RST, 9004, 4, 0);
	rx_none(200);
}
END_TEST

/* Broken headers: foreign cids and short packets dropped; a bad type, an unknown op, a len past the buffer answered RST (a live connection ended). */
START_TEST(malformed)
{
	struct virtio_vsock_hdr h;
	uint8_t big[100] = { 0 };
	char *err;
	int saved, l, a;

	start(_i == 0);
	l = host_listen(1000);
	saved = testvm_capture_stderr();
	h = gh(VIRTIO_VSOCK_OP_REQUEST, 10, 1000);
	h.src_cid = 4;
	tx(&h, NULL, 0);
	h = gh(VIRTIO_VSOCK_OP_REQUEST, 10, 1000);
	h.dst_cid = 5;
	tx(&h, NULL, 0);
	h = gh(VIRTIO_VSOCK_OP_REQUEST, 10, 1000);
	h.src_cid = CID + (1ull << 32);
	tx(&h, NULL, 0);
	rx_none(200);
	{	/* 20 bytes: no room for a header */
		struct fakeq_buf b = { TXBUF_GPA, 20, false };
		uint32_t id, len;

		fakeq_offer(&q[TXQ], fakeq_chain(&q[TXQ], 100, &b, 1));
		fakedrv_kick(&d, TXQ);
		ck_assert_int_eq(fakeq_wait_used(&q[TXQ], &id, &len, 2000), 1);
		ck_assert_uint_eq(id, 100);
	}
	rx_none(200);
	h = gh(VIRTIO_VSOCK_OP_REQUEST, 11, 1000);
	h.type = VIRTIO_VSOCK_TYPE_SEQPACKET;
	tx(&h, NULL, 0);
	rx_expect(VIRTIO_VSOCK_OP_RST, 1000, 11, NULL);
	h = gh(VIRTIO_VSOCK_OP_REQUEST, 12, 1000);
	h.len = 10;		/* a request with data */
	tx(&h, big, 10);
	rx_expect(VIRTIO_VSOCK_OP_RST, 1000, 12, NULL);
	/* On a live connection: len past the chain, then an unknown op. */
	a = guest_open(l, 13, 1000);
	h = gh(VIRTIO_VSOCK_OP_RW, 13, 1000);
	h.len = 100;
	tx(&h, big, 10);
	rx_expect(VIRTIO_VSOCK_OP_RST, 1000, 13, NULL);
	host_eof(a, 3000);
	close(a);
	a = guest_open(l, 14, 1000);
	tx_op(9, 14, 1000, 0);
	rx_expect(VIRTIO_VSOCK_OP_RST, 1000, 14, NULL);
	host_eof(a, 3000);
	close(a);
	a = guest_open(l, 15, 1000);
	tx_op(VIRTIO_VSOCK_OP_INVALID, 15, 1000, 0);
	rx_expect(VIRTIO_VSOCK_OP_RST, 1000, 15, NULL);
	host_eof(a, 3000);
	close(a);
	a = guest_open(l, 16, 1000);
	h = gh(VIRTIO_VSOCK_OP_RW, 16, 1000);
	h.len = VSOCK_MAX_PKT + 1;	/* past the cap, and past the buffer */
	tx(&h, big, sizeof(big));
	rx_expect(VIRTIO_VSOCK_OP_RST, 1000, 16, NULL);
	host_eof(a, 3000);
	close(a);
	/* A second REQUEST on a live connection. */
	a = guest_open(l, 17, 1000);
	tx_op(VIRTIO_VSOCK_OP_REQUEST, 17, 1000, 0);
	rx_expect(VIRTIO_VSOCK_OP_RST, 1000, 17, NULL);
	host_eof(a, 3000);
	close(a);
	err = testvm_release_stderr(saved);
	ck_assert_uint_eq(testvm_count(err, "from cid"), 1);
	ck_assert_uint_eq(testvm_count(err, "shorter than its header"), 1);
	ck_assert_uint_eq(testvm_count(err, "of type 2"), 1);
	ck_assert_uint_eq(testvm_count(err, "unknown operation"), 1);
	ck_assert_uint_eq(testvm_count(err, "with len"), 1);
	free(err);
	ck_assert(!(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET));
	/* Still working. */
	a = guest_open(l, 18, 1000);
	tx_data(18, 1000, "ok", 2);
	ck_assert_uint_eq(host_read(a, big, 2, 3000), 2);
	close(a);
	close(l);
}
END_TEST

#define MANY_HOST 48u
#define MANY_GUEST 16u
#define MANY_BYTES 1500u

/* 48 host connections and 16 guest connections at once, each with its own bytes both ways. */
START_TEST(many_connections)
{
	static uint8_t out[MANY_BYTES], in[MANY_HOST + MANY_GUEST][MANY_BYTES];
	static size_t got[MANY_HOST + MANY_GUEST];
	uint32_t hport[MANY_HOST];
	int fd[MANY_HOST + MANY_GUEST], acc[MANY_GUEST], l;
	size_t left;
	struct virtio_vsock_stats st;

	start(_i == 0);
	for (unsigned int i = 0; i < MANY_HOST; i++) {
		char line[32];

		fd[i] = host_connect();
		snprintf(line, sizeof(line), "CONNECT %u\n", 7000 + i);
		host_write(fd[i], line, strlen(line));
	}
	for (unsigned int n = 0; n < MANY_HOST; n++) {
		struct virtio_vsock_hdr r;

		ck_assert_int_eq(rx_next(&r, NULL, 3000), 1);
		ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_REQUEST);
		ck_assert_uint_ge(r.dst_port, 7000);
		ck_assert_uint_lt(r.dst_port, 7000 + MANY_HOST);
		hport[r.dst_port - 7000] = r.src_port;
		tx_op(VIRTIO_VSOCK_OP_RESPONSE, r.dst_port, r.src_port, 0);
	}
	for (unsigned int i = 0; i < MANY_HOST; i++) {
		char line[32], want[32];
		size_t n = (size_t)snprintf(want, sizeof(want), "OK %u\n", hport[i]);

		ck_assert_uint_eq(host_read(fd[i], line, n, 3000), n);
		ck_assert_int_eq(memcmp(line, want, n), 0);
	}
	l = host_listen(9999);
	for (unsigned int i = 0; i < MANY_GUEST; i++) {
		tx_op(VIRTIO_VSOCK_OP_REQUEST, 8000 + i, 9999, 0);
		rx_expect(VIRTIO_VSOCK_OP_RESPONSE, 9999, 8000 + i, NULL);
		acc[i] = host_accept(l);
		fd[MANY_HOST + i] = -1;
		pattern(out, MANY_BYTES, 100 + i);
		tx_data(8000 + i, 9999, out, MANY_BYTES);
	}
	/* Which accepted socket is which guest port: the first bytes say. */
	for (unsigned int i = 0; i < MANY_GUEST; i++) {
		uint8_t b[MANY_BYTES];
		unsigned int k;

		ck_assert_uint_eq(host_read(acc[i], b, MANY_BYTES, 3000), MANY_BYTES);
		for (k = 0; k < MANY_GUEST; k++) {
			pattern(out, MANY_BYTES, 100 + k);
			if (!memcmp(b, out, MANY_BYTES))
				break;
		}
		ck_assert_uint_lt(k, MANY_GUEST);
		ck_assert_int_eq(fd[MANY_HOST + k], -1);
		fd[MANY_HOST + k] = acc[i];
	}
	/* Every host socket writes its own pattern at once; the guest sorts the packets by port. */
	for (unsigned int i = 0; i < MANY_HOST + MANY_GUEST; i++) {
		pattern(out, MANY_BYTES, i);
		host_write(fd[i], out, MANY_BYTES);
	}
	left = (size_t)(MANY_HOST + MANY_GUEST) * MANY_BYTES;
	while (left) {
		struct virtio_vsock_hdr r;
		uint8_t b[RX_PAYLOAD];
		unsigned int i;

		ck_assert_int_eq(rx_next(&r, b, 3000), 1);
		ck_assert_uint_eq(r.op, VIRTIO_VSOCK_OP_RW);
		i = r.dst_port >= 8000 ? MANY_HOST + r.dst_port - 8000 : r.dst_port - 7000;
		ck_assert_uint_lt(i, MANY_HOST + MANY_GUEST);
		ck_assert_uint_le(got[i] + r.len, MANY_BYTES);
		memcpy(in[i] + got[i], b, r.len);
		got[i] += r.len;
		left -= r.len;
	}
	for (unsigned int i = 0; i < MANY_HOST + MANY_GUEST; i++) {
		pattern(out, MANY_BYTES, i);
		ck_assert_msg(!memcmp(in[i], out, MANY_BYTES), "connection %u", i);
		/* ... and back to the host, echoed. */
		if (i < MANY_HOST)
			tx_data(7000 + i, hport[i], in[i], MANY_BYTES);
		else
			tx_data(8000 + i - MANY_HOST, 9999, in[i], MANY_BYTES);
	}
	for (unsigned int i = 0; i < MANY_HOST + MANY_GUEST; i++) {
		uint8_t b[MANY_BYTES];

		pattern(out, MANY_BYTES, i);
		ck_assert_uint_eq(host_read(fd[i], b, MANY_BYTES, 3000), MANY_BYTES);
		ck_assert_msg(!memcmp(b, out, MANY_BYTES), "echo %u", i);
	}
	ck_assert_int_eq(virtio_vsock_stats(vsock_dev(), &st), 0);
	ck_assert_uint_eq(st.conns_open, MANY_HOST + MANY_GUEST);
	ck_assert_uint_eq(st.conns_host, MANY_HOST);
	ck_assert_uint_eq(st.conns_guest, MANY_GUEST);
	for (unsigned int i = 0; i < MANY_HOST + MANY_GUEST; i++)
		close(fd[i]);
	close(l);
}
END_TEST

/* The connection bound: past VSOCK_MAX_CONNS a host connection is closed at once and a guest one refused. */
START_TEST(connection_bound)
{
	static int fd[VSOCK_MAX_CONNS + 1];
	struct virtio_vsock_stats st;
	char c;

	start(_i == 0);
	for (unsigned int i = 0; i <= VSOCK_MAX_CONNS; i++)
		fd[i] = host_connect();
	host_eof(fd[VSOCK_MAX_CONNS], 3000);
	tx_op(VIRTIO_VSOCK_OP_REQUEST, 77, 1, 0);
	rx_expect(VIRTIO_VSOCK_OP_RST, 1, 77, NULL);
	ck_assert_int_eq(virtio_vsock_stats(vsock_dev(), &st), 0);
	ck_assert_uint_eq(st.conns_open, VSOCK_MAX_CONNS);
	ck_assert_int_eq(recv(fd[0], &c, 1, MSG_DONTWAIT), -1);	/* still open, waiting for its line */
	for (unsigned int i = 0; i <= VSOCK_MAX_CONNS; i++)
		close(fd[i]);
}
END_TEST

/* A device reset closes every host socket; the device works again after it. */
START_TEST(reset_closes)
{
	uint32_t hport;
	int l, a, b;

	start(_i == 0);
	l = host_listen(1100);
	a = guest_open(l, 20, 1100);
	b = host_open(21, &hport);
	ck_assert_int_eq(fakedrv_reset(&d), 0);
	host_eof(a, 3000);
	host_eof(b, 3000);
	close(a);
	close(b);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
	for (unsigned int i = 0; i < 3; i++) {
		fakeq_init(&q[i], &vm.plat.mem, RING_GPA + i * 0x10000ull, QS);
		fakedrv_queue(&d, i, &q[i], 0);
	}
	fakedrv_driver_ok(&d);
	tx_next = 0;
	for (unsigned int k = 0; k < NRX; k++)
		rx_post(k);
	fakedrv_kick(&d, RXQ);
	a = guest_open(l, 22, 1100);
	tx_data(22, 1100, "again", 5);
	{
		char buf[8];

		ck_assert_uint_eq(host_read(a, buf, 5, 3000), 5);
		ck_assert_int_eq(memcmp(buf, "again", 5), 0);
	}
	close(a);
	close(l);
}
END_TEST

/* A host connection made before the driver is ready waits for it; the socket file goes when keel stops. */
START_TEST(socket_lifetime)
{
	start(_i == 0);
	ck_assert_int_eq(access(uds, F_OK), 0);
	testvm_stop(&vm);
	started = false;
	ck_assert_int_eq(access(uds, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

Suite *vsock_suite(void)
{
	Suite *s = suite_create("vsock");
	TCase *tc = tcase_create("vsock");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, config_and_features, 0, 2);
	tcase_add_loop_test(tc, guest_connects, 0, 2);
	tcase_add_loop_test(tc, guest_connect_refused, 0, 2);
	tcase_add_loop_test(tc, host_connects, 0, 2);
	tcase_add_loop_test(tc, host_connect_refused, 0, 2);
	tcase_add_loop_test(tc, credit_to_guest, 0, 2);
	tcase_add_loop_test(tc, credit_from_guest, 0, 2);
	tcase_add_loop_test(tc, half_close, 0, 2);
	tcase_add_loop_test(tc, unknown_connections, 0, 2);
	tcase_add_loop_test(tc, malformed, 0, 2);
	tcase_add_loop_test(tc, many_connections, 0, 2);
	tcase_add_loop_test(tc, connection_bound, 0, 2);
	tcase_add_loop_test(tc, reset_closes, 0, 2);
	tcase_add_loop_test(tc, socket_lifetime, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
