/* virtio-rng: fill each request's writable buffers from getrandom(GRND_NONBLOCK) on the I/O thread. */
#include "devices/virtio/rng.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "devices/virtio/type.h"
#define RNG_PCI_CLASS 0x00ff00u		/* unclassified device */

struct vrng {
	struct virtio_dev dev;
	struct virtq_chain chain;
	struct virtio_rng_stats stats;	/* under the device's lock */
};

/* Fill @c's writable buffers, at most VIRTIO_RNG_MAX_BYTES. Returns the bytes written. */
static uint32_t rng_fill(struct virtq_chain *c)
{
	uint32_t done = 0;

	for (unsigned int i = c->nout; i < c->nout + c->nin && done < VIRTIO_RNG_MAX_BYTES; i++) {
		size_t want = c->iov[i].iov_len, got = 0;

		if (want > VIRTIO_RNG_MAX_BYTES - done)
			want = VIRTIO_RNG_MAX_BYTES - done;
		while (got < want) {
			ssize_t n = getrandom((char *)c->iov[i].iov_base + got, want - got, GRND_NONBLOCK);

			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				return done + (uint32_t)got;	/* no entropy right now: give what we have */
			}
			got += (size_t)n;
		}
		done += (uint32_t)got;
	}
	return done;
}

static void rng_queue_notify(struct virtio_dev *dev, unsigned int q)
{
	struct vrng *r = dev->priv;
	struct virtq *vq = &dev->vq[q];

	r->stats.entropy_event_count++;
	do {
		virtq_kick_disable(vq);
		for (;;) {
			int ret = virtio_pop(dev, q, &r->chain);

			if (ret == -EAGAIN)
				break;
			if (ret < 0)
				return;
			if (r->chain.nout) {
				virtio_fault(dev, (int)q, VQ_FAULT_DIRECTION, "device-readable buffer in an entropy request");
				return;
			}
			uint32_t got = rng_fill(&r->chain);

			if (got < r->chain.in_len && got < VIRTIO_RNG_MAX_BYTES)
				r->stats.host_rng_fails++;
			r->stats.entropy_bytes += got;
			virtio_done(dev, q, r->chain.head, got);
		}
	} while (virtq_kick_enable(vq));
}

static const struct virtio_dev_ops virtio_rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.pci_class = RNG_PCI_CLASS,
	.nqueues = 1,
	.queue_max = VIRTIO_RNG_QUEUE_SIZE,
	.queue_notify = rng_queue_notify,
};

int virtio_rng_create(const struct guest_mem *mem, struct ioloop *loop, struct virtio_dev **out)
{
	struct vrng *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	ret = virtio_dev_init(&r->dev, &virtio_rng_ops, r, "virtio-rng0", mem, loop);
	if (ret < 0) {
		virtio_rng_destroy(&r->dev);
		return ret;
	}
	*out = &r->dev;
	return 0;
}

int virtio_rng_stats(struct virtio_dev *dev, struct virtio_rng_stats *out)
{
	struct vrng *r = dev->priv;

	if (dev->ops != &virtio_rng_ops)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	*out = r->stats;
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

void virtio_rng_destroy(struct virtio_dev *dev)
{
	if (!dev)
		return;
	virtio_dev_destroy(dev);
	free(dev->priv);
}

/* --- the device type (devices/virtio/type.h): no backend, no state of its own ------------------ */

static unsigned int rng_type_count(const struct virtio_config *c)
{
	return c->rng;
}

static struct virtio_place rng_type_place(const struct virtio_config *c, unsigned int i)
{
	(void)i;
	return c->rng_place;
}

static int rng_type_create(void *backend, const struct virtio_config *c, unsigned int i, const struct guest_mem *mem,
			   struct ioloop *loop, struct virtio_dev **out)
{
	(void)backend;
	(void)c;
	(void)i;
	return virtio_rng_create(mem, loop, out);
}

const struct virtio_type virtio_rng_type = {
	.name = "virtio-rng",
	.count = rng_type_count,
	.place = rng_type_place,
	.create = rng_type_create,
	.destroy = virtio_rng_destroy,
};
