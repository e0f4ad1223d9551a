/* Unit tests of the PCI host bridge and virtio-pci: mechanism #1, multi-function slots, BAR sizing and moves, capabilities, common config, MSI-X per queue, KVM plumbing. */
#include "tests/unit/suites.h"

#include "devices/pci.h"
#include "devices/virtio/pci.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/irq.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

static struct vm vm;
static char img[64];

/* A blk device in slot 1 and an rng in slot 2, over PCI. */
static void setup(void)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_PCI, .rng = true, .ndisks = 1 };

	ck_assert_int_eq(testvm_image(img, sizeof(img), 1 << 20, 0), 0);
	c.disks[0] = testvm_disk(img, false, "pci-disk");
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
}

static void teardown(void)
{
	testvm_stop(&vm);
	unlink(img);
}

START_TEST(config_mechanism_1)
{
	uint8_t d[4];

	/* the host bridge in slot 0, the devices in 1 and 2, nothing in 3 */
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 0, PCI_VENDOR_ID, 4), PCI_HOST_DEVICE << 16 | PCI_HOST_VENDOR);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 0, 0x08, 4) >> 8, PCI_CLASS_HOST_BRIDGE);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_VENDOR_ID, 2), VIRTIO_PCI_VENDOR);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_DEVICE_ID, 2), VIRTIO_PCI_DEVICE_BASE + VIRTIO_ID_BLOCK);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 2, PCI_DEVICE_ID, 2), VIRTIO_PCI_DEVICE_BASE + VIRTIO_ID_RNG);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_REVISION, 1), 1);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_SUBSYS_ID, 2), VIRTIO_PCI_SUBSYS_ID);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, 0x0a, 2), 0x0180);	/* mass storage, other */
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 3, PCI_VENDOR_ID, 4), 0xffffffffu);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 3, PCI_VENDOR_ID, 2), 0xffff);
	/* byte and word reads of a dword agree */
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_VENDOR_ID + 1, 1), VIRTIO_PCI_VENDOR >> 8);
	/* another function, another bus, or the enable bit clear: nothing there */
	memset(d, 0, 4);
	d[0] = 0;
	d[1] = 1 << 3 | 1;	/* slot 1, function 1 */
	d[2] = 0;
	d[3] = 0x80;
	bus_access(&vm.plat.pio, NULL, 0xcf8, d, 4, true);
	bus_access(&vm.plat.pio, NULL, 0xcfc, d, 4, false);
	ck_assert_uint_eq(d[0] & d[1] & d[2] & d[3], 0xff);
	d[0] = 0;
	d[1] = 1 << 3;
	d[2] = 1;		/* bus 1 */
	d[3] = 0x80;
	bus_access(&vm.plat.pio, NULL, 0xcf8, d, 4, true);
	bus_access(&vm.plat.pio, NULL, 0xcfc, d, 4, false);
	ck_assert_uint_eq(d[0] & d[1] & d[2] & d[3], 0xff);
	memset(d, 0, 4);
	d[1] = 1 << 3;		/* enable bit clear */
	bus_access(&vm.plat.pio, NULL, 0xcf8, d, 4, true);
	bus_access(&vm.plat.pio, NULL, 0xcfc, d, 2, false);
	ck_assert_uint_eq(d[0] & d[1], 0xff);
	/* CONFIG_ADDRESS reads back (low two bits zero); byte accesses there do nothing */
	fakedrv_cfg_read(&vm, 2, 0x11, 1);
	bus_access(&vm.plat.pio, NULL, 0xcf8, d, 4, false);
	ck_assert_uint_eq(d[0] | d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24,
			  PCI_CFG_ADDR_ENABLE | 2 << 11 | 0x10);
	d[0] = 0;
	bus_access(&vm.plat.pio, NULL, 0xcf9, d, 1, true);
	bus_access(&vm.plat.pio, NULL, 0xcf9, d, 1, false);
	ck_assert_uint_eq(d[0], 0xff);
	/* read-only header fields stay put */
	fakedrv_cfg_write(&vm, 1, PCI_VENDOR_ID, 4, 0x12345678);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_VENDOR_ID, 2), VIRTIO_PCI_VENDOR);
	/* interrupt routing: INTA# on the slot's IOAPIC input */
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_INT_PIN, 1), 1);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_INT_LINE, 1), KEEL_VIRTIO_GSI_BASE);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 2, PCI_INT_LINE, 1), KEEL_VIRTIO_GSI_BASE + 1);
}
END_TEST

