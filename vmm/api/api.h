/* Firecracker's REST API on a Unix socket: the HTTP thread, the pre-boot configuration document and its state machine, and post-boot commands run on the main thread. */
#ifndef KEEL_VMM_API_API_H
#define KEEL_VMM_API_API_H

#include <stddef.h>
#include <sys/signalfd.h>

#include <jansson.h>

struct api;
struct evloop;
struct fc_api_counters;

#define API_DEFAULT_MAX_BODY 51200u	/* Firecracker's default --http-api-max-payload-size */

/* What GET / and GET /version report, and the socket's limits. Strings are copied. */
struct api_info {
	const char *id;			/* --id: the instance's id ("anonymous-instance" when not given) */
	const char *vmm_version;	/* the Firecracker API version keel speaks ("1.7.0") */
	const char *app_name;		/* "Firecracker" */
	size_t max_body;		/* request bodies above this are answered 400 (API_DEFAULT_MAX_BODY when 0) */
	unsigned int seccomp;		/* 0 (--no-seccomp), or the fc_api thread installs its seccomp filter and a
					   forbidden call ends keel with this exit status (vmm/sandbox.h) */
};

/*
 * What the API asks of a running VM, run on the main thread (the one that runs @loop given to
 * api_attach), one at a time. Each returns 0, or a negative errno with one line in @err (the
 * fault_message of a 400 answer).
 * pause / resume: PATCH /vm {"state":"Paused"|"Resumed"}.
 * drive_swap: PATCH /drives/{id} {"drive_id","path_on_host"}: the disk @drive_id now reads
 *   and writes @path (the guest is told its capacity changed).
 * ctrl_alt_del: PUT /actions {"action_type":"SendCtrlAltDel"}.
 * flush_metrics: PUT /actions {"action_type":"FlushMetrics"}.
 */
struct api_vm_ops {
	int (*pause)(void *opaque, char *err, size_t errlen);
	int (*resume)(void *opaque, char *err, size_t errlen);
	int (*drive_swap)(void *opaque, const char *drive_id, const char *path, char *err, size_t errlen);
	int (*ctrl_alt_del)(void *opaque, char *err, size_t errlen);
	int (*flush_metrics)(void *opaque, char *err, size_t errlen);
};

/*
 * api_create - serve Firecracker's API on a new Unix socket at @path (mode 0600; an existing
 * socket file there is an error, as in Firecracker) from the API's own thread. @doc, when not
 * NULL, is the configuration the VM was given (--config-file): the document starts as a copy of
 * it. 0, or a negative errno with one line in @err.
 */
int api_create(const char *path, const struct api_info *info, const json_t *doc, struct api **out, char *err,
	       size_t errlen);

/*
 * api_wait_start - on the main thread before boot: wait until a client asks for InstanceStart
 * (returns 0 and *@doc, a new reference to the whole configuration document, in the config
 * file's shape) or until @sigfd (a signalfd) is readable (returns -EINTR with the signal read
 * into *@si). The InstanceStart request waits for api_start_result.
 */
int api_wait_start(struct api *a, int sigfd, json_t **doc, struct signalfd_siginfo *si);

/*
 * api_start_result - how the InstanceStart the main thread took ended: @ret 0 answers 204 and the
 * state becomes "Running"; a negative @ret answers 400 with @fault and the state stays
 * "Not started" (the client may change the configuration and start again). With no request
 * waiting (the VM booted from --config-file), 0 only sets the state.
 */
void api_start_result(struct api *a, int ret, const char *fault);

/*
 * api_attach - from now on, post-boot requests run @ops on @opaque from @loop's thread (an
 * eventfd the API adds to @loop). api_detach - undo it before @loop or @opaque go away: a
 * request still waiting is answered 400 ("the microVM is stopping").
 */
int api_attach(struct api *a, struct evloop *loop, const struct api_vm_ops *ops, void *opaque);
void api_detach(struct api *a, struct evloop *loop);

/*
 * api_counters - the API's requests by endpoint (Firecracker's metrics read them:
 * fc_metrics_set_api); valid until api_destroy.
 */
const struct fc_api_counters *api_counters(struct api *a);

/* api_destroy - stop the thread, close the socket and remove its file. NULL is fine. */
void api_destroy(struct api *a);

#endif
