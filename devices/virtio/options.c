/* Parses --disk, --console, --rng and --virtio-transport into struct virtio_config, with one-line errors. */
#include "devices/virtio/options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int opt_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int opt_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Does the name part of @arg (before any '=') equal @name? */
static bool opt_is(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(arg, name, n) && (arg[n] == '\0' || arg[n] == '=');
}

static bool id_char_ok(char ch)
{
	return ch > ' ' && ch < 0x7f && ch != ',';
}

/* One "readonly" or "id=NAME" item of a --disk value. */
static int disk_item(struct virtio_config *c, struct virtio_disk_opts *d, const char *item, size_t n,
		     char *err, size_t errlen)
{
	char tmp[64];

	if (n == 8 && !strncmp(item, "readonly", 8)) {
		d->readonly = true;
		return 0;
	}
	if (n >= 3 && !strncmp(item, "id=", 3)) {
		size_t idlen = n - 3;

		if (idlen == 0)
			return opt_err(err, errlen, "--disk %s: id= needs a name", d->spec);
		if (idlen > VIRTIO_BLK_ID_BYTES)
			return opt_err(err, errlen, "--disk %s: the id is longer than 20 bytes", d->spec);
		for (size_t k = 0; k < idlen; k++)
			if (!id_char_ok(item[3 + k]))
				return opt_err(err, errlen, "--disk %s: the id may hold printable ASCII only",
					       d->spec);
		if (d->id[0])
			return opt_err(err, errlen, "--disk %s: id given twice", d->spec);
		memcpy(d->id, item + 3, idlen);
		d->id[idlen] = '\0';
		for (unsigned int k = 0; k < c->ndisks; k++)
			if (!strcmp(c->disks[k].id, d->id))
				return opt_err(err, errlen, "--disk %s: id '%s' is already used by another --disk",
					       d->spec, d->id);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(n < 60 ? n : 60), item);
	return opt_err(err, errlen, "--disk %s: unknown option '%s' (use readonly or id=NAME)", d->spec, tmp);
}

static int parse_disk(struct virtio_config *c, const char *v, char *err, size_t errlen)
{
	struct virtio_disk_opts d = { .spec = v };
	const char *p, *comma;
	int r;

	if (c->ndisks == VIRTIO_MAX_DISKS)
		return opt_err(err, errlen, "--disk %s: at most 6 disks", v);
	comma = strchr(v, ',');
	d.path_len = comma ? (size_t)(comma - v) : strlen(v);
	if (d.path_len == 0)
		return opt_err(err, errlen, "--disk '%s': no path given", v);
	for (p = comma; p; p = comma) {
		const char *item = p + 1;

		comma = strchr(item, ',');
		r = disk_item(c, &d, item, comma ? (size_t)(comma - item) : strlen(item), err, errlen);
		if (r < 0)
			return r;
	}
	c->disks[c->ndisks++] = d;
	return 0;
}

static int parse_console(struct virtio_config *c, const char *v, char *err, size_t errlen)
{
	struct virtio_console_opts *o = &c->console;
	const char *rest, *comma;

	if (o->spec)
		return opt_err(err, errlen, "--console given twice");
	o->spec = v;
	if (!strcmp(v, "uart")) {
		o->kind = VIRTIO_CONSOLE_NONE;
		return 0;
	}
	if (!strcmp(v, "virtio")) {
		o->kind = VIRTIO_CONSOLE_TERMINAL;
		return 0;
	}
	if (!strncmp(v, "socket:", 7)) {
		o->kind = VIRTIO_CONSOLE_SOCKET;
		o->path = v + 7;
		o->path_len = strlen(o->path);
		if (!o->path_len)
			return opt_err(err, errlen, "--console %s: no socket path given", v);
		return 0;
	}
	if (!strncmp(v, "file:", 5)) {
		o->kind = VIRTIO_CONSOLE_FILE;
		o->path = v + 5;
		comma = strchr(o->path, ',');
		o->path_len = comma ? (size_t)(comma - o->path) : strlen(o->path);
		if (!o->path_len)
			return opt_err(err, errlen, "--console %s: no output file given", v);
		if (!comma)
			return 0;
		rest = comma + 1;
		if (strncmp(rest, "in=", 3) != 0 || strchr(rest, ',') || !rest[3])
			return opt_err(err, errlen, "--console %s: after the file only in=PATH may follow", v);
		o->in_path = rest + 3;
		o->in_len = strlen(o->in_path);
		return 0;
	}
	return opt_err(err, errlen, "--console %s: not a console (use uart, virtio, file:PATH or socket:PATH)",
		       v);
}

static int parse_transport(struct virtio_config *c, const char *v, char *err, size_t errlen)
{
	if (c->transport_given)
		return opt_err(err, errlen, "--virtio-transport given twice");
	if (!strcmp(v, "pci"))
		c->transport = VIRTIO_TRANSPORT_PCI;
	else if (!strcmp(v, "mmio"))
		c->transport = VIRTIO_TRANSPORT_MMIO;
	else
		return opt_err(err, errlen, "--virtio-transport %s: not a transport (use pci or mmio)", v);
	c->transport_given = true;
	return 0;
}

int virtio_cli_arg(struct virtio_config *c, int argc, char *const argv[], int *i, char *err, size_t errlen)
{
	static const char *const with_value[] = { "--disk", "--console", "--virtio-transport" };
	const char *arg = argv[*i], *value, *eq;
	size_t k;

	if (!strcmp(arg, "--rng")) {
		c->rng = true;
		return 1;
	}
	if (opt_is(arg, "--rng"))
		return opt_err(err, errlen, "--rng takes no value");
	for (k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
		if (opt_is(arg, with_value[k]))
			break;
	if (k == sizeof(with_value) / sizeof(with_value[0]))
		return 0;
	eq = strchr(arg, '=');
	if (eq)
		value = eq + 1;
	else if (*i + 1 < argc)
		value = argv[++*i];
	else
		return opt_err(err, errlen, "%s needs a value (see 'keel --help')", with_value[k]);
	switch (k) {
	case 0:
		return parse_disk(c, value, err, errlen) < 0 ? -EINVAL : 1;
	case 1:
		return parse_console(c, value, err, errlen) < 0 ? -EINVAL : 1;
	default:
		return parse_transport(c, value, err, errlen) < 0 ? -EINVAL : 1;
	}
}
