/* The event loop: one epoll instance, a list of (fd, callback) entries, dispatch until stopped. */
#include "vmm/evloop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#define EVLOOP_BATCH 16		/* events taken per epoll_wait */

struct evloop_entry {
	int fd;
	evloop_fn fn;
	void *opaque;
	struct evloop_entry *next;
};

int evloop_init(struct evloop *loop)
{
	loop->entries = NULL;
	loop->stop = 0;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epfd < 0 ? -errno : 0;
}

void evloop_destroy(struct evloop *loop)
{
	struct evloop_entry *e = loop->entries, *next;

	for (; e; e = next) {
		next = e->next;
		free(e);
	}
	loop->entries = NULL;
	if (loop->epfd >= 0)
		close(loop->epfd);
	loop->epfd = -1;
}

static struct evloop_entry *evloop_find(const struct evloop *loop, int fd)
{
	struct evloop_entry *e;

	for (e = loop->entries; e; e = e->next)
		if (e->fd == fd)
			return e;
	return NULL;
}

int evloop_add(struct evloop *loop, int fd, uint32_t events, evloop_fn fn, void *opaque)
{
	/* Events carry the fd, not the entry, so a callback may delete any entry safely. */
	struct epoll_event ev = { .events = events, .data.fd = fd };
	struct evloop_entry *e;

	if (fd < 0 || !fn)
		return -EINVAL;
	if (evloop_find(loop, fd))
		return -EEXIST;
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int ret = -errno;

		free(e);
		return ret;
	}
	*e = (struct evloop_entry){ .fd = fd, .fn = fn, .opaque = opaque, .next = loop->entries };
	loop->entries = e;
	return 0;
}

int evloop_mod(struct evloop *loop, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (!evloop_find(loop, fd))
		return -ENOENT;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

int evloop_del(struct evloop *loop, int fd)
{
	struct evloop_entry *e, *prev = NULL;
	int ret = 0;

	for (e = loop->entries; e; prev = e, e = e->next)
		if (e->fd == fd)
			break;
	if (!e)
		return -ENOENT;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
		ret = -errno;	/* the fd may already be closed; forget it anyway */
	if (prev)
		prev->next = e->next;
	else
		loop->entries = e->next;
	free(e);
	return ret;
}

int evloop_run(struct evloop *loop)
{
	struct epoll_event evs[EVLOOP_BATCH];
	int ret = 0;

	while (!loop->stop) {
		int n = epoll_wait(loop->epfd, evs, EVLOOP_BATCH, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		for (int i = 0; i < n && !loop->stop; i++) {
			/* Look the entry up now: an earlier callback may have deleted it. */
			struct evloop_entry *e = evloop_find(loop, evs[i].data.fd);

			if (e)
				e->fn(e->opaque, e->fd, evs[i].events);
		}
	}
	loop->stop = 0;
	return ret;
}

void evloop_stop(struct evloop *loop)
{
	loop->stop = 1;
}
