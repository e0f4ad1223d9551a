/* virtio_mmio.device= on a Linux command line: how a kernel that will not read the DSDT (acpi=off) still finds keel's virtio-mmio devices. */
#ifndef KEEL_FIRMWARE_MMIO_CMDLINE_H
#define KEEL_FIRMWARE_MMIO_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "firmware/describe.h"

/*
 * mmio_cmdline_wanted - whether Linux booted with @cmdline needs its virtio-mmio devices on the
 * command line: it has acpi=off, so it never reads the DSDT that lists them (LNRO0005). Never
 * both ways: a device the kernel found in the DSDT and again on the command line would be probed
 * twice, and the second probe fails on the busy region.
 */
bool mmio_cmdline_wanted(const char *cmdline);

/*
 * mmio_cmdline_append - append " virtio_mmio.device=SIZE@BASE:IRQ" for every virtio-mmio window
 * in @devs to @cmdline (NUL-terminated, @cap bytes). Returns how many it appended, or -E2BIG (and
 * @cmdline unchanged) when they do not fit.
 */
int mmio_cmdline_append(const struct dev_descs *devs, char *cmdline, size_t cap);

#endif