START_TEST(bar_sizing_and_moving)
{
	uint32_t bar = fakedrv_cfg_read(&vm, 1, PCI_BAR0, 4), moved = KEEL_PCI_MMIO_BASE + 0x100000;
	struct fakedrv d;

	ck_assert_uint_ge(bar, KEEL_PCI_MMIO_BASE);
	ck_assert_uint_lt(bar, KEEL_PCI_MMIO_BASE + KEEL_PCI_MMIO_SIZE);
	ck_assert_uint_eq(bar % VIRTIO_PCI_BAR_SIZE, 0);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_COMMAND, 2) & PCI_CMD_MEM, PCI_CMD_MEM);
	/* sizing: all ones in, the size mask out (32-bit memory, not prefetchable) */
	fakedrv_cfg_write(&vm, 1, PCI_BAR0, 4, 0xffffffff);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_BAR0, 4), ~(VIRTIO_PCI_BAR_SIZE - 1));
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_BAR0 + 4, 4), 0);	/* no BAR 1 */
	/* move it: the old address is empty, the new one answers */
	fakedrv_cfg_write(&vm, 1, PCI_BAR0, 4, moved);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_BAR0, 4), moved);
	ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 1), 0);
	ck_assert_uint_eq(d.bar0, moved);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, moved + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, bar + VIRTIO_PCI_COMMON_NUMQ, 2), 0xffff);
	/* memory decoding off: unmapped; on again: back */
	fakedrv_cfg_write(&vm, 1, PCI_COMMAND, 2, 0);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, moved + VIRTIO_PCI_COMMON_NUMQ, 2), 0xffff);
	fakedrv_cfg_write(&vm, 1, PCI_COMMAND, 2, PCI_CMD_MEM | PCI_CMD_MASTER);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, moved + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	/* placed over the other device's BAR: refused, not mapped, nothing breaks */
	fakedrv_cfg_write(&vm, 1, PCI_BAR0, 4, fakedrv_cfg_read(&vm, 2, PCI_BAR0, 4));
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, fakedrv_cfg_read(&vm, 2, PCI_BAR0, 4) + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
}
END_TEST

START_TEST(virtio_capabilities)
{
	unsigned int seen = 0, n = 0;
	struct fakedrv d;
	uint8_t cap;

	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
	for (cap = (uint8_t)fakedrv_cfg_read(&vm, 1, PCI_CAP_PTR, 1); cap && n < 16;
	     cap = (uint8_t)fakedrv_cfg_read(&vm, 1, cap + 1u, 1), n++) {
		uint8_t id = (uint8_t)fakedrv_cfg_read(&vm, 1, cap, 1);

		ck_assert_uint_eq(cap % 4, 0);
		ck_assert_uint_ge(cap, 0x40);
		if (id == PCI_CAP_ID_MSIX) {
			ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, cap + 2u, 2) & 0x7ff, 1);	/* 2 vectors */
			ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, cap + 4u, 4), VIRTIO_PCI_MSIX_TABLE_OFF);
			ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, cap + 8u, 4), VIRTIO_PCI_MSIX_PBA_OFF);
			seen |= 1u << 0;
			continue;
		}
		if (id == PCI_CAP_ID_PM) {
			ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, cap + 2u, 2) & 7, 3);	/* PM 1.2 */
			ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, cap + 4u, 2) & 0xb, 0);	/* D0, No_Soft_Reset clear */
			seen |= 1u << 6;
			continue;
		}
		ck_assert_uint_eq(id, PCI_CAP_ID_VNDR);
		seen |= 1u << fakedrv_cfg_read(&vm, 1, cap + 3u, 1);
		ck_assert_uint_ge(fakedrv_cfg_read(&vm, 1, cap + 2u, 1), 16);	/* cap_len */
		ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, cap + 4u, 1), 0);	/* BAR 0 */
	}
	ck_assert_uint_eq(seen, 0x7f);	/* MSI-X, common, notify, ISR, device, PCI cfg, PM */
	ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 1), 0);
	ck_assert_uint_eq(d.common, VIRTIO_PCI_COMMON_OFF);
	ck_assert_uint_eq(d.isr, VIRTIO_PCI_ISR_OFF);
	ck_assert_uint_eq(d.devcfg, VIRTIO_PCI_DEVCFG_OFF);
	ck_assert_uint_eq(d.notify, VIRTIO_PCI_NOTIFY_OFF);
	ck_assert_uint_eq(d.notify_mult, 4);
	/* the rng has no device configuration: no such capability */
	ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 2), 0);
	ck_assert_uint_eq(d.devcfg, 0);
}
END_TEST

START_TEST(pci_cfg_access_window)
{
	struct fakedrv d;
	uint64_t direct;

	ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 1), 0);
	direct = fakedrv_device_features(&d);
	/* through VIRTIO_PCI_CAP_PCI_CFG: select word 1 with a write, read it back */
	fakedrv_cfg_write(&vm, 1, d.cfg_cap + 4u, 1, 0);					/* bar */
	fakedrv_cfg_write(&vm, 1, d.cfg_cap + 12u, 4, 4);					/* length */
	fakedrv_cfg_write(&vm, 1, d.cfg_cap + 8u, 4, VIRTIO_PCI_COMMON_DFSELECT);		/* offset */
	fakedrv_cfg_write(&vm, 1, d.cfg_cap + 16u, 4, 1);					/* data: write */
	fakedrv_cfg_write(&vm, 1, d.cfg_cap + 8u, 4, VIRTIO_PCI_COMMON_DF);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, d.cfg_cap + 16u, 4), (uint32_t)(direct >> 32));
	/* the device configuration too: capacity of a 1 MiB disk */
	fakedrv_cfg_write(&vm, 1, d.cfg_cap + 8u, 4, VIRTIO_PCI_DEVCFG_OFF);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, d.cfg_cap + 16u, 4), 2048);
	/* a misaligned or odd-sized window does nothing */
	fakedrv_cfg_write(&vm, 1, d.cfg_cap + 12u, 4, 3);
	fakedrv_cfg_read(&vm, 1, d.cfg_cap + 16u, 4);
}
END_TEST

