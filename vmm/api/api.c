/* The API's main-thread side: InstanceStart handed to api_wait_start, post-boot commands run from the main loop's eventfd, and the answers handed back to the HTTP thread. */
#include "vmm/api/api.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/api/server.h"
#include "vmm/evloop.h"
#include "vmm/log.h"

/* Answer every command still queued, and a waiting InstanceStart, with @fault (lock held). */
static void fail_waiting_locked(struct api *a, const char *fault)
{
	struct api_req *q;

	while ((q = a->queue)) {
		a->queue = q->next;
		api_core_finish(&a->core, &q->cmd, -ECANCELED, fault, &q->reply);
		api_answer_locked(a, q);
	}
	if (a->start_req) {
		q = a->start_req;
		a->start_req = NULL;
		a->start_taken = false;
		api_core_finish(&a->core, &q->cmd, -ECANCELED, fault, &q->reply);
		api_answer_locked(a, q);
	}
}

/* Run @cmd with @ops on the main thread: 0, or a negative errno with one line in @err. */
static int run_cmd(const struct api_vm_ops *ops, void *opaque, const struct api_cmd *cmd, char *err, size_t errlen)
{
	int (*simple)(void *, char *, size_t) = NULL;

	if (!ops) {
		snprintf(err, errlen, API_STOPPING);
		return -ECANCELED;
	}
	switch (cmd->kind) {
	case API_CMD_PAUSE:
		simple = ops->pause;
		break;
	case API_CMD_RESUME:
		simple = ops->resume;
		break;
	case API_CMD_CTRL_ALT_DEL:
		simple = ops->ctrl_alt_del;
		break;
	case API_CMD_FLUSH_METRICS:
		simple = ops->flush_metrics;
		break;
	case API_CMD_DRIVE_SWAP:
		if (ops->drive_swap)
			return ops->drive_swap(opaque, cmd->id, cmd->path, err, errlen);
		break;
	case API_CMD_NONE:
	case API_CMD_START:
		break;
	}
	if (simple)
		return simple(opaque, err, errlen);
	snprintf(err, errlen, "The requested operation is not supported by this VM.");
	return -EOPNOTSUPP;
}

/* The main loop's side: run the queued commands one at a time, oldest first. */
static void on_cmd(void *opaque, int fd, uint32_t events)
{
	struct api *a = opaque;
	uint64_t v;

	(void)events;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("api: eventfd read: %s", strerror(errno));
	for (;;) {
		char err[API_FAULT_MAX] = "";
		const struct api_vm_ops *ops;
		struct api_req *q;
		void *arg;
		int ret;

		pthread_mutex_lock(&a->lock);
		q = a->queue;
		if (q)
			a->queue = q->next;
		ops = a->ops;
		arg = a->opaque;
		pthread_mutex_unlock(&a->lock);
		if (!q)
			return;
		ret = run_cmd(ops, arg, &q->cmd, err, sizeof(err));
		if (ret < 0)
			log_info("api: %s", err[0] ? err : strerror(-ret));
		pthread_mutex_lock(&a->lock);
		api_core_finish(&a->core, &q->cmd, ret, err, &q->reply);
		api_answer_locked(a, q);
		pthread_mutex_unlock(&a->lock);
	}
}

int api_wait_start(struct api *a, int sigfd, json_t **doc, struct signalfd_siginfo *si)
{
	struct pollfd p[2] = { { .fd = a->start_fd, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };

	*doc = NULL;
	for (;;) {
		uint64_t v;

		pthread_mutex_lock(&a->lock);
		if (a->start_req && !a->start_taken) {
			*doc = a->start_req->cmd.doc;
			a->start_req->cmd.doc = NULL;
			a->start_taken = true;
			pthread_mutex_unlock(&a->lock);
			return 0;
		}
		pthread_mutex_unlock(&a->lock);
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents & POLLIN) {
			if (read(sigfd, si, sizeof(*si)) != (ssize_t)sizeof(*si))
				memset(si, 0, sizeof(*si));
			return -EINTR;
		}
		if ((p[0].revents & POLLIN) && read(a->start_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -errno;
	}
}

void api_start_result(struct api *a, int ret, const char *fault)
{
	struct api_req *q;

	pthread_mutex_lock(&a->lock);
	q = a->start_req;
	if (q && a->start_taken) {
		a->start_req = NULL;
		a->start_taken = false;
		api_core_finish(&a->core, &q->cmd, ret, fault, &q->reply);
		api_answer_locked(a, q);
	} else {
		api_core_start_done(&a->core, ret);
	}
	pthread_mutex_unlock(&a->lock);
}

int api_attach(struct api *a, struct evloop *loop, const struct api_vm_ops *ops, void *opaque)
{
	pthread_mutex_lock(&a->lock);
	a->ops = ops;
	a->opaque = opaque;
	a->core.stopping = false;
	pthread_mutex_unlock(&a->lock);
	/* Commands queued before now are waiting in the eventfd's count. */
	return evloop_add(loop, a->cmd_fd, EPOLLIN, on_cmd, a);
}

void api_detach(struct api *a, struct evloop *loop)
{
	evloop_del(loop, a->cmd_fd);
	pthread_mutex_lock(&a->lock);
	a->ops = NULL;
	a->opaque = NULL;
	a->core.stopping = true;
	fail_waiting_locked(a, API_STOPPING);
	pthread_mutex_unlock(&a->lock);
}

int api_create(const char *path, const struct api_info *info, const json_t *doc, struct api **out, char *err,
	       size_t errlen)
{
	struct api *a = calloc(1, sizeof(*a));
	int ret;

	*out = NULL;
	if (!a) {
		snprintf(err, errlen, "api: out of memory");
		return -ENOMEM;
	}
	a->sock = a->wake_fd = a->start_fd = a->cmd_fd = -1;
	a->seccomp = info ? info->seccomp : 0;
	pthread_mutex_init(&a->lock, NULL);
	ret = api_core_init(&a->core, info ? info->id : NULL, info ? info->vmm_version : NULL,
			    info ? info->app_name : NULL, info ? info->max_body : 0, doc, api_validate_doc);
	if (ret < 0) {
		snprintf(err, errlen, "api: %s", ret == -EINVAL ? "the configuration is not a JSON object" : strerror(-ret));
		goto fail;
	}
	a->path = strdup(path ? path : "");
	a->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a->start_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a->cmd_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!a->path || a->wake_fd < 0 || a->start_fd < 0 || a->cmd_fd < 0) {
		ret = a->path ? -errno : -ENOMEM;
		snprintf(err, errlen, "api: %s", strerror(-ret));
		goto fail;
	}
	ret = api_server_start(a, err, errlen);
	if (ret < 0)
		goto fail;
	log_info("api: serving Firecracker's API on %s", a->path);
	*out = a;
	return 0;
fail:
	api_destroy(a);
	return ret;
}

const struct fc_api_counters *api_counters(struct api *a)
{
	return &a->core.counters;
}

void api_destroy(struct api *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->core.stopping = true;
	fail_waiting_locked(a, API_STOPPING);
	pthread_mutex_unlock(&a->lock);
	api_server_stop(a);
	if (a->wake_fd >= 0)
		close(a->wake_fd);
	if (a->start_fd >= 0)
		close(a->start_fd);
	if (a->cmd_fd >= 0)
		close(a->cmd_fd);
	api_core_free(&a->core);
	pthread_mutex_destroy(&a->lock);
	free(a->path);
	free(a);
}
