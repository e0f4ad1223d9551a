/* Firecracker's configuration document (--config-file, or what the API built) turned into keel's configuration through the command line's adders. */
#include "vmm/fc/fc_config.h"

#include "vmm/fc/fc_json.h"
#include "vmm/opt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define FC_DEFAULT_MEM_MIB 128u	/* Firecracker's mem_size_mib when machine-config is absent */

int fc_config_load(const char *path, json_t **doc, char *err, size_t errlen)
{
	return fc_json_load_file("--config-file", path, FC_CONFIG_MAX_BYTES, doc, err, errlen);
}

void fc_runtime_free(struct fc_runtime *rt)
{
	free(rt->log_path);
	free(rt->metrics_path);
	memset(rt, 0, sizeof(*rt));
}

/*
 * A file the VM will open: it exists and is a regular file (or, for @block_ok, a block device),
 * so that a wrong path is named by its field now, not by the option it becomes when the VM opens it.
 */
static int input_file(const struct fc_where *w, const char *field, const char *path, bool block_ok)
{
	struct stat st;

	if (!*path)
		return fc_fail(w, field, "empty path");
	if (stat(path, &st) < 0)
		return fc_fail(w, field, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !(block_ok && S_ISBLK(st.st_mode)))
		return fc_fail(w, field, "%s: not a regular file%s", path, block_ok ? " or a block device" : "");
	return 0;
}

/* An adder's failure @r (its line in @err) as "PATH.FIELD: line". */
static int adder_failed(const struct fc_where *w, const char *field, int r)
{
	char line[512];

	if (r == -ENOMEM)
		return r;
	snprintf(line, sizeof(line), "%s", w->err);
	fc_fail(w, field, "%s", line);
	return r;
}

/* Run adder call @call (an int expression that fills w.err) and name @field on failure. */
#define ADD(w, field, call)                                         \
	do {                                                        \
		int r_ = (call);                                    \
		if (r_ < 0)                                         \
			return adder_failed(&(w), (field), r_); \
	} while (0)

static int boot_source(const json_t *s, struct vm_config *c, char *err, size_t errlen)
{
	static const char *const fields[] = { "kernel_image_path", "boot_args", "initrd_path", NULL };
	const char *kernel = NULL, *args = NULL, *initrd = NULL;
	struct fc_where w;

	fc_where_set(&w, "boot-source", -1, err, errlen);
	if (fc_is_object(&w, s) || fc_known_fields(&w, s, fields) ||
	    fc_get_string(&w, s, "kernel_image_path", false, &kernel) || fc_get_string(&w, s, "boot_args", false, &args) ||
	    fc_get_string(&w, s, "initrd_path", false, &initrd))
		return -EINVAL;
	/* keel's extension: without kernel_image_path the bundled guest boots */
	ADD(w, "kernel_image_path", config_set_boot_source(c, kernel, initrd, NULL, err, errlen));
	if (args) {
		if (strlen(args) + strlen(c->cmdline) + 1 >= sizeof(c->cmdline))
			return fc_fail(&w, "boot_args", "%zu bytes is too long (at most %u with what keel adds)", strlen(args),
				       KEEL_CMDLINE_MAX - 1);
		ADD(w, "boot_args", config_set_boot_source(c, NULL, NULL, args, err, errlen));
	}
	return 0;
}