START_TEST(common_config_registers)
{
	struct fakedrv d;
	uint64_t f;

	ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 1), 0);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	f = fakedrv_device_features(&d);
	ck_assert(f & VIRTIO_BIT(VIRTIO_F_VERSION_1));
	ck_assert(f & VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	ck_assert(!(f & VIRTIO_BIT(VIRTIO_BLK_F_RO)));
	/* feature words past 1 read 0 */
	fakedrv_mmio_write(&vm, d.bar0 + VIRTIO_PCI_COMMON_DFSELECT, 4, 7);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_DF, 4), 0);
	/* an unavailable queue has size 0 */
	fakedrv_mmio_write(&vm, d.bar0 + VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	ck_assert_uint_eq(fakedrv_queue_max(&d, 0), 256);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_Q_NOFF, 2), 0);
	/* 64-bit fields: halves and whole */
	fakedrv_mmio_write(&vm, d.bar0 + VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x1000);
	fakedrv_mmio_write(&vm, d.bar0 + VIRTIO_PCI_COMMON_Q_DESCHI, 4, 0x2);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_Q_DESCLO, 8), 0x200001000ull);
	fakedrv_mmio_write(&vm, d.bar0 + VIRTIO_PCI_COMMON_Q_USEDLO, 8, 0x3000);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_Q_USEDHI, 4), 0);
	/* MSI-X vectors: in range kept, out of range NO_VECTOR */
	fakedrv_mmio_write(&vm, d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2, 1);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2), 1);
	fakedrv_mmio_write(&vm, d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2, 2);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	/* a driver that does not accept VERSION_1 is refused FEATURES_OK */
	ck_assert_int_eq(fakedrv_init(&d, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH), NULL), -EIO);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, &f), 0);
	/* reset unmaps the vectors */
	fakedrv_mmio_write(&vm, d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2, 0);
	ck_assert_int_eq(fakedrv_reset(&d), 0);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
}
END_TEST

/* Set up the rng (slot 2) with queue 0 on MSI-X vector 1, config on vector 0. */
static void rng_ready(struct fakedrv *d, struct fakeq *q)
{
	ck_assert_int_eq(fakedrv_open_pci(d, &vm, 2), 0);
	ck_assert_int_eq(fakedrv_init(d, ~0ull, NULL), 0);
	fakedrv_msix_enable(d);
	fakedrv_msix_vector(d, 0, 0xfee00000, 0x30, false);
	fakedrv_msix_vector(d, 1, 0xfee00000, 0x31, false);
	fakedrv_mmio_write(&vm, d->bar0 + VIRTIO_PCI_COMMON_MSIX, 2, 0);
	fakeq_init(q, &vm.plat.mem, 0x100000, 16);
	fakedrv_queue(d, 0, q, 1);
	fakedrv_driver_ok(d);
}

START_TEST(msix_delivery_masking_and_intx)
{
	struct virtio_pci *vp = vm.virtio->slots[1].pci;
	const struct fakeq_buf b[] = { { 0x200000, 64, true } };
	struct fakedrv d;
	struct fakeq q;
	uint32_t id, len;
	uint64_t pba;

	rng_ready(&d, &q);
	fakeq_offer(&q, fakeq_chain(&q, 0, b, 1));
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(fakeq_wait_used(&q, &id, &len, 2000), 1);
	ck_assert_uint_eq(len, 64);
	ck_assert_uint_eq(fakedrv_irqs(virtio_pci_vector_fd(vp, 1)), 1);
	ck_assert_uint_eq(fakedrv_isr(&d), 0);		/* ISR unused with MSI-X */
	/* masked: nothing delivered, the pending bit is set; unmasking delivers it */
	fakedrv_msix_vector(&d, 1, 0xfee00000, 0x31, true);
	fakeq_set_used_event(&q, 1);		/* EVENT_IDX: ask for the next one */
	fakeq_offer(&q, fakeq_chain(&q, 1, b, 1));
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(fakeq_wait_used(&q, &id, &len, 2000), 1);
	usleep(20000);
	ck_assert_uint_eq(fakedrv_irqs(virtio_pci_vector_fd(vp, 1)), 0);
	pba = fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_MSIX_PBA_OFF, 8);
	ck_assert_uint_eq(pba, 2);
	fakedrv_msix_vector(&d, 1, 0xfee00000, 0x31, false);
	ck_assert_uint_eq(fakedrv_irqs(virtio_pci_vector_fd(vp, 1)), 1);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_MSIX_PBA_OFF, 8), 0);
	/* the table reads back what was written */
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_MSIX_TABLE_OFF + 16 + 8, 4), 0x31);
	/* MSI-X off: INTx, with the ISR bit and the status bit */
	fakedrv_cfg_write(&vm, 2, d.msix_cap + 2u, 2, 0);
	fakeq_set_used_event(&q, 2);
	fakeq_offer(&q, fakeq_chain(&q, 2, b, 1));
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(fakeq_wait_used(&q, &id, &len, 2000), 1);
	usleep(20000);
	ck_assert_uint_eq(fakedrv_irqs(virtio_pci_intx_fd(vp)), 1);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 2, PCI_STATUS, 2) & PCI_STATUS_INTX, PCI_STATUS_INTX);
	ck_assert_uint_eq(fakedrv_isr(&d), VIRTIO_PCI_ISR_QUEUE);
	ck_assert_uint_eq(fakedrv_isr(&d), 0);		/* reading cleared it */
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 2, PCI_STATUS, 2) & PCI_STATUS_INTX, 0);
}
END_TEST

