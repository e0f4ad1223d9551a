/* virtio-gpu: the control and cursor queues copied into host requests on the I/O thread, run in order on the device's render thread, answered back on the I/O thread (fenced ones when their fence is done). */
#include "devices/virtio/gpu.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio/iov.h"
#include "vmm/log.h"
#include "vmm/sandbox.h"

#define GPU_QUEUE_SIZE 256u
#define GPU_PCI_CLASS 0x038000u		/* display controller, other */
#define GPU_QUEUED_MAX (64u << 20)	/* host bytes of requests taken and not yet answered, at most */
#define GPU_FENCE_POLL_NS 200000	/* how often the renderer is polled while fences wait */

/* One request, from the queue to its response. */
struct gpu_req {
	struct gpu_req *next;
	unsigned int q;
	uint16_t head;
	uint64_t session;		/* the driver session it belongs to */
	bool edid;			/* VIRTIO_GPU_F_EDID negotiated */
	uint8_t *cmd;
	size_t cmd_len;
	uint8_t *resp;			/* the response, written back on the I/O thread */
	size_t resp_cap;
	struct gpu_cmd_result res;
	unsigned int nin;
	struct iovec in[];		/* the chain's device-writable buffers */
};

/* A FIFO of requests. */
struct gpu_list {
	struct gpu_req *head, **tail;
};

struct vgpu {
	struct virtio_dev dev;
	struct virtq_chain chain;
	uint32_t events_read;		/* config space (device lock) */
	unsigned int num_capsets;	/* the renderer's, read once it exists */
	bool virgl;
	uint64_t queued;		/* host bytes of the requests taken (device lock) */
	bool starved;			/* the queues were left for want of room in queued */

	/* Between the threads, under rlock. */
	pthread_mutex_t rlock;
	pthread_cond_t rcond;		/* the render thread made its renderer (or failed) */
	struct gpu_list todo;		/* for the render thread */
	struct gpu_list fenced;		/* run; their answer waits for their fence */
	struct gpu_list done;		/* for the I/O thread */
	uint64_t session;		/* bumped by each reset */
	bool reset_pending;		/* the render thread must reset the renderer */
	bool quit;
	bool started;			/* the render thread's renderer is made (or failed: start_err) */
	int start_err;
	char err[160];
	uint64_t fence_last;		/* the latest fence done since the reset */
	int wake_fd;			/* render thread: todo, reset or quit */
	int done_fd;			/* I/O thread: done */
	struct ioloop_efd done_w;
	pthread_t thread;
	bool thread_made;
	unsigned int seccomp;		/* the render thread's filter (vmm/sandbox.h): as the I/O loop's */

	/* Render thread only. */
	struct gpu_cmd cmd;
	struct gpu_backend_env env;
};

