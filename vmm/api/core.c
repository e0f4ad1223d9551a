/* The API's pure core: a const route table, the pre-boot document changed only after the whole of it was judged, and the state machine; answers in Firecracker's wording. */
#include "vmm/api/core.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stddef.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/api/api.h"
#include "vmm/api/doc.h"
#include "vmm/fc/fc_json.h"

#define PRE_BOOT_ONLY "The requested operation is not supported after starting the microVM."
#define POST_BOOT_ONLY "The requested operation is not supported before starting the microVM."
#define ID_MISMATCH "The id from the path does not match the id from the body!"

enum api_when { WHEN_ANY, WHEN_PRE, WHEN_POST };

/* One route's handler: @id is the path's id (routes with one), @body the parsed body (PUT, PATCH). */
typedef int (*route_fn)(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd);

struct api_route {
	const char *method;
	const char *path;		/* exact, or the prefix before the id ("/drives/") */
	bool with_id;
	enum api_when when;
	route_fn fn;			/* NULL: a PUT that replaces the document's @section with the body */
	const char *section;
	size_t count, fails;		/* offsets in struct fc_api_counters of its request and failure counts (0: none) */
};

/* The offsets of a route's counters in struct fc_api_counters. */
#define COUNT(f) offsetof(struct fc_api_counters, f)
#define COUNTS(g, f) COUNT(g.f##_count), COUNT(g.f##_fails)

/* Add one to the counter at offset @off of @c (0: no counter). */
static void count(struct fc_api_counters *c, size_t off)
{
	if (off)
		atomic_fetch_add_explicit((_Atomic uint64_t *)((char *)c + off), 1, memory_order_relaxed);
}

const char *api_core_state_name(enum api_state s)
{
	switch (s) {
	case API_STATE_NOT_STARTED: return "Not started";
	case API_STATE_RUNNING: return "Running";
	case API_STATE_PAUSED: return "Paused";
	}
	return "Not started";
}

void api_reply_clear(struct api_reply *r)
{
	free(r->body);
	r->body = NULL;
	r->status = 0;
}

void api_cmd_clear(struct api_cmd *cmd)
{
	json_decref(cmd->doc);
	free(cmd->path);
	memset(cmd, 0, sizeof(*cmd));
}

/* A fault line as a JSON string: control bytes and bytes that are not UTF-8 become '?'. */
static json_t *fault_string(const char *msg)
{
	char clean[API_FAULT_MAX];
	json_t *s = json_string(msg);
	size_t i;

	if (s)
		return s;
	for (i = 0; msg[i] && i + 1 < sizeof(clean); i++)
		clean[i] = (unsigned char)msg[i] < 0x20 || (unsigned char)msg[i] >= 0x7f ? '?' : msg[i];
	clean[i] = '\0';
	return json_string(clean);
}

void api_reply_fault(struct api_reply *r, const char *msg)
{
	json_t *o = json_object();

	r->status = 400;
	r->body = NULL;
	if (o && json_object_set_new(o, "fault_message", fault_string(msg && *msg ? msg : "Internal error.")) == 0)
		r->body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
}

/* 200 with @v (a reference taken over), or 400 when it could not be written. */
static int reply_json(struct api_reply *r, json_t *v)
{
	r->body = v ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	if (!r->body) {
		api_reply_fault(r, "Out of memory.");
		return 0;
	}
	r->status = 200;
	return 0;
}

static int reply_ok(struct api_reply *r)
{
	r->status = 204;
	r->body = NULL;
	return 0;
}