/* The offset of the rng's (slot 2) capability @id, or 0. */
static uint8_t find_cap(uint8_t id)
{
	for (uint8_t cap = (uint8_t)fakedrv_cfg_read(&vm, 2, PCI_CAP_PTR, 1); cap;
	     cap = (uint8_t)fakedrv_cfg_read(&vm, 2, cap + 1u, 1))
		if (fakedrv_cfg_read(&vm, 2, cap, 1) == id)
			return cap;
	return 0;
}

/* D3hot -> D0 through PMCSR resets the function (the reset Linux's sysfs reset file does): status 0, MSI-X off. */
START_TEST(pm_reset)
{
	uint8_t pm = find_cap(PCI_CAP_ID_PM);
	struct fakedrv d;
	struct fakeq q;

	ck_assert_uint_ne(pm, 0);
	rng_ready(&d, &q);
	ck_assert_uint_ne(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_DRIVER_OK, 0);
	ck_assert_uint_ne(fakedrv_cfg_read(&vm, 2, d.msix_cap + 2u, 2) & 0x8000, 0);
	fakedrv_cfg_write(&vm, 2, pm + 4u, 2, 1);	/* D1 does not exist: stays D0 */
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 2, pm + 4u, 2) & 3, 0);
	ck_assert_uint_ne(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_STATUS, 1), 0);
	fakedrv_cfg_write(&vm, 2, pm + 4u, 2, 3);	/* D3hot: nothing is reset yet */
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 2, pm + 4u, 2) & 3, 3);
	ck_assert_uint_ne(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_STATUS, 1), 0);
	fakedrv_cfg_write(&vm, 2, pm + 4u, 2, 0);	/* back to D0: reset */
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 2, pm + 4u, 2) & 3, 0);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_STATUS, 1), 0);
	ck_assert_uint_eq(fakedrv_cfg_read(&vm, 2, d.msix_cap + 2u, 2) & 0xc000, 0);
	/* and the driver can start over */
	rng_ready(&d, &q);
	ck_assert_uint_ne(fakedrv_mmio_read(&vm, d.bar0 + VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_DRIVER_OK, 0);
}
END_TEST

START_TEST(notify_register_without_ioeventfd)
{
	const struct fakeq_buf b[] = { { 0x200000, 16, true } };
	struct fakedrv d;
	struct fakeq q;
	uint32_t id, len;

	/* 32-bit writes (not what an ioeventfd would match) still reach the queue */
	rng_ready(&d, &q);
	fakeq_offer(&q, fakeq_chain(&q, 0, b, 1));
	fakedrv_mmio_write(&vm, d.bar0 + d.notify, 4, 0);
	ck_assert_int_eq(fakeq_wait_used(&q, &id, &len, 2000), 1);
	/* a notification for a queue that does not exist is ignored */
	fakedrv_mmio_write(&vm, d.bar0 + d.notify + 4 * 7, 2, 7);
}
END_TEST

/* --- multi-function slots, on a host bridge of its own ---------------------------------------- */

static struct bus mf_pio, mf_mmio;
static struct pci_host mf_host;
static struct pci_dev mf_dev[4];

static int mf_bar_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)vcpu;
	(void)offset;
	if (!is_write)
		memset(data, (int)(uintptr_t)opaque, len);
	return 0;
}

