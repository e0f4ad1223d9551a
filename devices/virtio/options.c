/* Parses --disk, --console, --rng, --net and --virtio-transport into struct virtio_config, with one-line errors. */
#include "devices/virtio/options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

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

/* Parse "xx:xx:xx:xx:xx:xx" (hex, either case) of @n bytes into @mac. */
static bool parse_mac(const char *s, size_t n, unsigned char mac[6])
{
	if (n != 17)
		return false;
	for (unsigned int i = 0; i < 6; i++) {
		unsigned int v = 0;

		for (unsigned int k = 0; k < 2; k++) {
			char ch = s[3 * i + k];

			if (ch >= '0' && ch <= '9')
				v = v * 16 + (unsigned int)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v = v * 16 + (unsigned int)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				v = v * 16 + (unsigned int)(ch - 'A' + 10);
			else
				return false;
		}
		if (i < 5 && s[3 * i + 2] != ':')
			return false;
		mac[i] = (unsigned char)v;
	}
	return true;
}

/*
 * The default MAC of NIC @index: 02:6b (locally administered, unicast), three bytes of an FNV-1a
 * hash of the backend (interface name or socket path), then the index. The same command line
 * gives the same MACs; two VMs wired by their own socket paths get different ones.
 */
static void default_mac(const struct virtio_net_opts *n, unsigned int index, unsigned char mac[6])
{
	const char *s = n->kind == VIRTIO_NET_TAP ? n->ifname : n->path;
	size_t len = n->kind == VIRTIO_NET_TAP ? strlen(n->ifname) : n->path_len;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x6b;
	mac[2] = (unsigned char)(h >> 16);
	mac[3] = (unsigned char)(h >> 8);
	mac[4] = (unsigned char)h;
	mac[5] = (unsigned char)index;
}

static bool ifname_ok(const char *s, size_t n)
{
	if (n == 0 || n > VIRTIO_NET_IFNAME_MAX || (n == 1 && s[0] == '.') || (n == 2 && !strncmp(s, "..", 2)))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '/' || s[i] == ':')
			return false;
	return true;
}

/* One "mac=MAC" or (socket) "peer=PATH" item of a --net value. */
static int net_item(struct virtio_net_opts *n, const char *item, size_t len, char *err, size_t errlen)
{
	char tmp[64];

	if (len >= 4 && !strncmp(item, "mac=", 4)) {
		if (n->mac_given)
			return opt_err(err, errlen, "--net %s: mac given twice", n->spec);
		if (!parse_mac(item + 4, len - 4, n->mac))
			return opt_err(err, errlen, "--net %s: the mac must be six hex bytes like 02:00:00:00:00:01", n->spec);
		if (n->mac[0] & 1)
			return opt_err(err, errlen, "--net %s: the mac is a multicast address", n->spec);
		if (!(n->mac[0] | n->mac[1] | n->mac[2] | n->mac[3] | n->mac[4] | n->mac[5]))
			return opt_err(err, errlen, "--net %s: the mac is all zeros", n->spec);
		n->mac_given = true;
		return 0;
	}
	if (n->kind == VIRTIO_NET_SOCKET && len >= 5 && !strncmp(item, "peer=", 5)) {
		if (n->peer)
			return opt_err(err, errlen, "--net %s: peer given twice", n->spec);
		n->peer = item + 5;
		n->peer_len = len - 5;
		if (!n->peer_len)
			return opt_err(err, errlen, "--net %s: peer= needs a path", n->spec);
		if (n->peer_len >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return opt_err(err, errlen, "--net %s: the peer path is too long", n->spec);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 60 ? len : 60), item);
	return opt_err(err, errlen, "--net %s: unknown option '%s' (use mac=MAC%s)", n->spec, tmp,
		       n->kind == VIRTIO_NET_SOCKET ? " or peer=PATH" : "");
}

