/* What a control plane does to a running VM besides pausing it: swap a disk's image, send Ctrl-Alt-Del. */
#include <errno.h>
#include <stdio.h>

#include "devices/i8042.h"
#include "devices/virtio/host.h"
#include "vmm/log.h"
#include "vmm/vm.h"

int vm_drive_swap(struct vm *vm, const char *drive_id, const char *path, char *err, size_t errlen)
{
	int ret;

	if (!drive_id || !drive_id[0] || !path || !path[0]) {
		snprintf(err, errlen, "a drive swap needs a drive id and a path");
		return -EINVAL;
	}
	/*
	 * vm->cfg's strings belong to whoever made the configuration (vm_create copies the struct):
	 * the disk's path there stays the one it started with.
	 */
	ret = virtio_drive_swap(vm->virtio, drive_id, path, err, errlen);
	if (ret < 0)
		log_warn("drive %s keeps its image: %s", drive_id, err);
	return ret;
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