/* Four functions with device IDs 0x1000 + i, each with a 4 KiB memory BAR reading all bytes i + 1. */
static void mf_setup(void)
{
	ck_assert_int_eq(bus_init(&mf_pio, "pio"), 0);
	ck_assert_int_eq(bus_init(&mf_mmio, "mmio"), 0);
	ck_assert_int_eq(pci_host_init(&mf_host, &mf_pio, &mf_mmio, KEEL_PCI_MMIO_BASE, KEEL_PCI_MMIO_SIZE), 0);
	for (unsigned int i = 0; i < 4; i++) {
		pci_dev_init(&mf_dev[i], "mf", 0x1af4, (uint16_t)(0x1000 + i), 0xff0000, 0, 0, 0, 0xff);
		pci_dev_set_bar(&mf_dev[i], 0, 0x1000, false, mf_bar_io, (void *)(uintptr_t)(i + 1));
	}
}

static void mf_teardown(void)
{
	pci_host_destroy(&mf_host);
	bus_destroy(&mf_mmio);
	bus_destroy(&mf_pio);
}

/* A configuration read through ports 0xcf8/0xcfc, as a guest does it. */
static uint32_t mf_port_read(unsigned int slot, unsigned int fn, uint32_t off)
{
	uint32_t a = PCI_CFG_ADDR_ENABLE | slot << 11 | fn << 8 | off;
	uint8_t d[4] = { (uint8_t)a, (uint8_t)(a >> 8), (uint8_t)(a >> 16), (uint8_t)(a >> 24) };

	bus_access(&mf_pio, NULL, 0xcf8, d, 4, true);
	bus_access(&mf_pio, NULL, 0xcfc, d, 4, false);
	return d[0] | d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
}

/* Configuration reads and writes of slot s, function f reach that function and no other. */
START_TEST(multifunction_config_reads)
{
	ck_assert_int_eq(pci_host_add(&mf_host, 3, 0, &mf_dev[0]), 0);
	ck_assert_int_eq(pci_host_add(&mf_host, 3, 5, &mf_dev[1]), 0);
	ck_assert_int_eq(pci_host_add(&mf_host, 3, 7, &mf_dev[2]), 0);
	ck_assert_int_eq(pci_host_add(&mf_host, 4, 0, &mf_dev[3]), 0);
	ck_assert_uint_eq(mf_dev[1].slot, 3);
	ck_assert_uint_eq(mf_dev[1].fn, 5);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 0, PCI_DEVICE_ID, 2), 0x1000);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 5, PCI_DEVICE_ID, 2), 0x1001);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 7, PCI_VENDOR_ID, 4), 0x1002u << 16 | 0x1af4);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 4, 0, PCI_DEVICE_ID, 2), 0x1003);
	/* the same through the ports */
	ck_assert_uint_eq(mf_port_read(3, 5, PCI_VENDOR_ID), 0x1001u << 16 | 0x1af4);
	ck_assert_uint_eq(mf_port_read(3, 7, PCI_VENDOR_ID), 0x1002u << 16 | 0x1af4);
	/* empty functions read all ones, through either path; functions past 7 do not exist */
	for (unsigned int f = 1; f < PCI_MAX_FUNCS; f++)
		if (f != 5 && f != 7) {
			ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, f, PCI_VENDOR_ID, 4), 0xffffffffu);
			ck_assert_uint_eq(mf_port_read(3, f, PCI_VENDOR_ID), 0xffffffffu);
		}
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 4, 1, PCI_VENDOR_ID, 4), 0xffffffffu);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 8, PCI_VENDOR_ID, 4), 0xffffffffu);
	/* writes land in their function alone */
	pci_cfg_write(&mf_host, 3, 5, PCI_INT_LINE, 1, 0x42);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 5, PCI_INT_LINE, 1), 0x42);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 0, PCI_INT_LINE, 1), 0);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 7, PCI_INT_LINE, 1), 0);
	pci_cfg_write(&mf_host, 3, 6, PCI_INT_LINE, 1, 0x43);	/* nobody there: dropped */
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 6, PCI_INT_LINE, 1), 0xff);
	/* each function's BAR has an address of its own, and answers there */
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t at = mf_dev[i].bar[0].mapped;
		uint8_t b = 0;

		ck_assert_uint_ge(at, KEEL_PCI_MMIO_BASE);
		for (unsigned int j = 0; j < i; j++)
			ck_assert_uint_ne(at, mf_dev[j].bar[0].mapped);
		bus_access(&mf_mmio, NULL, at, &b, 1, false);
		ck_assert_uint_eq(b, i + 1);
	}
	/* unplugging one function leaves the others */
	pci_host_remove(&mf_host, 3, 5);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 5, PCI_VENDOR_ID, 4), 0xffffffffu);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 3, 7, PCI_DEVICE_ID, 2), 0x1002);
}
END_TEST

