/* virtio-vsock check (vsock: echo), driven by a host program through keel's hybrid backend: the guest's connection to the host, echoed, then the host's to the guest, echoed back. */
#include "guest/kernel/checks.h"

#include "guest/drivers/virtio_vsock.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"

#define VS_GUEST_PORT 1024u		/* the guest's port for its own connection */
#define VS_BUF_ALLOC 65536u		/* the receive buffer the guest claims */
#define VS_WAIT_MS 10000u		/* an answer from the host */
#define VS_LISTEN_WAIT_MS 60000u	/* the host's connection, once the guest says it listens */
#define VS_BYTES_MAX (1u << 20)

struct vs {
	struct vvsock v;
	uint32_t fwd;			/* payload bytes the guest took */
	uint8_t in[VVSOCK_RX_MAX], out[VVSOCK_TX_MAX];
};

/* Byte @i of the stream the guest sends (tests/integration/t_vsock.sh's host echoes it). */
static uint8_t vs_pattern(uint32_t i)
{
	return (uint8_t)(i * 7u + (i >> 8) + 0x5au);
}

static bool vs_send(struct vs *s, uint16_t op, uint32_t src, uint32_t dst, uint32_t flags, const void *data,
		    uint32_t len)
{
	struct virtio_vsock_hdr h = { .src_cid = s->v.cid, .dst_cid = VSOCK_CID_HOST, .src_port = src, .dst_port = dst,
				      .type = VIRTIO_VSOCK_TYPE_STREAM, .op = op, .flags = flags,
				      .buf_alloc = VS_BUF_ALLOC, .fwd_cnt = s->fwd };

	return vvsock_send(&s->v, &h, data, len);
}

/* The next packet that is not about credit (a CREDIT_REQUEST is answered). False: none in @ms. */
static bool vs_recv(struct vs *s, struct virtio_vsock_hdr *h, unsigned int ms)
{
	for (;;) {
		if (!vvsock_recv(&s->v, h, s->in, ms))
			return false;
		if (h->op == VIRTIO_VSOCK_OP_CREDIT_REQUEST)
			vs_send(s, VIRTIO_VSOCK_OP_CREDIT_UPDATE, h->dst_port, h->src_port, 0, 0, 0);
		else if (h->op != VIRTIO_VSOCK_OP_CREDIT_UPDATE)
			return true;
	}
}

/* The guest connects to host port @hport and sends @bytes in chunks, each echoed before the next. */
static enum check_status vs_to_host(struct check_ctx *ctx, struct vs *s, uint32_t hport, uint32_t bytes)
{
	struct virtio_vsock_hdr h;
	uint32_t sent = 0;

	if (!vs_send(s, VIRTIO_VSOCK_OP_REQUEST, VS_GUEST_PORT, hport, 0, 0, 0))
		return check_fail(ctx, "the REQUEST was not taken");
	if (!vs_recv(s, &h, VS_WAIT_MS) || h.op != VIRTIO_VSOCK_OP_RESPONSE || h.src_port != hport ||
	    h.dst_port != VS_GUEST_PORT)
		return check_fail(ctx, "no RESPONSE from host port %u (op %u)", hport, h.op);
	while (sent < bytes) {
		uint32_t n = bytes - sent < VVSOCK_TX_MAX ? bytes - sent : VVSOCK_TX_MAX, got = 0;

		for (uint32_t i = 0; i < n; i++)
			s->out[i] = vs_pattern(sent + i);
		if (!vs_send(s, VIRTIO_VSOCK_OP_RW, VS_GUEST_PORT, hport, 0, s->out, n))
			return check_fail(ctx, "data at %u not taken", sent);
		while (got < n) {
			if (!vs_recv(s, &h, VS_WAIT_MS) || h.op != VIRTIO_VSOCK_OP_RW || got + h.len > n)
				return check_fail(ctx, "the echo of bytes %u-%u: op %u len %u", sent, sent + n, h.op, h.len);
			for (uint32_t i = 0; i < h.len; i++)
				if (s->in[i] != vs_pattern(sent + got + i))
					return check_fail(ctx, "echoed byte %u differs", sent + got + i);
			got += h.len;
			s->fwd += h.len;
		}
		sent += n;
	}
	if (!vs_send(s, VIRTIO_VSOCK_OP_SHUTDOWN, VS_GUEST_PORT, hport, VIRTIO_VSOCK_SHUTDOWN_BOTH, 0, 0) ||
	    !vs_recv(s, &h, VS_WAIT_MS) || h.op != VIRTIO_VSOCK_OP_RST)
		return check_fail(ctx, "no RST after the full shutdown (op %u)", h.op);
	check_note(ctx, "vsock: %u bytes to host port %u echoed", bytes, hport);
	return CHECK_PASS;
}