static void gpu_list_init(struct gpu_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static void gpu_list_add(struct gpu_list *l, struct gpu_req *r)
{
	r->next = NULL;
	*l->tail = r;
	l->tail = &r->next;
}

/* Move every request of @from to the end of @to. */
static void gpu_list_splice(struct gpu_list *to, struct gpu_list *from)
{
	if (!from->head)
		return;
	*to->tail = from->head;
	to->tail = from->tail;
	gpu_list_init(from);
}

static void gpu_list_free(struct gpu_list *l)
{
	while (l->head) {
		struct gpu_req *r = l->head;

		l->head = r->next;
		free(r->cmd);
		free(r->resp);
		free(r);
	}
	gpu_list_init(l);
}

static void gpu_signal(int fd)
{
	uint64_t one = 1;

	while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* --- the render thread ------------------------------------------------------------------ */

/* Fence @fence_id (and every earlier one) is done: their requests are answered. Any thread. */
static void gpu_fence_done(void *opaque, uint64_t fence_id)
{
	struct vgpu *g = opaque;
	struct gpu_list keep;
	bool any = false;

	gpu_list_init(&keep);
	pthread_mutex_lock(&g->rlock);
	if (fence_id > g->fence_last)
		g->fence_last = fence_id;
	while (g->fenced.head) {
		struct gpu_req *r = g->fenced.head;

		g->fenced.head = r->next;
		if (r->res.fence_id <= fence_id) {
			gpu_list_add(&g->done, r);
			any = true;
		} else {
			gpu_list_add(&keep, r);
		}
	}
	gpu_list_init(&g->fenced);
	gpu_list_splice(&g->fenced, &keep);
	pthread_mutex_unlock(&g->rlock);
	if (any)
		gpu_signal(g->done_fd);
}

/* Run @r (unless its session is over) and pass it on: answered, or waiting for its fence. */
static void gpu_run(struct vgpu *g, struct gpu_req *r)
{
	uint64_t session;

	pthread_mutex_lock(&g->rlock);
	session = g->session;
	pthread_mutex_unlock(&g->rlock);
	if (r->session == session)
		gpu_cmd_exec(&g->cmd, r->cmd, r->cmd_len, r->edid, r->resp, r->resp_cap, &r->res);
	else
		memset(&r->res, 0, sizeof(r->res));
	pthread_mutex_lock(&g->rlock);
	if (r->res.fence_wait && r->res.fence_id > g->fence_last)
		gpu_list_add(&g->fenced, r);
	else
		gpu_list_add(&g->done, r);
	pthread_mutex_unlock(&g->rlock);
	gpu_signal(g->done_fd);
}

/* The renderer forgets the old session; its requests waiting for fences are answered (and dropped). */
static void gpu_render_reset(struct vgpu *g)
{
	gpu_cmd_reset(&g->cmd);
	pthread_mutex_lock(&g->rlock);
	gpu_list_splice(&g->done, &g->fenced);
	g->fence_last = 0;
	pthread_mutex_unlock(&g->rlock);
	gpu_signal(g->done_fd);
}

/* Filter this thread, make the renderer here (virglrenderer keeps its GL context on it); tell the creator. */
static bool gpu_render_start(struct vgpu *g)
{
	int ret = sandbox_enter(SANDBOX_RENDER, g->seccomp, 0);

	if (ret < 0)
		snprintf(g->err, sizeof(g->err), "virtio-gpu: the render thread's seccomp filter: %s", strerror(-ret));
	else
		ret = g->cmd.ops->create(&g->env, &g->cmd.b, g->err, sizeof(g->err));

	if (ret == 0 && g->cmd.ops->num_capsets && g->cmd.ops->capset_info)
		g->num_capsets = g->cmd.ops->num_capsets(g->cmd.b);
	pthread_mutex_lock(&g->rlock);
	g->start_err = ret;
	g->started = true;
	pthread_cond_signal(&g->rcond);
	pthread_mutex_unlock(&g->rlock);
	return ret == 0;
}

static bool gpu_fences_waiting(struct vgpu *g)
{
	bool any;

	pthread_mutex_lock(&g->rlock);
	any = g->fenced.head != NULL;
	pthread_mutex_unlock(&g->rlock);
	return any;
}

static void *gpu_render_thread(void *arg)
{
	struct vgpu *g = arg;
	const struct gpu_backend_ops *o;

	pthread_setname_np(pthread_self(), "keel-gpu");
	if (!gpu_render_start(g))
		return NULL;
	o = g->cmd.ops;
	for (;;) {
		struct pollfd p[2] = { { .fd = g->wake_fd, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
		struct gpu_list batch;
		bool reset, quit;
		uint64_t v;

		const struct timespec soon = { 0, GPU_FENCE_POLL_NS };
		bool timed = o->poll && gpu_fences_waiting(g);	/* a renderer's fd may not say when: look again soon */

		p[1].fd = o->poll_fd ? o->poll_fd(g->cmd.b) : -1;
		if (ppoll(p, p[1].fd >= 0 ? 2 : 1, timed ? &soon : NULL, NULL) < 0 && errno != EINTR)
			break;
		if (o->poll && ((p[1].fd >= 0 && (p[1].revents & POLLIN)) || timed))
			o->poll(g->cmd.b);
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(g->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			break;
		pthread_mutex_lock(&g->rlock);
		batch = g->todo;
		if (!batch.head)
			batch.tail = &batch.head;
		gpu_list_init(&g->todo);
		reset = g->reset_pending;
		g->reset_pending = false;
		quit = g->quit;
		pthread_mutex_unlock(&g->rlock);
		if (reset)
			gpu_render_reset(g);
		while (batch.head) {
			struct gpu_req *r = batch.head;

			batch.head = r->next;
			gpu_run(g, r);
		}
		if (o->poll && gpu_fences_waiting(g))
			o->poll(g->cmd.b);	/* fences the work just done may have passed */
		if (quit)
			break;
	}
	o->destroy(g->cmd.b);	/* the outputs keep their last image */
	g->cmd.b = NULL;
	gpu_res_clear(&g->cmd.res);
	return NULL;
}

/* --- the I/O thread ------------------------------------------------------------------- */

/* Requests the render thread finished: responses into guest memory, chains back to the driver. */
static void gpu_queue_notify(struct virtio_dev *dev, unsigned int q);

static size_t gpu_req_bytes(const struct gpu_req *r)
{
	return sizeof(*r) + r->nin * sizeof(struct iovec) + r->cmd_len + r->resp_cap;
}

static void gpu_done_ready(struct ioloop_efd *w)
{
	struct vgpu *g = w->opaque;
	struct gpu_list list;

	pthread_mutex_lock(&g->dev.lock);
	pthread_mutex_lock(&g->rlock);
	list = g->done;
	if (!list.head)
		list.tail = &list.head;
	gpu_list_init(&g->done);
	pthread_mutex_unlock(&g->rlock);
	for (struct gpu_req *r = list.head; r; r = r->next) {
		size_t len = 0;

		if (!g->dev.resetting)	/* the driver still owns this session's buffers */
			len = iov_from_buf(r->in, r->nin, 0, r->resp, r->res.len);
		virtio_done(&g->dev, r->q, r->head, (uint32_t)len);
		virtio_request_done(&g->dev);
		g->queued -= gpu_req_bytes(r);
	}
	if (g->starved && g->queued < GPU_QUEUED_MAX) {
		g->starved = false;
		gpu_queue_notify(&g->dev, VIRTIO_GPU_Q_CONTROL);
		gpu_queue_notify(&g->dev, VIRTIO_GPU_Q_CURSOR);
	}
	pthread_mutex_unlock(&g->dev.lock);
	gpu_list_free(&list);
}

/* A host request for chain @c of queue @q: its request bytes copied, its writable buffers kept. */
static struct gpu_req *gpu_req_new(struct vgpu *g, unsigned int q, const struct virtq_chain *c)
{
	struct gpu_req *r = calloc(1, sizeof(*r) + c->nin * sizeof(struct iovec));
	size_t in = c->in_len < GPU_RESP_MAX ? c->in_len : GPU_RESP_MAX;

	if (!r)
		return NULL;
	r->q = q;
	r->head = c->head;
	r->edid = virtio_feature(&g->dev, VIRTIO_GPU_F_EDID);
	r->cmd_len = c->out_len < GPU_REQ_MAX ? c->out_len : GPU_REQ_MAX;	/* a cut request fails its checks */
	r->cmd = malloc(r->cmd_len ? r->cmd_len : 1);
	r->resp_cap = in > GPU_RESP_MIN ? in : GPU_RESP_MIN;
	r->resp = malloc(r->resp_cap);
	if (!r->cmd || !r->resp) {
		free(r->cmd);
		free(r->resp);
		free(r);
		return NULL;
	}
	iov_to_buf(c->iov, c->nout, 0, r->cmd, r->cmd_len);
	r->nin = c->nin;
	memcpy(r->in, c->iov + c->nout, c->nin * sizeof(struct iovec));
	return r;
}

static void gpu_queue_notify(struct virtio_dev *dev, unsigned int q)
{
	struct vgpu *g = dev->priv;
	struct virtq *vq = &dev->vq[q];
	bool queued = false;

	do {
		virtq_kick_disable(vq);
		for (;;) {
			struct gpu_req *r;
			int ret;

			if (g->queued >= GPU_QUEUED_MAX) {
				g->starved = true;	/* gpu_done_ready comes back */
				goto out;
			}
			ret = virtio_pop(dev, q, &g->chain);

			if (ret == -EAGAIN)
				break;
			if (ret < 0)
				goto out;
			if (q == VIRTIO_GPU_Q_CONTROL && !g->chain.nin) {
				virtio_fault(dev, (int)q, VQ_FAULT_DIRECTION, "no device-writable buffer for the response");
				goto out;
			}
			r = gpu_req_new(g, q, &g->chain);
			if (!r) {
				log_warn("%s: out of memory for a request; it is returned unanswered", dev->name);
				virtio_done(dev, q, g->chain.head, 0);
				continue;
			}
			virtio_request_start(dev);
			g->queued += gpu_req_bytes(r);
			pthread_mutex_lock(&g->rlock);
			r->session = g->session;
			gpu_list_add(&g->todo, r);
			pthread_mutex_unlock(&g->rlock);
			queued = true;
		}
	} while (virtq_kick_enable(vq));
out:
	if (queued)
		gpu_signal(g->wake_fd);
}

/* The driver reset the device (lock held): the render thread resets the renderer before the next session's requests. */
static void gpu_reset(struct virtio_dev *dev)
{
	struct vgpu *g = dev->priv;

	g->events_read = 0;
	g->starved = false;	/* requests in flight come back without touching the rings */
	pthread_mutex_lock(&g->rlock);
	g->session++;
	g->reset_pending = true;
	pthread_mutex_unlock(&g->rlock);
	gpu_signal(g->wake_fd);
}

static uint64_t gpu_features(const struct virtio_dev *dev)
{
	const struct vgpu *g = dev->priv;

	return VIRTIO_BIT(VIRTIO_GPU_F_EDID) | (g->virgl ? VIRTIO_BIT(VIRTIO_GPU_F_VIRGL) : 0);
}

static void gpu_config_read(const struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	const struct vgpu *g = dev->priv;
	uint32_t c[VIRTIO_GPU_CFG_SIZE / 4] = { 0 };

	c[VIRTIO_GPU_CFG_EVENTS_READ / 4] = g->events_read;
	c[VIRTIO_GPU_CFG_NUM_SCANOUTS / 4] = g->cmd.outputs;
	c[VIRTIO_GPU_CFG_NUM_CAPSETS / 4] = g->num_capsets;
	for (uint32_t i = 0; i < len; i++)	/* little-endian, whatever the host */
		data[i] = (uint8_t)(c[(off + i) / 4] >> (8 * ((off + i) % 4)));
}

static void gpu_config_write(struct virtio_dev *dev, uint32_t off, const uint8_t *data, uint32_t len)
{
	struct vgpu *g = dev->priv;

	for (uint32_t i = 0; i < len; i++)
		if (off + i >= VIRTIO_GPU_CFG_EVENTS_CLEAR && off + i < VIRTIO_GPU_CFG_EVENTS_CLEAR + 4)
			g->events_read &= ~((uint32_t)data[i] << (8 * (off + i - VIRTIO_GPU_CFG_EVENTS_CLEAR)));
}

static const struct virtio_dev_ops virtio_gpu_ops = {
	.name = "virtio-gpu",
	.device_id = VIRTIO_ID_GPU,
	.pci_class = GPU_PCI_CLASS,
	.nqueues = 2,
	.queue_max = GPU_QUEUE_SIZE,
	.config_size = VIRTIO_GPU_CFG_SIZE,
	.features = gpu_features,
	.config_read = gpu_config_read,
	.config_write = gpu_config_write,
	.queue_notify = gpu_queue_notify,
	.reset = gpu_reset,
};

/* Start the render thread and wait for its renderer. */
static int gpu_start_thread(struct vgpu *g, char *err, size_t errlen)
{
	int ret = pthread_create(&g->thread, NULL, gpu_render_thread, g);

	if (ret) {
		snprintf(err, errlen, "virtio-gpu: cannot start the render thread: %s", strerror(ret));
		return -ret;
	}
	g->thread_made = true;
	pthread_mutex_lock(&g->rlock);
	while (!g->started)
		pthread_cond_wait(&g->rcond, &g->rlock);
	ret = g->start_err;
	pthread_mutex_unlock(&g->rlock);
	if (ret < 0)
		snprintf(err, errlen, "%s", g->err[0] ? g->err : "virtio-gpu: the renderer cannot start");
	return ret;
}

int virtio_gpu_create(struct display_port *display, const struct virtio_gpu_opts *o,
		      const struct gpu_backend_ops *ops, const struct guest_mem *mem, struct ioloop *loop,
		      struct virtio_dev **out, char *err, size_t errlen)
{
	struct vgpu *g = calloc(1, sizeof(*g));
	int ret;

	if (!g) {
		snprintf(err, errlen, "virtio-gpu: out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&g->rlock, NULL);
	pthread_cond_init(&g->rcond, NULL);
	gpu_list_init(&g->todo);
	gpu_list_init(&g->fenced);
	gpu_list_init(&g->done);
	g->wake_fd = g->done_fd = -1;
	g->virgl = o->kind == VIRTIO_GPU_VIRGL;
	g->seccomp = ioloop_seccomp(loop);
	g->env = (struct gpu_backend_env){ display, o->outputs, gpu_fence_done, g };
	g->cmd = (struct gpu_cmd){ .name = g->dev.name, .ops = ops, .mem = mem, .display = display,
				   .outputs = o->outputs, .width = o->width, .height = o->height };
	ret = virtio_dev_init(&g->dev, &virtio_gpu_ops, g, "virtio-gpu0", mem, loop);
	if (ret < 0) {
		snprintf(err, errlen, "virtio-gpu: %s", strerror(-ret));
		goto fail;
	}
	g->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->done_fd = eventfd(0, EFD_CLOEXEC);
	if (g->wake_fd < 0 || g->done_fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "virtio-gpu: eventfd: %s", strerror(errno));
		goto fail;
	}
	ret = ioloop_watch(loop, &g->done_w, g->done_fd, gpu_done_ready, g);
	if (ret < 0) {
		snprintf(err, errlen, "virtio-gpu: %s", strerror(-ret));
		goto fail;
	}
	ret = gpu_start_thread(g, err, errlen);
	if (ret < 0)
		goto fail;
	*out = &g->dev;
	return 0;
fail:
	virtio_gpu_destroy(&g->dev);
	return ret;
}

void virtio_gpu_destroy(struct virtio_dev *dev)
{
	struct vgpu *g;

	if (!dev)
		return;
	g = dev->priv;
	if (g->thread_made) {
		pthread_mutex_lock(&g->rlock);
		g->quit = true;
		g->session++;	/* what is still queued is not run */
		pthread_mutex_unlock(&g->rlock);
		gpu_signal(g->wake_fd);
		pthread_join(g->thread, NULL);
	}
	gpu_list_free(&g->todo);
	gpu_list_free(&g->fenced);
	gpu_list_free(&g->done);
	virtio_dev_destroy(dev);
	if (g->wake_fd >= 0)
		close(g->wake_fd);
	if (g->done_fd >= 0)
		close(g->done_fd);
	pthread_cond_destroy(&g->rcond);
	pthread_mutex_destroy(&g->rlock);
	free(g);
}

/* --- the device type (devices/virtio/type.h): the VM's display is its backend ------------- */

static unsigned int gpu_type_count(const struct virtio_config *c)
{
	return c->gpu.kind != VIRTIO_GPU_NONE;
}

static struct virtio_place gpu_type_place(const struct virtio_config *c, unsigned int i)
{
	(void)i;
	return c->gpu.place;
}

static int gpu_type_open(const struct virtio_config *c, unsigned int i, const struct virtio_env *env, void **backend,
			 char *err, size_t errlen)
{
	(void)i;
	if (!env->display) {
		snprintf(err, errlen, "--gpu %s: the VM has no display to show it on", c->gpu.spec ? c->gpu.spec : "");
		return -ENODEV;
	}
	*backend = env->display;
	return 0;
}

/* The display belongs to the VM: nothing to close. */
static void gpu_type_close(void *backend)
{
	(void)backend;
}

static int gpu_type_create(void *backend, const struct virtio_config *c, unsigned int i, const struct guest_mem *mem,
			   struct ioloop *loop, struct virtio_dev **out)
{
	char err[200];
	int ret;

	(void)i;
	ret = virtio_gpu_create(backend, &c->gpu, c->gpu.kind == VIRTIO_GPU_VIRGL ? &gpu_virgl_backend : &gpu_2d_backend,
				mem, loop, out, err, sizeof(err));
	if (ret < 0)
		log_error("%s", err);
	return ret;
}

const struct virtio_type virtio_gpu_type = {
	.name = "virtio-gpu",
	.count = gpu_type_count,
	.place = gpu_type_place,
	.open = gpu_type_open,
	.close = gpu_type_close,
	.create = gpu_type_create,
	.destroy = virtio_gpu_destroy,
};