/* Function 0's header type has bit 7 exactly while its slot holds another function. */
START_TEST(multifunction_header_type)
{
	ck_assert_int_eq(pci_host_add(&mf_host, 1, 0, &mf_dev[0]), 0);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 1, 0, PCI_HEADER_TYPE, 1), 0);
	ck_assert_int_eq(pci_host_add(&mf_host, 1, 1, &mf_dev[1]), 0);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 1, 0, PCI_HEADER_TYPE, 1), PCI_HEADER_MULTI_FN);
	ck_assert_uint_eq(mf_port_read(1, 0, 0x0c) >> 16 & 0xff, PCI_HEADER_MULTI_FN);	/* dword read */
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 1, 0, 0x0e, 2), PCI_HEADER_MULTI_FN);	/* word read */
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 1, 0, 0x0f, 1), 0);			/* BIST: untouched */
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 1, 1, PCI_HEADER_TYPE, 1), 0);	/* only on function 0 */
	ck_assert_uint_eq(mf_dev[0].cfg[PCI_HEADER_TYPE], 0);		/* computed, not stored */
	/* a write does not clear it */
	pci_cfg_write(&mf_host, 1, 0, PCI_HEADER_TYPE, 1, 0);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 1, 0, PCI_HEADER_TYPE, 1), PCI_HEADER_MULTI_FN);
	/* another slot is unaffected; the bit goes when the other function does */
	ck_assert_int_eq(pci_host_add(&mf_host, 2, 0, &mf_dev[2]), 0);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 2, 0, PCI_HEADER_TYPE, 1), 0);
	pci_host_remove(&mf_host, 1, 1);
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 1, 0, PCI_HEADER_TYPE, 1), 0);
	/* the host bridge is a single function */
	ck_assert_uint_eq(pci_cfg_read(&mf_host, 0, 0, PCI_HEADER_TYPE, 1), 0);
}
END_TEST

/* Where a function may go: slots 1-31, functions 0-7, function 0 first, each place once. */
START_TEST(multifunction_add_rules)
{
	ck_assert_int_eq(pci_host_add(&mf_host, 2, 1, &mf_dev[1]), -EINVAL);	/* no function 0 yet */
	ck_assert_int_eq(pci_host_add(&mf_host, 2, 8, &mf_dev[1]), -EINVAL);
	ck_assert_int_eq(pci_host_add(&mf_host, 0, 1, &mf_dev[1]), -EINVAL);	/* the bridge's slot */
	ck_assert_int_eq(pci_host_add(&mf_host, PCI_MAX_SLOTS, 0, &mf_dev[1]), -EINVAL);
	ck_assert_int_eq(pci_host_add(&mf_host, 2, 0, &mf_dev[0]), 0);
	ck_assert_int_eq(pci_host_add(&mf_host, 2, 1, &mf_dev[1]), 0);
	ck_assert_int_eq(pci_host_add(&mf_host, 2, 1, &mf_dev[2]), -EBUSY);
	ck_assert_int_eq(pci_host_add(&mf_host, 2, 7, &mf_dev[2]), 0);
	/* pci_host_destroy (the teardown) unplugs them all, whatever the order */
}
END_TEST

/* --- MSI-X: one vector per queue plus one for configuration changes ----------------------------- */

static struct vm qvm;
static char qimg[64], qout[64], qdir[64], qsock[96];

/* Over PCI: a blk (1 queue, slot 1), a console (2, slot 2), an rng (1, slot 3), a NIC (3, slot 4). */
static void perq_setup(void)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_PCI, .rng = true, .ndisks = 1, .nnets = 1 };
	char spec[96];
	int fd;

	ck_assert_int_eq(testvm_image(qimg, sizeof(qimg), 1 << 20, 0), 0);
	c.disks[0] = testvm_disk(qimg, false, NULL);
	snprintf(qout, sizeof(qout), "/tmp/keel-perq-out.XXXXXX");
	fd = mkstemp(qout);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(spec, sizeof(spec), "file:%s", qout);
	c.console = (struct virtio_console_opts){ .kind = VIRTIO_CONSOLE_FILE, .spec = strdup(spec),
						  .path = strdup(qout) };
	snprintf(qdir, sizeof(qdir), "/tmp/keel-perq.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(qdir));
	snprintf(qsock, sizeof(qsock), "%s/nic", qdir);
	c.nets[0] = (struct virtio_net_opts){ .kind = VIRTIO_NET_SOCKET, .spec = strdup(qsock), .path = strdup(qsock),
					      .mac = { 0x02, 0, 0, 0, 0, 0x07 }, .mac_given = true };
	ck_assert_int_eq(testvm_start(&qvm, &c), 0);
}

static void perq_teardown(void)
{
	testvm_stop(&qvm);
	unlink(qimg);
	unlink(qout);
	unlink(qsock);
	rmdir(qdir);
}

