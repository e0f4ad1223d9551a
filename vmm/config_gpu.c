/* --gpu 2d|virgl[,width=W][,height=H][,outputs=N][,transport=pci|mmio][,msix=off]: the adder of the virtio-gpu, every bad item named in one line. */
#include "vmm/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/display.h"
#include "vmm/opt.h"

#define GPU_MODE_MIN 16u
#define GPU_MODE_MAX 8192u
#define GPU_ITEM_SHOWN 40		/* characters of a bad item quoted */

/* The numeric items: key, bounds, where the value goes. */
struct gpu_num {
	const char *key;
	unsigned int min, max;
	bool given;
	unsigned long long v;
};

/* Append one complaint (printf @fmt) to the one-line message being built in @msg, after "; " when not the first. */
static void gpu_complain(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void gpu_complain(char *msg, size_t len, const char *fmt, ...)
{
	size_t used = strlen(msg);
	va_list ap;

	if (used && used + 2 < len) {
		memcpy(msg + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(msg + used, len - used, fmt, ap);
	va_end(ap);
}

/* At most GPU_ITEM_SHOWN characters of an item's @n. */
static int gpu_shown(size_t n)
{
	return (int)(n < GPU_ITEM_SHOWN ? n : GPU_ITEM_SHOWN);
}

/* One width=/height=/outputs= item: 1 when it was one (bad ones described in @msg), 0 when not. */
static int gpu_num_item(struct gpu_num *nums, unsigned int nnums, const char *item, size_t n, char *msg, size_t len)
{
	for (unsigned int k = 0; k < nnums; k++) {
		size_t kl = strlen(nums[k].key);
		char val[24];

		if (n < kl || strncmp(item, nums[k].key, kl))
			continue;
		if (nums[k].given) {
			gpu_complain(msg, len, "'%.*s' given twice", gpu_shown(n), item);
			return 1;
		}
		nums[k].given = true;
		if (n - kl >= sizeof(val) || (memcpy(val, item + kl, n - kl), val[n - kl] = '\0',
					       opt_parse_uint(val, nums[k].max, &nums[k].v) < 0) ||
		    nums[k].v < nums[k].min)
			gpu_complain(msg, len, "'%.*s' must be between %u and %u", gpu_shown(n), item, nums[k].min,
				     nums[k].max);
		return 1;
	}
	return 0;
}

int config_set_gpu(struct vm_config *cfg, const char *value, char *err, size_t errlen)
{
	struct virtio_config *c = &cfg->virtio;
	struct gpu_num nums[3] = { { "width=", GPU_MODE_MIN, GPU_MODE_MAX, false, VIRTIO_GPU_DEFAULT_WIDTH },
				   { "height=", GPU_MODE_MIN, GPU_MODE_MAX, false, VIRTIO_GPU_DEFAULT_HEIGHT },
				   { "outputs=", 1, DISPLAY_MAX_OUTPUTS, false, 1 } };
	struct virtio_gpu_opts o = { 0 };
	const char *rest = value, *item;
	char msg[400] = "";
	size_t n = 0;

	if (c->gpu.kind != VIRTIO_GPU_NONE)
		return opt_err(err, errlen, "--gpu given twice");
	config_next_item(&rest, &n);
	if (n == 2 && !strncmp(value, "2d", 2))
		o.kind = VIRTIO_GPU_2D;
	else if (n == 5 && !strncmp(value, "virgl", 5))
		o.kind = VIRTIO_GPU_VIRGL;
	else
		gpu_complain(msg, sizeof(msg), "'%.*s' is not a GPU kind (use 2d or virgl)", gpu_shown(n), value);
	while ((item = config_next_item(&rest, &n)) != NULL) {
		char one[200];
		int r;

		if (gpu_num_item(nums, 3, item, n, msg, sizeof(msg)))
			continue;
		r = config_place_item(&o.place, "", "", item, n, one, sizeof(one));
		if (r < 0)	/* ": <complaint>" after the empty option name */
			gpu_complain(msg, sizeof(msg), "%s", one[0] == ':' ? one + 2 : one);
		else if (!r)
			gpu_complain(msg, sizeof(msg),
				     "unknown option '%.*s' (use width=, height=, outputs=, transport=pci|mmio or "
				     "msix=off)", gpu_shown(n), item);
	}
	if (msg[0])
		return opt_err(err, errlen, "--gpu %s: %s", value, msg);
	if (config_virtio_room(c, 1, "--gpu", value, err, errlen) < 0)
		return -EINVAL;
	o.width = (uint32_t)nums[0].v;
	o.height = (uint32_t)nums[1].v;
	o.outputs = (unsigned int)nums[2].v;
	o.spec = strdup(value);
	if (!o.spec) {
		opt_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->gpu = o;
	return 0;
}
