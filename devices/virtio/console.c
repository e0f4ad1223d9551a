/* virtio-console: host input (as its backend hands it over) into receive buffers; transmit buffers out through a ring. */
#include "devices/virtio/console.h"

#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio/iov.h"
#include "devices/virtio/type.h"
#include "vmm/log.h"

#define CON_PCI_CLASS 0x078000u		/* simple communication controller, other */
#define CON_DRAIN_CHUNK 512u		/* bytes per write when draining at exit */

struct vcon {
	struct virtio_dev dev;
	struct chardev *cd;

	/* Input: read into rd, filtered by the backend into in, copied into receive buffers. */
	struct ioloop_op read_op;
	bool reading, in_done;
	uint8_t rd[VIRTIO_CONSOLE_IN_BUF];
	uint8_t in[VIRTIO_CONSOLE_IN_BUF];
	size_t in_len;

	/* Output: transmit buffers copied into a ring, written out one piece at a time. */
	struct ioloop_op write_op;
	bool writing, out_dead;
	uint8_t out[VIRTIO_CONSOLE_OUT_BUF];
	size_t out_head, out_len;
	struct virtq_chain tx;		/* the chain being copied */
	bool tx_busy;
	size_t tx_off;
	struct virtq_chain rx;
};

static void con_read(struct vcon *c);
static void con_write(struct vcon *c);
static void con_tx_run(struct vcon *c);

/* Hand waiting input to receive buffers. */
static void con_deliver(struct vcon *c)
{
	struct virtio_dev *dev = &c->dev;

	while (c->in_len) {
		size_t n;
		int ret = virtio_pop(dev, VIRTIO_CONSOLE_RX, &c->rx);

		if (ret < 0)
			return;
		if (c->rx.nout) {
			virtio_fault(dev, VIRTIO_CONSOLE_RX, VQ_FAULT_DIRECTION, "device-readable buffer in the receive queue");
			return;
		}
		n = iov_from_buf(c->rx.iov, c->rx.nin, 0, c->in, c->in_len);
		memmove(c->in, c->in + n, c->in_len - n);
		c->in_len -= n;
		virtio_done(dev, VIRTIO_CONSOLE_RX, c->rx.head, (uint32_t)n);
	}
	con_read(c);
}

/* Hand @n bytes of input to the backend (the terminal applies its escapes there) and keep what the guest gets. */
static void con_input(struct vcon *c, const uint8_t *buf, size_t n)
{
	size_t room = sizeof(c->in) - c->in_len;
	bool quit;

	/* A read is posted for the room there was; a restore since may have filled some of it. */
	if (n > room) {
		log_debug("%s: %zu bytes of input dropped: no room after a restore", c->dev.name, n - room);
		n = room;
	}
	c->in_len += chardev_input(c->cd, buf, n, c->in + c->in_len, &quit);
	if (quit)
		c->in_done = true;
}

static void con_read_done(struct ioloop_op *op, int res)
{
	struct vcon *c = (struct vcon *)((char *)op - offsetof(struct vcon, read_op));

	pthread_mutex_lock(&c->dev.lock);
	c->reading = false;
	if (res > 0) {
		con_input(c, c->rd, (size_t)res);
	} else if (res != -EAGAIN && res != -EINTR) {
		if (res != -ECANCELED)
			log_debug("%s: %s; no more input", c->dev.name, res ? strerror(-res) : "end of input");
		c->in_done = true;
	}
	if (virtio_queue_live(&c->dev, VIRTIO_CONSOLE_RX))
		con_deliver(c);
	else
		con_read(c);
	pthread_mutex_unlock(&c->dev.lock);
}

/* Post a read when there is input to wait for and room to put it. */
static void con_read(struct vcon *c)
{
	size_t room = sizeof(c->in) - c->in_len;
	struct io_uring_sqe *sqe;

	if (c->reading || c->in_done || c->cd->in_fd < 0 || room == 0)
		return;
	sqe = ioloop_sqe(c->dev.loop, &c->read_op);
	if (!sqe)
		return;
	io_uring_prep_read(sqe, c->cd->in_fd, c->rd, (unsigned int)room, (uint64_t)-1);
	io_uring_sqe_set_data(sqe, &c->read_op);
	c->reading = true;
}

