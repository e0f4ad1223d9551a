/* The transport-independent virtio driver core: device list, status and feature negotiation, polled split virtqueues. */
#include "guest/drivers/virtio.h"

#include "guest/arch/x86/mmu.h"
#include "guest/kernel/time.h"
#include "guest/mm/frame.h"

#define MS 1000000ull

static struct virtio_dev devices[VIRTIO_MAX_DEVICES];
static unsigned int ndevices;
static bool probed;

unsigned int virtio_probe(struct virtio_dev **list)
{
	if (!probed) {
		probed = true;
		ndevices = virtio_pci_probe(devices, 0, VIRTIO_MAX_DEVICES);
		ndevices = virtio_mmio_probe(devices, ndevices, VIRTIO_MAX_DEVICES);
	}
	if (list)
		*list = ndevices ? devices : 0;
	return ndevices;
}

struct virtio_dev *virtio_find(uint32_t device_id, unsigned int n)
{
	virtio_probe(0);
	for (unsigned int i = 0; i < ndevices; i++)
		if (devices[i].device_id == device_id && n-- == 0)
			return &devices[i];
	return 0;
}

unsigned int virtio_count(uint32_t device_id)
{
	unsigned int c = 0;

	virtio_probe(0);
	for (unsigned int i = 0; i < ndevices; i++)
		c += devices[i].device_id == device_id;
	return c;
}

const char *virtio_transport_name(const struct virtio_dev *d)
{
	return d->ops->name;
}

uint8_t virtio_status(struct virtio_dev *d)
{
	return d->ops->get_status(d);
}

uint8_t virtio_wait_status(struct virtio_dev *d, uint8_t mask, unsigned int wait_ms)
{
	uint64_t end = time_now_ns() + wait_ms * MS;
	uint8_t s;

	while (((s = d->ops->get_status(d)) & mask) != mask && time_now_ns() < end)
		__asm__ volatile("pause");
	return s;
}

bool virtio_reset(struct virtio_dev *d)
{
	uint64_t end = time_now_ns() + VIRTIO_WAIT_MS * MS;

	d->ops->set_status(d, 0);
	while (d->ops->get_status(d) != 0)
		if (time_now_ns() >= end)
			return false;
	return true;
}

static bool init_fail(struct virtio_dev *d, const char *why)
{
	d->error = why;
	d->ops->set_status(d, d->ops->get_status(d) | VIRTIO_STATUS_FAILED);
	return false;
}

static bool queue_setup(struct virtio_dev *d, uint16_t q)
{
	struct virtio_queue *vq = &d->vq[q];
	uint16_t max = d->ops->queue_max(d, q), size = VIRTIO_QUEUE_SIZE;
	uint8_t *page;

	if (!max)
		return false;
	while (size > max)
		size >>= 1;
	if (!vq->ring_pa && !(vq->ring_pa = frame_alloc()))
		return false;
	frame_zero(vq->ring_pa);
	page = phys_to_virt(vq->ring_pa);
	vq->size = size;
	vq->avail_idx = 0;
	vq->used_seen = 0;
	vq->added = 0;
	vq->desc = (volatile struct vring_desc *)page;
	vq->avail = (volatile struct vring_avail *)(page + 0x400);
	vq->used = (volatile struct vring_used *)(page + 0x800);
	d->ops->queue_setup(d, q, size, vq->ring_pa, vq->ring_pa + 0x400, vq->ring_pa + 0x800);
	return true;
}

bool virtio_init(struct virtio_dev *d, uint64_t wanted, unsigned int nqueues)
{
	d->error = 0;
	if (nqueues > VIRTIO_MAX_QUEUES)
		return init_fail(d, "too many queues asked for");
	if (!virtio_reset(d))
		return init_fail(d, "the reset did not complete");
	d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	d->offered = d->ops->get_features(d);
	if (!(d->offered & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
		return init_fail(d, "the device does not offer VERSION_1");
	d->features = d->offered & (wanted | VIRTIO_BIT(VIRTIO_F_VERSION_1));
	d->ops->set_features(d, d->features);
	d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK))
		return init_fail(d, "FEATURES_OK was not kept");
	for (unsigned int q = 0; q < nqueues; q++)
		if (!queue_setup(d, (uint16_t)q))
			return init_fail(d, "a queue is missing or no frame for its rings");
	d->nqueues = nqueues;
	d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
				      VIRTIO_STATUS_DRIVER_OK);
	if (d->ops->get_status(d) & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
		return init_fail(d, "the device refused DRIVER_OK");
	return true;
}

/* Put @head in the available ring's entry @ahead places past the last one published. */
static void avail_put(struct virtio_queue *vq, uint16_t ahead, uint16_t head)
{
	vq->avail->ring[(uint16_t)(vq->avail_idx + ahead) % vq->size] = head;
}

/* Advance avail->idx by @step (the entries are written), then notify. */
static void publish(struct virtio_dev *d, uint16_t q, uint16_t step)
{
	struct virtio_queue *vq = &d->vq[q];

	virtio_mb();
	vq->avail_idx = (uint16_t)(vq->avail_idx + step);
	vq->avail->idx = vq->avail_idx;
	virtio_mb();
	d->ops->notify(d, q);
}

void virtio_publish_raw(struct virtio_dev *d, uint16_t q, uint16_t head, uint16_t step)
{
	avail_put(&d->vq[q], 0, head);
	publish(d, q, step);
}

bool virtio_add_chain(struct virtio_dev *d, uint16_t q, uint16_t first, const struct virtio_buf *bufs, unsigned int n)
{
	struct virtio_queue *vq = &d->vq[q];

	if (q >= d->nqueues || !vq->size || !n || first >= vq->size || n > (unsigned int)(vq->size - first) ||
	    vq->added >= vq->size)
		return false;
	for (unsigned int i = 0; i < n; i++) {
		uint16_t k = (uint16_t)(first + i);

		vq->desc[k].addr = bufs[i].pa;
		vq->desc[k].len = bufs[i].len;
		vq->desc[k].flags = (uint16_t)((bufs[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
					       (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		vq->desc[k].next = (uint16_t)(i + 1 < n ? k + 1 : 0);
	}
	avail_put(vq, vq->added++, first);
	return true;
}

void virtio_publish(struct virtio_dev *d, uint16_t q)
{
	struct virtio_queue *vq = &d->vq[q];
	uint16_t n = vq->added;

	vq->added = 0;
	if (n)
		publish(d, q, n);
}

bool virtio_next_used(struct virtio_dev *d, uint16_t q, uint16_t *head, uint32_t *written, unsigned int wait_ms)
{
	struct virtio_queue *vq = &d->vq[q];
	uint64_t end = time_now_ns() + wait_ms * MS;
	volatile struct vring_used_elem *e;

	while (vq->used->idx == vq->used_seen) {
		if (time_now_ns() >= end)
			return false;
		__asm__ volatile("pause");
	}
	virtio_mb();
	e = &vq->used->ring[vq->used_seen % vq->size];
	if (head)
		*head = (uint16_t)e->id;
	if (written)
		*written = e->len;
	vq->used_seen++;
	return true;
}

bool virtio_request(struct virtio_dev *d, uint16_t q, const struct virtio_buf *bufs, unsigned int n,
		    uint32_t *written, unsigned int wait_ms)
{
	if (!virtio_add_chain(d, q, 0, bufs, n))
		return false;
	virtio_publish(d, q);
	return virtio_next_used(d, q, 0, written, wait_ms);
}
