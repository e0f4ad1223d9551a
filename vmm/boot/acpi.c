/* The ACPI tables of a boot: built by firmware/acpi.c from the vCPUs and the devices' descriptions, placed at KEEL_ACPI_GPA. */
#include "vmm/boot/boot.h"

#include "firmware/acpi.h"
#include "firmware/describe.h"
#include "firmware/machine.h"
#include "vmm/boot/msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int boot_acpi_plan(struct boot_acpi *a, const struct guest_mem *mem, const struct boot_request *req,
		   char *err, size_t errlen)
{
	static const struct dev_descs none;
	void *hva;
	int r;

	memset(a, 0, sizeof(*a));
	if (gmem_translate(mem, KEEL_ACPI_GPA, KEEL_ACPI_SIZE, &hva) != 0)
		return boot_errf(err, errlen, "guest RAM has no room for the ACPI tables at 0x%llx",
				 KEEL_ACPI_GPA);
	a->buf = calloc(1, KEEL_ACPI_SIZE);
	if (!a->buf) {
		boot_errf(err, errlen, "out of host memory for the ACPI tables");
		return -ENOMEM;
	}
	r = acpi_build(req->ncpus, req->devices ? req->devices : &none, KEEL_ACPI_GPA, a->buf, KEEL_ACPI_SIZE,
		       &a->len, &a->rsdp_gpa);
	if (r == -ENOSPC)
		return boot_errf(err, errlen, "the ACPI tables for %u vCPUs and %u devices do not fit in keel's"
				 " %s ACPI area", req->ncpus, req->devices ? req->devices->n : 0,
				 boot_size(KEEL_ACPI_SIZE).s);
	if (r < 0) {
		boot_errf(err, errlen, "building the ACPI tables failed (%s)", strerror(-r));
		return -EIO;	/* a description keel made itself: a keel bug, not bad input */
	}
	return 0;
}

int boot_acpi_write(const struct boot_acpi *a, const struct guest_mem *mem)
{
	return a->buf && a->len ? gmem_write(mem, KEEL_ACPI_GPA, a->buf, a->len) : 0;
}

void boot_acpi_free(struct boot_acpi *a)
{
	free(a->buf);
	a->buf = NULL;
	a->len = 0;
}
