/* The adders of the display: --display none|vnc:[HOST:]PORT, --screenshot FILE and --screenshot-on-exit FILE. */
#include "vmm/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/opt.h"

#define DISPLAY_HOST_MAX 255u	/* a host name or address */

/* "[HOST:]PORT" (HOST may be "[ADDR]", or a bare IPv6 address: the last colon ends it) of --display vnc:@rest. */
static int display_parse_vnc(struct vm_config *c, const char *spec, const char *rest, char *err, size_t errlen)
{
	const char *colon = strrchr(rest, ':');
	const char *port = colon ? colon + 1 : rest;
	const char *host = rest;
	size_t hostlen = colon ? (size_t)(colon - rest) : 0;
	unsigned long long p;
	char *h = NULL;

	if (opt_parse_uint(port, 65535, &p) < 0 || p == 0)
		return opt_err(err, errlen, "--display %s: '%s' is not a port number (1-65535)", spec, port);
	if (hostlen >= 2 && host[0] == '[' && host[hostlen - 1] == ']') {
		host++;
		hostlen -= 2;
	}
	if (colon && hostlen == 0)
		return opt_err(err, errlen, "--display %s: the host before the port is empty", spec);
	if (hostlen > DISPLAY_HOST_MAX)
		return opt_err(err, errlen, "--display %s: the host is too long (at most %u bytes)", spec,
			       DISPLAY_HOST_MAX);
	if (hostlen) {
		h = strndup(host, hostlen);
		if (!h) {
			opt_err(err, errlen, "--display: out of memory");
			return -ENOMEM;
		}
	}
	c->display.kind = CONFIG_DISPLAY_VNC;
	c->display.host = h;
	c->display.port = (unsigned int)p;
	return 0;
}

int config_set_display(struct vm_config *c, const char *spec, char *err, size_t errlen)
{
	if (c->display.kind != CONFIG_DISPLAY_NONE)
		return opt_err(err, errlen, "--display given twice");
	if (!strcmp(spec, "none"))
		return 0;
	if (!strncmp(spec, "vnc:", 4))
		return display_parse_vnc(c, spec, spec + 4, err, errlen);
	return opt_err(err, errlen, "--display %s: expected none or vnc:[HOST:]PORT (e.g. vnc:5900)", spec);
}

/* One screenshot file option @opt into *@slot. */
static int display_set_file(char **slot, const char *opt, const char *path, char *err, size_t errlen)
{
	char *copy;

	if (*slot)
		return opt_err(err, errlen, "%s given twice", opt);
	if (!*path)
		return opt_err(err, errlen, "%s: the file name is empty", opt);
	copy = strdup(path);
	if (!copy) {
		opt_err(err, errlen, "%s: out of memory", opt);
		return -ENOMEM;
	}
	*slot = copy;
	return 0;
}

int config_set_screenshot(struct vm_config *c, const char *path, char *err, size_t errlen)
{
	return display_set_file(&c->display.screenshot, "--screenshot", path, err, errlen);
}

int config_set_screenshot_on_exit(struct vm_config *c, const char *path, char *err, size_t errlen)
{
	return display_set_file(&c->display.screenshot_on_exit, "--screenshot-on-exit", path, err, errlen);
}

void config_display_free(struct vm_config *c)
{
	free(c->display.host);
	free(c->display.screenshot);
	free(c->display.screenshot_on_exit);
	memset(&c->display, 0, sizeof(c->display));
}