/* Copy transmit chains into the output ring while it has room. */
static void con_transmit(struct vcon *c)
{
	struct virtio_dev *dev = &c->dev;

	for (;;) {
		if (!c->tx_busy) {
			int ret = virtio_pop(dev, VIRTIO_CONSOLE_TX, &c->tx);

			if (ret < 0)
				break;
			if (c->tx.nin) {
				virtio_fault(dev, VIRTIO_CONSOLE_TX, VQ_FAULT_DIRECTION,
					     "device-writable buffer in the transmit queue");
				break;
			}
			c->tx_busy = true;
			c->tx_off = 0;
		}
		if (c->cd->out_fd < 0 || c->out_dead) {
			c->tx_off = c->tx.out_len;	/* nowhere to go: dropped */
		} else {
			while (c->tx_off < c->tx.out_len && c->out_len < sizeof(c->out)) {
				size_t tail = (c->out_head + c->out_len) % sizeof(c->out);
				size_t room = c->out_head + c->out_len < sizeof(c->out) ? sizeof(c->out) - tail
											 : c->out_head - tail;
				size_t n = iov_to_buf(c->tx.iov, c->tx.nout, c->tx_off, c->out + tail, room);

				c->tx_off += n;
				c->out_len += n;
			}
		}
		if (c->tx_off < c->tx.out_len)
			break;		/* the ring is full: con_write_done comes back */
		c->tx_busy = false;
		virtio_done(dev, VIRTIO_CONSOLE_TX, c->tx.head, 0);
	}
	con_write(c);
}

static void con_write_done(struct ioloop_op *op, int res)
{
	struct vcon *c = (struct vcon *)((char *)op - offsetof(struct vcon, write_op));

	pthread_mutex_lock(&c->dev.lock);
	c->writing = false;
	if (res > 0) {
		c->out_head = (c->out_head + (size_t)res) % sizeof(c->out);
		c->out_len -= (size_t)res;
	} else if (res == -ECANCELED) {
		/* keel is stopping: virtio_console_destroy writes what is left */
	} else if (res != -EAGAIN && res != -EINTR) {
		if (res != -ECANCELED)
			log_warn("%s: output failed (%s); further output is dropped", c->dev.name,
				 res ? strerror(-res) : "nothing written");
		c->out_dead = true;
		c->out_len = 0;
	}
	con_write(c);
	if (virtio_queue_live(&c->dev, VIRTIO_CONSOLE_TX))
		con_tx_run(c);
	pthread_mutex_unlock(&c->dev.lock);
}

/* Post a write of the ring's first contiguous piece. */
static void con_write(struct vcon *c)
{
	struct io_uring_sqe *sqe;
	size_t n;

	if (c->writing || c->out_dead || !c->out_len)
		return;
	sqe = ioloop_sqe(c->dev.loop, &c->write_op);
	if (!sqe)
		return;
	n = c->out_head + c->out_len <= sizeof(c->out) ? c->out_len : sizeof(c->out) - c->out_head;
	if (c->cd->out_is_socket)
		io_uring_prep_send(sqe, c->cd->out_fd, c->out + c->out_head, n, MSG_NOSIGNAL);
	else
		io_uring_prep_write(sqe, c->cd->out_fd, c->out + c->out_head, (unsigned int)n, (uint64_t)-1);
	io_uring_sqe_set_data(sqe, &c->write_op);
	c->writing = true;
}

/* Transmit until the queue is empty or the ring is full, leaving notifications enabled. */
static void con_tx_run(struct vcon *c)
{
	struct virtq *vq = &c->dev.vq[VIRTIO_CONSOLE_TX];

	do {
		virtq_kick_disable(vq);
		con_transmit(c);
		if (!virtio_queue_live(&c->dev, VIRTIO_CONSOLE_TX))
			return;
	} while (virtq_kick_enable(vq) && !c->tx_busy);
}

static void con_queue_notify(struct virtio_dev *dev, unsigned int q)
{
	struct vcon *c = dev->priv;

	if (q == VIRTIO_CONSOLE_TX) {
		con_tx_run(c);
		return;
	}
	/* Receive buffers wait for input: take them when there is some. */
	con_deliver(c);
	if (virtio_queue_live(dev, q))
		virtq_kick_enable(&dev->vq[q]);
}

static void con_config_read(const struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	uint8_t cfg[VIRTIO_CONSOLE_CFG_SIZE] = { 0 };

	(void)dev;
	cfg[VIRTIO_CONSOLE_CFG_MAX_PORTS] = 1;
	memcpy(data, cfg + off, len);
}

static void con_reset(struct virtio_dev *dev)
{
	struct vcon *c = dev->priv;

	c->tx_busy = false;	/* a half-copied chain belongs to the old session */
}

static const struct virtio_dev_ops virtio_console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.pci_class = CON_PCI_CLASS,
	.nqueues = 2,
	.queue_max = VIRTIO_CONSOLE_QUEUE_SIZE,
	.config_size = VIRTIO_CONSOLE_CFG_SIZE,
	.config_read = con_config_read,
	.queue_notify = con_queue_notify,
	.reset = con_reset,
};

