/* virtio-net through both transports: socket backend TX/RX, mergeable buffers, back-off, bad frames and headers, control queue, link status, a real tap (root). */
#include "tests/unit/suites.h"

#include "devices/virtio/mmio.h"
#include "devices/virtio/net.h"
#include "devices/virtio/pci.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/cli.h"
#include "vmm/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/ethernet.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RING_GPA 0x100000ull		/* queue q at RING_GPA + q * 0x10000 */
#define BUF_GPA 0x400000ull		/* buffer k at BUF_GPA + k * BUF_STRIDE */
#define BUF_STRIDE 0x20000ull
#define QS 64u
#define RXQ VIRTIO_NET_RX
#define TXQ VIRTIO_NET_TX
#define CTRLQ VIRTIO_NET_CTRL
#define OFFLOADS                                                                                            \
	(VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | \
	 VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) | VIRTIO_BIT(VIRTIO_NET_F_HOST_UFO) |                                 \
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_UFO))

static struct vm vm;
static struct fakedrv d;
static struct fakeq q[3];
static char dir[64], vmsock[96], peersock[96];
static int peer = -1;
static bool started;
static const uint8_t test_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x42 };

static uint8_t *area(uint64_t gpa, uint64_t len)
{
	uint8_t *p = testvm_hva(&vm, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* A VM with one NIC on the socket backend (or a tap), the test's own socket as the peer. */
static void start_vm(bool pci, bool tap, const char *ifname)
{
	struct virtio_config c = { .transport = pci ? VIRTIO_TRANSPORT_PCI : VIRTIO_TRANSPORT_MMIO, .nnets = 1 };
	struct virtio_net_opts *n = &c.nets[0];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memcpy(n->mac, test_mac, 6);
	n->mac_given = true;
	if (tap) {
		n->kind = VIRTIO_NET_TAP;
		n->spec = strdup(ifname);
		snprintf(n->ifname, sizeof(n->ifname), "%s", ifname);
	} else {
		snprintf(dir, sizeof(dir), "/tmp/keel-net.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(dir));
		snprintf(vmsock, sizeof(vmsock), "%s/vm", dir);
		snprintf(peersock, sizeof(peersock), "%s/peer", dir);
		peer = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(peer, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", peersock);
		ck_assert_int_eq(bind(peer, (struct sockaddr *)&sa, sizeof(sa)), 0);
		n->kind = VIRTIO_NET_SOCKET;
		n->spec = strdup(vmsock);
		n->path = strdup(vmsock);
		n->peer = strdup(peersock);
	}
	started = true;
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
	if (pci)
		ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 1), 0);
	else
		ck_assert_int_eq(fakedrv_open_mmio(&d, &vm, KEEL_VIRTIO_MMIO_BASE), 0);
}

/* Negotiate @want, set up the three queues, DRIVER_OK. */
static void driver(uint64_t want)
{
	ck_assert_int_eq(fakedrv_init(&d, want, NULL), 0);
	for (unsigned int i = 0; i < 3; i++) {
		fakeq_init(&q[i], &vm.plat.mem, RING_GPA + i * 0x10000ull, QS);
		fakedrv_queue(&d, i, &q[i], 0);
	}
	fakedrv_driver_ok(&d);
}

static void teardown(void)
{
	if (started)
		testvm_stop(&vm);
	started = false;
	if (peer >= 0)
		close(peer);
	peer = -1;
	if (peersock[0])
		unlink(peersock);
	if (dir[0])
		rmdir(dir);
	dir[0] = peersock[0] = '\0';
}

static void peer_send(const void *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", vmsock);
	ck_assert_int_eq(sendto(peer, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)), (ssize_t)len);
}

/* Receive one datagram within @ms; its length, or -1. */
static ssize_t peer_recv(void *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = peer, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return recv(peer, buf, len, MSG_DONTWAIT);
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 37 + i * 11 + (i >> 8));
}