static int machine_config(const json_t *m, struct vm_config *c, char *err, size_t errlen)
{
	static const char *const fields[] = { "vcpu_count", "mem_size_mib", "smt", "cpu_template", "track_dirty_pages",
					      "huge_pages", NULL };
	unsigned long long cpus = 1, mib = FC_DEFAULT_MEM_MIB;
	const char *tmpl = NULL, *huge = NULL;
	bool smt = false, dirty = false;
	struct fc_where w;

	fc_where_set(&w, "machine-config", -1, err, errlen);
	if (m) {
		if (fc_is_object(&w, m) || fc_known_fields(&w, m, fields) ||
		    fc_get_uint(&w, m, "vcpu_count", true, 1, CONFIG_MAX_CPUS, &cpus) ||
		    fc_get_uint(&w, m, "mem_size_mib", true, 4, 1024ull * 1024, &mib) || fc_get_bool(&w, m, "smt", false, &smt) ||
		    fc_get_string(&w, m, "cpu_template", false, &tmpl) ||
		    fc_get_bool(&w, m, "track_dirty_pages", false, &dirty) || fc_get_string(&w, m, "huge_pages", false, &huge))
			return -EINVAL;
		if (smt)
			return fc_fail(&w, "smt", "true is not supported (keel gives each vCPU a core of its own)");
		if (tmpl && strcmp(tmpl, "None"))
			return fc_fail(&w, "cpu_template", "'%s' is not supported (keel passes the host's CPUID; use \"None\")",
				       tmpl);
		if (dirty)
			return fc_fail(&w, "track_dirty_pages", "true is not supported (keel has no snapshots)");
		if (huge && strcmp(huge, "None"))
			return fc_fail(&w, "huge_pages", "'%s' is not supported (use \"None\")", huge);
	}
	ADD(w, "vcpu_count", config_set_cpus_n(c, (unsigned int)cpus, err, errlen));
	ADD(w, "mem_size_mib", config_set_mem_bytes(c, (uint64_t)mib << 20, err, errlen));
	return 0;
}

/* Append " @text" to the kernel command line (the root= a root drive adds). */
static int cmdline_append(const struct fc_where *w, struct vm_config *c, const char *text)
{
	size_t have = strlen(c->cmdline), add = strlen(text);

	if (have + 1 + add >= sizeof(c->cmdline))
		return fc_fail(w, "is_root_device", "the kernel command line has no room left for '%s'", text);
	if (have)
		c->cmdline[have++] = ' ';
	memcpy(c->cmdline + have, text, add + 1);
	return 0;
}

/* One drives[] entry; @root_pass: only root devices (they come first: /dev/vda), else only the others. */
static int drive(const json_t *d, int i, bool root_pass, struct vm_config *c, char *err, size_t errlen)
{
	static const char *const fields[] = { "drive_id", "path_on_host", "is_root_device", "is_read_only", "partuuid",
					      "cache_type", "io_engine", "rate_limiter", "socket", NULL };
	const char *id = NULL, *path = NULL, *partuuid = NULL, *cache = NULL, *engine = NULL, *sock = NULL;
	bool root = false, ro = false;
	struct fc_where w;
	char root_arg[96];

	fc_where_set(&w, "drives", i, err, errlen);
	if (fc_is_object(&w, d) || fc_known_fields(&w, d, fields) || fc_get_string(&w, d, "drive_id", true, &id) ||
	    fc_get_string(&w, d, "path_on_host", false, &path) || fc_get_bool(&w, d, "is_root_device", true, &root) ||
	    fc_get_bool(&w, d, "is_read_only", false, &ro) || fc_get_string(&w, d, "partuuid", false, &partuuid) ||
	    fc_get_string(&w, d, "cache_type", false, &cache) || fc_get_string(&w, d, "io_engine", false, &engine) ||
	    fc_get_string(&w, d, "socket", false, &sock) || fc_rate_limiter_none(&w, d, "rate_limiter"))
		return -EINVAL;
	if (root != root_pass)
		return 0;
	if (sock)
		return fc_fail(&w, "socket", "vhost-user drives are not supported");
	if (!path)
		return fc_fail(&w, "path_on_host", "missing (required)");
	/* keel always offers the flush command, so both are safe; Unsafe is not made unsafe on purpose */
	if (cache && strcmp(cache, "Unsafe") && strcmp(cache, "Writeback"))
		return fc_fail(&w, "cache_type", "'%s' is not a cache type (Unsafe or Writeback)", cache);
	if (engine && strcmp(engine, "Sync") && strcmp(engine, "Async"))
		return fc_fail(&w, "io_engine", "'%s' is not an I/O engine (Sync or Async)", engine);
	if (partuuid && (!*partuuid || strlen(partuuid) > 64 || strpbrk(partuuid, " \t\n\"")))
		return fc_fail(&w, "partuuid", "'%.64s' is not a partition UUID", partuuid);
	ADD(w, "drive_id", config_add_drive_opts(c, path, ro, id, err, errlen));
	if (!root)
		return 0;
	if (partuuid)
		snprintf(root_arg, sizeof(root_arg), "root=PARTUUID=%s %s", partuuid, ro ? "ro" : "rw");
	else
		snprintf(root_arg, sizeof(root_arg), "root=/dev/vda %s", ro ? "ro" : "rw");
	return cmdline_append(&w, c, root_arg);
}

