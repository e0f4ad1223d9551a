/* --input keyboard|tablet[,transport=pci|mmio][,msix=off]: the adder of virtio-input devices, with one-line errors. */
#include "vmm/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/opt.h"

int config_add_input(struct vm_config *cfg, const char *spec, char *err, size_t errlen)
{
	struct virtio_config *c = &cfg->virtio;
	struct virtio_input_opts o = { 0 };
	const char *rest = spec, *item;
	size_t n = 0;

	if (c->ninputs == VIRTIO_MAX_INPUTS)
		return opt_err(err, errlen, "--input %s: at most %u input devices", spec, VIRTIO_MAX_INPUTS);
	config_next_item(&rest, &n);
	if (n == 8 && !strncmp(spec, "keyboard", 8))
		o.kind = VIRTIO_INPUT_KEYBOARD;
	else if (n == 6 && !strncmp(spec, "tablet", 6))
		o.kind = VIRTIO_INPUT_TABLET;
	else
		return opt_err(err, errlen, "--input %s: not an input device '%.*s' (use keyboard or tablet)", spec,
			       (int)(n < 60 ? n : 60), spec);
	while ((item = config_next_item(&rest, &n)) != NULL) {
		int r = config_place_item(&o.place, "--input ", spec, item, n, err, errlen);

		if (r < 0)
			return r;
		if (!r)
			return opt_err(err, errlen,
				       "--input %s: unknown option '%.*s' (use transport=pci|mmio or msix=off)", spec,
				       (int)(n < 60 ? n : 60), item);
	}
	if (config_virtio_room(c, 1, "--input", spec, err, errlen) < 0)
		return -EINVAL;
	o.spec = strdup(spec);
	if (!o.spec) {
		opt_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->inputs[c->ninputs++] = o;
	return 0;
}