int virtio_console_create(struct chardev *cd, const struct guest_mem *mem, struct ioloop *loop,
			  struct virtio_dev **out)
{
	struct vcon *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	c->cd = cd;
	c->read_op.done = con_read_done;
	c->write_op.done = con_write_done;
	ret = virtio_dev_init(&c->dev, &virtio_console_ops, c, "virtio-console0", mem, loop);
	if (ret < 0) {
		virtio_console_destroy(&c->dev);
		return ret;
	}
	if (cd->in_fd < 0)
		c->in_done = true;
	con_read(c);		/* posted now, submitted when the I/O thread starts */
	*out = &c->dev;
	return 0;
}

/* Write out what the guest sent and the I/O thread had no time for (bounded: 1 s without progress ends it). */
static void con_drain(struct vcon *c)
{
	int fd = c->cd->out_fd;

	while (c->out_len && !c->out_dead && fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		size_t n = c->out_head + c->out_len <= sizeof(c->out) ? c->out_len : sizeof(c->out) - c->out_head;
		ssize_t w;

		if (poll(&p, 1, 1000) != 1 || !(p.revents & POLLOUT))
			return;
		if (n > CON_DRAIN_CHUNK)
			n = CON_DRAIN_CHUNK;	/* at most PIPE_BUF: a pipe that polled writable takes it whole */
		w = c->cd->out_is_socket ? send(fd, c->out + c->out_head, n, MSG_NOSIGNAL | MSG_DONTWAIT)
					 : write(fd, c->out + c->out_head, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return;
		c->out_head = (c->out_head + (size_t)w) % sizeof(c->out);
		c->out_len -= (size_t)w;
	}
}

void virtio_console_destroy(struct virtio_dev *dev)
{
	if (!dev)
		return;
	con_drain(dev->priv);
	virtio_dev_destroy(dev);
	free(dev->priv);
}

int virtio_console_save(struct virtio_dev *dev, struct virtio_console_state *s)
{
	struct vcon *c = dev->priv;
	int ret = 0;

	if (dev->ops != &virtio_console_ops)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&dev->lock);
	if (dev->inflight || dev->resetting || c->tx_busy || c->writing || c->out_len) {
		ret = -EBUSY;
	} else {
		s->in_len = (uint32_t)c->in_len;
		memcpy(s->in, c->in, c->in_len);
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int virtio_console_restore(struct virtio_dev *dev, const struct virtio_console_state *s)
{
	struct vcon *c = dev->priv;
	int ret = 0;

	if (dev->ops != &virtio_console_ops || s->in_len > sizeof(c->in))
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (dev->inflight || dev->resetting || c->tx_busy) {
		ret = -EBUSY;
	} else {
		memcpy(c->in, s->in, s->in_len);
		c->in_len = s->in_len;
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* --- the device type (devices/virtio/type.h) ----------------------------------------------- */

static unsigned int con_type_count(const struct virtio_config *c)
{
	return c->console.kind != VIRTIO_CONSOLE_NONE;
}

static struct virtio_place con_type_place(const struct virtio_config *c, unsigned int i)
{
	(void)i;
	return c->console.place;
}

static int con_type_open(const struct virtio_config *c, unsigned int i, const struct virtio_env *env, void **backend,
			 char *err, size_t errlen)
{
	struct chardev *cd = NULL;
	int ret;

	(void)i;
	ret = chardev_open(&c->console, env->stop, &cd, err, errlen);
	*backend = cd;
	return ret;
}

static void con_type_close(void *backend)
{
	chardev_close(backend);
}

static int con_type_create(void *backend, const struct virtio_config *c, unsigned int i, const struct guest_mem *mem,
			   struct ioloop *loop, struct virtio_dev **out)
{
	(void)c;
	(void)i;
	return virtio_console_create(backend, mem, loop, out);
}

static void con_type_start(void *backend)
{
	chardev_raw(backend);
}

static int con_type_save(struct virtio_dev *dev, union virtio_type_state *s)
{
	return virtio_console_save(dev, &s->console);
}

static int con_type_restore(struct virtio_dev *dev, const union virtio_type_state *s)
{
	return virtio_console_restore(dev, &s->console);
}

const struct virtio_type virtio_console_type = {
	.name = "virtio-console",
	.count = con_type_count,
	.place = con_type_place,
	.open = con_type_open,
	.close = con_type_close,
	.create = con_type_create,
	.start = con_type_start,
	.destroy = virtio_console_destroy,
	.save = con_type_save,
	.restore = con_type_restore,
};