static int drives(const json_t *doc, struct vm_config *c, char *err, size_t errlen)
{
	const json_t *arr = NULL, *d;
	unsigned int nroot = 0;
	struct fc_where w;
	size_t i;
	int r;

	fc_where_set(&w, "config", -1, err, errlen);
	if (fc_get_array(&w, doc, "drives", &arr))
		return -EINVAL;
	if (!arr)
		return 0;
	json_array_foreach(arr, i, d) {
		const json_t *id = json_is_object(d) ? json_object_get(d, "drive_id") : NULL;

		nroot += json_is_object(d) && json_is_true(json_object_get(d, "is_root_device"));
		for (size_t j = 0; id && json_is_string(id) && j < i; j++) {
			const json_t *other = json_object_get(json_array_get(arr, j), "drive_id");

			if (other && json_equal(other, id)) {
				fc_where_set(&w, "drives", (int)i, err, errlen);
				return fc_fail(&w, "drive_id", "'%s' is given twice", json_string_value(id));
			}
		}
	}
	if (nroot > 1) {
		fc_where_set(&w, "drives", -1, err, errlen);
		return fc_fail(&w, NULL, "%u drives have is_root_device true (at most one)", nroot);
	}
	for (int pass = 1; pass >= 0; pass--)
		json_array_foreach(arr, i, d) {
			r = drive(d, (int)i, pass, c, err, errlen);
			if (r < 0)
				return r;
		}
	return 0;
}

static int net_iface(const json_t *n, int i, struct vm_config *c, char *err, size_t errlen)
{
	static const char *const fields[] = { "iface_id", "host_dev_name", "guest_mac", "rx_rate_limiter",
					      "tx_rate_limiter", NULL };
	const char *id = NULL, *dev = NULL, *mac = NULL;
	struct fc_where w;
	char spec[96];

	fc_where_set(&w, "network-interfaces", i, err, errlen);
	if (fc_is_object(&w, n) || fc_known_fields(&w, n, fields) || fc_get_string(&w, n, "iface_id", true, &id) ||
	    fc_get_string(&w, n, "host_dev_name", true, &dev) || fc_get_string(&w, n, "guest_mac", false, &mac) ||
	    fc_rate_limiter_none(&w, n, "rx_rate_limiter") || fc_rate_limiter_none(&w, n, "tx_rate_limiter"))
		return -EINVAL;
	if (!*dev || strchr(dev, ',') || strlen(dev) > 15)
		return fc_fail(&w, "host_dev_name", "'%.32s' is not a tap interface name (1 to 15 bytes, no comma)", dev);
	if (mac && (strlen(mac) != 17 || strchr(mac, ',')))
		return fc_fail(&w, "guest_mac", "'%.32s' is not a MAC address (xx:xx:xx:xx:xx:xx)", mac);
	snprintf(spec, sizeof(spec), "tap:%s%s%s", dev, mac ? ",mac=" : "", mac ? mac : "");
	ADD(w, "host_dev_name", config_add_net(c, spec, err, errlen));
	return 0;
}

