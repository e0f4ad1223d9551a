/* The VM's display: the framebuffers virtio-gpu draws into (display_sink_ops), under one lock, and what they tell the front ends. */
#include "vmm/display.h"

#include "vmm/display_png.h"
#include "vmm/display_vnc.h"
#include "vmm/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int display_wanted(const struct vm_config *cfg, char *err, size_t errlen)
{
	const struct config_display *d = &cfg->display;
	bool asked = d->kind != CONFIG_DISPLAY_NONE || d->screenshot || d->screenshot_on_exit;

	if (asked && cfg->virtio.gpu.kind == VIRTIO_GPU_NONE) {
		snprintf(err, errlen, "%s needs a GPU to show: add --gpu 2d (or --gpu virgl)",
			 d->kind != CONFIG_DISPLAY_NONE ? "--display" :
			 d->screenshot ? "--screenshot" : "--screenshot-on-exit");
		return -EINVAL;
	}
	return asked || cfg->virtio.gpu.kind != VIRTIO_GPU_NONE || cfg->virtio.ninputs > 0;
}

static void display_set_mode(void *opaque, unsigned int out, uint32_t w, uint32_t h)
{
	struct display *d = opaque;
	struct display_output *o;
	uint32_t *px = NULL;

	if (out >= DISPLAY_MAX_OUTPUTS)
		return;
	if (w && h) {
		px = calloc((size_t)w * h, sizeof(*px));
		if (!px) {
			log_warn("display: no memory for a %ux%u image on output %u: it is off", w, h, out);
			w = h = 0;
		}
	} else {
		w = h = 0;
	}
	pthread_mutex_lock(&d->lock);
	o = &d->outputs[out];
	free(o->pixels);
	o->pixels = px;
	o->w = w;
	o->h = h;
	if (out == 0 && d->listener)
		d->listener->mode(d->listener_opaque, px, w, h);
	pthread_mutex_unlock(&d->lock);
	log_debug("display: output %u is %ux%u", out, w, h);
}

static void display_update(void *opaque, unsigned int out, const uint32_t *pixels, uint32_t stride, uint32_t x,
			   uint32_t y, uint32_t w, uint32_t h)
{
	struct display *d = opaque;
	struct display_output *o;

	if (out >= DISPLAY_MAX_OUTPUTS || !pixels)
		return;
	pthread_mutex_lock(&d->lock);
	o = &d->outputs[out];
	/* the device clips; clip again against the mode this display holds (it may have changed) */
	if (o->pixels && x < o->w && y < o->h) {
		if (w > o->w - x)
			w = o->w - x;
		if (h > o->h - y)
			h = o->h - y;
		for (uint32_t r = 0; r < h; r++)
			memcpy(o->pixels + (size_t)(y + r) * o->w + x,
			       (const uint8_t *)pixels + (size_t)r * stride, (size_t)w * sizeof(uint32_t));
		if (out == 0 && d->listener && w && h)
			d->listener->damage(d->listener_opaque, o->pixels, o->w, x, y, w, h);
	}
	pthread_mutex_unlock(&d->lock);
}

static void display_set_cursor(void *opaque, unsigned int out, int32_t x, int32_t y, const uint32_t *image,
			       uint32_t hot_x, uint32_t hot_y, bool visible)
{
	struct display *d = opaque;
	struct display_cursor *c;

	if (out >= DISPLAY_MAX_OUTPUTS)
		return;
	pthread_mutex_lock(&d->lock);
	c = &d->cursors[out];
	c->x = x;
	c->y = y;
	c->visible = visible;
	if (image) {
		memcpy(c->image, image, sizeof(c->image));
		c->hot_x = hot_x < DISPLAY_CURSOR_SIZE ? hot_x : 0;
		c->hot_y = hot_y < DISPLAY_CURSOR_SIZE ? hot_y : 0;
		c->has_image = true;
	}
	pthread_mutex_unlock(&d->lock);
}

static const struct display_sink_ops display_sink_ops = {
	.set_mode = display_set_mode,
	.update = display_update,
	.cursor = display_set_cursor,
};

