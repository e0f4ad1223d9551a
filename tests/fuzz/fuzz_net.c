/* libFuzzer target: a hostile virtio-net driver (transmit headers, receive buffers, control commands) against net.c, on a backend whose frames and results the input picks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/net.h"
#include "tests/fuzz/fuzz_vdev.h"

#define OFFLOADS                                                                                            \
	(VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | \
	 VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) | VIRTIO_BIT(VIRTIO_NET_F_HOST_UFO) | VIRTIO_BIT(VIRTIO_NET_F_HOST_ECN) | \
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_UFO))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The backend: what its link says, whether sends are refused, and the offload calls. */
struct fz_net {
	struct net_backend be;
	int link;			/* what link_state answers */
	int send_err;			/* what send_check answers */
	int offload_err;		/* what set_offload answers */
};

static void fzb_prep_recv(struct net_backend *be, struct io_uring_sqe *sqe, const struct iovec *iov, unsigned int n)
{
	io_uring_prep_readv(sqe, be->fd, iov, n, 0);
}

static int fzb_recv_done(struct net_backend *be, int res)
{
	(void)be;
	return res;
}

static int fzb_send_check(const struct net_backend *be)
{
	return ((const struct fz_net *)be)->send_err;
}

static void fzb_prep_send(struct net_backend *be, struct io_uring_sqe *sqe, const struct iovec *iov, unsigned int n)
{
	io_uring_prep_writev(sqe, be->fd, iov, n, 0);
}

static int fzb_set_offload(struct net_backend *be, uint64_t guest_features)
{
	(void)guest_features;
	return ((struct fz_net *)be)->offload_err;
}

static int fzb_link_state(struct net_backend *be)
{
	return ((struct fz_net *)be)->link;
}

static void fzb_close(struct net_backend *be)
{
	(void)be;
}

static const struct net_backend_ops fzb_ops = {
	.kind = "fuzz",
	.prep_recv = fzb_prep_recv,
	.recv_done = fzb_recv_done,
	.send_check = fzb_send_check,
	.prep_send = fzb_prep_send,
	.set_offload = fzb_set_offload,
	.link_state = fzb_link_state,
	.close = fzb_close,
};

static void net_complete(struct fz_vdev *v, struct fz_in *in, unsigned int i, const struct fz_sub *s)
{
	struct fz_net *b = v->opaque;
	const struct io_uring_sqe *e = &s->sqe;
	const struct iovec *iov = (const struct iovec *)(uintptr_t)e->addr;
	uint64_t total, want;
	int res;

	switch (e->opcode) {
	case IORING_OP_READV:
		/* A frame arrives: its bytes from the input, its length on the wire maybe longer than the buffer. */
		total = fz_iov_total(iov, e->len);
		want = fz_u16(in) + (fz_u8(in) & 1 ? 65536u : 0);
		fz_iov_fill(iov, e->len, in, want);
		res = fz_u8(in) & 1 ? fz_pick_res(in, total) : (int)want;
		break;
	case IORING_OP_WRITEV:
		total = fz_iov_total(iov, e->len);
		if (total > (b->be.vnet_hdr ? NET_HDR_LEN : 0) + NET_MAX_GSO_FRAME)
			fz_fail("virtio-net: a %llu-byte frame sent", (unsigned long long)total);
		res = fz_pick_res(in, total);
		break;
	case IORING_OP_POLL_ADD:
		res = fz_pick_res(in, 1);
		break;
	default:
		fz_fail("virtio-net: submission opcode %u", e->opcode);
	}
	fz_loop_complete(v->loop, i, res);
}

/* The host side changes: the link goes up or down (and says so), sends are refused or not. */
static void net_extra(struct fz_vdev *v, struct fz_in *in)
{
	struct fz_net *b = v->opaque;
	uint8_t f = fz_u8(in);

	b->link = (f & 3) == 3 ? -EIO : f & 1;
	b->send_err = f & 4 ? -ENOTCONN : 0;
	b->offload_err = f & 8 ? -EINVAL : 0;
}

static const struct fz_hooks net_hooks = { .complete = net_complete, .extra = net_extra };

/*
 * The input: a flags byte (1 vnet headers with offloads, 2 a link fd to poll), the MAC, the
 * features the driver accepts, then the driver's actions (tests/fuzz/fuzz_vdev.c).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_net b = { .link = 1 };
	struct fz_vdev v = { 0 };
	uint8_t f = fz_u8(&in), mac[6] = { 0x02, 0, 0, 0, 0, 1 };

	fz_take(&in, mac, sizeof(mac));
	v.mem = fz_ram();
	v.loop = fz_loop_new();
	if (!v.loop)
		abort();
	b.be = (struct net_backend){ .ops = &fzb_ops, .fd = -1, .name = "fuzz", .vnet_hdr = f & 1,
				     .features = (f & 1) ? OFFLOADS : 0, .link_fd = (f & 2) ? 1000 : -1 };
	v.opaque = &b;
	if (virtio_net_create(&b.be, mac, 0, v.mem, v.loop, &v.dev) != 0)
		abort();
	fz_vdev_session(&v, &in, &net_hooks);
	virtio_net_destroy(v.dev);
	fz_loop_free(v.loop);
	return 0;
}