static int net_ifaces(const json_t *doc, struct vm_config *c, char *err, size_t errlen)
{
	const json_t *arr = NULL, *n;
	struct fc_where w;
	size_t i;

	fc_where_set(&w, "config", -1, err, errlen);
	if (fc_get_array(&w, doc, "network-interfaces", &arr))
		return -EINVAL;
	if (!arr)
		return 0;
	json_array_foreach(arr, i, n) {
		const json_t *id = json_is_object(n) ? json_object_get(n, "iface_id") : NULL;
		int r;

		for (size_t j = 0; id && json_is_string(id) && j < i; j++)
			if (json_equal(json_object_get(json_array_get(arr, j), "iface_id"), id)) {
				fc_where_set(&w, "network-interfaces", (int)i, err, errlen);
				return fc_fail(&w, "iface_id", "'%s' is given twice", json_string_value(id));
			}
		r = net_iface(n, (int)i, c, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

static int vsock(const json_t *v, struct vm_config *c, char *err, size_t errlen)
{
	static const char *const fields[] = { "vsock_id", "guest_cid", "uds_path", NULL };
	unsigned long long cid = 0;
	const char *id = NULL, *uds = NULL;
	struct fc_where w;

	fc_where_set(&w, "vsock", -1, err, errlen);
	if (fc_is_object(&w, v) || fc_known_fields(&w, v, fields) || fc_get_string(&w, v, "vsock_id", false, &id) ||
	    fc_get_uint(&w, v, "guest_cid", true, 3, 0xfffffffeull, &cid) || fc_get_string(&w, v, "uds_path", true, &uds))
		return -EINVAL;
	ADD(w, "uds_path", config_set_vsock_opts(c, cid, uds, err, errlen));
	return 0;
}

int fc_log_level_of(const char *name, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level level;
	} levels[] = {
		{ "Error", LOG_ERROR }, { "Warning", LOG_WARN }, { "Warn", LOG_WARN }, { "Info", LOG_INFO },
		{ "Debug", LOG_DEBUG }, { "Trace", LOG_DEBUG }, { "Off", LOG_OFF },
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcasecmp(name, levels[i].name)) {
			*out = levels[i].level;
			return 0;
		}
	return -EINVAL;
}

/* A path the logger or metrics will open: not empty, no NUL (jansson strings may hold one). */
static int runtime_path(const struct fc_where *w, const char *field, const char *path, char **out)
{
	if (!*path)
		return fc_fail(w, field, "empty path");
	free(*out);
	*out = strdup(path);
	if (!*out) {
		snprintf(w->err, w->errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int logger(const json_t *l, struct fc_runtime *rt, char *err, size_t errlen)
{
	static const char *const fields[] = { "log_path", "level", "show_level", "show_log_origin", "module", NULL };
	const char *path = NULL, *level = NULL, *module = NULL;
	struct fc_where w;

	fc_where_set(&w, "logger", -1, err, errlen);
	if (fc_is_object(&w, l) || fc_known_fields(&w, l, fields) || fc_get_string(&w, l, "log_path", false, &path) ||
	    fc_get_string(&w, l, "level", false, &level) || fc_get_bool(&w, l, "show_level", false, &rt->show_level) ||
	    fc_get_bool(&w, l, "show_log_origin", false, &rt->show_log_origin) ||
	    fc_get_string(&w, l, "module", false, &module))
		return -EINVAL;
	if (level) {
		if (fc_log_level_of(level, &rt->level) < 0)
			return fc_fail(&w, "level", "'%.32s' is not a level (Error, Warning, Info, Debug, Trace or Off)", level);
		rt->level_given = true;
	}
	if (module)
		return fc_fail(&w, "module", "filtering by module is not supported");
	return path ? runtime_path(&w, "log_path", path, &rt->log_path) : 0;
}

static int metrics(const json_t *m, struct fc_runtime *rt, char *err, size_t errlen)
{
	static const char *const fields[] = { "metrics_path", NULL };
	const char *path = NULL;
	struct fc_where w;

	fc_where_set(&w, "metrics", -1, err, errlen);
	if (fc_is_object(&w, m) || fc_known_fields(&w, m, fields) || fc_get_string(&w, m, "metrics_path", true, &path))
		return -EINVAL;
	return runtime_path(&w, "metrics_path", path, &rt->metrics_path);
}

static int entropy(const json_t *e, struct vm_config *c, char *err, size_t errlen)
{
	static const char *const fields[] = { "rate_limiter", NULL };
	struct fc_where w;

	fc_where_set(&w, "entropy", -1, err, errlen);
	if (fc_is_object(&w, e) || fc_known_fields(&w, e, fields) || fc_rate_limiter_none(&w, e, "rate_limiter"))
		return -EINVAL;
	ADD(w, NULL, config_set_rng(c, true, err, errlen));
	return 0;
}

/* A string field of the keel section handed to its command-line adder. */
struct keel_string {
	const char *field;
	int (*set)(struct vm_config *c, const char *v, char *err, size_t errlen);
};

/* An array-of-strings field of the keel section, each item to its adder. */
static int keel_list(const struct fc_where *w, const json_t *k, const struct keel_string *f, struct vm_config *c)
{
	const json_t *arr, *item;
	size_t i;

	if (fc_get_array(w, k, f->field, &arr))
		return -EINVAL;
	if (!arr)
		return 0;
	json_array_foreach(arr, i, item) {
		char name[48];

		snprintf(name, sizeof(name), "%s[%zu]", f->field, i);
		if (!json_is_string(item))
			return fc_fail(w, name, "expected a string, got %s", fc_json_type_name(item));
		ADD(*w, name, f->set(c, json_string_value(item), w->err, w->errlen));
	}
	return 0;
}

static int set_gdb(struct vm_config *c, const char *v, char *err, size_t errlen)
{
	return config_set_gdb(c, v, c->gdb_wait, err, errlen);
}

/* The lists of keel's section (disks, net, inputs, fw_cfg): after Firecracker's sections, so their devices follow. */
static int keel_lists(const json_t *k, struct vm_config *c, char *err, size_t errlen)
{
	static const struct keel_string lists[] = {
		{ "disks", config_add_drive }, { "net", config_add_net }, { "inputs", config_add_input },
		{ "fw_cfg", config_add_fw_cfg },
	};
	struct fc_where w;

	fc_where_set(&w, "keel", -1, err, errlen);
	for (size_t i = 0; k && i < sizeof(lists) / sizeof(lists[0]); i++)
		if (keel_list(&w, k, &lists[i], c) < 0)
			return -EINVAL;
	return 0;
}

/* keel's own section: what Firecracker's shape has no place for, each value as its command-line option takes it. */
static int keel_section(const json_t *k, struct vm_config *c, char *err, size_t errlen)
{
	static const struct keel_string strings[] = {
		{ "gdb", set_gdb }, { "console", config_set_console }, { "gpu", config_set_gpu },
		{ "display", config_set_display }, { "screenshot", config_set_screenshot },
		{ "screenshot_on_exit", config_set_screenshot_on_exit }, { "host_workarounds", config_set_host_fixes },
		{ "boot_protocol", config_set_boot_protocol }, { "reboot", config_set_reboot },
		{ "shutdown_timeout", config_set_shutdown_timeout }, { "rng", config_set_rng_opts },
	};
	static const char *const fields[] = { "gdb", "gdb_wait", "console", "gpu", "display", "screenshot",
					      "screenshot_on_exit", "host_workarounds", "boot_protocol", "reboot",
					      "shutdown_timeout", "rng", "disks", "net", "inputs", "fw_cfg",
					      "transport", NULL };
	const char *transport = "mmio";
	bool wait = false;
	struct fc_where w;

	fc_where_set(&w, "keel", -1, err, errlen);
	if (k && (fc_is_object(&w, k) || fc_known_fields(&w, k, fields) ||
		  fc_get_string(&w, k, "transport", false, &transport) || fc_get_bool(&w, k, "gdb_wait", false, &wait)))
		return -EINVAL;
	ADD(w, "transport", config_set_transport(c, transport, err, errlen));
	for (size_t i = 0; k && i < sizeof(strings) / sizeof(strings[0]); i++) {
		const char *v = NULL;

		if (fc_get_string(&w, k, strings[i].field, false, &v))
			return -EINVAL;
		if (v)
			ADD(w, strings[i].field, strings[i].set(c, v, err, errlen));
	}
	if (wait)
		ADD(w, "gdb_wait", config_set_gdb(c, NULL, true, err, errlen));
	return 0;
}

int fc_config_check_files(const json_t *doc, char *err, size_t errlen)
{
	const json_t *boot = json_object_get(doc, "boot-source"), *arr = json_object_get(doc, "drives"), *d;
	const json_t *v;
	struct fc_where w;
	size_t i;

	fc_where_set(&w, "boot-source", -1, err, errlen);
	if (json_is_object(boot)) {
		v = json_object_get(boot, "kernel_image_path");
		if (json_is_string(v) && input_file(&w, "kernel_image_path", json_string_value(v), false))
			return -EINVAL;
		v = json_object_get(boot, "initrd_path");
		if (json_is_string(v) && input_file(&w, "initrd_path", json_string_value(v), false))
			return -EINVAL;
	}
	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, d) {
		v = json_object_get(d, "path_on_host");
		fc_where_set(&w, "drives", (int)i, err, errlen);
		if (json_is_string(v) && input_file(&w, "path_on_host", json_string_value(v), true))
			return -EINVAL;
	}
	return 0;
}

/* The sections Firecracker knows that keel does not do, and why. */
static const struct {
	const char *name;
	const char *why;
} unsupported[] = {
	{ "balloon", "keel has no balloon device" },
	{ "mmds-config", "keel has no metadata service (MMDS)" },
	{ "cpu-config", "keel passes the host's CPUID and MSRs (no CPU templates)" },
	{ "snapshot", "keel has no snapshots" },
};

int fc_config_apply(const json_t *doc, struct vm_config *c, struct fc_runtime *rt, char *err, size_t errlen)
{
	static const char *const sections[] = { "boot-source", "machine-config", "drives", "network-interfaces", "vsock",
						"logger", "metrics", "entropy", "keel", NULL };
	const char *key;
	struct fc_where w;
	json_t *v;
	int r;

	fc_where_set(&w, "config", -1, err, errlen);
	if (fc_is_object(&w, doc) < 0)
		return -EINVAL;
	json_object_foreach((json_t *)doc, key, v) {
		bool known = false;

		for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
			if (!strcmp(key, unsupported[i].name) && !json_is_null(v))
				return opt_err(err, errlen, "%s: not supported (%s)", key, unsupported[i].why);
		for (const char *const *s = sections; *s && !known; s++)
			known = !strcmp(key, *s);
		if (!known && !json_is_null(v))
			return opt_err(err, errlen, "%s: unknown section (known: boot-source, machine-config, drives, "
				       "network-interfaces, vsock, logger, metrics, entropy, keel)", key);
	}
#define SECTION(name) ({ const json_t *s_ = json_object_get(doc, name); s_ && !json_is_null(s_) ? s_ : NULL; })
	r = keel_section(SECTION("keel"), c, err, errlen);
	if (!r && SECTION("boot-source"))
		r = boot_source(SECTION("boot-source"), c, err, errlen);
	if (!r)
		r = machine_config(SECTION("machine-config"), c, err, errlen);
	if (!r)
		r = drives(doc, c, err, errlen);
	if (!r)
		r = net_ifaces(doc, c, err, errlen);
	if (!r)
		r = keel_lists(SECTION("keel"), c, err, errlen);
	if (!r && SECTION("vsock"))
		r = vsock(SECTION("vsock"), c, err, errlen);
	if (!r && SECTION("entropy"))
		r = entropy(SECTION("entropy"), c, err, errlen);
	if (!r && SECTION("logger"))
		r = logger(SECTION("logger"), rt, err, errlen);
	if (!r && SECTION("metrics"))
		r = metrics(SECTION("metrics"), rt, err, errlen);
#undef SECTION
	return r;
}
