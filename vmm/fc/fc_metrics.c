/* Firecracker-format metrics: each group's counters read from the devices, vCPUs, API and logger, turned into one JSON line of what grew since the last flush. */
#include "vmm/fc/fc_metrics.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "devices/i8042.h"
#include "devices/uart.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/host.h"
#include "devices/virtio/net.h"
#include "devices/virtio/rng.h"
#include "devices/virtio/type.h"
#include "devices/virtio/vsock.h"
#include "vmm/fc/fc_log.h"
#include "vmm/fc/fc_metrics_groups.h"
#include "vmm/fc/fc_out.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define FC_KEY_MAX 80u		/* "block_" and a drive id */
#define FC_PREV_MAX (FC_GROUP_COUNT + 2u * VIRTIO_MAX_DEVICES)

/* What one group instance ("block_rootfs", "vcpu") said at the last flush that was written. */
struct fc_prev {
	char key[FC_KEY_MAX];
	uint64_t v[FC_FIELDS_MAX];
};

struct fc_metrics {
	int fd;
	struct vm *vm;			/* attached: where the device and vCPU counters are */
	int timer_fd;			/* the periodic flush, -1 when not attached */
	const struct fc_api_counters *api;
	const struct fc_log *log;
	uint64_t missed, fails;		/* lines not written; lines that could not be made */
	unsigned int nprev;
	struct fc_prev prev[FC_PREV_MAX];	/* as of the last written line */
	struct fc_prev next[FC_PREV_MAX];	/* as of the line being made */
	unsigned int nnext;
};

/* --- building a line ---------------------------------------------------------------------- */

/* What a group's counters are now, by field, in the group's order. */
struct fc_vals {
	const struct fc_group *g;
	uint64_t v[FC_FIELDS_MAX];
};

static void fc_vals_init(struct fc_vals *s, const struct fc_group *g)
{
	memset(s, 0, sizeof(*s));
	s->g = g;
}

/* fc_put - set field @name of @s's group (a name the group does not have is a bug: ignored). */
static void fc_put(struct fc_vals *s, const char *name, uint64_t v)
{
	for (unsigned int i = 0; i < s->g->nfields; i++)
		if (!strcmp(s->g->fields[i], name)) {
			s->v[i] = v;
			return;
		}
}

/* The previous values of group instance @key (zeros the first time), and where its new ones go. */
static const uint64_t *fc_prev_of(struct fc_metrics *m, const char *key, uint64_t **next)
{
	static const uint64_t zeros[FC_FIELDS_MAX];
	struct fc_prev *n;

	*next = NULL;
	if (m->nnext < FC_PREV_MAX) {
		n = &m->next[m->nnext++];
		snprintf(n->key, sizeof(n->key), "%s", key);
		*next = n->v;
	}
	for (unsigned int i = 0; i < m->nprev; i++)
		if (!strcmp(m->prev[i].key, key))
			return m->prev[i].v;
	return zeros;
}

/*
 * Add group instance @key with @s's values to @line: counters as what they grew by since the
 * last written line (a counter that went back, a device restored from a snapshot, counts from
 * zero), stored values as they are. @sum, when not NULL, adds the reported values to it.
 */
static int fc_emit(struct fc_metrics *m, json_t *line, const char *key, const struct fc_vals *s, struct fc_vals *sum)
{
	json_t *o = json_object();
	uint64_t *next;
	const uint64_t *prev = fc_prev_of(m, key, &next);

	if (!o)
		return -ENOMEM;
	for (unsigned int i = 0; i < s->g->nfields; i++) {
		uint64_t v = s->v[i];

		if (!s->g->stored) {
			if (next)
				next[i] = v;
			v = v >= prev[i] ? v - prev[i] : v;
		}
		if (sum)
			sum->v[i] += v;
		if (json_object_set_new(o, s->g->fields[i], json_integer((json_int_t)(v > INT64_MAX ? INT64_MAX : v))))
			goto fail;
	}
	if (json_object_set_new(line, key, o))
		return -ENOMEM;
	return 0;
fail:
	json_decref(o);
	return -ENOMEM;
}

/* Add an aggregate ("block", "net") whose values are the sums already reported. */
static int fc_emit_sum(json_t *line, const char *key, const struct fc_vals *sum)
{
	json_t *o = json_object();

	if (!o)
		return -ENOMEM;
	for (unsigned int i = 0; i < sum->g->nfields; i++)
		if (json_object_set_new(o, sum->g->fields[i],
					json_integer((json_int_t)(sum->v[i] > INT64_MAX ? INT64_MAX : sum->v[i])))) {
			json_decref(o);
			return -ENOMEM;
		}
	return json_object_set_new(line, key, o) ? -ENOMEM : 0;
}

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

