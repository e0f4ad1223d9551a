/* The virtio part of the configuration: the adders for disks, the console, rng, NICs and the transport, with one-line errors. */
#include "vmm/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "vmm/opt.h"

#define SUN_PATH_BYTES sizeof(((struct sockaddr_un *)0)->sun_path)

void virtio_config_init(struct virtio_config *c)
{
	memset(c, 0, sizeof(*c));
	c->transport = VIRTIO_TRANSPORT_PCI;
	c->console.kind = VIRTIO_CONSOLE_NONE;
}

void virtio_config_free(struct virtio_config *c)
{
	for (unsigned int i = 0; i < c->ndisks; i++) {
		free(c->disks[i].spec);
		free(c->disks[i].path);
	}
	free(c->console.spec);
	free(c->console.path);
	free(c->console.in_path);
	for (unsigned int i = 0; i < c->nnets; i++) {
		free(c->nets[i].spec);
		free(c->nets[i].path);
		free(c->nets[i].peer);
	}
	for (unsigned int i = 0; i < c->ninputs; i++)
		free(c->inputs[i].spec);
	free(c->gpu.spec);
	free(c->vsock.spec);
	free(c->vsock.uds_path);
	virtio_config_init(c);
}

static int out_of_memory(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/*
 * The next comma-separated item of an option's value: its start (NULL when none is left) and
 * its length in *@n; *@rest moves past it (NULL after the last one).
 */
const char *config_next_item(const char **rest, size_t *n)
{
	const char *item = *rest, *comma;

	if (!item)
		return NULL;
	comma = strchr(item, ',');
	*n = comma ? (size_t)(comma - item) : strlen(item);
	*rest = comma ? comma + 1 : NULL;
	return item;
}

/*
 * One "transport=pci|mmio" or "msix=on|off" item (@n bytes at @item) of option @opt's value
 * @spec, into @pl. Returns 1 when it was one, 0 when it is something else, -EINVAL with one
 * line in @err when it is wrong.
 */
int config_place_item(struct virtio_place *pl, const char *opt, const char *spec, const char *item, size_t n,
		      char *err, size_t errlen)
{
	/* key, its two words (the first one: 0), the flags it sets */
	static const struct {
		const char *key, *w0, *w1;
	} keys[2] = { { "transport=", "pci", "mmio" }, { "msix=", "on", "off" } };
	bool *given[2] = { &pl->transport_given, &pl->msix_given };
	unsigned int k;
	size_t kl = 0;
	int w;

	for (k = 0; k < 2; k++) {
		kl = strlen(keys[k].key);
		if (n >= kl && !strncmp(item, keys[k].key, kl))
			break;
	}
	if (k == 2)
		return 0;
	if (*given[k])
		return opt_err(err, errlen, "%s%s: %.*s given twice", opt, spec, (int)kl - 1, keys[k].key);
	w = n - kl == strlen(keys[k].w0) && !strncmp(item + kl, keys[k].w0, n - kl)	  ? 0
	    : n - kl == strlen(keys[k].w1) && !strncmp(item + kl, keys[k].w1, n - kl) ? 1
										  : -1;
	if (w < 0)
		return opt_err(err, errlen, "%s%s: %.*s must be %s or %s", opt, spec, (int)kl - 1, keys[k].key,
			       keys[k].w0, keys[k].w1);
	*given[k] = true;
	if (k == 0)
		pl->transport = w ? VIRTIO_TRANSPORT_MMIO : VIRTIO_TRANSPORT_PCI;
	else
		pl->no_msix = w;
	if (pl->no_msix && pl->transport_given && pl->transport == VIRTIO_TRANSPORT_MMIO)
		return opt_err(err, errlen, "%s%s: msix=off is for PCI devices, not transport=mmio", opt, spec);
	return 1;
}

/* Would @more devices still fit? @opt and @value name the option in the error. */
int config_virtio_room(const struct virtio_config *c, unsigned int more, const char *opt, const char *value,
		       char *err, size_t errlen)
{
	if (virtio_config_ndevices(c) + more <= VIRTIO_MAX_DEVICES)
		return 0;
	return opt_err(err, errlen, "%s%s%s: at most %u virtio devices in all (disks, console, rng, NICs)", opt,
		       value ? " " : "", value ? value : "", VIRTIO_MAX_DEVICES);
}

/* --- disks ------------------------------------------------------------------------ */

static bool id_char_ok(char ch)
{
	return ch > ' ' && ch < 0x7f && ch != ',';
}

/* The checks of a disk id (@id, @n bytes) in --disk @spec: not empty, at most 20 bytes, printable. */
static int disk_check_id(const char *spec, const char *id, size_t n, char *err, size_t errlen)
{
	if (n == 0)
		return opt_err(err, errlen, "--disk %s: id= needs a name", spec);
	if (n > VIRTIO_BLK_ID_BYTES)
		return opt_err(err, errlen, "--disk %s: the id is longer than 20 bytes", spec);
	for (size_t k = 0; k < n; k++)
		if (!id_char_ok(id[k]))
			return opt_err(err, errlen, "--disk %s: the id may hold printable ASCII only", spec);
	return 0;
}

/* No other disk of @c has the id @id. */
static int disk_check_unique(const struct virtio_config *c, const char *spec, const char *id, char *err,
			     size_t errlen)
{
	for (unsigned int k = 0; k < c->ndisks; k++)
		if (!strcmp(c->disks[k].id, id))
			return opt_err(err, errlen, "--disk %s: id '%s' is already used by another --disk", spec, id);
	return 0;
}

/* The checks every disk starts with: room for one more, a path. */
static int disk_check_start(const struct virtio_config *c, const char *spec, size_t path_len, char *err,
			    size_t errlen)
{
	if (c->ndisks == VIRTIO_MAX_DISKS)
		return opt_err(err, errlen, "--disk %s: at most %u disks", spec, VIRTIO_MAX_DISKS);
	if (path_len == 0)
		return opt_err(err, errlen, "--disk '%s': no path given", spec);
	return 0;
}

/* Add the checked disk: @spec for messages, the path [@path, @path + @path_len), placed by @pl. */
static int disk_commit(struct virtio_config *c, const char *spec, const char *path, size_t path_len, bool readonly,
		       const char *id, const struct virtio_place *pl, char *err, size_t errlen)
{
	struct virtio_disk_opts *d = &c->disks[c->ndisks];

	if (config_virtio_room(c, 1, "--disk", spec, err, errlen) < 0)
		return -EINVAL;
	*d = (struct virtio_disk_opts){ .spec = strdup(spec), .path = strndup(path, path_len), .readonly = readonly,
					.place = *pl };
	if (!d->spec || !d->path) {
		free(d->spec);
		free(d->path);
		*d = (struct virtio_disk_opts){ 0 };
		return out_of_memory(err, errlen);
	}
	snprintf(d->id, sizeof(d->id), "%s", id);
	c->ndisks++;
	return 0;
}

int config_add_drive(struct vm_config *cfg, const char *spec, char *err, size_t errlen)
{
	struct virtio_config *c = &cfg->virtio;
	const char *rest = spec, *item;
	char id[VIRTIO_BLK_ID_BYTES + 1] = "", tmp[64];
	struct virtio_place pl = { 0 };
	bool readonly = false;
	size_t path_len = 0, n;
	int r;

	config_next_item(&rest, &path_len);
	if (disk_check_start(c, spec, path_len, err, errlen) < 0)
		return -EINVAL;
	while ((item = config_next_item(&rest, &n)) != NULL) {
		if (n == 8 && !strncmp(item, "readonly", 8)) {
			readonly = true;
			continue;
		}
		r = config_place_item(&pl, "--disk ", spec, item, n, err, errlen);
		if (r < 0)
			return r;
		if (r)
			continue;
		if (n < 3 || strncmp(item, "id=", 3) != 0) {
			snprintf(tmp, sizeof(tmp), "%.*s", (int)(n < 60 ? n : 60), item);
			return opt_err(err, errlen,
				       "--disk %s: unknown option '%s' (use readonly, id=NAME, transport=pci|mmio or msix=off)",
				       spec, tmp);
		}
		if (disk_check_id(spec, item + 3, n - 3, err, errlen) < 0)
			return -EINVAL;
		if (id[0])
			return opt_err(err, errlen, "--disk %s: id given twice", spec);
		memcpy(id, item + 3, n - 3);
		id[n - 3] = '\0';
		if (disk_check_unique(c, spec, id, err, errlen) < 0)
			return -EINVAL;
	}
	return disk_commit(c, spec, spec, path_len, readonly, id, &pl, err, errlen);
}

int config_add_drive_opts(struct vm_config *cfg, const char *path, bool readonly, const char *id, char *err,
			  size_t errlen)
{
	struct virtio_config *c = &cfg->virtio;
	char *spec;
	int r;

	if (asprintf(&spec, "%s%s%s%s", path ? path : "", readonly ? ",readonly" : "", id ? ",id=" : "",
		     id ? id : "") < 0)
		return out_of_memory(err, errlen);
	r = disk_check_start(c, spec, path ? strlen(path) : 0, err, errlen);
	if (!r && id)
		r = disk_check_id(spec, id, strlen(id), err, errlen);
	if (!r && id)
		r = disk_check_unique(c, spec, id, err, errlen);
	if (!r)
		r = disk_commit(c, spec, path, strlen(path), readonly, id ? id : "", &(struct virtio_place){ 0 }, err,
				errlen);
	free(spec);
	return r;
}

/* --- the console ---------------------------------------------------------------- */

/*
 * The items after the first comma of --console @v (@items, NULL: none) into @o: in=PATH (a
 * file console's input, kept in *@in), transport= and msix=.
 */
static int console_items(struct virtio_console_opts *o, const char *v, const char *items, const char **in,
			 size_t *in_len, char *err, size_t errlen)
{
	const char *item;
	size_t n;

	while ((item = config_next_item(&items, &n)) != NULL) {
		int r = config_place_item(&o->place, "--console ", v, item, n, err, errlen);

		if (r < 0)
			return r;
		if (r)
			continue;
		if (o->kind != VIRTIO_CONSOLE_FILE || n < 3 || strncmp(item, "in=", 3) != 0)
			return opt_err(err, errlen, "--console %s: unknown option '%.*s' (use %stransport=pci|mmio or msix=off)",
				       v, (int)(n < 60 ? n : 60), item, o->kind == VIRTIO_CONSOLE_FILE ? "in=PATH, " : "");
		if (*in)
			return opt_err(err, errlen, "--console %s: in= given twice", v);
		if (n == 3)
			return opt_err(err, errlen, "--console %s: in= needs a path", v);
		*in = item + 3;
		*in_len = n - 3;
	}
	return 0;
}

int config_set_console(struct vm_config *cfg, const char *v, char *err, size_t errlen)
{
	struct virtio_console_opts o = { .kind = VIRTIO_CONSOLE_NONE };
	struct virtio_config *c = &cfg->virtio;
	const char *path = NULL, *in = NULL, *items = v;
	size_t path_len = 0, in_len = 0, head = 0;

	if (c->console.spec)
		return opt_err(err, errlen, "--console given twice");
	config_next_item(&items, &head);	/* the console's kind and path; its items follow */
	if (head == 6 && !strncmp(v, "virtio", 6)) {
		o.kind = VIRTIO_CONSOLE_TERMINAL;
	} else if (!strncmp(v, "socket:", 7)) {
		o.kind = VIRTIO_CONSOLE_SOCKET;
		path = v + 7;
		path_len = head - 7;
		if (!path_len)
			return opt_err(err, errlen, "--console %s: no socket path given", v);
	} else if (!strncmp(v, "file:", 5)) {
		o.kind = VIRTIO_CONSOLE_FILE;
		path = v + 5;
		path_len = head - 5;
		if (!path_len)
			return opt_err(err, errlen, "--console %s: no output file given", v);
	} else if (strcmp(v, "uart") != 0) {
		return opt_err(err, errlen,
			       "--console %s: not a console (use uart, virtio, file:PATH or socket:PATH)", v);
	}
	if (console_items(&o, v, items, &in, &in_len, err, errlen) < 0)
		return -EINVAL;
	if (config_virtio_room(c, o.kind != VIRTIO_CONSOLE_NONE, "--console", v, err, errlen) < 0)
		return -EINVAL;
	o.spec = strdup(v);
	o.path = path ? strndup(path, path_len) : NULL;
	o.in_path = in ? strndup(in, in_len) : NULL;
	if (!o.spec || (path && !o.path) || (in && !o.in_path)) {
		free(o.spec);
		free(o.path);
		free(o.in_path);
		return out_of_memory(err, errlen);
	}
	c->console = o;
	return 0;
}

/* --- rng and the transport ------------------------------------------------------ */

int config_set_rng(struct vm_config *cfg, bool on, char *err, size_t errlen)
{
	struct virtio_config *c = &cfg->virtio;

	if (on && !c->rng && config_virtio_room(c, 1, "--rng", NULL, err, errlen) < 0)
		return -EINVAL;
	c->rng = on;
	return 0;
}

int config_set_rng_opts(struct vm_config *cfg, const char *opts, char *err, size_t errlen)
{
	struct virtio_place pl = { 0 };
	const char *rest = opts, *item;
	size_t n;

	while ((item = config_next_item(&rest, &n)) != NULL) {
		int r = config_place_item(&pl, "--rng=", opts, item, n, err, errlen);

		if (r < 0)
			return r;
		if (!r)
			return opt_err(err, errlen, "--rng=%s: unknown option '%.*s' (use transport=pci|mmio or msix=off)",
				       opts, (int)(n < 60 ? n : 60), item);
	}
	if (config_set_rng(cfg, true, err, errlen) < 0)
		return -EINVAL;
	cfg->virtio.rng_place = pl;
	return 0;
}

int config_set_transport(struct vm_config *cfg, const char *v, char *err, size_t errlen)
{
	struct virtio_config *c = &cfg->virtio;

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

/* --- network devices ------------------------------------------------------------ */

/* A NIC being added: pointers into the caller's strings until net_commit copies them. */
struct net_parts {
	enum virtio_net_kind kind;
	const char *name;		/* TAP: the interface; SOCKET: the path (name_len bytes) */
	size_t name_len;
	const char *peer;		/* SOCKET: peer_len bytes, NULL: none */
	size_t peer_len;
	unsigned char mac[6];
	bool mac_given;
	struct virtio_place place;	/* transport=, msix= */
};

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
static void default_mac(const struct net_parts *n, unsigned int index, unsigned char mac[6])
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n->name_len; i++)
		h = (h ^ (unsigned char)n->name[i]) * 16777619u;
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

static int net_check_room(const struct virtio_config *c, const char *spec, char *err, size_t errlen)
{
	if (c->nnets == VIRTIO_MAX_NICS)
		return opt_err(err, errlen, "--net %s: at most %u network devices", spec, VIRTIO_MAX_NICS);
	return 0;
}

/* The checks of a NIC's interface name or socket path. */
static int net_check_name(const char *spec, const struct net_parts *n, char *err, size_t errlen)
{
	if (n->kind == VIRTIO_NET_TAP) {
		if (!n->name_len)
			return opt_err(err, errlen, "--net %s: no interface name given", spec);
		if (!ifname_ok(n->name, n->name_len))
			return opt_err(err, errlen, "--net %s: not an interface name (1 to 15 printable bytes, no '/', ':' or spaces)", spec);
		return 0;
	}
	if (!n->name_len)
		return opt_err(err, errlen, "--net %s: no socket path given", spec);
	if (n->name_len >= SUN_PATH_BYTES)
		return opt_err(err, errlen, "--net %s: the socket path is too long", spec);
	return 0;
}

static int net_check_mac(const char *spec, const unsigned char mac[6], char *err, size_t errlen)
{
	if (mac[0] & 1)
		return opt_err(err, errlen, "--net %s: the mac is a multicast address", spec);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return opt_err(err, errlen, "--net %s: the mac is all zeros", spec);
	return 0;
}

static int net_check_peer(const char *spec, size_t peer_len, char *err, size_t errlen)
{
	if (!peer_len)
		return opt_err(err, errlen, "--net %s: peer= needs a path", spec);
	if (peer_len >= SUN_PATH_BYTES)
		return opt_err(err, errlen, "--net %s: the peer path is too long", spec);
	return 0;
}

/* One "mac=MAC", (socket) "peer=PATH", "transport=" or "msix=" item of a --net value. */
static int net_item(struct net_parts *n, const char *spec, const char *item, size_t len, char *err, size_t errlen)
{
	char tmp[64];
	int r = config_place_item(&n->place, "--net ", spec, item, len, err, errlen);

	if (r)
		return r < 0 ? r : 0;
	if (len >= 4 && !strncmp(item, "mac=", 4)) {
		if (n->mac_given)
			return opt_err(err, errlen, "--net %s: mac given twice", spec);
		if (!parse_mac(item + 4, len - 4, n->mac))
			return opt_err(err, errlen, "--net %s: the mac must be six hex bytes like 02:00:00:00:00:01", spec);
		n->mac_given = true;
		return net_check_mac(spec, n->mac, err, errlen);
	}
	if (n->kind == VIRTIO_NET_SOCKET && len >= 5 && !strncmp(item, "peer=", 5)) {
		if (n->peer)
			return opt_err(err, errlen, "--net %s: peer given twice", spec);
		n->peer = item + 5;
		n->peer_len = len - 5;
		return net_check_peer(spec, n->peer_len, err, errlen);
	}
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 60 ? len : 60), item);
	return opt_err(err, errlen, "--net %s: unknown option '%s' (use mac=MAC,%s transport=pci|mmio or msix=off)",
		       spec, tmp, n->kind == VIRTIO_NET_SOCKET ? " peer=PATH," : "");
}

