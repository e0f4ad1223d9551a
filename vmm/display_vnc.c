/* The display's VNC front end: libvncserver serves a copy of output 0 from its own thread and turns key and pointer events into input-device events. */
#include "vmm/display_vnc.h"

#if KEEL_HAVE_VNCSERVER

#include "vmm/display.h"
#include "vmm/display_keymap.h"
#include "vmm/log.h"
#include "vmm/sandbox.h"

#include "devices/virtio/input_spec.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <rfb/rfb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define VNC_DEFAULT_HOST "127.0.0.1"
#define VNC_IDLE_WIDTH 640u	/* what a client sees while output 0 is off */
#define VNC_IDLE_HEIGHT 480u
#define VNC_MAX_SIDE 16384u	/* larger modes are not served (RFB sizes are 16-bit; clients give up sooner) */

/*
 * The server and its thread. The display's callers (virtio-gpu's thread, under the display's
 * lock) write into the framebuffer and note what changed under @lock; the VNC thread alone
 * hands libvncserver a new framebuffer or the changed rectangle, between its rounds of client
 * I/O, so no buffer is freed while a client is being sent it.
 */
struct display_vnc {
	struct display *d;
	rfbScreenInfoPtr screen;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;	/* guards what follows */
	bool stop;		/* the thread should end */
	uint32_t *fb;		/* what the clients are sent: output 0 as R, G, B, X bytes */
	uint32_t w, h;		/* fb's size */
	uint32_t *next;		/* a new mode's framebuffer the thread has not taken yet, or NULL */
	uint32_t nw, nh;	/* its size */
	bool dirty;		/* fb changed in [x0, x1) x [y0, y1) since the thread last looked */
	uint32_t x0, y0, x1, y1;
	unsigned int warned_size;	/* modes too large to serve (display lock) */
	int last_buttons;	/* the client's previous button mask, for the wheel's presses (VNC thread) */
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

/* The rectangle (@x, @y, @w, @h) of @fb (@fbw words a row) into @dst (@fbw words a row too). */
static void vnc_copy(uint32_t *dst, const uint32_t *fb, uint32_t fbw, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	for (uint32_t r = 0; r < h; r++) {
		const uint32_t *src = fb + (size_t)(y + r) * fbw + x;
		uint32_t *out = dst + (size_t)(y + r) * fbw + x;

		for (uint32_t c = 0; c < w; c++)
			out[c] = vnc_pixel(src[c]);
	}
}

/* display_listener_ops, called with the display's lock held: a new framebuffer for the thread to take. */
static void vnc_mode(void *opaque, const uint32_t *fb, uint32_t w, uint32_t h)
{
	struct display_vnc *v = opaque;
	bool shown = fb && w <= VNC_MAX_SIDE && h <= VNC_MAX_SIDE;
	uint32_t nw = shown ? w : VNC_IDLE_WIDTH, nh = shown ? h : VNC_IDLE_HEIGHT;
	uint32_t *nfb = calloc((size_t)nw * nh, sizeof(*nfb));

	if (!nfb) {
		log_warn("vnc: no memory for a %ux%u framebuffer: clients keep the old one", nw, nh);
		return;
	}
	if (shown)
		vnc_copy(nfb, fb, w, 0, 0, w, h);
	else if (fb && !v->warned_size++)
		log_warn("vnc: output 0 is %ux%u, more than RFB clients take (%u a side): they see black", w, h,
			 VNC_MAX_SIDE);
	pthread_mutex_lock(&v->lock);
	free(v->next);
	v->next = nfb;
	v->nw = nw;
	v->nh = nh;
	pthread_mutex_unlock(&v->lock);
}

static void vnc_damage(void *opaque, const uint32_t *fb, uint32_t fbw, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct display_vnc *v = opaque;
	uint32_t *dst, dw, dh;

	pthread_mutex_lock(&v->lock);
	dst = v->next ? v->next : v->fb;
	dw = v->next ? v->nw : v->w;
	dh = v->next ? v->nh : v->h;
	/* a framebuffer of another size: there was no memory for this mode's */
	if (dst && fbw == dw && x < dw && y < dh && w <= dw - x && h <= dh - y) {
		vnc_copy(dst, fb, fbw, x, y, w, h);
		if (dst == v->fb) {
			if (!v->dirty) {
				v->x0 = x, v->y0 = y, v->x1 = x + w, v->y1 = y + h;
			} else {
				v->x0 = x < v->x0 ? x : v->x0;
				v->y0 = y < v->y0 ? y : v->y0;
				v->x1 = x + w > v->x1 ? x + w : v->x1;
				v->y1 = y + h > v->y1 ? y + h : v->y1;
			}
			v->dirty = true;
		}
	}
	pthread_mutex_unlock(&v->lock);
}

static const struct display_listener_ops vnc_listener_ops = {
	.mode = vnc_mode,
	.damage = vnc_damage,
};

#define VNC_ROUND_USEC 20000	/* the longest the thread waits for client I/O before it looks at the display */

/* The VNC thread: take what the display changed, then serve the clients for a round. */
static void *vnc_thread(void *opaque)
{
	struct display_vnc *v = opaque;

	if (sandbox_enter(SANDBOX_DISPLAY, v->d->seccomp, 0) < 0)
		return NULL;	/* logged; no client is served */
	for (;;) {
		uint32_t *old = NULL;
		bool resized = false, dirty;
		uint32_t x0, y0, x1, y1;

		pthread_mutex_lock(&v->lock);
		if (v->stop) {
			pthread_mutex_unlock(&v->lock);
			break;
		}
		if (v->next) {
			old = v->fb;
			v->fb = v->next;
			v->w = v->nw;
			v->h = v->nh;
			v->next = NULL;
			resized = true;
		}
		dirty = v->dirty && !resized;
		x0 = v->x0, y0 = v->y0, x1 = v->x1, y1 = v->y1;
		v->dirty = false;
		pthread_mutex_unlock(&v->lock);
		if (resized) {
			/* v->fb changes only on this thread: safe to read without the lock */
			rfbNewFramebuffer(v->screen, (char *)v->fb, (int)v->w, (int)v->h, 8, 3, 4);
			free(old);
			log_debug("vnc: framebuffer now %ux%u", v->w, v->h);
		} else if (dirty) {
			rfbMarkRectAsModified(v->screen, (int)x0, (int)y0, (int)x1, (int)y1);
		}
		rfbProcessEvents(v->screen, VNC_ROUND_USEC);
	}
	return NULL;
}

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
	pthread_mutex_init(&v->lock, NULL);
	display_listen(d, &vnc_listener_ops, v);	/* v->next: output 0 as it is now */
	pthread_mutex_lock(&v->lock);
	v->fb = v->next;
	v->w = v->nw;
	v->h = v->nh;
	v->next = NULL;
	pthread_mutex_unlock(&v->lock);
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
	ret = -pthread_create(&v->thread, NULL, vnc_thread, v);
	if (ret < 0) {
		snprintf(err, errlen, "--display vnc: cannot start its thread: %s", strerror(-ret));
		goto fail;
	}
	v->thread_started = true;
	log_info("VNC server on %s port %u (%ux%u)", host, port, v->w, v->h);
	*out = v;
	return 0;
fail:
	display_vnc_stop(v);
	return ret;
}

void display_vnc_stop(struct display_vnc *v)
{
	if (!v)
		return;
	display_listen(v->d, NULL, NULL);	/* no more copies into fb */
	if (v->thread_started) {
		pthread_mutex_lock(&v->lock);
		v->stop = true;
		pthread_mutex_unlock(&v->lock);
		pthread_join(v->thread, NULL);
	}
	if (v->screen) {
		rfbShutdownServer(v->screen, TRUE);
		free(v->screen->listen6Interface);
		v->screen->listen6Interface = NULL;
		rfbScreenCleanup(v->screen);
	}
	free(v->fb);
	free(v->next);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

#endif
