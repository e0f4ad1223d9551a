/* virtio-vsock: a header and payload on the transmit queue, one buffer on the receive queue, both in the device's frame. */
#include "guest/drivers/virtio_vsock.h"

#include "guest/kernel/time.h"
#include "guest/lib/string.h"

#define MS 1000000ull
#define VV_TX_HDR 0x000u		/* the frame: the header sent */
#define VV_TX_DATA 0x100u		/* ... its payload */
#define VV_RX 0x800u			/* ... the receive buffer: header then payload */

bool vvsock_open(struct vvsock *v)
{
	if (!vio_open(&v->io, VIRTIO_ID_VSOCK, 0, VIRTIO_BIT(VIRTIO_VSOCK_F_STREAM), 2))
		return false;
	v->cid = v->io.d->ops->cfg_read32(v->io.d, VIRTIO_VSOCK_CFG_GUEST_CID) |
		 (uint64_t)v->io.d->ops->cfg_read32(v->io.d, VIRTIO_VSOCK_CFG_GUEST_CID + 4) << 32;
	v->rx_posted = false;
	return true;
}

bool vvsock_send(struct vvsock *v, struct virtio_vsock_hdr *h, const void *data, uint32_t len)
{
	struct virtio_buf b[2] = { { v->io.pa + VV_TX_HDR, VIRTIO_VSOCK_HDR_LEN, false },
				   { v->io.pa + VV_TX_DATA, len, false } };

	if (len > VVSOCK_TX_MAX)
		return false;
	h->len = len;
	memcpy(v->io.va + VV_TX_HDR, h, VIRTIO_VSOCK_HDR_LEN);
	if (len)
		memcpy(v->io.va + VV_TX_DATA, data, len);
	return virtio_request(v->io.d, VIRTIO_VSOCK_TX, b, len ? 2 : 1, 0, VIRTIO_WAIT_MS);
}

bool vvsock_recv(struct vvsock *v, struct virtio_vsock_hdr *h, void *data, unsigned int wait_ms)
{
	struct virtio_queue *vq = &v->io.d->vq[VIRTIO_VSOCK_RX];
	uint64_t end = time_now_ns() + wait_ms * MS;
	uint32_t got;

	if (!v->rx_posted) {
		vq->desc[0].addr = v->io.pa + VV_RX;
		vq->desc[0].len = VIRTIO_VSOCK_HDR_LEN + VVSOCK_RX_MAX;
		vq->desc[0].flags = VIRTQ_DESC_F_WRITE;
		vq->desc[0].next = 0;
		virtio_publish_raw(v->io.d, VIRTIO_VSOCK_RX, 0, 1);
		v->rx_posted = true;
	}
	while (vq->used->idx == vq->used_seen) {
		if (time_now_ns() >= end)
			return false;
		__asm__ volatile("pause");
	}
	virtio_mb();
	got = vq->used->ring[vq->used_seen % vq->size].len;
	vq->used_seen++;
	v->rx_posted = false;
	memcpy(h, v->io.va + VV_RX, VIRTIO_VSOCK_HDR_LEN);
	if (got < VIRTIO_VSOCK_HDR_LEN || h->len > got - VIRTIO_VSOCK_HDR_LEN || h->len > VVSOCK_RX_MAX)
		h->len = 0;
	memcpy(data, v->io.va + VV_RX + VIRTIO_VSOCK_HDR_LEN, h->len);
	return true;
}
