/* The API's pure core: routing, the pre-boot configuration document and the Not started / Running / Paused state machine, without sockets or threads. */
#ifndef KEEL_VMM_API_CORE_H
#define KEEL_VMM_API_CORE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "vmm/fc/fc_metrics.h"

#define API_FAULT_MAX 512u	/* a fault_message's bytes, at most */
#define API_ID_MAX 64u		/* a drive's or interface's id in a path, at most */

enum api_state {
	API_STATE_NOT_STARTED = 0,
	API_STATE_RUNNING,
	API_STATE_PAUSED,
};

/* What a request needs from the main thread (API_CMD_NONE: its answer is ready). */
enum api_cmd_kind {
	API_CMD_NONE = 0,
	API_CMD_START,			/* InstanceStart: @doc to the main thread waiting in api_wait_start */
	API_CMD_PAUSE,
	API_CMD_RESUME,
	API_CMD_DRIVE_SWAP,		/* @id now backed by @path */
	API_CMD_CTRL_ALT_DEL,
	API_CMD_FLUSH_METRICS,
};

/* A command the core handed out; api_cmd_clear releases what it owns. */
struct api_cmd {
	enum api_cmd_kind kind;
	json_t *doc;			/* START: the whole document (machine-config's defaults filled in) */
	char id[API_ID_MAX + 1];	/* DRIVE_SWAP: the drive */
	char *path;			/* DRIVE_SWAP: its new backing file */
	size_t fails;			/* the route's failure counter (struct fc_api_counters offset), 0: none */
};

/* An answer: 200 with @body (JSON text, malloc'd), 204 without, or 400 with {"fault_message"}. */
struct api_reply {
	unsigned int status;
	char *body;
};

/*
 * api_validate_fn - judge a whole document (in the config file's shape) as InstanceStart would
 * build it: 0, or a negative errno with one line in @err.
 */
typedef int (*api_validate_fn)(const json_t *doc, char *err, size_t errlen);

/* The core's state. Fields are the core's own: use the functions below. Not thread-safe. */
struct api_core {
	json_t *doc;			/* the configuration document (an object) */
	enum api_state state;
	bool starting;			/* an InstanceStart is with the main thread (or the VM boots from --config-file) */
	bool stopping;			/* the main thread has gone: post-boot commands are refused */
	size_t max_body;
	char *id, *vmm_version, *app_name;
	api_validate_fn validate;
	struct fc_api_counters counters;	/* requests by endpoint, for Firecracker's metrics */
};

/*
 * api_core_init - a core whose document starts as a copy of @doc (NULL: empty) and whose
 * pre-boot changes are judged by @validate. @doc given means the VM boots from it: the core is
 * "starting" until api_core_start_done. 0 or -ENOMEM.
 */
int api_core_init(struct api_core *c, const char *id, const char *vmm_version, const char *app_name, size_t max_body,
		  const json_t *doc, api_validate_fn validate);
void api_core_free(struct api_core *c);

/*
 * (Each request adds one to its endpoint's counter in c->counters, and a failed one, answered
 * at once or after the main thread, to its failure counter: Firecracker's metrics read them.)
 * api_core_handle - answer request @method @url with @len bytes of @body (NULL when none). 0:
 * *@r is the answer. 1: the request needs the main thread: *@cmd says what; once it ran,
 * api_core_finish gives the answer. Never fails otherwise (-ENOMEM answers 400 too).
 */
int api_core_handle(struct api_core *c, const char *method, const char *url, const char *body, size_t len,
		    struct api_reply *r, struct api_cmd *cmd);

/*
 * api_core_finish - @cmd ran on the main thread and returned @ret (0, or a negative errno with
 * @fault, NULL for none): the state follows and *@r is the request's answer. Releases @cmd.
 */
void api_core_finish(struct api_core *c, struct api_cmd *cmd, int ret, const char *fault, struct api_reply *r);

/* api_core_start_done - the VM booted (@ret 0) or not, without a request waiting (--config-file). */
void api_core_start_done(struct api_core *c, int ret);

/*
 * api_validate_doc - the validator InstanceStart's own path uses: @doc through fc_config_apply
 * into a scratch configuration (vmm/api/validate.c).
 */
int api_validate_doc(const json_t *doc, char *err, size_t errlen);

/* api_core_state_name - "Not started", "Running" or "Paused". */
const char *api_core_state_name(enum api_state s);

/* api_reply_fault - *@r becomes 400 with @msg as its fault_message. */
void api_reply_fault(struct api_reply *r, const char *msg);
/* api_reply_clear - release @r's body. api_cmd_clear - release what @cmd owns. */
void api_reply_clear(struct api_reply *r);
void api_cmd_clear(struct api_cmd *cmd);

#endif
