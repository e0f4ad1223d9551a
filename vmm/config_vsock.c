/* --vsock cid=N,uds=PATH[,transport=pci|mmio][,msix=off]: the adder of the virtio-vsock device, every bad item named in one line. */
#include "vmm/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "vmm/opt.h"

#define VSOCK_CID_MIN 3ull
#define VSOCK_CID_MAX 4294967294ull		/* U32_MAX is VMADDR_CID_ANY */
#define VSOCK_PORT_SUFFIX_MAX 11u		/* "_4294967295": a guest's connection to host port P goes to PATH_P */
#define VSOCK_SUN_PATH sizeof(((struct sockaddr_un *)0)->sun_path)
#define VSOCK_UDS_MAX (VSOCK_SUN_PATH - 1 - VSOCK_PORT_SUFFIX_MAX)	/* 96 bytes */
#define VSOCK_ITEM_SHOWN 40			/* characters of a bad item quoted */

/* What the items said: the parts, and the complaints so far (one line, "; " between them). */
struct vsock_parts {
	bool cid_given, uds_given;
	unsigned long long cid;
	const char *uds;
	size_t uds_len;
	struct virtio_place place;
	char msg[400];
};

/* Append one complaint (printf @fmt) to @p's message. */
static void vsock_complain(struct vsock_parts *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vsock_complain(struct vsock_parts *p, const char *fmt, ...)
{
	size_t used = strlen(p->msg);
	va_list ap;

	if (used && used + 2 < sizeof(p->msg)) {
		memcpy(p->msg + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= sizeof(p->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(p->msg + used, sizeof(p->msg) - used, fmt, ap);
	va_end(ap);
}

static int vsock_shown(size_t n)
{
	return (int)(n < VSOCK_ITEM_SHOWN ? n : VSOCK_ITEM_SHOWN);
}

/* The checks of a guest CID given as @n bytes of text at @s. */
static void vsock_cid_text(struct vsock_parts *p, const char *s, size_t n)
{
	char val[24];

	if (n >= sizeof(val) || (memcpy(val, s, n), val[n] = '\0', opt_parse_uint(val, VSOCK_CID_MAX, &p->cid) < 0) ||
	    p->cid < VSOCK_CID_MIN)
		vsock_complain(p, "'cid=%.*s' must be between %llu and %llu", vsock_shown(n), s, VSOCK_CID_MIN,
			       VSOCK_CID_MAX);
}

/* The checks of the socket path (@p->uds, @p->uds_len bytes). */
static void vsock_uds_check(struct vsock_parts *p)
{
	if (p->uds_len == 0)
		vsock_complain(p, "'uds=' needs a socket path");
	else if (p->uds_len > VSOCK_UDS_MAX)
		vsock_complain(p, "'uds=%.*s...' is too long (at most %zu bytes, with room for \"_PORT\")",
			       vsock_shown(p->uds_len), p->uds, (size_t)VSOCK_UDS_MAX);
}

/* One item of the value (@n bytes at @item). */
static void vsock_item(struct vsock_parts *p, const char *item, size_t n)
{
	char one[200];
	int r;

	if (n >= 4 && !strncmp(item, "cid=", 4)) {
		if (p->cid_given) {
			vsock_complain(p, "'cid=' given twice");
			return;
		}
		p->cid_given = true;
		vsock_cid_text(p, item + 4, n - 4);
		return;
	}
	if (n >= 4 && !strncmp(item, "uds=", 4)) {
		if (p->uds_given) {
			vsock_complain(p, "'uds=' given twice");
			return;
		}
		p->uds_given = true;
		p->uds = item + 4;
		p->uds_len = n - 4;
		vsock_uds_check(p);
		return;
	}
	r = config_place_item(&p->place, "", "", item, n, one, sizeof(one));
	if (r < 0)	/* ": <complaint>" after the empty option name */
		vsock_complain(p, "%s", one[0] == ':' ? one + 2 : one);
	else if (!r)
		vsock_complain(p, "unknown option '%.*s' (use cid=N, uds=PATH, transport=pci|mmio or msix=off)",
			       vsock_shown(n), item);
}

/* Add the device @p describes, as option value @spec (copied). */
static int vsock_commit(struct virtio_config *c, const char *spec, const struct vsock_parts *p, char *err,
			size_t errlen)
{
	struct virtio_vsock_opts o = { .on = true, .guest_cid = p->cid, .place = p->place };

	if (config_virtio_room(c, 1, "--vsock", spec, err, errlen) < 0)
		return -EINVAL;
	o.spec = strdup(spec);
	o.uds_path = strndup(p->uds, p->uds_len);
	if (!o.spec || !o.uds_path) {
		free(o.spec);
		free(o.uds_path);
		opt_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->vsock = o;
	return 0;
}

int config_set_vsock(struct vm_config *cfg, const char *spec, char *err, size_t errlen)
{
	struct vsock_parts p = { 0 };
	const char *rest = spec, *item;
	size_t n = 0;

	if (cfg->virtio.vsock.on)
		return opt_err(err, errlen, "--vsock given twice");
	while ((item = config_next_item(&rest, &n)) != NULL)
		vsock_item(&p, item, n);
	if (!p.cid_given)
		vsock_complain(&p, "cid=N is missing");
	if (!p.uds_given)
		vsock_complain(&p, "uds=PATH is missing");
	if (p.msg[0])
		return opt_err(err, errlen, "--vsock %s: %s", spec, p.msg);
	return vsock_commit(&cfg->virtio, spec, &p, err, errlen);
}

int config_set_vsock_opts(struct vm_config *cfg, unsigned long long cid, const char *uds_path, char *err,
			  size_t errlen)
{
	struct vsock_parts p = { .cid_given = true, .uds_given = true, .cid = cid, .uds = uds_path ? uds_path : "" };
	char *spec;
	int r;

	if (cfg->virtio.vsock.on)
		return opt_err(err, errlen, "--vsock given twice");
	p.uds_len = strlen(p.uds);
	if (cid < VSOCK_CID_MIN || cid > VSOCK_CID_MAX)
		vsock_complain(&p, "'cid=%llu' must be between %llu and %llu", cid, VSOCK_CID_MIN, VSOCK_CID_MAX);
	vsock_uds_check(&p);
	if (asprintf(&spec, "cid=%llu,uds=%s", cid, p.uds) < 0) {
		opt_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (p.msg[0])
		r = opt_err(err, errlen, "--vsock %s: %s", spec, p.msg);
	else
		r = vsock_commit(&cfg->virtio, spec, &p, err, errlen);
	free(spec);
	return r;
}