/* The host connects to guest port @lport: what it sends goes back, until it is done. */
static enum check_status vs_from_host(struct check_ctx *ctx, struct vs *s, uint32_t lport, uint32_t bytes)
{
	struct virtio_vsock_hdr h;
	uint32_t hport, echoed = 0;

	kprintf("vsock: listening on %u\n", lport);
	if (!vs_recv(s, &h, VS_LISTEN_WAIT_MS) || h.op != VIRTIO_VSOCK_OP_REQUEST || h.dst_port != lport)
		return check_fail(ctx, "no REQUEST to port %u (op %u, port %u)", lport, h.op, h.dst_port);
	hport = h.src_port;
	if (!vs_send(s, VIRTIO_VSOCK_OP_RESPONSE, lport, hport, 0, 0, 0))
		return check_fail(ctx, "the RESPONSE was not taken");
	for (;;) {
		if (!vs_recv(s, &h, VS_WAIT_MS))
			return check_fail(ctx, "nothing from host port %u after %u bytes", hport, echoed);
		if (h.op == VIRTIO_VSOCK_OP_RW) {
			s->fwd += h.len;
			if (!vs_send(s, VIRTIO_VSOCK_OP_RW, lport, hport, 0, s->in, h.len))
				return check_fail(ctx, "the echo at %u was not taken", echoed);
			echoed += h.len;
			continue;
		}
		if (h.op == VIRTIO_VSOCK_OP_SHUTDOWN && h.flags == VIRTIO_VSOCK_SHUTDOWN_BOTH) {
			vs_send(s, VIRTIO_VSOCK_OP_RST, lport, hport, 0, 0, 0);
			break;
		}
		if (h.op == VIRTIO_VSOCK_OP_SHUTDOWN) {	/* the host is done sending: so is the guest */
			vs_send(s, VIRTIO_VSOCK_OP_SHUTDOWN, lport, hport, VIRTIO_VSOCK_SHUTDOWN_BOTH, 0, 0);
			continue;
		}
		if (h.op == VIRTIO_VSOCK_OP_RST)
			break;
		return check_fail(ctx, "op %u from host port %u", h.op, hport);
	}
	if (echoed != bytes)
		return check_fail(ctx, "%u bytes echoed to host port %u, want %u", echoed, hport, bytes);
	check_note(ctx, "vsock: %u bytes from host port %u echoed", bytes, hport);
	return CHECK_PASS;
}

/* vsock=LPORT:HPORT:BYTES: the guest's connection to host port HPORT, then the host's to LPORT, BYTES each, echoed. */
enum check_status check_vsock_echo(struct check_ctx *ctx)
{
	static struct vs s;
	unsigned long lport, hport, bytes;
	enum check_status st;
	char val[48], *p;

	if (!cmdline_get(boot_info.cmdline, "vsock", val, sizeof(val)))
		return check_skip(ctx, "no vsock=LPORT:HPORT:BYTES on the command line");
	lport = strtoul(val, &p, 10);
	hport = *p == ':' ? strtoul(p + 1, &p, 10) : 0;
	bytes = *p == ':' ? strtoul(p + 1, &p, 10) : 0;
	if (*p || !lport || !hport || !bytes || bytes > VS_BYTES_MAX || lport > 0xffffffffu || hport > 0xffffffffu)
		return check_fail(ctx, "vsock=%s: want LPORT:HPORT:BYTES (BYTES 1 to %u)", val, VS_BYTES_MAX);
	if (!virtio_count(VIRTIO_ID_VSOCK))
		return check_fail(ctx, "no virtio-vsock device");
	if (!vvsock_open(&s.v))
		return check_fail(ctx, "virtio-vsock did not come up: %s", s.v.io.d && s.v.io.d->error ? s.v.io.d->error : "?");
	check_note(ctx, "vsock: guest cid %llu", (unsigned long long)s.v.cid);
	s.fwd = 0;
	st = vs_to_host(ctx, &s, (uint32_t)hport, (uint32_t)bytes);
	if (st != CHECK_PASS)
		return st;
	s.fwd = 0;
	return vs_from_host(ctx, &s, (uint32_t)lport, (uint32_t)bytes);
}
