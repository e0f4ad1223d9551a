/* virtio_mmio.device= parameters for a Linux kernel that will not read the DSDT (acpi=off). */
#include "firmware/mmio_cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool mmio_cmdline_wanted(const char *cmdline)
{
	const char *p = cmdline;

	while ((p = strstr(p, "acpi=off")) != NULL) {
		if ((p == cmdline || p[-1] == ' ') && (p[8] == '\0' || p[8] == ' '))
			return true;
		p += 8;
	}
	return false;
}

int mmio_cmdline_append(const struct dev_descs *devs, char *cmdline, size_t cap)
{
	size_t len = strlen(cmdline), start = len;
	int n = 0;

	for (unsigned int i = 0; i < devs->n; i++) {
		const struct dev_desc *d = &devs->d[i];
		int w;

		if (d->space != DESC_MMIO || !d->compatible || strcmp(d->compatible, "virtio,mmio") != 0 || d->irq < 0)
			continue;
		w = snprintf(cmdline + len, cap - len, "%svirtio_mmio.device=0x%llx@0x%llx:%d", len ? " " : "",
			     (unsigned long long)d->regs[0].size, (unsigned long long)d->regs[0].base, d->irq);
		if (w < 0 || (size_t)w >= cap - len) {
			cmdline[start] = '\0';
			return -E2BIG;
		}
		len += (size_t)w;
		n++;
	}
	return n;
}