static void fc_read_api(const struct fc_metrics *m, enum fc_group_id id, struct fc_vals *s)
{
	const struct fc_api_counters *c = m->api;

	if (!c)
		return;
	switch (id) {
	case FC_G_API_SERVER:
		fc_put(s, "process_startup_time_us", LOAD(c->process_startup_time_us));
		fc_put(s, "process_startup_time_cpu_us", LOAD(c->process_startup_time_cpu_us));
		break;
	case FC_G_GET_API:
		fc_put(s, "instance_info_count", LOAD(c->get.instance_info_count));
		fc_put(s, "machine_cfg_count", LOAD(c->get.machine_cfg_count));
		fc_put(s, "vmm_version_count", LOAD(c->get.vmm_version_count));
		break;
	case FC_G_PUT_API:
		fc_put(s, "actions_count", LOAD(c->put.actions_count));
		fc_put(s, "actions_fails", LOAD(c->put.actions_fails));
		fc_put(s, "boot_source_count", LOAD(c->put.boot_source_count));
		fc_put(s, "boot_source_fails", LOAD(c->put.boot_source_fails));
		fc_put(s, "drive_count", LOAD(c->put.drive_count));
		fc_put(s, "drive_fails", LOAD(c->put.drive_fails));
		fc_put(s, "logger_count", LOAD(c->put.logger_count));
		fc_put(s, "logger_fails", LOAD(c->put.logger_fails));
		fc_put(s, "machine_cfg_count", LOAD(c->put.machine_cfg_count));
		fc_put(s, "machine_cfg_fails", LOAD(c->put.machine_cfg_fails));
		fc_put(s, "metrics_count", LOAD(c->put.metrics_count));
		fc_put(s, "metrics_fails", LOAD(c->put.metrics_fails));
		fc_put(s, "network_count", LOAD(c->put.network_count));
		fc_put(s, "network_fails", LOAD(c->put.network_fails));
		fc_put(s, "vsock_count", LOAD(c->put.vsock_count));
		fc_put(s, "vsock_fails", LOAD(c->put.vsock_fails));
		break;
	case FC_G_PATCH_API:
		fc_put(s, "drive_count", LOAD(c->patch.drive_count));
		fc_put(s, "drive_fails", LOAD(c->patch.drive_fails));
		fc_put(s, "machine_cfg_count", LOAD(c->patch.machine_cfg_count));
		fc_put(s, "machine_cfg_fails", LOAD(c->patch.machine_cfg_fails));
		fc_put(s, "network_count", LOAD(c->patch.network_count));
		fc_put(s, "network_fails", LOAD(c->patch.network_fails));
		break;
	default:
		break;
	}
}

/* The counters of the groups that are not per device: what @id's sources say now. */
static void fc_read(const struct fc_metrics *m, enum fc_group_id id, struct fc_vals *s)
{
	const struct vm *vm = m->vm;

	switch (id) {
	case FC_G_LOGGER:
		fc_put(s, "missed_metrics_count", m->missed);
		fc_put(s, "metrics_fails", m->fails);
		fc_put(s, "missed_log_count", fc_log_missed(m->log));
		break;
	case FC_G_VCPU: {
		struct vcpu_stats v, all = { 0 };

		for (unsigned int i = 0; vm && vm->vcpus && i < vm->ncpus; i++) {
			if (!vm->vcpus[i])
				continue;
			vcpu_stats(vm->vcpus[i], &v);
			all.exit_io_in += v.exit_io_in;
			all.exit_io_out += v.exit_io_out;
			all.exit_mmio_read += v.exit_mmio_read;
			all.exit_mmio_write += v.exit_mmio_write;
			all.failures += v.failures;
		}
		fc_put(s, "exit_io_in", all.exit_io_in);
		fc_put(s, "exit_io_out", all.exit_io_out);
		fc_put(s, "exit_mmio_read", all.exit_mmio_read);
		fc_put(s, "exit_mmio_write", all.exit_mmio_write);
		fc_put(s, "failures", all.failures);
		break;
	}
	case FC_G_UART:
		if (vm && vm->uart) {
			struct uart_stats u;

			uart_stats(vm->uart, &u);
			fc_put(s, "read_count", u.read_count);
			fc_put(s, "write_count", u.write_count);
			fc_put(s, "missed_read_count", u.missed_read_count);
			fc_put(s, "missed_write_count", u.missed_write_count);
			fc_put(s, "error_count", u.error_count);
		}
		break;
	case FC_G_I8042:
		if (vm && vm->i8042) {
			struct i8042_stats k;

			i8042_stats(vm->i8042, &k);
			fc_put(s, "read_count", k.read_count);
			fc_put(s, "missed_read_count", k.missed_read_count);
			fc_put(s, "write_count", k.write_count);
			fc_put(s, "missed_write_count", k.missed_write_count);
			fc_put(s, "reset_count", k.reset_count);
		}
		break;
	case FC_G_VSOCK:
		for (unsigned int i = 0; vm && vm->virtio && i < vm->virtio->nslots; i++) {
			struct virtio_vsock_stats v;

			if (vm->virtio->slots[i].dev && virtio_vsock_stats(vm->virtio->slots[i].dev, &v) == 0) {
				fc_put(s, "conns_added", v.conns_host + v.conns_guest);
				fc_put(s, "conns_killed", v.conns_refused);
				fc_put(s, "rx_bytes_count", v.rx_bytes);
				fc_put(s, "tx_bytes_count", v.tx_bytes);
				fc_put(s, "rx_packets_count", v.rx_packets);
				fc_put(s, "tx_packets_count", v.tx_packets);
			}
		}
		break;
	case FC_G_ENTROPY:
		for (unsigned int i = 0; vm && vm->virtio && i < vm->virtio->nslots; i++) {
			struct virtio_rng_stats r;

			if (vm->virtio->slots[i].dev && virtio_rng_stats(vm->virtio->slots[i].dev, &r) == 0) {
				fc_put(s, "entropy_event_count", r.entropy_event_count);
				fc_put(s, "entropy_bytes", r.entropy_bytes);
				fc_put(s, "host_rng_fails", r.host_rng_fails);
			}
		}
		break;
	default:
		fc_read_api(m, id, s);
		break;
	}
}

