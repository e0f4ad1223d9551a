/* The virtio device core shared by every device and transport: status, features, config space, queues, reset, faults. */
#include "devices/virtio/virtio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/log.h"

/* Features the core handles for every device. */
#define VIRTIO_CORE_FEATURES \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC))

static void virtio_kick_cb(struct ioloop_efd *w)
{
	struct virtio_dev *dev = w->opaque;
	unsigned int q = (unsigned int)(w - dev->kick);

	pthread_mutex_lock(&dev->lock);
	if (virtio_queue_live(dev, q))
		dev->ops->queue_notify(dev, q);
	pthread_mutex_unlock(&dev->lock);
}

static void virtio_flush_cb(struct ioloop_defer *d)
{
	struct virtio_dev *dev = (struct virtio_dev *)((char *)d - offsetof(struct virtio_dev, flush));

	pthread_mutex_lock(&dev->lock);
	virtio_flush(dev);
	pthread_mutex_unlock(&dev->lock);
}

int virtio_dev_init(struct virtio_dev *dev, const struct virtio_dev_ops *ops, void *priv,
		    const char *name, const struct guest_mem *mem, struct ioloop *loop)
{
	int ret;

	memset(dev, 0, sizeof(*dev));
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		dev->kick_fd[q] = -1;
	pthread_mutex_init(&dev->lock, NULL);
	dev->ops = ops;
	dev->priv = priv;
	dev->mem = mem;
	dev->loop = loop;
	dev->flush.fn = virtio_flush_cb;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	if (ops->nqueues > VIRTIO_MAX_QUEUES || ops->queue_max > VIRTQ_MAX_SIZE)
		return -EINVAL;
	dev->host_features = VIRTIO_CORE_FEATURES | (ops->features ? ops->features(dev) : 0);
	for (unsigned int q = 0; q < ops->nqueues; q++) {
		virtq_init(&dev->vq[q], ops->queue_max);
		dev->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (dev->kick_fd[q] < 0)
			return -errno;
		ret = ioloop_watch(loop, &dev->kick[q], dev->kick_fd[q], virtio_kick_cb, dev);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void virtio_dev_destroy(struct virtio_dev *dev)
{
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		if (dev->kick_fd[q] >= 0)
			close(dev->kick_fd[q]);
		dev->kick_fd[q] = -1;
	}
	pthread_mutex_destroy(&dev->lock);
}

uint32_t virtio_features_word(const struct virtio_dev *dev, uint32_t sel)
{
	return sel < 2 ? (uint32_t)(dev->host_features >> (32 * sel)) : 0;
}

void virtio_driver_features_set(struct virtio_dev *dev, uint32_t sel, uint32_t val)
{
	uint64_t mask;

	if (sel >= 2 || (dev->status & VIRTIO_STATUS_FEATURES_OK) || dev->resetting)
		return;
	mask = 0xffffffffull << (32 * sel);
	dev->guest_features = (dev->guest_features & ~mask) | ((uint64_t)val << (32 * sel));
}

uint32_t virtio_driver_features_word(const struct virtio_dev *dev, uint32_t sel)
{
	return sel < 2 ? (uint32_t)((dev->guest_features & dev->host_features) >> (32 * sel)) : 0;
}

uint8_t virtio_status_get(const struct virtio_dev *dev)
{
	return dev->status;
}

bool virtio_feature(const struct virtio_dev *dev, unsigned int bit)
{
	return bit < 64 && (dev->guest_features & VIRTIO_BIT(bit));
}

void virtio_config_changed(struct virtio_dev *dev)
{
	dev->config_generation++;
	if ((dev->status & VIRTIO_STATUS_DRIVER_OK) && !dev->resetting && dev->tops)
		dev->tops->notify_config(dev);
}

bool virtio_broken(const struct virtio_dev *dev)
{
	return dev->status & VIRTIO_STATUS_NEEDS_RESET;
}

bool virtio_queue_live(const struct virtio_dev *dev, unsigned int q)
{
	return q < dev->ops->nqueues && (dev->status & VIRTIO_STATUS_DRIVER_OK) && !dev->resetting &&
	       !virtio_broken(dev) && dev->vq[q].ready;
}

/* Every request of the old session is gone: the device is reset. */
static void virtio_reset_finish(struct virtio_dev *dev)
{
	for (unsigned int q = 0; q < dev->ops->nqueues; q++) {
		virtq_reset(&dev->vq[q]);
		dev->dirty[q] = false;
	}
	dev->status = 0;
	dev->guest_features = 0;
	dev->resetting = false;
	if (dev->tops && dev->tops->reset)
		dev->tops->reset(dev);
	log_debug("%s: reset", dev->name);
}

static void virtio_reset(struct virtio_dev *dev)
{
	if (dev->resetting)
		return;
	dev->resetting = true;
	if (dev->ops->reset)
		dev->ops->reset(dev);
	if (dev->inflight == 0)
		virtio_reset_finish(dev);
	else
		log_debug("%s: reset waits for %u requests in flight", dev->name, dev->inflight);
}

void virtio_request_start(struct virtio_dev *dev)
{
	dev->inflight++;
}

void virtio_request_done(struct virtio_dev *dev)
{
	if (dev->inflight > 0 && --dev->inflight == 0 && dev->resetting)
		virtio_reset_finish(dev);
}

/* The driver's @guest features may be accepted: a subset of the @host offer, VERSION_1 included. */
static bool virtio_features_ok(uint64_t host, uint64_t guest)
{
	return !(guest & ~host) && (guest & VIRTIO_BIT(VIRTIO_F_VERSION_1));
}

void virtio_status_set(struct virtio_dev *dev, uint8_t val)
{
	uint8_t old = dev->status, set;

	if (val == 0) {
		virtio_reset(dev);
		return;
	}
	if (dev->resetting)
		return;		/* the driver must read 0 back before it starts again */
	/* DEVICE_NEEDS_RESET belongs to the device; other bits are cleared only by a reset. */
	val = (uint8_t)((val & ~VIRTIO_STATUS_NEEDS_RESET) | old);
	set = (uint8_t)(val & ~old);
	if ((set & VIRTIO_STATUS_FEATURES_OK) && !virtio_features_ok(dev->host_features, dev->guest_features)) {
		val &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
		log_debug("%s: feature set 0x%llx refused (offered 0x%llx)", dev->name,
			  (unsigned long long)dev->guest_features, (unsigned long long)dev->host_features);
	}
	if ((set & VIRTIO_STATUS_DRIVER_OK) && !(val & VIRTIO_STATUS_FEATURES_OK)) {
		val &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
		dev->status = val;
		virtio_fault(dev, -1, VQ_FAULT_FORMAT, "DRIVER_OK set before FEATURES_OK");
		return;
	}
	dev->status = val;
	if (!(set & VIRTIO_STATUS_DRIVER_OK))
		return;
	/* Queues enabled before FEATURES_OK (out of order, but harmless) take the final features. */
	for (unsigned int q = 0; q < dev->ops->nqueues; q++) {
		dev->vq[q].event_idx = virtio_feature(dev, VIRTIO_F_EVENT_IDX);
		dev->vq[q].indirect = virtio_feature(dev, VIRTIO_F_INDIRECT_DESC);
	}
	if (dev->ops->activate) {
		int ret = dev->ops->activate(dev);

		if (ret < 0) {
			log_error("%s: cannot start: %s", dev->name, strerror(-ret));
			dev->status |= VIRTIO_STATUS_NEEDS_RESET;
			if (dev->tops)
				dev->tops->notify_config(dev);
			return;
		}
	}
	/* Buffers made available before DRIVER_OK were not looked at: look now. */
	for (unsigned int q = 0; q < dev->ops->nqueues; q++)
		if (dev->vq[q].ready)
			virtio_kick(dev, q);
}

void virtio_config_access(struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len,
			  bool is_write)
{
	uint32_t size = dev->ops->config_size;

	if (is_write) {
		if (off >= size || len > size - off || !dev->ops->config_write) {
			log_debug("%s: config write of %u bytes at %u dropped (nothing writable there)", dev->name,
				  len, off);
			return;
		}
		dev->ops->config_write(dev, off, data, len);
		return;
	}
	memset(data, 0, len);
	if (off >= size || !dev->ops->config_read)
		return;
	if (len > size - off)
		len = size - off;
	dev->ops->config_read(dev, off, data, len);
}

int virtio_queue_enable(struct virtio_dev *dev, unsigned int q)
{
	struct virtq *vq;
	char detail[96];

	if (q >= dev->ops->nqueues || dev->resetting)
		return -EINVAL;
	vq = &dev->vq[q];
	if (vq->ready)
		return 0;
	if (virtq_enable(vq, dev->mem, virtio_feature(dev, VIRTIO_F_EVENT_IDX),
			 virtio_feature(dev, VIRTIO_F_INDIRECT_DESC)) < 0) {
		snprintf(detail, sizeof(detail), "size %u, rings at 0x%llx 0x%llx 0x%llx", vq->size,
			 (unsigned long long)vq->desc_gpa, (unsigned long long)vq->avail_gpa,
			 (unsigned long long)vq->used_gpa);
		virtio_fault(dev, (int)q, VQ_FAULT_RING, detail);
		return -EINVAL;
	}
	if (dev->status & VIRTIO_STATUS_DRIVER_OK)
		virtio_kick(dev, q);
	return 0;
}

void virtio_kick(struct virtio_dev *dev, unsigned int q)
{
	static const uint64_t one = 1;

	if (q < dev->ops->nqueues && dev->kick_fd[q] >= 0 &&
	    write(dev->kick_fd[q], &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("%s: kick queue %u: %s", dev->name, q, strerror(errno));
}

int virtio_pop(struct virtio_dev *dev, unsigned int q, struct virtq_chain *c)
{
	struct virtq *vq = &dev->vq[q];
	char detail[96];
	int r;

	if (!virtio_queue_live(dev, q))
		return -EAGAIN;
	r = virtq_pop(vq, c);
	if (r == -EPROTO) {
		snprintf(detail, sizeof(detail), "descriptor %u, address 0x%llx", vq->fault_desc,
			 (unsigned long long)vq->fault_addr);
		virtio_fault(dev, (int)q, vq->fault, detail);
	}
	return r;
}

void virtio_done(struct virtio_dev *dev, unsigned int q, uint16_t head, uint32_t len)
{
	if (q >= dev->ops->nqueues || dev->resetting || !dev->vq[q].ready)
		return;
	virtq_push(&dev->vq[q], head, len);
	dev->dirty[q] = true;
	if (ioloop_on_thread(dev->loop))
		ioloop_defer(dev->loop, &dev->flush);
	else
		virtio_flush(dev);
}

void virtio_flush(struct virtio_dev *dev)
{
	for (unsigned int q = 0; q < dev->ops->nqueues; q++) {
		if (!dev->dirty[q])
			continue;
		dev->dirty[q] = false;
		if (virtq_publish(&dev->vq[q]) && dev->tops)
			dev->tops->notify_queue(dev, q);
	}
}

void virtio_fault(struct virtio_dev *dev, int q, enum virtq_fault kind, const char *detail)
{
	uint32_t bit = 1u << kind;

	if (!(dev->faults_logged & bit)) {
		dev->faults_logged |= bit;
		if (q >= 0)
			log_warn("%s: guest driver error on queue %d: %s%s%s; the device needs a reset"
				 " (further errors of this kind are not logged)", dev->name, q,
				 virtq_fault_name(kind), detail ? ": " : "", detail ? detail : "");
		else
			log_warn("%s: guest driver error: %s%s%s; the device needs a reset (further"
				 " errors of this kind are not logged)", dev->name, virtq_fault_name(kind),
				 detail ? ": " : "", detail ? detail : "");
	}
	if (virtio_broken(dev))
		return;
	dev->status |= VIRTIO_STATUS_NEEDS_RESET;
	if ((dev->status & VIRTIO_STATUS_DRIVER_OK) && dev->tops)
		dev->tops->notify_config(dev);
}

int virtio_dev_save(struct virtio_dev *dev, struct virtio_dev_state *s)
{
	pthread_mutex_lock(&dev->lock);
	if (dev->inflight || dev->resetting) {
		pthread_mutex_unlock(&dev->lock);
		return -EBUSY;
	}
	memset(s, 0, sizeof(*s));
	s->device_id = dev->ops->device_id;
	s->nqueues = dev->ops->nqueues;
	s->status = dev->status;
	s->config_generation = dev->config_generation;
	s->host_features = dev->host_features;
	s->guest_features = dev->guest_features;
	s->faults_logged = dev->faults_logged;
	for (unsigned int q = 0; q < dev->ops->nqueues; q++)
		virtq_save(&dev->vq[q], &s->vq[q]);
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

/* Checks of @s outside its queues: it is @dev's kind of device, in a status the core can reach. */
static int virtio_state_check(const struct virtio_dev *dev, const struct virtio_dev_state *s)
{
	const uint8_t known = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK |
			      VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED;
	bool event_idx = s->guest_features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	bool indirect = s->guest_features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);

	if (s->device_id != dev->ops->device_id || s->nqueues != dev->ops->nqueues ||
	    s->host_features != dev->host_features)
		return -EINVAL;
	if ((s->status & ~known) || (s->faults_logged >> VQ_FAULT_COUNT))
		return -EINVAL;
	if ((s->status & VIRTIO_STATUS_DRIVER_OK) && !(s->status & VIRTIO_STATUS_FEATURES_OK))
		return -EINVAL;
	if ((s->status & VIRTIO_STATUS_FEATURES_OK) && !virtio_features_ok(s->host_features, s->guest_features))
		return -EINVAL;
	/* From DRIVER_OK on, every queue uses the negotiated ring features (virtio_status_set). */
	for (unsigned int q = 0; q < s->nqueues && (s->status & VIRTIO_STATUS_DRIVER_OK); q++)
		if (s->vq[q].event_idx != event_idx || s->vq[q].indirect != indirect)
			return -EINVAL;
	return 0;
}

int virtio_dev_restore(struct virtio_dev *dev, const struct virtio_dev_state *s)
{
	struct virtq vq[VIRTIO_MAX_QUEUES];
	int ret;

	pthread_mutex_lock(&dev->lock);
	ret = dev->inflight || dev->resetting ? -EBUSY : virtio_state_check(dev, s);
	/* Each queue into a copy first: a bad one leaves the device as it was. */
	for (unsigned int q = 0; q < dev->ops->nqueues && ret == 0; q++) {
		vq[q] = dev->vq[q];
		ret = virtq_restore(&vq[q], &s->vq[q], dev->mem);
	}
	if (ret == 0) {
		dev->status = s->status;
		dev->config_generation = s->config_generation;
		dev->guest_features = s->guest_features;
		dev->faults_logged = s->faults_logged;
		for (unsigned int q = 0; q < dev->ops->nqueues; q++) {
			dev->vq[q] = vq[q];
			dev->dirty[q] = vq[q].ready && vq[q].used_idx != vq[q].published;
		}
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}
