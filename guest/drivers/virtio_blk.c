/* virtio-blk: one-sector reads and writes, flush, get-id, each a polled three-part chain. */
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