/* One disk's counters, and its key: "block_<drive id>" (its index when it has no id). -ENOENT: not a disk. */
static int fc_read_blk(const struct vm *vm, const struct virtio_slot *sl, char *key, size_t keylen, struct fc_vals *s)
{
	struct virtio_blk_stats b;
	const char *id;

	if (sl->type != &virtio_blk_type || virtio_blk_stats(sl->dev, &b) < 0 || sl->index >= vm->cfg.virtio.ndisks)
		return -ENOENT;
	id = vm->cfg.virtio.disks[sl->index].id;
	if (*id)
		snprintf(key, keylen, "block_%s", id);
	else
		snprintf(key, keylen, "block_%u", sl->index);
	fc_put(s, "read_count", b.read_count);
	fc_put(s, "write_count", b.write_count);
	fc_put(s, "read_bytes", b.read_bytes);
	fc_put(s, "write_bytes", b.write_bytes);
	fc_put(s, "flush_count", b.flush_count);
	fc_put(s, "queue_event_count", b.queue_event_count);
	fc_put(s, "invalid_reqs_count", b.invalid_reqs_count);
	fc_put(s, "execute_fails", b.execute_fails);
	fc_put(s, "no_avail_buffer", b.no_avail_buffer);
	fc_put(s, "update_count", b.update_count);
	return 0;
}

/* One NIC's counters, and its key: "net_eth<index>" (keel's NICs have no id). -ENOENT: not a NIC. */
static int fc_read_net(const struct vm *vm, const struct virtio_slot *sl, char *key, size_t keylen, struct fc_vals *s)
{
	struct virtio_net_stats n;

	(void)vm;
	if (sl->type != &virtio_net_type || virtio_net_stats(sl->dev, &n) < 0)
		return -ENOENT;
	snprintf(key, keylen, "net_eth%u", sl->index);
	fc_put(s, "rx_bytes_count", n.rx_bytes);
	fc_put(s, "rx_packets_count", n.rx_packets);
	fc_put(s, "rx_count", n.rx_packets);
	fc_put(s, "rx_fails", n.rx_dropped);
	fc_put(s, "tx_bytes_count", n.tx_bytes);
	fc_put(s, "tx_packets_count", n.tx_packets);
	fc_put(s, "tx_count", n.tx_packets);
	fc_put(s, "tx_fails", n.tx_dropped);
	fc_put(s, "tx_malformed_frames", n.tx_malformed);
	return 0;
}

typedef int (*fc_dev_reader)(const struct vm *vm, const struct virtio_slot *sl, char *key, size_t keylen,
			     struct fc_vals *s);

/* One group per device @read recognises, then group @id's own key: the sum of what they reported. */
static int fc_emit_devices(struct fc_metrics *m, json_t *line, enum fc_group_id id, fc_dev_reader read)
{
	const struct fc_group *g = &fc_groups[id];
	struct vm *vm = m->vm;
	struct fc_vals s, sum;
	char key[FC_KEY_MAX];
	int ret;

	fc_vals_init(&sum, g);
	for (unsigned int i = 0; vm && vm->virtio && i < vm->virtio->nslots; i++) {
		const struct virtio_slot *sl = &vm->virtio->slots[i];

		fc_vals_init(&s, g);
		if (!sl->dev || read(vm, sl, key, sizeof(key), &s) < 0)
			continue;
		ret = fc_emit(m, line, key, &s, &sum);
		if (ret < 0)
			return ret;
	}
	return fc_emit_sum(line, g->name, &sum);
}

