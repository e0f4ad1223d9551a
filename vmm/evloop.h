/* The event loop run by the main thread: epoll over the fds of the terminal, signals and devices. */
#ifndef KEEL_VMM_EVLOOP_H
#define KEEL_VMM_EVLOOP_H

#include <stdint.h>

/* evloop_fn - called on the loop thread when @fd is ready with epoll @events. */
typedef void (*evloop_fn)(void *opaque, int fd, uint32_t events);

struct evloop_entry;

struct evloop {
	int epfd;			/* epoll instance, -1 when closed */
	struct evloop_entry *entries;	/* registered fds (a list) */
	int stop;			/* set by evloop_stop: evloop_run returns */
};

/* evloop_init - returns 0 or -errno. */
int evloop_init(struct evloop *loop);
/* evloop_destroy - close epoll, free entries (does not close the watched fds). */
void evloop_destroy(struct evloop *loop);
/* evloop_add - watch @fd for @events (EPOLLIN ...). Returns 0 or -errno. */
int evloop_add(struct evloop *loop, int fd, uint32_t events, evloop_fn fn, void *opaque);
/* evloop_mod - change the events watched on @fd (0 pauses it). Returns 0 or -errno. */
int evloop_mod(struct evloop *loop, int fd, uint32_t events);
/* evloop_del - stop watching @fd. Returns 0 or -errno. */
int evloop_del(struct evloop *loop, int fd);
/* evloop_run - dispatch events until evloop_stop() is called from a callback. Returns 0 or -errno. */
int evloop_run(struct evloop *loop);
/* evloop_stop - make evloop_run return after the current callback (loop thread only). */
void evloop_stop(struct evloop *loop);

#endif
