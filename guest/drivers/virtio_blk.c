/* virtio-blk: one-sector reads and writes, flush, get-id, each a polled three-part chain; batches of them in flight together. */
#include "guest/drivers/virtio_devices.h"

#include "guest/arch/x86/mmu.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"

bool vio_open(struct vio *io, uint32_t id, unsigned int n, uint64_t features, unsigned int nqueues)
{
	io->d = virtio_find(id, n);
	if (!io->d || !virtio_init(io->d, features, nqueues))
		return false;
	if (!io->pa && !(io->pa = frame_alloc_zeroed()))
		return false;
	io->va = phys_to_virt(io->pa);
	return true;
}

bool vblk_open(struct vblk *b, unsigned int n)
{
	if (!vio_open(&b->io, VIRTIO_ID_BLOCK, n,
		      VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_RO), 1))
		return false;
	b->capacity = b->io.d->ops->cfg_read32(b->io.d, VIRTIO_BLK_CFG_CAPACITY) |
		      (uint64_t)b->io.d->ops->cfg_read32(b->io.d, VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
	b->readonly = b->io.d->offered & VIRTIO_BIT(VIRTIO_BLK_F_RO);
	return true;
}

bool vblk_config_changed(struct vblk *b, uint64_t *old)
{
	struct virtio_dev *d = b->io.d;

	if (!(d->ops->isr(d) & VIRTIO_PCI_ISR_CONFIG))
		return false;
	*old = b->capacity;
	b->capacity = d->ops->cfg_read32(d, VIRTIO_BLK_CFG_CAPACITY) |
		      (uint64_t)d->ops->cfg_read32(d, VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
	return true;
}

/* hdr (readable), @len bytes at @data_off (readable when @out, else writable; none when 0), status (writable). */
static int blk_req(struct vblk *b, uint32_t type, uint64_t sector, uint32_t data_off, uint32_t len, bool out)
{
	struct virtio_blk_req_hdr *h = (struct virtio_blk_req_hdr *)(b->io.va + VIO_HDR);
	struct virtio_buf bufs[3];
	unsigned int n = 0;

	h->type = type;
	h->reserved = 0;
	h->sector = sector;
	b->io.va[VIO_STATUS] = 0xff;
	bufs[n++] = (struct virtio_buf){ b->io.pa + VIO_HDR, sizeof(*h), false };
	if (len)
		bufs[n++] = (struct virtio_buf){ b->io.pa + data_off, len, !out };
	bufs[n++] = (struct virtio_buf){ b->io.pa + VIO_STATUS, 1, true };
	if (!virtio_request(b->io.d, 0, bufs, n, 0, VIRTIO_WAIT_MS))
		return VIO_TIMEOUT;
	return *(volatile uint8_t *)(b->io.va + VIO_STATUS);
}

int vblk_read(struct vblk *b, uint64_t sector)
{
	return blk_req(b, VIRTIO_BLK_T_IN, sector, VIO_DATA, VIRTIO_BLK_SECTOR, false);
}

int vblk_write(struct vblk *b, uint64_t sector)
{
	return blk_req(b, VIRTIO_BLK_T_OUT, sector, VIO_DATA, VIRTIO_BLK_SECTOR, true);
}

int vblk_flush(struct vblk *b)
{
	return blk_req(b, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
}

int vblk_get_id(struct vblk *b, char *id)
{
	int r;

	memset(b->io.va + VIO_ID, 0, VIRTIO_BLK_ID_BYTES);
	r = blk_req(b, VIRTIO_BLK_T_GET_ID, 0, VIO_ID, VIRTIO_BLK_ID_BYTES, false);
	memcpy(id, b->io.va + VIO_ID, VIRTIO_BLK_ID_BYTES);
	id[VIRTIO_BLK_ID_BYTES] = 0;
	return r;
}

#define BATCH_SLOT 32u			/* bytes of the batch frame per slot: header, then status */
#define BATCH_DESCS 3u			/* descriptors per slot */

bool vblk_batch_init(struct vblk_batch *t)
{
	t->n = 0;
	if (!t->pa && !(t->pa = frame_alloc_zeroed()))
		return false;
	t->va = phys_to_virt(t->pa);
	return true;
}

int vblk_batch_add(struct vblk *b, struct vblk_batch *t, uint32_t type, uint64_t sector, uint64_t data, uint32_t len)
{
	unsigned int slot = t->n, n = 0;
	uint64_t pa = t->pa + slot * BATCH_SLOT;
	struct virtio_blk_req_hdr *h = (struct virtio_blk_req_hdr *)(t->va + slot * BATCH_SLOT);
	struct virtio_buf bufs[BATCH_DESCS];

	if (slot >= VBLK_BATCH_MAX)
		return -1;
	h->type = type;
	h->reserved = 0;
	h->sector = sector;
	t->va[slot * BATCH_SLOT + sizeof(*h)] = 0xff;
	bufs[n++] = (struct virtio_buf){ pa, sizeof(*h), false };
	if (len)
		bufs[n++] = (struct virtio_buf){ data, len, type != VIRTIO_BLK_T_OUT };
	bufs[n++] = (struct virtio_buf){ pa + sizeof(*h), 1, true };
	if (!virtio_add_chain(b->io.d, 0, (uint16_t)(slot * BATCH_DESCS), bufs, n))
		return -1;
	t->n++;
	return (int)slot;
}

void vblk_batch_post(struct vblk *b, struct vblk_batch *t)
{
	virtio_publish(b->io.d, 0);
	t->n = 0;
}

int vblk_batch_next(struct vblk *b, struct vblk_batch *t, unsigned int wait_ms, uint8_t *status)
{
	uint16_t head;
	unsigned int slot;

	if (!virtio_next_used(b->io.d, 0, &head, 0, wait_ms))
		return -1;
	slot = head / BATCH_DESCS;
	if (slot >= VBLK_BATCH_MAX)
		return -1;
	*status = *(volatile uint8_t *)(t->va + slot * BATCH_SLOT + sizeof(struct virtio_blk_req_hdr));
	return (int)slot;
}