/* The whole line, in Firecracker's order of keys. */
static json_t *fc_build(struct fc_metrics *m)
{
	json_t *line = json_object();
	struct timespec ts;
	struct fc_vals s;
	int ret = 0;

	if (!line)
		return NULL;
	m->nnext = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (json_object_set_new(line, "utc_timestamp_ms",
				json_integer((json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000)))
		ret = -ENOMEM;
	for (unsigned int id = 0; id < FC_GROUP_COUNT && !ret; id++) {
		if (id == FC_G_BLOCK || id == FC_G_NET) {
			ret = fc_emit_devices(m, line, (enum fc_group_id)id, id == FC_G_BLOCK ? fc_read_blk : fc_read_net);
			continue;
		}
		fc_vals_init(&s, &fc_groups[id]);
		fc_read(m, (enum fc_group_id)id, &s);
		ret = fc_emit(m, line, fc_groups[id].name, &s, NULL);
	}
	if (ret < 0) {
		json_decref(line);
		return NULL;
	}
	return line;
}

/* --- the interface ------------------------------------------------------------------------- */

int fc_metrics_open(const char *path, struct fc_metrics **out, char *err, size_t errlen)
{
	struct fc_metrics *m = calloc(1, sizeof(*m));
	int ret;

	if (!m) {
		snprintf(err, errlen, "metrics: out of memory");
		return -ENOMEM;
	}
	m->timer_fd = -1;
	ret = fc_out_open(path, "metrics:", &m->fd, err, errlen);
	if (ret < 0) {
		free(m);
		return ret;
	}
	*out = m;
	return 0;
}

int fc_metrics_flush(struct fc_metrics *m)
{
	json_t *line = fc_build(m);
	char *text = NULL;
	size_t len;
	int ret;

	if (line)
		text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	if (!text) {
		m->fails++;
		return -ENOMEM;
	}
	len = strlen(text);
	text[len] = '\n';	/* json_dumps's NUL becomes the line's end: one write for all of it */
	ret = fc_out_write(m->fd, text, len + 1);
	free(text);
	if (ret < 0) {
		m->missed++;	/* the counters keep growing from the last written line */
		return ret;
	}
	memcpy(m->prev, m->next, m->nnext * sizeof(m->prev[0]));
	m->nprev = m->nnext;
	return 0;
}

static void fc_metrics_tick(void *opaque, int fd, uint32_t events)
{
	struct fc_metrics *m = opaque;
	uint64_t n;

	(void)events;
	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return;
	if (fc_metrics_flush(m) < 0)
		log_debug("metrics: a periodic flush was not written");
}

int fc_metrics_attach(struct fc_metrics *m, struct vm *vm)
{
	return fc_metrics_attach_every(m, vm, FC_METRICS_PERIOD_S * 1000u);
}

int fc_metrics_attach_every(struct fc_metrics *m, struct vm *vm, unsigned int period_ms)
{
	struct timespec every = { .tv_sec = period_ms / 1000u, .tv_nsec = (long)(period_ms % 1000u) * 1000000L };
	struct itimerspec its = { .it_interval = every, .it_value = every };
	int fd, ret;

	if (!period_ms)
		return -EINVAL;
	if (m->vm)
		return -EBUSY;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = evloop_add(&vm->plat.loop, fd, EPOLLIN, fc_metrics_tick, m);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	m->timer_fd = fd;
	m->vm = vm;
	return 0;
}

void fc_metrics_detach(struct fc_metrics *m)
{
	if (!m || !m->vm)
		return;
	if (fc_metrics_flush(m) < 0)
		log_warn("metrics: the last line of the VM's counters was not written");
	evloop_del(&m->vm->plat.loop, m->timer_fd);
	close(m->timer_fd);
	m->timer_fd = -1;
	m->vm = NULL;
}

void fc_metrics_set_api(struct fc_metrics *m, const struct fc_api_counters *c)
{
	m->api = c;
}

void fc_metrics_set_log(struct fc_metrics *m, const struct fc_log *log)
{
	m->log = log;
}

void fc_metrics_close(struct fc_metrics *m)
{
	if (!m)
		return;
	if (m->vm)
		fc_metrics_detach(m);
	else if (fc_metrics_flush(m) < 0)
		log_warn("metrics: the last line was not written");
	close(m->fd);
	free(m);
}