static int reply_fault(struct api_reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reply_fault(struct api_reply *r, const char *fmt, ...)
{
	char msg[API_FAULT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_reply_fault(r, msg);
	return 0;
}

/* Judge @next (a new reference, taken over; NULL: out of memory) whole, and make it the document. */
static int commit(struct api_core *c, json_t *next, struct api_reply *r)
{
	char err[API_FAULT_MAX] = "";
	json_t *full;
	int ret;

	if (!next)
		return reply_fault(r, "Out of memory.");
	full = api_doc_full(next);
	if (!full) {
		json_decref(next);
		return reply_fault(r, "Out of memory.");
	}
	ret = c->validate ? c->validate(full, err, sizeof(err)) : 0;
	json_decref(full);
	if (ret < 0) {
		json_decref(next);
		return reply_fault(r, "%s", err[0] ? err : "Invalid configuration.");
	}
	json_decref(c->doc);
	c->doc = next;
	return reply_ok(r);
}

/* --- the routes ---------------------------------------------------------------------- */

static int get_info(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	(void)id, (void)body, (void)cmd;
	return reply_json(r, json_pack("{s:s, s:s, s:s, s:s}", "id", c->id, "state", api_core_state_name(c->state),
				       "vmm_version", c->vmm_version, "app_name", c->app_name));
}

static int get_version(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	(void)id, (void)body, (void)cmd;
	return reply_json(r, json_pack("{s:s}", "firecracker_version", c->vmm_version));
}

static int get_machine(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	(void)id, (void)body, (void)cmd;
	return reply_json(r, api_doc_machine_config(c->doc));
}

static int get_vm_config(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	(void)id, (void)body, (void)cmd;
	return reply_json(r, api_doc_full(c->doc));
}

static int put_machine(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	static const char *const required[] = { "vcpu_count", "mem_size_mib", NULL };
	char err[API_FAULT_MAX];
	struct fc_where w;

	(void)id, (void)cmd;
	fc_where_set(&w, "machine-config", -1, err, sizeof(err));
	for (const char *const *f = required; *f; f++) {
		json_t *v = json_object_get(body, *f);

		if (!v || json_is_null(v))
			return fc_fail(&w, *f, "missing (required)"), reply_fault(r, "%s", err);
	}
	return commit(c, api_doc_with(c->doc, "machine-config", body), r);
}

static int patch_machine(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	json_t *mc, *next;
	const char *key;
	json_t *v;

	(void)id, (void)cmd;
	if (json_object_size(body) == 0)
		return reply_fault(r, "Empty PATCH request.");
	mc = api_doc_machine_config(c->doc);
	if (!mc)
		return reply_fault(r, "Out of memory.");
	json_object_foreach(body, key, v) {
		if (!json_is_null(v) && json_object_set(mc, key, v) < 0) {
			json_decref(mc);
			return reply_fault(r, "Out of memory.");
		}
	}
	next = api_doc_with(c->doc, "machine-config", mc);
	json_decref(mc);
	return commit(c, next, r);
}

/* The body's @id_key (section @what) must be the path's @id (Firecracker's message for drives; with both ids for NICs). */
static int same_id(const json_t *body, const char *what, const char *id_key, const char *id, bool name_both,
		   struct api_reply *r)
{
	char err[API_FAULT_MAX];
	struct fc_where w;
	const char *s = NULL;

	fc_where_set(&w, what, -1, err, sizeof(err));
	if (fc_get_string(&w, body, id_key, true, &s) < 0)
		return reply_fault(r, "%s", err), -EINVAL;
	if (strcmp(s, id) == 0)
		return 0;
	if (name_both)
		reply_fault(r, "The id from the path [%s] does not match the id from the body [%.64s]!", id, s);
	else
		reply_fault(r, ID_MISMATCH);
	return -EINVAL;
}

static int put_drive(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	(void)cmd;
	if (same_id(body, "drives", "drive_id", id, false, r) < 0)
		return 0;
	return commit(c, api_doc_with_item(c->doc, "drives", "drive_id", id, body), r);
}

static int put_net(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	(void)cmd;
	if (same_id(body, "network-interfaces", "iface_id", id, true, r) < 0)
		return 0;
	return commit(c, api_doc_with_item(c->doc, "network-interfaces", "iface_id", id, body), r);
}

static int patch_drive(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	static const char *const fields[] = { "drive_id", "path_on_host", "rate_limiter", NULL };
	char err[API_FAULT_MAX];
	struct fc_where w;
	const char *path = NULL;

	(void)c;
	fc_where_set(&w, "drives", -1, err, sizeof(err));
	if (fc_known_fields(&w, body, fields) < 0)
		return reply_fault(r, "%s", err);
	if (same_id(body, "drives", "drive_id", id, false, r) < 0)
		return 0;
	if (fc_get_string(&w, body, "path_on_host", false, &path) < 0 ||
	    fc_rate_limiter_none(&w, body, "rate_limiter") < 0)
		return reply_fault(r, "%s", err);
	if (!path)
		return reply_ok(r);	/* nothing to change: only empty rate limiters */
	if (!*path)
		return reply_fault(r, "drives.path_on_host: empty path");
	cmd->path = strdup(path);
	if (!cmd->path)
		return reply_fault(r, "Out of memory.");
	snprintf(cmd->id, sizeof(cmd->id), "%s", id);
	cmd->kind = API_CMD_DRIVE_SWAP;
	return 1;
}

static int patch_net(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	static const char *const fields[] = { "iface_id", "rx_rate_limiter", "tx_rate_limiter", NULL };
	char err[API_FAULT_MAX];
	struct fc_where w;

	(void)cmd;
	fc_where_set(&w, "network-interfaces", -1, err, sizeof(err));
	if (fc_known_fields(&w, body, fields) < 0)
		return reply_fault(r, "%s", err);
	if (same_id(body, "network-interfaces", "iface_id", id, true, r) < 0)
		return 0;
	if (fc_rate_limiter_none(&w, body, "rx_rate_limiter") < 0 || fc_rate_limiter_none(&w, body, "tx_rate_limiter") < 0)
		return reply_fault(r, "%s", err);
	if (!api_doc_find_item(c->doc, "network-interfaces", "iface_id", id))
		return reply_fault(r, "Invalid network interface ID: %s.", id);
	return reply_ok(r);	/* keel has no rate limiter to update */
}

/* The one string field @key of @body (section @what), required: 0 with *@s, or -EINVAL answered. */
static int only_string(const json_t *body, const char *what, const char *key, const char **s, struct api_reply *r)
{
	const char *const fields[] = { key, NULL };
	char err[API_FAULT_MAX];
	struct fc_where w;

	fc_where_set(&w, what, -1, err, sizeof(err));
	if (fc_known_fields(&w, body, fields) < 0 || fc_get_string(&w, body, key, true, s) < 0)
		return reply_fault(r, "%s", err), -EINVAL;
	return 0;
}

static int put_actions(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	const char *action = NULL;
	bool pre = c->state == API_STATE_NOT_STARTED;

	(void)id;
	if (only_string(body, "actions", "action_type", &action, r) < 0)
		return 0;
	if (strcmp(action, "InstanceStart") == 0) {
		if (!pre)
			return reply_fault(r, PRE_BOOT_ONLY);
		if (c->starting)
			return reply_fault(r, "The microVM is already starting.");
		cmd->doc = api_doc_full(c->doc);
		if (!cmd->doc)
			return reply_fault(r, "Out of memory.");
		cmd->kind = API_CMD_START;
		c->starting = true;
		return 1;
	}
	if (strcmp(action, "SendCtrlAltDel") == 0)
		cmd->kind = API_CMD_CTRL_ALT_DEL;
	else if (strcmp(action, "FlushMetrics") == 0)
		cmd->kind = API_CMD_FLUSH_METRICS;
	else
		return reply_fault(r, "An error occurred when deserializing the json body of a request: unknown variant "
				   "`%.64s`, expected one of `FlushMetrics`, `InstanceStart`, `SendCtrlAltDel`.", action);
	if (pre) {
		cmd->kind = API_CMD_NONE;
		return reply_fault(r, POST_BOOT_ONLY);
	}
	return 1;
}

static int patch_vm(struct api_core *c, const char *id, json_t *body, struct api_reply *r, struct api_cmd *cmd)
{
	const char *state = NULL;

	(void)c, (void)id;
	if (only_string(body, "vm", "state", &state, r) < 0)
		return 0;
	if (strcmp(state, "Paused") == 0)
		cmd->kind = API_CMD_PAUSE;
	else if (strcmp(state, "Resumed") == 0)
		cmd->kind = API_CMD_RESUME;
	else
		return reply_fault(r, "An error occurred when deserializing the json body of a request: unknown variant "
				   "`%.64s`, expected `Paused` or `Resumed`.", state);
	return 1;
}

static const struct api_route routes[] = {
	{ "GET", "/", false, WHEN_ANY, get_info, NULL, COUNT(get.instance_info_count), 0 },
	{ "GET", "/version", false, WHEN_ANY, get_version, NULL, COUNT(get.vmm_version_count), 0 },
	{ "GET", "/machine-config", false, WHEN_ANY, get_machine, NULL, COUNT(get.machine_cfg_count), 0 },
	{ "GET", "/vm/config", false, WHEN_ANY, get_vm_config, NULL, 0, 0 },
	{ "PUT", "/machine-config", false, WHEN_PRE, put_machine, NULL, COUNTS(put, machine_cfg) },
	{ "PATCH", "/machine-config", false, WHEN_PRE, patch_machine, NULL, COUNTS(patch, machine_cfg) },
	{ "PUT", "/boot-source", false, WHEN_PRE, NULL, "boot-source", COUNTS(put, boot_source) },
	{ "PUT", "/drives/", true, WHEN_PRE, put_drive, NULL, COUNTS(put, drive) },
	{ "PATCH", "/drives/", true, WHEN_POST, patch_drive, NULL, COUNTS(patch, drive) },
	{ "PUT", "/network-interfaces/", true, WHEN_PRE, put_net, NULL, COUNTS(put, network) },
	{ "PATCH", "/network-interfaces/", true, WHEN_POST, patch_net, NULL, COUNTS(patch, network) },
	{ "PUT", "/vsock", false, WHEN_PRE, NULL, "vsock", COUNTS(put, vsock) },
	{ "PUT", "/logger", false, WHEN_PRE, NULL, "logger", COUNTS(put, logger) },
	{ "PUT", "/metrics", false, WHEN_PRE, NULL, "metrics", COUNTS(put, metrics) },
	{ "PUT", "/entropy", false, WHEN_PRE, NULL, "entropy", 0, 0 },
	{ "PUT", "/actions", false, WHEN_ANY, put_actions, NULL, COUNTS(put, actions) },
	{ "PATCH", "/vm", false, WHEN_POST, patch_vm, NULL, 0, 0 },
};

/* Firecracker's resources keel does not offer: refused by name rather than as unknown paths. */
static const char *const unsupported[] = {
	"/balloon", "/mmds", "/snapshot", "/cpu-config", "/serial", "/pmem", "/hotplug",
};

static bool path_under(const char *url, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(url, prefix, n) == 0 && (url[n] == '\0' || url[n] == '/');
}

/* The route for @url whose method is @method; *@id_at the id's place in @url. NULL when none. */
static const struct api_route *route_find(const char *method, const char *url, const char **id_at, bool *path_known)
{
	*path_known = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct api_route *rt = &routes[i];
		size_t n = strlen(rt->path);
		bool match = rt->with_id ? strncmp(url, rt->path, n) == 0 && !strchr(url + n, '/')
					 : strcmp(url, rt->path) == 0;

		if (!match)
			continue;
		*path_known = true;
		if (strcmp(method, rt->method) == 0) {
			*id_at = rt->with_id ? url + n : NULL;
			return rt;
		}
	}
	return NULL;
}

/* Firecracker's id rule: not empty, letters, digits and '_' only (and, here, at most API_ID_MAX bytes). */
static int check_id(const char *id, struct api_reply *r)
{
	size_t n = strlen(id);

	if (n == 0)
		return reply_fault(r, "The ID cannot be empty."), -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '_')
			return reply_fault(r, "API Resource IDs can only contain alphanumeric characters and "
					   "underscores."), -EINVAL;
	if (n > API_ID_MAX)
		return reply_fault(r, "The ID is longer than %u bytes.", API_ID_MAX), -EINVAL;
	return 0;
}