/* Each device type's MSI-X table has nqueues + 1 vectors; each queue can have one of its own, and rings only it. */
START_TEST(msix_vector_per_queue)
{
	static const unsigned int nq[] = { 1, 2, 1, 3 };	/* blk, console, rng, net */

	for (unsigned int slot = 1; slot <= 4; slot++) {
		struct virtio_slot *vs = &qvm.virtio->slots[slot - 1];
		struct virtio_dev *dev = vs->dev;
		unsigned int n = nq[slot - 1];
		struct fakedrv d;

		ck_assert_int_eq(fakedrv_open_pci(&d, &qvm, slot), 0);
		ck_assert_uint_eq(fakedrv_mmio_read(&qvm, d.bar0 + VIRTIO_PCI_COMMON_NUMQ, 2), n);
		ck_assert_uint_eq((fakedrv_cfg_read(&qvm, slot, d.msix_cap + 2u, 2) & 0x7ff) + 1, n + 1);
		ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
		fakedrv_msix_enable(&d);
		for (unsigned int v = 0; v <= n; v++)
			fakedrv_msix_vector(&d, v, 0xfee00000, 0x40 + v, false);
		fakedrv_mmio_write(&qvm, d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2, 0);
		for (unsigned int q = 0; q < n; q++) {
			fakedrv_mmio_write(&qvm, d.bar0 + VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
			fakedrv_mmio_write(&qvm, d.bar0 + VIRTIO_PCI_COMMON_Q_MSIX, 2, q + 1);
			ck_assert_uint_eq(fakedrv_mmio_read(&qvm, d.bar0 + VIRTIO_PCI_COMMON_Q_MSIX, 2), q + 1);
		}
		/* one past the table: refused */
		fakedrv_mmio_write(&qvm, d.bar0 + VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
		fakedrv_mmio_write(&qvm, d.bar0 + VIRTIO_PCI_COMMON_Q_MSIX, 2, n + 1);
		ck_assert_uint_eq(fakedrv_mmio_read(&qvm, d.bar0 + VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
		fakedrv_mmio_write(&qvm, d.bar0 + VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
		/* the transport's notifications: queue q rings vector q + 1 alone, configuration vector 0 */
		for (unsigned int q = 0; q <= n; q++) {
			pthread_mutex_lock(&dev->lock);
			if (q < n)
				dev->tops->notify_queue(dev, q);
			else
				dev->tops->notify_config(dev);
			pthread_mutex_unlock(&dev->lock);
			for (unsigned int v = 0; v <= n; v++)
				ck_assert_uint_eq(fakedrv_irqs(virtio_pci_vector_fd(vs->pci, v)), v == (q + 1) % (n + 1));
		}
		ck_assert_uint_eq(fakedrv_irqs(virtio_pci_intx_fd(vs->pci)), 0);
	}
}
END_TEST

/* --- one machine, both transports: transport= and msix=off per device ------------------------- */

static struct vm xvm;
static char ximg[64];

/* A disk on MMIO (transport=mmio), then the rng over PCI without MSI-X (msix=off): slot 1. */
static void mixed_setup(void)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_PCI, .rng = true, .ndisks = 1 };

	ck_assert_int_eq(testvm_image(ximg, sizeof(ximg), 1 << 20, 0), 0);
	c.disks[0] = testvm_disk(ximg, false, NULL);
	c.disks[0].place = (struct virtio_place){ .transport = VIRTIO_TRANSPORT_MMIO, .transport_given = true };
	c.rng_place = (struct virtio_place){ .no_msix = true, .msix_given = true };
	ck_assert_int_eq(testvm_start(&xvm, &c), 0);
}

static void mixed_teardown(void)
{
	testvm_stop(&xvm);
	unlink(ximg);
}

/* Each device where its option put it; the INTx-only function has no MSI-X capability and raises INTA#. */
START_TEST(mixed_transports_intx_only)
{
	const struct fakeq_buf b[] = { { 0x200000, 64, true } };
	struct virtio_pci *vp = xvm.virtio->slots[1].pci;
	struct fakedrv d, m;
	struct fakeq q;
	uint32_t id, len;

	ck_assert(xvm.virtio->any_pci);
	ck_assert_ptr_nonnull(xvm.virtio->slots[0].mmio);
	ck_assert_ptr_null(xvm.virtio->slots[0].pci);
	ck_assert_ptr_nonnull(vp);
	ck_assert_int_eq(fakedrv_open_mmio(&m, &xvm, KEEL_VIRTIO_MMIO_BASE), 0);
	ck_assert_uint_eq(fakedrv_cfg_read(&xvm, 1, PCI_DEVICE_ID, 2), VIRTIO_PCI_DEVICE_BASE + VIRTIO_ID_RNG);
	ck_assert_int_eq(fakedrv_open_pci(&d, &xvm, 1), 0);
	ck_assert_uint_eq(d.msix_cap, 0);	/* the capability walk found no MSI-X */
	/* a write where a capability's control word would be (the read-only device ID) enables nothing */
	fakedrv_cfg_write(&xvm, 1, 2, 2, 0xffff);
	ck_assert_uint_eq(fakedrv_cfg_read(&xvm, 1, PCI_DEVICE_ID, 2), VIRTIO_PCI_DEVICE_BASE + VIRTIO_ID_RNG);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
	fakedrv_mmio_write(&xvm, d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2, 0);
	ck_assert_uint_eq(fakedrv_mmio_read(&xvm, d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(fakedrv_mmio_read(&xvm, d.bar0 + VIRTIO_PCI_MSIX_TABLE_OFF, 4), 0);
	fakeq_init(&q, &xvm.plat.mem, 0x100000, 16);
	fakedrv_queue(&d, 0, &q, 1);
	fakedrv_mmio_write(&xvm, d.bar0 + VIRTIO_PCI_COMMON_Q_MSIX, 2, 0);
	ck_assert_uint_eq(fakedrv_mmio_read(&xvm, d.bar0 + VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	fakedrv_driver_ok(&d);
	fakeq_offer(&q, fakeq_chain(&q, 0, b, 1));
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(fakeq_wait_used(&q, &id, &len, 2000), 1);
	ck_assert_uint_eq(len, 64);
	usleep(20000);
	ck_assert_uint_eq(fakedrv_irqs(virtio_pci_intx_fd(vp)), 1);
	ck_assert_uint_eq(fakedrv_isr(&d), VIRTIO_PCI_ISR_QUEUE);
	ck_assert_int_eq(virtio_pci_vector_fd(vp, 0), -1);
}
END_TEST

/* The routing and eventfd plumbing against the real /dev/kvm. */
START_TEST(kvm_gsi_routing_irqfd_ioeventfd)
{
	struct irq_router r;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vmfd, efd, gsi;

	ck_assert_int_ge(kvm, 0);
	vmfd = ioctl(kvm, KVM_CREATE_VM, 0UL);
	ck_assert_int_ge(vmfd, 0);
	ck_assert_int_eq(ioctl(vmfd, KVM_CREATE_IRQCHIP, 0), 0);
	ck_assert_int_eq(irq_router_init(&r, vmfd), 0);
	efd = eventfd(0, EFD_CLOEXEC);
	gsi = irq_router_alloc_gsi(&r);
	ck_assert_int_eq(gsi, KEEL_MSI_GSI_BASE);
	ck_assert_int_eq(kvm_irqfd(vmfd, efd, (unsigned int)gsi, true), 0);
	ck_assert_int_eq(irq_router_set_msi(&r, (unsigned int)gsi, 0xfee00000, 0x41), 0);
	ck_assert_int_eq(irq_router_set_msi(&r, (unsigned int)gsi, 0xfee00000, 0x42), 0);
	ck_assert_int_eq(irq_router_clear(&r, (unsigned int)gsi), 0);
	ck_assert_int_eq(kvm_irqfd(vmfd, efd, (unsigned int)gsi, false), 0);
	ck_assert_int_eq(kvm_irqfd(vmfd, efd, KEEL_VIRTIO_GSI_BASE, true), 0);	/* an IOAPIC input */
	ck_assert_int_eq(kvm_ioeventfd(vmfd, efd, KEEL_VIRTIO_MMIO_BASE + 0x50, 4, false, true, 1, true), 0);
	ck_assert_int_eq(kvm_ioeventfd(vmfd, efd, KEEL_PCI_MMIO_BASE + 0x3000, 2, false, false, 0, true), 0);
	ck_assert_int_eq(kvm_ioeventfd(vmfd, efd, KEEL_PCI_MMIO_BASE + 0x3000, 2, false, false, 0, true), -EEXIST);
	ck_assert_int_eq(kvm_ioeventfd(vmfd, efd, KEEL_PCI_MMIO_BASE + 0x3000, 2, false, false, 0, false), 0);
	irq_router_destroy(&r);
	close(efd);
	close(vmfd);
	close(kvm);
}
END_TEST

Suite *virtio_pci_suite(void)
{
	Suite *s = suite_create("virtio_pci");
	TCase *t = tcase_create("pci");
	TCase *k = tcase_create("kvm");
	TCase *mf = tcase_create("multifunction");
	TCase *perq = tcase_create("msix_per_queue");
	TCase *mixed = tcase_create("mixed_transports");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, config_mechanism_1);
	tcase_add_test(t, bar_sizing_and_moving);
	tcase_add_test(t, virtio_capabilities);
	tcase_add_test(t, pci_cfg_access_window);
	tcase_add_test(t, common_config_registers);
	tcase_add_test(t, msix_delivery_masking_and_intx);
	tcase_add_test(t, pm_reset);
	tcase_add_test(t, notify_register_without_ioeventfd);
	suite_add_tcase(s, t);
	tcase_add_test(k, kvm_gsi_routing_irqfd_ioeventfd);
	suite_add_tcase(s, k);
	tcase_add_checked_fixture(mf, mf_setup, mf_teardown);
	tcase_add_test(mf, multifunction_config_reads);
	tcase_add_test(mf, multifunction_header_type);
	tcase_add_test(mf, multifunction_add_rules);
	suite_add_tcase(s, mf);
	tcase_add_checked_fixture(mixed, mixed_setup, mixed_teardown);
	tcase_add_test(mixed, mixed_transports_intx_only);
	suite_add_tcase(s, mixed);
	tcase_add_checked_fixture(perq, perq_setup, perq_teardown);
	tcase_add_test(perq, msix_vector_per_queue);
	suite_add_tcase(s, perq);
	return s;
}
