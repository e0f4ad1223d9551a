/* The VM's built-in device table: which devices a keel machine has, created in order on the platform and destroyed in reverse. */
#ifndef KEEL_VMM_MACHINE_H
#define KEEL_VMM_MACHINE_H

struct dev_descs;
struct vm;

/*
 * machine_devices_create - create every device of the table in order (COM1 UART into vm->uart,
 * debug-exit, i8042, PM1a control, fw_cfg, the virtio devices, the bench devices in a bench VM), each
 * handed only the platform services it uses; on failure undo the ones done and return the -errno.
 */
int machine_devices_create(struct vm *vm);

/*
 * machine_devices_describe - after machine_devices_create: add what each device says of itself
 * (firmware/describe.h), in table order, to @out for the firmware-table writers. 0 or -ENOSPC.
 */
int machine_devices_describe(struct vm *vm, struct dev_descs *out);

/*
 * machine_devices_booted - once the boot protocol has loaded the kernel (vm->boot), while the
 * input files are still mapped: let each device that hands over where the boot put things take it (fw_cfg's kernel, initrd and command
 * line items). 0 or the first -errno.
 */
int machine_devices_booted(struct vm *vm);

/*
 * machine_devices_destroy - destroy them in reverse order. Safe after a failed or missing
 * machine_devices_create: a device only takes back bus ranges that hold its own handler. The
 * vCPUs must not run.
 */
void machine_devices_destroy(struct vm *vm);

#endif
