/* The display's VNC front end (libvncserver): output 0 served at --display vnc:[HOST:]PORT, keys and pointer fed to the input devices. */
#ifndef KEEL_VMM_DISPLAY_VNC_H
#define KEEL_VMM_DISPLAY_VNC_H

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "keel-config.h"

struct display;
struct display_vnc;

#if KEEL_HAVE_VNCSERVER
/*
 * display_vnc_start - serve @d's output 0 over RFB on @host (NULL: 127.0.0.1; an IPv4 or IPv6
 * address or a name) and TCP @port (1-65535), from a thread of its own; key and pointer events
 * go to every input of @d->port. Call before the devices run. Returns 0 and *@out, or -errno
 * with one line in @err (the port taken, a bad host).
 */
int display_vnc_start(struct display *d, const char *host, unsigned int port, struct display_vnc **out, char *err,
		      size_t errlen);

/* display_vnc_stop - disconnect every client, stop the thread, free @v. NULL is fine. */
void display_vnc_stop(struct display_vnc *v);
#else
static inline int display_vnc_start(struct display *d, const char *host, unsigned int port,
				    struct display_vnc **out, char *err, size_t errlen)
{
	(void)d;
	(void)host;
	(void)port;
	*out = NULL;
	snprintf(err, errlen, "--display vnc: keel was built without libvncserver (install libvncserver-dev and rebuild)");
	return -ENOTSUP;
}

static inline void display_vnc_stop(struct display_vnc *v)
{
	(void)v;
}
#endif

#endif
