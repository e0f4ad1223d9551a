/* virtio-net: receive buffers posted once and reposted after each frame, transmit from a small pool, all polled. */
#include "guest/drivers/virtio_net.h"

#include "guest/arch/x86/mmu.h"
#include "guest/drivers/virtio.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"

#define VNET_HDR_LEN 12u		/* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define VNET_BUF 2048u			/* one receive or transmit buffer: header + frame */
#define VNET_BUFS VIRTIO_QUEUE_SIZE	/* per queue */

struct vnet_nic {
	struct virtio_dev *dev;
	struct netif nif;
	bool up, failed;
	const char *why;
	uint8_t *rx[VNET_BUFS], *tx[VNET_BUFS];	/* buffers, by descriptor index */
	uint16_t tx_free[VNET_BUFS];	/* stack of free transmit descriptors */
	unsigned int tx_nfree;
};

static struct vnet_nic nics[VIRTIO_NET_MAX_NICS];

unsigned int virtio_net_count(void)
{
	unsigned int n = virtio_count(VIRTIO_ID_NET);

	return n > VIRTIO_NET_MAX_NICS ? VIRTIO_NET_MAX_NICS : n;
}

const char *virtio_net_transport(unsigned int n)
{
	struct virtio_dev *d = virtio_find(VIRTIO_ID_NET, n);

	return d ? virtio_transport_name(d) : "none";
}

/* Put descriptor @id on @q's available ring without publishing the index. */
static void avail_put(struct virtio_queue *vq, uint16_t id)
{
	vq->avail->ring[vq->avail_idx % vq->size] = id;
	vq->avail_idx++;
}

static void avail_publish(struct virtio_dev *d, uint16_t q)
{
	struct virtio_queue *vq = &d->vq[q];

	virtio_mb();
	vq->avail->idx = vq->avail_idx;
	virtio_mb();
	d->ops->notify(d, q);
}

static void tx_reclaim(struct vnet_nic *n)
{
	struct virtio_queue *vq = &n->dev->vq[VIRTIO_NET_TX];

	while (vq->used->idx != vq->used_seen) {
		uint32_t id;

		virtio_mb();
		id = vq->used->ring[vq->used_seen % vq->size].id;
		vq->used_seen++;
		if (id < vq->size && n->tx_nfree < vq->size)
			n->tx_free[n->tx_nfree++] = (uint16_t)id;
	}
}

static void *vnet_tx_buf(struct netif *nif)
{
	struct vnet_nic *n = nif->priv;

	if (!n->tx_nfree)
		tx_reclaim(n);
	if (!n->tx_nfree)
		return 0;
	return n->tx[n->tx_free[n->tx_nfree - 1]] + VNET_HDR_LEN;
}

static bool vnet_tx_send(struct netif *nif, void *buf, size_t len)
{
	struct vnet_nic *n = nif->priv;
	struct virtio_queue *vq = &n->dev->vq[VIRTIO_NET_TX];
	uint16_t id;

	if (!n->tx_nfree || len > NET_FRAME_MAX)
		return false;
	id = n->tx_free[--n->tx_nfree];
	if ((uint8_t *)buf != n->tx[id] + VNET_HDR_LEN) {	/* not the buffer tx_buf gave: give it back */
		n->tx_free[n->tx_nfree++] = id;
		return false;
	}
	memset(n->tx[id], 0, VNET_HDR_LEN);
	vq->desc[id].addr = virt_to_phys(n->tx[id]);
	vq->desc[id].len = (uint32_t)(VNET_HDR_LEN + len);
	vq->desc[id].flags = 0;
	vq->desc[id].next = 0;
	avail_put(vq, id);
	avail_publish(n->dev, VIRTIO_NET_TX);
	return true;
}

static unsigned int vnet_poll(struct netif *nif, unsigned int budget)
{
	struct vnet_nic *n = nif->priv;
	struct virtio_queue *vq = &n->dev->vq[VIRTIO_NET_RX];
	unsigned int got = 0;

	while (got < budget && vq->used->idx != vq->used_seen) {
		uint32_t id, len;

		virtio_mb();
		id = vq->used->ring[vq->used_seen % vq->size].id;
		len = vq->used->ring[vq->used_seen % vq->size].len;
		vq->used_seen++;
		if (id >= vq->size)
			continue;
		if (len > VNET_HDR_LEN && len <= VNET_BUF)
			net_input(nif, n->rx[id] + VNET_HDR_LEN, len - VNET_HDR_LEN);
		else
			nif->stats.rx_dropped++;
		avail_put(vq, (uint16_t)id);	/* the descriptor still points at its buffer */
		got++;
	}
	if (got)
		avail_publish(n->dev, VIRTIO_NET_RX);
	return got;
}