int display_create(const struct config_display *cfg, struct display **out, char *err, size_t errlen)
{
	struct display *d = calloc(1, sizeof(*d));
	char name[64];
	int ret;

	*out = NULL;
	if (!d) {
		snprintf(err, errlen, "display: out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->port.ops = &display_sink_ops;
	d->port.opaque = d;
	d->seccomp = cfg->seccomp;
	snprintf(name, sizeof(name), "keel-%ld.png", (long)getpid());
	d->screenshot = strdup(cfg->screenshot ? cfg->screenshot : name);
	if (!d->screenshot) {
		display_destroy(d);
		snprintf(err, errlen, "display: out of memory");
		return -ENOMEM;
	}
	if (cfg->kind == CONFIG_DISPLAY_VNC) {
		ret = display_vnc_start(d, cfg->host, cfg->port, &d->vnc, err, errlen);
		if (ret < 0) {
			display_destroy(d);
			return ret;
		}
	}
	*out = d;
	return 0;
}

void display_stop_front_ends(struct display *d)
{
	if (!d)
		return;
	display_vnc_stop(d->vnc);	/* its thread reads output 0 and calls the input devices */
	d->vnc = NULL;
}

void display_destroy(struct display *d)
{
	if (!d)
		return;
	display_stop_front_ends(d);
	for (unsigned int i = 0; i < DISPLAY_MAX_OUTPUTS; i++)
		free(d->outputs[i].pixels);
	free(d->screenshot);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void display_listen(struct display *d, const struct display_listener_ops *ops, void *opaque)
{
	pthread_mutex_lock(&d->lock);
	d->listener = ops;
	d->listener_opaque = opaque;
	if (ops)
		ops->mode(opaque, d->outputs[0].pixels, d->outputs[0].w, d->outputs[0].h);
	pthread_mutex_unlock(&d->lock);
}

int display_copy(struct display *d, unsigned int out, uint32_t **pixels, uint32_t *w, uint32_t *h)
{
	const struct display_output *o;
	int ret = 0;

	*pixels = NULL;
	if (out >= DISPLAY_MAX_OUTPUTS)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	o = &d->outputs[out];
	if (!o->pixels) {
		ret = -ENODATA;
	} else {
		*pixels = malloc((size_t)o->w * o->h * sizeof(uint32_t));
		if (!*pixels) {
			ret = -ENOMEM;
		} else {
			memcpy(*pixels, o->pixels, (size_t)o->w * o->h * sizeof(uint32_t));
			*w = o->w;
			*h = o->h;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int display_output_path(const char *path, unsigned int out, char *buf, size_t len)
{
	size_t n = strlen(path);
	int r;

	if (out == 0)
		r = snprintf(buf, len, "%s", path);
	else if (n >= 4 && !strcmp(path + n - 4, ".png"))
		r = snprintf(buf, len, "%.*s-%u.png", (int)(n - 4), path, out);
	else
		r = snprintf(buf, len, "%s-%u", path, out);
	return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : 0;
}

int display_screenshot(struct display *d, const char *path, char *err, size_t errlen)
{
	int written = 0;

	for (unsigned int i = 0; i < DISPLAY_MAX_OUTPUTS; i++) {
		char file[4096];
		uint32_t *px, w, h;
		int ret = display_copy(d, i, &px, &w, &h);

		if (ret == -ENODATA)
			continue;
		if (ret == 0 && display_output_path(path, i, file, sizeof(file)) < 0)
			ret = -ENAMETOOLONG;
		if (ret < 0) {
			free(px);
			snprintf(err, errlen, "screenshot %s: %s", path, strerror(-ret));
			return ret;
		}
		ret = display_png_write(file, px, w, h, w * sizeof(uint32_t), err, errlen);
		free(px);
		if (ret < 0)
			return ret;
		log_info("screenshot: %s (%ux%u, output %u)", file, w, h, i);
		written++;
	}
	if (!written) {
		snprintf(err, errlen, "screenshot %s: no output is showing anything (the guest has set no mode)", path);
		return -ENODATA;
	}
	return written;
}
