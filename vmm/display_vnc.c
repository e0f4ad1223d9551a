/* The display's VNC front end: libvncserver serves a copy of output 0 from its own thread and turns key and pointer events into input-device events. */
#include "vmm/display_vnc.h"

#if KEEL_HAVE_VNCSERVER

#include "vmm/display.h"
#include "vmm/display_keymap.h"
#include "vmm/log.h"

#include "devices/virtio/input_spec.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <rfb/rfb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define VNC_DEFAULT_HOST "127.0.0.1"
#define VNC_IDLE_WIDTH 640u	/* what a client sees while output 0 is off */
#define VNC_IDLE_HEIGHT 480u

struct display_vnc {
	struct display *d;
	rfbScreenInfoPtr screen;
	uint32_t *fb;		/* what the clients are sent: output 0 as R, G, B, X bytes */
	uint32_t *retired;	/* the framebuffer before the last mode change (a client thread may still read it) */
	uint32_t w, h;		/* fb's size */
	int last_buttons;	/* the client's previous button mask, for the wheel's presses */
	char name[64];
};

/* libvncserver's messages, at keel's debug level. */
static void vnc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void vnc_log(const char *fmt, ...)
{
	char line[256];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_debug("vnc: %s", line);
}

/* An ARGB word as the server's pixel format wants it: bytes R, G, B, X in memory. */
static inline uint32_t vnc_pixel(uint32_t argb)
{
	return ((argb >> 16) & 0xffu) | (argb & 0xff00u) | ((argb & 0xffu) << 16);
}

static void vnc_copy(struct display_vnc *v, const uint32_t *fb, uint32_t fbw, uint32_t x, uint32_t y, uint32_t w,
		     uint32_t h)
{
	for (uint32_t r = 0; r < h; r++) {
		const uint32_t *src = fb + (size_t)(y + r) * fbw + x;
		uint32_t *dst = v->fb + (size_t)(y + r) * v->w + x;

		for (uint32_t c = 0; c < w; c++)
			dst[c] = vnc_pixel(src[c]);
	}
}

/* display_listener_ops: called with the display's lock held. */
static void vnc_mode(void *opaque, const uint32_t *fb, uint32_t w, uint32_t h)
{
	struct display_vnc *v = opaque;
	uint32_t nw = fb ? w : VNC_IDLE_WIDTH, nh = fb ? h : VNC_IDLE_HEIGHT;
	uint32_t *nfb = calloc((size_t)nw * nh, sizeof(*nfb));

	if (!nfb) {
		log_warn("vnc: no memory for a %ux%u framebuffer: clients keep the old one", nw, nh);
		return;
	}
	free(v->retired);
	v->retired = v->fb;
	v->fb = nfb;
	v->w = nw;
	v->h = nh;
	if (fb)
		vnc_copy(v, fb, w, 0, 0, w, h);
	if (!v->screen)
		return;		/* the first call, before the screen exists */
	rfbNewFramebuffer(v->screen, (char *)v->fb, (int)nw, (int)nh, 8, 3, 4);
	log_debug("vnc: framebuffer now %ux%u", nw, nh);
}

static void vnc_damage(void *opaque, const uint32_t *fb, uint32_t fbw, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct display_vnc *v = opaque;

	if (fbw != v->w || x >= v->w || y >= v->h || w > v->w - x || h > v->h - y)
		return;		/* our framebuffer is not this mode's (no memory at the change) */
	vnc_copy(v, fb, fbw, x, y, w, h);
	if (v->screen)
		rfbMarkRectAsModified(v->screen, (int)x, (int)y, (int)(x + w), (int)(y + h));
}

static const struct display_listener_ops vnc_listener_ops = {
	.mode = vnc_mode,
	.damage = vnc_damage,
};

/* Client events, on libvncserver's threads. */
static void vnc_key(rfbBool down, rfbKeySym keysym, rfbClientPtr cl)
{
	struct display_vnc *v = cl->screen->screenData;
	const struct display_port *port = &v->d->port;
	uint16_t code = display_keymap((uint32_t)keysym);

	if (!code) {
		log_debug("vnc: keysym 0x%x has no key", (unsigned int)keysym);
		return;
	}
	for (unsigned int i = 0; i < port->ninputs; i++)
		if (port->inputs[i].ops->key)
			port->inputs[i].ops->key(port->inputs[i].opaque, code, down);
}

/* Position @p on a screen @n pixels long, scaled to [0, VIRTIO_INPUT_ABS_MAX]. */
static uint32_t vnc_scale(int p, int n)
{
	if (p <= 0 || n <= 1)
		return 0;
	if (p >= n - 1)
		return VIRTIO_INPUT_ABS_MAX;
	return (uint32_t)(((uint64_t)p * VIRTIO_INPUT_ABS_MAX + (uint64_t)(n - 1) / 2) / (uint64_t)(n - 1));
}