/* Transmit request k: header @h, then @len bytes of frame split into two buffers. */
static void tx_frame(unsigned int k, const struct virtio_net_hdr *h, const uint8_t *frame, uint32_t len)
{
	uint64_t base = BUF_GPA + k * BUF_STRIDE;
	uint32_t first = len / 3;
	struct fakeq_buf b[3] = {
		{ base, NET_HDR_LEN, false },
		{ base + 0x100, first, false },
		{ base + 0x8000, len - first, false },
	};

	memcpy(area(base, NET_HDR_LEN), h, NET_HDR_LEN);
	memcpy(area(base + 0x100, first), frame, first);
	memcpy(area(base + 0x8000, len - first), frame + first, len - first);
	fakeq_offer(&q[TXQ], fakeq_chain(&q[TXQ], (uint16_t)(3 * k % QS), b, 3));
	fakedrv_kick(&d, TXQ);
}

/* Post receive buffer k of @len bytes (one descriptor). */
static void rx_post(unsigned int k, uint32_t len)
{
	struct fakeq_buf b = { BUF_GPA + k * BUF_STRIDE, len, true };

	memset(area(b.gpa, len), 0xcc, len);
	fakeq_offer(&q[RXQ], fakeq_chain(&q[RXQ], (uint16_t)(k % QS), &b, 1));
}

static const uint64_t ALL = ~0ull;

/* TX: the peer gets the frame without the header, byte for byte; the chain comes back. */
START_TEST(tx_reaches_peer)
{
	struct virtio_net_hdr h = { 0 };
	uint8_t frame[1514], got[2048];
	uint32_t id, len;

	start_vm(_i == 0, false, NULL);
	driver(ALL);
	for (unsigned int k = 0; k < 3; k++) {
		uint32_t n = k == 2 ? 1514 : 60 + 100 * k;

		fill(frame, n, k);
		tx_frame(k, &h, frame, n);
		ck_assert_int_eq(peer_recv(got, sizeof(got), 2000), (ssize_t)n);
		ck_assert_int_eq(memcmp(got, frame, n), 0);
		ck_assert_int_eq(fakeq_wait_used(&q[TXQ], &id, &len, 2000), 1);
		ck_assert_uint_eq(id, 3 * k);
		ck_assert_uint_eq(len, 0);
	}
}
END_TEST