static int parse_net(struct virtio_config *c, const char *v, char *err, size_t errlen)
{
	struct virtio_net_opts n = { .spec = v };
	const char *name, *comma, *p;
	size_t len;
	int r;

	if (c->nnets == VIRTIO_MAX_NICS)
		return opt_err(err, errlen, "--net %s: at most 4 network devices", v);
	if (!strncmp(v, "tap:", 4)) {
		n.kind = VIRTIO_NET_TAP;
		name = v + 4;
	} else if (!strncmp(v, "socket:", 7)) {
		n.kind = VIRTIO_NET_SOCKET;
		name = v + 7;
	} else {
		return opt_err(err, errlen, "--net %s: not a network backend (use tap:IFNAME or socket:PATH)", v);
	}
	comma = strchr(name, ',');
	len = comma ? (size_t)(comma - name) : strlen(name);
	if (n.kind == VIRTIO_NET_TAP) {
		if (!len)
			return opt_err(err, errlen, "--net %s: no interface name given", v);
		if (!ifname_ok(name, len))
			return opt_err(err, errlen, "--net %s: not an interface name (1 to 15 printable bytes, no '/', ':' or spaces)", v);
		memcpy(n.ifname, name, len);
	} else {
		if (!len)
			return opt_err(err, errlen, "--net %s: no socket path given", v);
		if (len >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return opt_err(err, errlen, "--net %s: the socket path is too long", v);
		n.path = name;
		n.path_len = len;
	}
	for (p = comma; p; p = comma) {
		const char *item = p + 1;

		comma = strchr(item, ',');
		r = net_item(&n, item, comma ? (size_t)(comma - item) : strlen(item), err, errlen);
		if (r < 0)
			return r;
	}
	if (n.kind == VIRTIO_NET_SOCKET && n.peer && n.peer_len == n.path_len && !strncmp(n.peer, n.path, n.path_len))
		return opt_err(err, errlen, "--net %s: the peer is the socket itself", v);
	if (!n.mac_given)
		default_mac(&n, c->nnets, n.mac);
	for (unsigned int k = 0; k < c->nnets; k++) {
		const struct virtio_net_opts *o = &c->nets[k];

		if (!memcmp(o->mac, n.mac, sizeof(n.mac)))
			return opt_err(err, errlen, "--net %s: the mac is already used by --net %s", v, o->spec);
		if (n.kind == VIRTIO_NET_TAP && o->kind == VIRTIO_NET_TAP && !strcmp(o->ifname, n.ifname))
			return opt_err(err, errlen, "--net %s: tap %s is already used by another --net", v, n.ifname);
		if (n.kind == VIRTIO_NET_SOCKET && o->kind == VIRTIO_NET_SOCKET && o->path_len == n.path_len &&
		    !strncmp(o->path, n.path, n.path_len))
			return opt_err(err, errlen, "--net %s: the socket path is already used by another --net", v);
	}
	c->nets[c->nnets++] = n;
	return 0;
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
	static const char *const with_value[] = { "--disk", "--console", "--virtio-transport", "--net" };
	const char *arg = argv[*i], *value, *eq;
	size_t k;
	int r;

	if (!strcmp(arg, "--rng")) {
		c->rng = true;
		if (virtio_config_ndevices(c) > VIRTIO_MAX_DEVICES)
			return opt_err(err, errlen, "--rng: at most 8 virtio devices in all (disks, console, rng, NICs)");
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
		r = parse_disk(c, value, err, errlen);
		break;
	case 1:
		r = parse_console(c, value, err, errlen);
		break;
	case 2:
		r = parse_transport(c, value, err, errlen);
		break;
	default:
		r = parse_net(c, value, err, errlen);
		break;
	}
	if (r < 0)
		return -EINVAL;
	if (virtio_config_ndevices(c) > VIRTIO_MAX_DEVICES)
		return opt_err(err, errlen, "%s %s: at most 8 virtio devices in all (disks, console, rng, NICs)",
			       with_value[k], value);
	return 1;
}