static void vnc_pointer(int mask, int x, int y, rfbClientPtr cl)
{
	struct display_vnc *v = cl->screen->screenData;
	const struct display_port *port = &v->d->port;
	int pressed = mask & ~v->last_buttons;
	int32_t wheel = ((pressed >> 3) & 1) - ((pressed >> 4) & 1);	/* buttons 4 and 5: up, down */
	uint32_t ax = vnc_scale(x, cl->screen->width), ay = vnc_scale(y, cl->screen->height);

	v->last_buttons = mask;
	for (unsigned int i = 0; i < port->ninputs; i++)
		if (port->inputs[i].ops->pointer)
			port->inputs[i].ops->pointer(port->inputs[i].opaque, ax, ay, (uint32_t)mask & 7u, wheel);
	rfbDefaultPtrAddEvent(mask, x, y, cl);
}

/* Where to listen: @host's first address (IPv4 or IPv6) into the screen. */
static int vnc_bind(struct display_vnc *v, const char *host, unsigned int port, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char text[INET6_ADDRSTRLEN];
	int r = getaddrinfo(host, NULL, &hints, &res);

	if (r != 0 || !res) {
		snprintf(err, errlen, "--display vnc:%s:%u: cannot resolve %s: %s", host, port, host, gai_strerror(r));
		return -EINVAL;
	}
	if (res->ai_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, text, sizeof(text));
		v->screen->listen6Interface = strdup(text);
		v->screen->ipv6port = (int)port;
		v->screen->port = 0;
		if (!v->screen->listen6Interface)
			r = -ENOMEM;
	} else {
		v->screen->listenInterface = ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
		v->screen->port = (int)port;
		v->screen->ipv6port = 0;
	}
	freeaddrinfo(res);
	if (r == -ENOMEM)
		snprintf(err, errlen, "--display vnc: out of memory");
	return r;
}

int display_vnc_start(struct display *d, const char *host, unsigned int port, struct display_vnc **out, char *err,
		      size_t errlen)
{
	struct display_vnc *v = calloc(1, sizeof(*v));
	int ret;

	*out = NULL;
	if (!v) {
		snprintf(err, errlen, "--display vnc: out of memory");
		return -ENOMEM;
	}
	if (!host)
		host = VNC_DEFAULT_HOST;
	rfbLog = vnc_log;
	rfbErr = vnc_log;
	v->d = d;
	snprintf(v->name, sizeof(v->name), "keel");
	display_listen(d, &vnc_listener_ops, v);	/* makes v->fb at the current mode */
	if (!v->fb) {
		ret = -ENOMEM;
		snprintf(err, errlen, "--display vnc: out of memory");
		goto fail;
	}
	v->screen = rfbGetScreen(NULL, NULL, (int)v->w, (int)v->h, 8, 3, 4);
	if (!v->screen) {
		ret = -ENOMEM;
		snprintf(err, errlen, "--display vnc: cannot make the server (out of memory)");
		goto fail;
	}
	v->screen->screenData = v;
	v->screen->frameBuffer = (char *)v->fb;
	v->screen->desktopName = v->name;
	v->screen->alwaysShared = TRUE;
	v->screen->cursor = NULL;	/* no pointer drawn into the picture: the guest draws its own */
	v->screen->kbdAddEvent = vnc_key;
	v->screen->ptrAddEvent = vnc_pointer;
	v->screen->httpDir = NULL;
	v->screen->httpPort = 0;
	v->screen->http6Port = 0;
	ret = vnc_bind(v, host, port, err, errlen);
	if (ret < 0)
		goto fail;
	rfbInitServer(v->screen);
	if (v->screen->listenSock == RFB_INVALID_SOCKET && v->screen->listen6Sock == RFB_INVALID_SOCKET) {
		ret = -EADDRINUSE;
		snprintf(err, errlen, "--display vnc:%s:%u: cannot listen there (the port is taken, or not an address of"
			 " this host)", host, port);
		goto fail;
	}
	rfbRunEventLoop(v->screen, -1, TRUE);
	log_info("VNC server on %s port %u (%ux%u)", host, port, v->w, v->h);
	*out = v;
	return 0;
fail:
	display_listen(d, NULL, NULL);
	display_vnc_stop(v);
	return ret;
}

void display_vnc_stop(struct display_vnc *v)
{
	if (!v)
		return;
	display_listen(v->d, NULL, NULL);	/* no more copies into fb */
	if (v->screen) {
		rfbShutdownServer(v->screen, TRUE);
		free(v->screen->listen6Interface);
		v->screen->listen6Interface = NULL;
		rfbScreenCleanup(v->screen);
	}
	free(v->fb);
	free(v->retired);
	free(v);
}

#endif