/* RX: a frame spanning three mergeable buffers, num_buffers 3, a zero header, the bytes in order. */
START_TEST(rx_mergeable)
{
	uint8_t frame[600], got[612];
	struct virtio_net_hdr h;
	uint32_t id, len, off = 0;

	start_vm(_i == 0, false, NULL);
	driver(ALL);
	for (unsigned int k = 0; k < 4; k++)
		rx_post(k, 256);
	fakedrv_kick(&d, RXQ);
	fill(frame, sizeof(frame), 9);
	peer_send(frame, sizeof(frame));
	for (unsigned int k = 0; k < 3; k++) {
		ck_assert_int_eq(fakeq_wait_used(&q[RXQ], &id, &len, 2000), 1);
		ck_assert_uint_eq(id, k);
		ck_assert_uint_eq(len, k < 2 ? 256 : 612 - 512);
		memcpy(got + off, area(BUF_GPA + k * BUF_STRIDE, len), len);
		off += len;
	}
	ck_assert_uint_eq(off, sizeof(got));
	memcpy(&h, got, sizeof(h));
	ck_assert_uint_eq(h.num_buffers, 3);
	ck_assert_uint_eq(h.flags, 0);
	ck_assert_uint_eq(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_int_eq(memcmp(got + NET_HDR_LEN, frame, sizeof(frame)), 0);
	/* the fourth buffer takes the next small frame, num_buffers 1 */
	peer_send(frame, 100);
	ck_assert_int_eq(fakeq_wait_used(&q[RXQ], &id, &len, 2000), 1);
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(len, 112);
	memcpy(&h, area(BUF_GPA + 3 * BUF_STRIDE, 12), sizeof(h));
	ck_assert_uint_eq(h.num_buffers, 1);
}
END_TEST

/* Without MRG_RXBUF: one buffer per frame, num_buffers 1; a frame larger than the buffer is dropped, the buffer kept. */
START_TEST(rx_single_buffers)
{
	uint8_t frame[300];
	uint32_t id, len;
	int saved;
	char *err;

	start_vm(_i == 0, false, NULL);
	driver(ALL & ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF));
	rx_post(0, 200);
	fakedrv_kick(&d, RXQ);
	fill(frame, sizeof(frame), 3);
	saved = testvm_capture_stderr();
	peer_send(frame, sizeof(frame));	/* 312 bytes do not fit 200 */
	peer_send(frame, 150);
	ck_assert_int_eq(fakeq_wait_used(&q[RXQ], &id, &len, 2000), 1);
	err = testvm_release_stderr(saved);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 162);
	ck_assert_uint_eq(((struct virtio_net_hdr *)area(BUF_GPA, 12))->num_buffers, 1);
	ck_assert_int_eq(memcmp(area(BUF_GPA + 12, 150), frame, 150), 0);
	ck_assert_uint_eq(testvm_count(err, "does not fit") + testvm_count(err, "hold only"), 1);
	free(err);
}
END_TEST

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* No receive buffers: frames wait (in keel's buffer and the socket), no CPU is burnt, and none is lost on the host side. */
START_TEST(rx_backoff)
{
	uint8_t frame[3][80];
	uint32_t id, len;
	double cpu;

	start_vm(_i == 0, false, NULL);
	driver(ALL);
	for (unsigned int k = 0; k < 3; k++) {
		fill(frame[k], sizeof(frame[k]), 20 + k);
		peer_send(frame[k], sizeof(frame[k]));
	}
	cpu = cpu_seconds();
	usleep(300000);
	ck_assert_msg(cpu_seconds() - cpu < 0.1, "%.3f s of CPU while waiting for receive buffers", cpu_seconds() - cpu);
	ck_assert_int_eq(fakeq_used(&q[RXQ], &id, &len), 0);
	for (unsigned int k = 0; k < 3; k++)
		rx_post(k, 2048);
	fakedrv_kick(&d, RXQ);
	for (unsigned int k = 0; k < 3; k++) {
		ck_assert_int_eq(fakeq_wait_used(&q[RXQ], &id, &len, 2000), 1);
		ck_assert_uint_eq(id, k);
		ck_assert_uint_eq(len, 92);
		ck_assert_int_eq(memcmp(area(BUF_GPA + k * BUF_STRIDE + 12, 80), frame[k], 80), 0);
	}
}
END_TEST

/* Oversized and malformed transmit frames: dropped, logged once per kind, the chain returned, the device goes on. */
START_TEST(tx_bad_frames)
{
	struct virtio_net_hdr ok = { 0 }, h;
	uint8_t frame[4000], got[4096];
	uint32_t id, len;
	unsigned int k = 0;
	int saved;
	char *err;

	start_vm(_i == 0, false, NULL);
	driver(ALL);
	fill(frame, sizeof(frame), 1);
	saved = testvm_capture_stderr();
	tx_frame(k++, &ok, frame, 2000);		/* larger than 1518 */
	tx_frame(k++, &ok, frame, 4000);
	h = ok;
	h.gso_type = 0x55;				/* unknown */
	tx_frame(k++, &h, frame, 100);
	h = ok;
	h.hdr_len = 500;				/* beyond the 100-byte frame */
	tx_frame(k++, &h, frame, 100);
	h = ok;
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;		/* not offered on a socket */
	tx_frame(k++, &h, frame, 100);
	h = ok;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;		/* not offered on a socket */
	h.gso_size = 1000;
	tx_frame(k++, &h, frame, 100);
	tx_frame(k++, &ok, frame, 64);			/* a good one still goes */
	for (unsigned int i = 0; i < k; i++)
		ck_assert_int_eq(fakeq_wait_used(&q[TXQ], &id, &len, 2000), 1);
	ck_assert_int_eq(peer_recv(got, sizeof(got), 2000), 64);
	ck_assert_int_eq(peer_recv(got, sizeof(got), 100), -1);
	err = testvm_release_stderr(saved);
	ck_assert_uint_eq(testvm_count(err, "2000 bytes, larger than the 1518 negotiated"), 1);
	ck_assert_uint_eq(testvm_count(err, "4000 bytes"), 0);
	ck_assert_uint_eq(testvm_count(err, "unknown gso_type 0x55"), 1);
	ck_assert_uint_eq(testvm_count(err, "transmitted frame dropped"), 2);	/* one per kind */
	ck_assert_uint_eq(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET, 0);
	free(err);
}
END_TEST

/* hdr_len beyond the frame, logged as such (first of its kind); a chain shorter than the header breaks the device. */
START_TEST(tx_malformed_header)
{
	struct virtio_net_hdr h = { .hdr_len = 300 };
	struct fakeq_buf b = { BUF_GPA + 5 * BUF_STRIDE, 8, false };
	uint8_t frame[100] = { 0 };
	uint32_t id, len;
	int saved;
	char *err;

	start_vm(_i == 0, false, NULL);
	driver(ALL);
	saved = testvm_capture_stderr();
	tx_frame(0, &h, frame, sizeof(frame));
	ck_assert_int_eq(fakeq_wait_used(&q[TXQ], &id, &len, 2000), 1);
	fakeq_offer(&q[TXQ], fakeq_chain(&q[TXQ], 10, &b, 1));
	fakedrv_kick(&d, TXQ);
	for (int i = 0; i < 200 && !(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET); i++)
		usleep(10000);
	err = testvm_release_stderr(saved);
	ck_assert_uint_eq(testvm_count(err, "hdr_len 300 beyond the 100-byte frame"), 1);
	ck_assert_uint_eq(testvm_count(err, "shorter than the 12-byte header"), 1);
	ck_assert_uint_ne(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_ne(fakedrv_isr(&d) & 2u, 0);	/* configuration change (both transports use bit 1) */
	free(err);
	/* a reset brings it back */
	driver(ALL);
	tx_frame(0, &(struct virtio_net_hdr){ 0 }, frame, sizeof(frame));
	ck_assert_int_eq(peer_recv(frame, sizeof(frame), 2000), 100);
}
END_TEST

/* One control command: @cmd_len bytes at a buffer, the ack byte back. Returns the ack. */
static uint8_t ctrl(unsigned int k, const void *cmd, uint32_t cmd_len)
{
	uint64_t base = BUF_GPA + 20 * BUF_STRIDE + k * 0x1000;
	struct fakeq_buf b[2] = { { base, cmd_len, false }, { base + 0x800, 1, true } };
	uint32_t id, len;

	memcpy(area(base, cmd_len), cmd, cmd_len);
	*area(base + 0x800, 1) = 0xee;
	fakeq_offer(&q[CTRLQ], fakeq_chain(&q[CTRLQ], (uint16_t)(2 * k % QS), b, 2));
	fakedrv_kick(&d, CTRLQ);
	ck_assert_int_eq(fakeq_wait_used(&q[CTRLQ], &id, &len, 2000), 1);
	ck_assert_uint_eq(len, 1);
	return *area(base + 0x800, 1);
}

START_TEST(ctrl_commands)
{
	static const uint8_t promisc[] = { 0, 0, 1 }, allmulti_bad[] = { 0, 1, 1, 1 }, extra[] = { 0, 3, 1 };
	static const uint8_t table[] = { 1, 0, 1, 0, 0, 0, 0x02, 0, 0, 0, 0, 9, 0, 0, 0, 0 };
	static const uint8_t table_bad[] = { 1, 0, 5, 0, 0, 0, 0x02, 0, 0, 0, 0, 9 };
	static const uint8_t addr[] = { 1, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }, addr_mc[] = { 1, 1, 1, 2, 3, 4, 5, 6 };
	static const uint8_t vlan[] = { 2, 0, 0x64, 0 }, vlan_bad[] = { 2, 0, 0x88, 0x13 }, announce[] = { 3, 0 };
	static const uint8_t mq[] = { 4, 0, 2, 0 }, unknown[] = { 9, 9 };
	unsigned int k = 0;

	start_vm(_i == 0, false, NULL);
	driver(ALL);
	ck_assert_uint_eq(ctrl(k++, promisc, sizeof(promisc)), VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl(k++, allmulti_bad, sizeof(allmulti_bad)), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(k++, extra, sizeof(extra)), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(k++, table, sizeof(table)), VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl(k++, table_bad, sizeof(table_bad)), VIRTIO_NET_ERR);
	ck_assert_uint_eq(fakedrv_config(&d, 0, 4), 0x00000002u);	/* configured mac */
	ck_assert_uint_eq(ctrl(k++, addr, sizeof(addr)), VIRTIO_NET_OK);
	ck_assert_uint_eq(fakedrv_config(&d, 0, 4), 0x33221102u);
	ck_assert_uint_eq(fakedrv_config(&d, 4, 2), 0x5544u);
	ck_assert_uint_eq(ctrl(k++, addr_mc, sizeof(addr_mc)), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(k++, vlan, sizeof(vlan)), VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl(k++, vlan_bad, sizeof(vlan_bad)), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(k++, announce, sizeof(announce)), VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl(k++, mq, sizeof(mq)), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(k++, unknown, sizeof(unknown)), VIRTIO_NET_ERR);
	ck_assert_uint_eq(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET, 0);
	/* a reset restores the configured address */
	driver(ALL);
	ck_assert_uint_eq(fakedrv_config(&d, 4, 2), 0x4200u);
}
END_TEST

/* Without CTRL_RX the RX class is refused; a message with no ack buffer is a driver error. */
START_TEST(ctrl_malformed)
{
	static const uint8_t promisc[] = { 0, 0, 1 };
	struct fakeq_buf b = { BUF_GPA, 3, false };
	int saved;
	char *err;

	start_vm(_i == 0, false, NULL);
	driver(ALL & ~VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX));
	ck_assert_uint_eq(ctrl(0, promisc, sizeof(promisc)), VIRTIO_NET_ERR);
	memcpy(area(BUF_GPA, 3), promisc, 3);
	saved = testvm_capture_stderr();
	fakeq_offer(&q[CTRLQ], fakeq_chain(&q[CTRLQ], 10, &b, 1));
	fakedrv_kick(&d, CTRLQ);
	for (int i = 0; i < 200 && !(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET); i++)
		usleep(10000);
	err = testvm_release_stderr(saved);
	ck_assert_uint_ne(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_eq(testvm_count(err, "without room for the ack"), 1);
	free(err);
}
END_TEST

/* Config: MAC and link up; the socket backend offers no offloads; the dependency rules are enforced. */
START_TEST(config_and_features)
{
	uint64_t f;

	start_vm(_i == 0, false, NULL);
	f = fakedrv_device_features(&d);
	ck_assert_uint_eq(f & OFFLOADS, 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_NET_F_MAC), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_NET_F_STATUS), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ), 0);
	ck_assert_uint_eq(f & VIRTIO_BIT(VIRTIO_NET_F_MQ), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_F_VERSION_1), 0);
	if (_i == 0)
		ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, 0, 4), 0x1041u << 16 | VIRTIO_PCI_VENDOR);
	driver(ALL);
	for (unsigned int i = 0; i < 6; i++)
		ck_assert_uint_eq(fakedrv_config(&d, i, 1), test_mac[i]);
	ck_assert_uint_eq(fakedrv_config(&d, VIRTIO_NET_CFG_STATUS, 2), VIRTIO_NET_S_LINK_UP);
	ck_assert_uint_eq(fakedrv_config(&d, VIRTIO_NET_CFG_MAX_VQ_PAIRS, 2), 1);
	/* CTRL_RX without CTRL_VQ: refused at DRIVER_OK */
	log_set_level(LOG_OFF);
	driver(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX));
	log_set_level(LOG_WARN);
	ck_assert_uint_ne(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

/* A reset with a frame waiting and a transmit done: the device comes back and works. */
START_TEST(reset_midway)
{
	uint8_t frame[64], got[128];
	uint32_t id, len;

	start_vm(_i == 0, false, NULL);
	driver(ALL);
	fill(frame, sizeof(frame), 5);
	peer_send(frame, sizeof(frame));	/* no buffers: it waits */
	usleep(50000);
	ck_assert_int_eq(fakedrv_reset(&d), 0);
	driver(ALL);
	rx_post(0, 1024);
	fakedrv_kick(&d, RXQ);
	peer_send(frame, 32);
	ck_assert_int_eq(fakeq_wait_used(&q[RXQ], &id, &len, 2000), 1);
	ck_assert_uint_eq(len, 44);
	tx_frame(1, &(struct virtio_net_hdr){ 0 }, frame, 64);
	ck_assert_int_eq(peer_recv(got, sizeof(got), 2000), 64);
}
END_TEST

/* Set interface @name up or down in the current namespace (@up < 0: only read); returns its IFF_UP, or -1. */
static int link_set(const char *name, int up)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (ret == 0 && up >= 0) {
		ifr.ifr_flags = (short)(up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP);
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret < 0 ? -1 : !!(ifr.ifr_flags & IFF_UP);
}

/* Wait (2 s at most) until the device's status says the link is @up. */
static bool wait_link(bool up)
{
	for (int i = 0; i < 200; i++) {
		if (!!(fakedrv_config(&d, VIRTIO_NET_CFG_STATUS, 2) & VIRTIO_NET_S_LINK_UP) == up)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * A real tap, as root, in a network namespace of its own (Check forks each test: unshare
 * affects only this test's process): keel brings up the tap it made; an ARP request from the
 * driver read by a packet socket, a frame the other way; the tap set down and up again: the
 * link follows, with a config interrupt each time; then the tap deleted: link down, a config
 * interrupt, one log line.
 */
START_TEST(tap_roundtrip)
{
	uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x42, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1,
			    0x02, 0, 0, 0, 0, 0x42, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2 };
	uint8_t frame[60], got[2048];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	uint32_t id, len;
	uint64_t f;
	int ps, saved;
	char *err;
	ssize_t n;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 || access("/dev/net/tun", R_OK | W_OK) < 0) {
		fprintf(stderr, "tap_roundtrip: skipped (needs root, network namespaces and /dev/net/tun)\n");
		return;
	}
	start_vm(_i == 0, true, "keeltap0");
	f = fakedrv_device_features(&d);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_NET_F_CSUM), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM), 0);
	ck_assert_int_eq(link_set("keeltap0", -1), 1);	/* keel made it, and brought it up */
	ck_assert(wait_link(true));
	driver(ALL);
	ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	ck_assert_int_ge(ps, 0);
	sll.sll_ifindex = (int)if_nametoindex("keeltap0");
	ck_assert_int_gt(sll.sll_ifindex, 0);
	ck_assert_int_eq(bind(ps, (struct sockaddr *)&sll, sizeof(sll)), 0);
	/* guest → host */
	tx_frame(0, &(struct virtio_net_hdr){ 0 }, arp, sizeof(arp));
	for (;;) {
		struct pollfd p = { .fd = ps, .events = POLLIN };

		ck_assert_int_eq(poll(&p, 1, 2000), 1);
		n = recv(ps, got, sizeof(got), 0);
		if (n == (ssize_t)sizeof(arp) && !memcmp(got, arp, sizeof(arp)))
			break;	/* (the kernel may send its own frames first: IPv6 router solicitations) */
	}
	ck_assert_int_eq(fakeq_wait_used(&q[TXQ], &id, &len, 2000), 1);
	/* host → guest */
	for (unsigned int k = 0; k < 8; k++)
		rx_post(k, 2048);
	fakedrv_kick(&d, RXQ);
	fill(frame, sizeof(frame), 77);
	memcpy(frame, "\x02\x00\x00\x00\x00\x42\x02\x00\x00\x00\x00\x99\x88\xb5", 14);	/* local experimental ethertype */
	ck_assert_int_eq(sendto(ps, frame, sizeof(frame), 0, (struct sockaddr *)&sll, sizeof(sll)), (ssize_t)sizeof(frame));
	for (;;) {
		ck_assert_int_eq(fakeq_wait_used(&q[RXQ], &id, &len, 2000), 1);
		if (len == NET_HDR_LEN + sizeof(frame) && !memcmp(area(BUF_GPA + id * BUF_STRIDE + 12, 60), frame, 60))
			break;
		rx_post(id, 2048);	/* someone else's frame: give the buffer back */
		fakedrv_kick(&d, RXQ);
	}
	close(ps);
	/* the link follows the tap's state */
	(void)fakedrv_isr(&d);
	ck_assert_int_eq(link_set("keeltap0", 0), 0);
	ck_assert(wait_link(false));
	ck_assert_uint_ne(fakedrv_isr(&d) & 2u, 0);
	tx_frame(1, &(struct virtio_net_hdr){ 0 }, arp, sizeof(arp));	/* refused by the tap, dropped quietly */
	ck_assert_int_eq(fakeq_wait_used(&q[TXQ], &id, &len, 2000), 1);
	ck_assert_int_eq(link_set("keeltap0", 1), 1);
	ck_assert(wait_link(true));
	ck_assert_uint_ne(fakedrv_isr(&d) & 2u, 0);
	/* the tap goes away */
	(void)fakedrv_isr(&d);
	saved = testvm_capture_stderr();
	ck_assert_int_eq(system("ip link del keeltap0 2>/dev/null"), 0);
	for (int i = 0; i < 200 && (fakedrv_config(&d, VIRTIO_NET_CFG_STATUS, 2) & VIRTIO_NET_S_LINK_UP); i++)
		usleep(10000);
	tx_frame(2, &(struct virtio_net_hdr){ 0 }, arp, sizeof(arp));
	ck_assert_int_eq(fakeq_wait_used(&q[TXQ], &id, &len, 2000), 1);	/* dropped, returned */
	err = testvm_release_stderr(saved);
	ck_assert_uint_eq(fakedrv_config(&d, VIRTIO_NET_CFG_STATUS, 2) & VIRTIO_NET_S_LINK_UP, 0);
	ck_assert_uint_ne(fakedrv_isr(&d) & 2u, 0);
	ck_assert_uint_eq(testvm_count(err, "link down"), 1);
	free(err);
}
END_TEST