/* @s with bytes outside printable ASCII as '?', at most @n - 1 bytes. */
static void printable(char *out, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	out[i] = '\0';
}

static int route_run(struct api_core *c, const struct api_route *rt, const char *method, const char *id_at,
		     const char *body, size_t len, struct api_reply *r, struct api_cmd *cmd);

int api_core_handle(struct api_core *c, const char *method, const char *url, const char *body, size_t len,
		    struct api_reply *r, struct api_cmd *cmd)
{
	const struct api_route *rt;
	const char *id_at = NULL;
	char m[16], u[128];
	bool known;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(cmd, 0, sizeof(*cmd));
	rt = route_find(method, url, &id_at, &known);
	if (!rt) {
		printable(m, sizeof(m), method);
		printable(u, sizeof(u), url);
		for (size_t i = 0; !known && i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
			if (path_under(url, unsupported[i]))
				return reply_fault(r, "The requested operation is not supported: %s %s (keel has no %s).",
						   m, u, unsupported[i] + 1);
		return reply_fault(r, "Invalid request method and/or path: %s %s.", m, u);
	}
	count(&c->counters, rt->count);
	ret = route_run(c, rt, method, id_at, body, len, r, cmd);
	if (ret == 0 && r->status >= 400)
		count(&c->counters, rt->fails);
	else if (ret == 1)
		cmd->fails = rt->fails;	/* counted when the main thread's answer is a failure */
	return ret;
}

/* Run route @rt of a request (api_core_handle's part after the route is found). */
static int route_run(struct api_core *c, const struct api_route *rt, const char *method, const char *id_at,
		     const char *body, size_t len, struct api_reply *r, struct api_cmd *cmd)
{
	char id[API_ID_MAX + 2], err[API_FAULT_MAX];
	json_t *json = NULL;
	bool get;
	int ret;

	get = strcmp(method, "GET") == 0;
	if (get && len > 0)
		return reply_fault(r, "GET request cannot have a body.");
	if (!get && len == 0)
		return reply_fault(r, "Empty %s request.", method);
	if (len > c->max_body)
		return reply_fault(r, "Request payload with size %zu is larger than the limit of %zu allowed by server.",
				   len, c->max_body);
	if (id_at) {
		snprintf(id, sizeof(id), "%.*s", (int)(API_ID_MAX + 1), id_at);
		if (check_id(id, r) < 0)
			return 0;
	}
	if (!get && api_body_parse(body, len, &json, err, sizeof(err)) < 0)
		return reply_fault(r, "%s", err);
	if (rt->when == WHEN_PRE && c->state != API_STATE_NOT_STARTED)
		ret = reply_fault(r, PRE_BOOT_ONLY);
	else if (rt->when == WHEN_PRE && c->starting)
		ret = reply_fault(r, "The microVM is starting: its configuration can no longer change.");
	else if (rt->when == WHEN_POST && c->state == API_STATE_NOT_STARTED)
		ret = reply_fault(r, POST_BOOT_ONLY);
	else if (!rt->fn)
		ret = commit(c, api_doc_with(c->doc, rt->section, json), r);
	else
		ret = rt->fn(c, id_at ? id : NULL, json, r, cmd);
	json_decref(json);
	if (ret == 1 && cmd->kind != API_CMD_START && c->stopping) {
		api_cmd_clear(cmd);
		return reply_fault(r, "The microVM is stopping.");
	}
	return ret;
}

void api_core_finish(struct api_core *c, struct api_cmd *cmd, int ret, const char *fault, struct api_reply *r)
{
	memset(r, 0, sizeof(*r));
	if (cmd->kind == API_CMD_START) {
		c->starting = false;
		if (ret == 0)
			c->state = API_STATE_RUNNING;
	}
	if (ret < 0) {
		count(&c->counters, cmd->fails);
		reply_fault(r, "%s", fault && *fault ? fault : strerror(-ret));
		api_cmd_clear(cmd);
		return;
	}
	if (cmd->kind == API_CMD_PAUSE)
		c->state = API_STATE_PAUSED;
	else if (cmd->kind == API_CMD_RESUME)
		c->state = API_STATE_RUNNING;
	else if (cmd->kind == API_CMD_DRIVE_SWAP) {
		/* GET /vm/config shows the new backing file. */
		json_t *old = api_doc_find_item(c->doc, "drives", "drive_id", cmd->id);
		json_t *item = old ? json_copy(old) : NULL;

		if (item && json_object_set_new(item, "path_on_host", json_string(cmd->path)) == 0) {
			json_t *next = api_doc_with_item(c->doc, "drives", "drive_id", cmd->id, item);

			if (next) {
				json_decref(c->doc);
				c->doc = next;
			}
		}
		json_decref(item);
	}
	api_cmd_clear(cmd);
	reply_ok(r);
}

void api_core_start_done(struct api_core *c, int ret)
{
	c->starting = false;
	if (ret == 0)
		c->state = API_STATE_RUNNING;
}

int api_core_init(struct api_core *c, const char *id, const char *vmm_version, const char *app_name, size_t max_body,
		  const json_t *doc, api_validate_fn validate)
{
	memset(c, 0, sizeof(*c));
	c->id = strdup(id ? id : "anonymous-instance");
	c->vmm_version = strdup(vmm_version ? vmm_version : "1.7.0");
	c->app_name = strdup(app_name ? app_name : "Firecracker");
	c->doc = doc ? json_deep_copy(doc) : json_object();
	c->max_body = max_body ? max_body : API_DEFAULT_MAX_BODY;
	c->validate = validate;
	c->starting = doc != NULL;
	if (!c->id || !c->vmm_version || !c->app_name || !json_is_object(c->doc)) {
		api_core_free(c);
		return doc && !json_is_object(doc) ? -EINVAL : -ENOMEM;
	}
	return 0;
}

void api_core_free(struct api_core *c)
{
	free(c->id);
	free(c->vmm_version);
	free(c->app_name);
	json_decref(c->doc);
	memset(c, 0, sizeof(*c));
}