/* The checks against the other NICs, then add @n. */
static int net_commit(struct virtio_config *c, const char *spec, struct net_parts *n, char *err, size_t errlen)
{
	struct virtio_net_opts *o = &c->nets[c->nnets];
	bool tap = n->kind == VIRTIO_NET_TAP;

	if (!tap && n->peer && n->peer_len == n->name_len && !strncmp(n->peer, n->name, n->name_len))
		return opt_err(err, errlen, "--net %s: the peer is the socket itself", spec);
	if (!n->mac_given)
		default_mac(n, c->nnets, n->mac);
	for (unsigned int k = 0; k < c->nnets; k++) {
		const struct virtio_net_opts *e = &c->nets[k];

		if (!memcmp(e->mac, n->mac, sizeof(n->mac)))
			return opt_err(err, errlen, "--net %s: the mac is already used by --net %s", spec, e->spec);
		if (tap && e->kind == VIRTIO_NET_TAP && strlen(e->ifname) == n->name_len &&
		    !strncmp(e->ifname, n->name, n->name_len))
			return opt_err(err, errlen, "--net %s: tap %s is already used by another --net", spec, e->ifname);
		if (!tap && e->kind == VIRTIO_NET_SOCKET && strlen(e->path) == n->name_len &&
		    !strncmp(e->path, n->name, n->name_len))
			return opt_err(err, errlen, "--net %s: the socket path is already used by another --net", spec);
	}
	if (config_virtio_room(c, 1, "--net", spec, err, errlen) < 0)
		return -EINVAL;
	*o = (struct virtio_net_opts){ .kind = n->kind, .spec = strdup(spec), .mac_given = n->mac_given,
					.place = n->place };
	memcpy(o->mac, n->mac, sizeof(o->mac));
	if (tap)
		memcpy(o->ifname, n->name, n->name_len);	/* checked: at most VIRTIO_NET_IFNAME_MAX */
	else
		o->path = strndup(n->name, n->name_len);
	if (n->peer)
		o->peer = strndup(n->peer, n->peer_len);
	if (!o->spec || (!tap && !o->path) || (n->peer && !o->peer)) {
		free(o->spec);
		free(o->path);
		free(o->peer);
		*o = (struct virtio_net_opts){ 0 };
		return out_of_memory(err, errlen);
	}
	c->nnets++;
	return 0;
}