/* --net parsing: the default MACs are locally administered unicast, stable, and differ per NIC. */
START_TEST(cli_default_macs)
{
	char *argv[] = { "keel", "run", "--net", "socket:/tmp/a,peer=/tmp/b", "--net=tap:keel0,mac=02:AA:bb:cc:dd:ee",
			 "--net", "socket:/tmp/a2" };
	struct cli_options o1, o2;
	const struct virtio_config *c = &o1.cfg.virtio, *c2 = &o2.cfg.virtio;
	char err[256];

	ck_assert_int_eq(cli_parse(7, argv, &o1, err, sizeof(err)), 0);
	ck_assert_int_eq(cli_parse(7, argv, &o2, err, sizeof(err)), 0);
	ck_assert_uint_eq(c->nnets, 3);
	ck_assert_int_eq(c->nets[0].kind, VIRTIO_NET_SOCKET);
	ck_assert_str_eq(c->nets[0].path, "/tmp/a");
	ck_assert_str_eq(c->nets[0].peer, "/tmp/b");
	ck_assert_str_eq(c->nets[1].ifname, "keel0");
	ck_assert_uint_eq(c->nets[1].mac[1], 0xaa);
	ck_assert_uint_eq(c->nets[0].mac[0], 0x02);
	ck_assert_uint_eq(c->nets[0].mac[5], 0);
	ck_assert_uint_eq(c->nets[2].mac[5], 2);
	ck_assert_int_ne(memcmp(c->nets[0].mac, c->nets[2].mac, 6), 0);
	ck_assert_int_eq(memcmp(c->nets[2].mac, c2->nets[2].mac, 6), 0);
	ck_assert_uint_eq(virtio_config_ndevices(c), 3);
	cli_options_free(&o1);
	cli_options_free(&o2);
}
END_TEST

Suite *virtio_net_suite(void)
{
	Suite *s = suite_create("virtio_net");
	TCase *tc = tcase_create("net");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, tx_reaches_peer, 0, 2);
	tcase_add_loop_test(tc, rx_mergeable, 0, 2);
	tcase_add_loop_test(tc, rx_single_buffers, 0, 2);
	tcase_add_loop_test(tc, rx_backoff, 0, 2);
	tcase_add_loop_test(tc, tx_bad_frames, 0, 2);
	tcase_add_loop_test(tc, tx_malformed_header, 0, 2);
	tcase_add_loop_test(tc, ctrl_commands, 0, 2);
	tcase_add_loop_test(tc, ctrl_malformed, 0, 2);
	tcase_add_loop_test(tc, config_and_features, 0, 2);
	tcase_add_loop_test(tc, reset_midway, 0, 2);
	tcase_add_loop_test(tc, tap_roundtrip, 0, 2);
	tcase_add_test(tc, cli_default_macs);
	suite_add_tcase(s, tc);
	return s;
}
