/* virtio-input: the configuration's select/subsel window, and event buffers posted on the event queue and reposted as they come back. */
#include "guest/drivers/virtio_input.h"

#include "guest/arch/x86/mmu.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"

bool vinput_open(struct vinput *in, unsigned int n)
{
	in->running = false;
	in->d = virtio_find(VIRTIO_ID_INPUT, n);
	if (!in->d || !virtio_init(in->d, 0, 2))
		return false;
	if (!in->pa && !(in->pa = frame_alloc_zeroed())) {
		in->d->error = "no frame for the event buffers";
		return false;
	}
	in->ev = phys_to_virt(in->pa);
	return true;
}

unsigned int vinput_config(struct vinput *in, uint8_t select, uint8_t subsel, void *out, unsigned int max)
{
	struct virtio_dev *d = in->d;
	unsigned int size;

	d->ops->cfg_write8(d, VIRTIO_INPUT_CFG_SELECT, select);
	d->ops->cfg_write8(d, VIRTIO_INPUT_CFG_SUBSEL, subsel);
	size = d->ops->cfg_read8(d, VIRTIO_INPUT_CFG_SIZE);
	if (size > VIRTIO_INPUT_CFG_U_MAX)
		size = VIRTIO_INPUT_CFG_U_MAX;
	for (unsigned int i = 0; i < size && i < max; i++)
		((uint8_t *)out)[i] = d->ops->cfg_read8(d, VIRTIO_INPUT_CFG_U + i);
	return size;
}

bool vinput_has(struct vinput *in, uint8_t type, unsigned int code)
{
	uint8_t bits[VIRTIO_INPUT_CFG_U_MAX] = { 0 };
	unsigned int size = vinput_config(in, VIRTIO_INPUT_CFG_EV_BITS, type, bits, sizeof(bits));

	return code / 8 < size && (bits[code / 8] >> (code % 8) & 1);
}

void vinput_start(struct vinput *in)
{
	struct virtio_queue *vq = &in->d->vq[VIRTIO_INPUT_Q_EVENT];

	if (in->running)
		return;
	for (uint16_t i = 0; i < vq->size; i++) {
		vq->desc[i].addr = in->pa + i * sizeof(struct virtio_input_event);
		vq->desc[i].len = sizeof(struct virtio_input_event);
		vq->desc[i].flags = VIRTQ_DESC_F_WRITE;
		vq->desc[i].next = 0;
		virtio_publish_raw(in->d, VIRTIO_INPUT_Q_EVENT, i, 1);
	}
	in->running = true;
}

bool vinput_poll(struct vinput *in, struct virtio_input_event *ev)
{
	struct virtio_queue *vq = &in->d->vq[VIRTIO_INPUT_Q_EVENT];
	uint32_t id, len;

	if (vq->used->idx == vq->used_seen)
		return false;
	virtio_mb();
	id = vq->used->ring[vq->used_seen % vq->size].id;
	len = vq->used->ring[vq->used_seen % vq->size].len;
	vq->used_seen++;
	if (id >= vq->size)
		return false;
	*ev = in->ev[id];
	virtio_publish_raw(in->d, VIRTIO_INPUT_Q_EVENT, (uint16_t)id, 1);
	if (len < sizeof(*ev))
		return vinput_poll(in, ev);	/* a short write: skip it */
	return true;
}
