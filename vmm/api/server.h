/* The API's shared state between its HTTP thread (server.c) and the main thread's side (api.c): requests, the queues between them, the eventfds that wake each side. */
#ifndef KEEL_VMM_API_SERVER_H
#define KEEL_VMM_API_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "vmm/api/api.h"
#include "vmm/api/core.h"

struct MHD_Connection;
struct MHD_Daemon;

/* One HTTP request (libmicrohttpd's per-request pointer), owned by the HTTP thread. */
struct api_req {
	struct MHD_Connection *conn;
	char *body;			/* the body so far (at most max_body bytes) */
	size_t len;
	size_t seen;			/* body bytes received, kept or not (saturating) */
	bool too_big;			/* more than max_body: the body is dropped, the answer is 400 */
	bool answered;			/* an answer was queued already (Content-Length over the limit) */
	bool suspended;			/* waiting for the main thread */
	bool done;			/* the main thread's answer is in @reply */
	struct api_cmd cmd;
	struct api_reply reply;
	struct api_req *next;		/* in the command queue or the done list */
};

struct api {
	pthread_mutex_t lock;		/* guards everything below but the fds and the thread */
	struct api_core core;
	char *path;			/* the socket file */
	int sock;			/* the listening socket, -1 when none */
	bool bound;			/* the socket file is ours to remove */
	struct MHD_Daemon *mhd;
	pthread_t thread;
	bool thread_started;
	bool quiesced;			/* libmicrohttpd no longer accepts (nor owns the listening socket) */
	int wake_fd;			/* eventfd: the HTTP thread has answers to send, or must stop */
	int start_fd;			/* eventfd: an InstanceStart waits (api_wait_start) */
	int cmd_fd;			/* eventfd on the main thread's loop: commands are queued */
	bool stop;
	struct api_req *start_req;	/* the InstanceStart waiting for the main thread */
	bool start_taken;		/* ... which api_wait_start handed on */
	struct api_req *queue;		/* post-boot commands, oldest first */
	struct api_req *done;		/* answered: to resume on the HTTP thread */
	unsigned int nsuspended;	/* requests suspended (HTTP thread only) */
	unsigned int nrequests;		/* requests begun and not yet completed (HTTP thread only) */
	const struct api_vm_ops *ops;	/* api_attach's, NULL when detached */
	void *opaque;
	unsigned int seccomp;		/* api_info's: the fc_api thread's filter (vmm/sandbox.h) */
};

#define API_STOPPING "The microVM is stopping."

/* api_server_start - listen on @a->path and start the HTTP thread. 0, or -errno with one line in @err. */
int api_server_start(struct api *a, char *err, size_t errlen);

/* api_server_stop - answer what waits, stop the thread and the daemon, close and remove the socket. */
void api_server_stop(struct api *a);

/* api_answer_locked - @q's answer is ready: hand it to the HTTP thread (call with @a->lock held). */
void api_answer_locked(struct api *a, struct api_req *q);

/* api_wake - write one to eventfd @fd. */
void api_wake(int fd);

#endif