static bool vnet_link_up(struct netif *nif)
{
	struct vnet_nic *n = nif->priv;
	struct virtio_dev *d = n->dev;

	if (!(d->features & VIRTIO_BIT(VIRTIO_NET_F_STATUS)))
		return true;	/* no status field: the link is taken as up */
	return (d->ops->cfg_read8(d, VIRTIO_NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP) != 0;
}

static const struct netif_ops vnet_ops = {
	.tx_buf = vnet_tx_buf,
	.tx_send = vnet_tx_send,
	.poll = vnet_poll,
	.link_up = vnet_link_up,
};

static const char *const nic_names[VIRTIO_NET_MAX_NICS] = { "net0", "net1", "net2", "net3" };

/* Two buffers per frame: @bufs[i] for i < @count. */
static bool alloc_bufs(uint8_t **bufs, unsigned int count)
{
	for (unsigned int i = 0; i < count; i += 2) {
		uint64_t pa = frame_alloc_zeroed();

		if (!pa)
			return false;
		bufs[i] = phys_to_virt(pa);
		if (i + 1 < count)
			bufs[i + 1] = bufs[i] + VNET_BUF;
	}
	return true;
}

static bool vnet_up(struct vnet_nic *n, unsigned int idx)
{
	struct virtio_dev *d = virtio_find(VIRTIO_ID_NET, idx);
	struct virtio_queue *rx;

	if (!d) {
		n->why = "no such network device";
		return false;
	}
	n->dev = d;
	if (!virtio_init(d, VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS), 2)) {
		n->why = d->error ? d->error : "virtio_init failed";
		return false;
	}
	if (!n->rx[0] && (!alloc_bufs(n->rx, VNET_BUFS) || !alloc_bufs(n->tx, VNET_BUFS))) {
		n->why = "out of frames for the buffers";
		return false;
	}
	rx = &d->vq[VIRTIO_NET_RX];
	for (uint16_t i = 0; i < rx->size; i++) {
		rx->desc[i].addr = virt_to_phys(n->rx[i]);
		rx->desc[i].len = VNET_BUF;
		rx->desc[i].flags = VIRTQ_DESC_F_WRITE;
		rx->desc[i].next = 0;
		avail_put(rx, i);
	}
	avail_publish(d, VIRTIO_NET_RX);
	n->tx_nfree = 0;
	for (uint16_t i = 0; i < d->vq[VIRTIO_NET_TX].size; i++)
		n->tx_free[n->tx_nfree++] = i;
	memset(&n->nif, 0, sizeof(n->nif));
	n->nif.ops = &vnet_ops;
	n->nif.priv = n;
	n->nif.name = nic_names[idx];
	if (d->features & VIRTIO_BIT(VIRTIO_NET_F_MAC)) {
		for (unsigned int i = 0; i < 6; i++)
			n->nif.mac[i] = d->ops->cfg_read8(d, VIRTIO_NET_CFG_MAC + i);
	} else {
		static const uint8_t fallback[6] = { 0x02, 0, 0, 0, 0x6b, 0x65 };

		memcpy(n->nif.mac, fallback, 6);
		n->nif.mac[5] = (uint8_t)(n->nif.mac[5] + idx);
	}
	return true;
}

struct netif *virtio_net_get(unsigned int idx, const char **why)
{
	struct vnet_nic *n;

	if (idx >= VIRTIO_NET_MAX_NICS || idx >= virtio_net_count()) {
		if (why)
			*why = "no such network device";
		return 0;
	}
	n = &nics[idx];
	if (!n->up && !n->failed) {
		n->up = vnet_up(n, idx);
		n->failed = !n->up;
	}
	if (!n->up) {
		if (why)
			*why = n->why;
		return 0;
	}
	return &n->nif;
}
