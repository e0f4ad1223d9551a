/* What a control plane does to a running VM besides pausing it: swap a disk's image, send Ctrl-Alt-Del. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/i8042.h"
#include "devices/virtio/host.h"
#include "vmm/log.h"
#include "vmm/vm.h"

/* The configuration's entry of the disk whose id is @id (given, or keel-diskN), or NULL. */
static struct virtio_disk_opts *vm_disk_opts(struct vm *vm, const char *id)
{
	struct virtio_config *c = &vm->cfg.virtio;

	for (unsigned int i = 0; i < c->ndisks; i++) {
		char def[VIRTIO_BLK_ID_BYTES + 1];

		snprintf(def, sizeof(def), "keel-disk%u", i);
		if (!strcmp(c->disks[i].id[0] ? c->disks[i].id : def, id))
			return &c->disks[i];
	}
	return NULL;
}

int vm_drive_swap(struct vm *vm, const char *drive_id, const char *path, char *err, size_t errlen)
{
	struct virtio_disk_opts *o;
	char *copy;
	int ret;

	if (!drive_id || !drive_id[0] || !path || !path[0]) {
		snprintf(err, errlen, "a drive swap needs a drive id and a path");
		return -EINVAL;
	}
	ret = virtio_drive_swap(vm->virtio, drive_id, path, err, errlen);
	if (ret < 0) {
		log_warn("drive %s keeps its image: %s", drive_id, err);
		return ret;
	}
	/* What the configuration reports from now on (GET /vm/config): the new image. */
	o = vm_disk_opts(vm, drive_id);
	copy = strdup(path);
	if (o && copy) {
		free(o->path);
		o->path = copy;
	} else {
		free(copy);
	}
	return 0;
}

int vm_ctrl_alt_del(struct vm *vm, char *err, size_t errlen)
{
	int ret;

	if (!vm->i8042) {
		snprintf(err, errlen, "this VM has no i8042 keyboard");
		return -ENODEV;
	}
	ret = i8042_ctrl_alt_del(vm->i8042);
	if (ret < 0)
		snprintf(err, errlen, "the i8042 keyboard's buffer is full (the guest does not read it)");
	return ret;
}