int config_add_net(struct vm_config *cfg, const char *v, char *err, size_t errlen)
{
	struct virtio_config *c = &cfg->virtio;
	struct net_parts n = { 0 };
	const char *rest, *item;
	size_t len;

	if (net_check_room(c, v, err, errlen) < 0)
		return -EINVAL;
	if (!strncmp(v, "tap:", 4)) {
		n.kind = VIRTIO_NET_TAP;
		n.name = v + 4;
	} else if (!strncmp(v, "socket:", 7)) {
		n.kind = VIRTIO_NET_SOCKET;
		n.name = v + 7;
	} else {
		return opt_err(err, errlen, "--net %s: not a network backend (use tap:IFNAME or socket:PATH)", v);
	}
	rest = n.name;
	config_next_item(&rest, &n.name_len);
	if (net_check_name(v, &n, err, errlen) < 0)
		return -EINVAL;
	while ((item = config_next_item(&rest, &len)) != NULL)
		if (net_item(&n, v, item, len, err, errlen) < 0)
			return -EINVAL;
	return net_commit(c, v, &n, err, errlen);
}

int config_add_net_opts(struct vm_config *cfg, enum virtio_net_kind kind, const char *name, const char *peer,
			const unsigned char *mac, char *err, size_t errlen)
{
	struct net_parts n = { .kind = kind, .name = name ? name : "", .peer = peer, .mac_given = mac != NULL };
	char macstr[24] = "", *spec;
	int r;

	if (kind != VIRTIO_NET_TAP && kind != VIRTIO_NET_SOCKET)
		return opt_err(err, errlen, "--net: not a network backend (use tap:IFNAME or socket:PATH)");
	if (mac)
		snprintf(macstr, sizeof(macstr), ",mac=%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
			 mac[4], mac[5]);
	if (asprintf(&spec, "%s%s%s%s%s", kind == VIRTIO_NET_TAP ? "tap:" : "socket:", n.name, peer ? ",peer=" : "",
		     peer ? peer : "", macstr) < 0)
		return out_of_memory(err, errlen);
	n.name_len = strlen(n.name);
	n.peer_len = peer ? strlen(peer) : 0;
	if (mac)
		memcpy(n.mac, mac, sizeof(n.mac));
	r = net_check_room(&cfg->virtio, spec, err, errlen);
	if (!r)
		r = net_check_name(spec, &n, err, errlen);
	if (!r && peer && kind != VIRTIO_NET_SOCKET)
		r = opt_err(err, errlen, "--net %s: unknown option 'peer=%.60s' (use mac=MAC)", spec, peer);
	if (!r && peer)
		r = net_check_peer(spec, n.peer_len, err, errlen);
	if (!r && mac)
		r = net_check_mac(spec, n.mac, err, errlen);
	if (!r)
		r = net_commit(&cfg->virtio, spec, &n, err, errlen);
	free(spec);
	return r;
}
