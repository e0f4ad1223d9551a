/* Unit tests of the PCI host bridge and virtio-pci: mechanism #1, BAR sizing and moves, capabilities, common config, MSI-X, KVM plumbing. */
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
		ck_assert_uint_eq(id, PCI_CAP_ID_VNDR);
		seen |= 1u << fakedrv_cfg_read(&vm, 1, cap + 3u, 1);
		ck_assert_uint_ge(fakedrv_cfg_read(&vm, 1, cap + 2u, 1), 16);	/* cap_len */
		ck_assert_uint_eq(fakedrv_cfg_read(&vm, 1, cap + 4u, 1), 0);	/* BAR 0 */
	}
	ck_assert_uint_eq(seen, 0x3f);	/* MSI-X, common, notify, ISR, device, PCI cfg */
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

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, config_mechanism_1);
	tcase_add_test(t, bar_sizing_and_moving);
	tcase_add_test(t, virtio_capabilities);
	tcase_add_test(t, pci_cfg_access_window);
	tcase_add_test(t, common_config_registers);
	tcase_add_test(t, msix_delivery_masking_and_intx);
	tcase_add_test(t, notify_register_without_ioeventfd);
	suite_add_tcase(s, t);
	tcase_add_test(k, kvm_gsi_routing_irqfd_ioeventfd);
	suite_add_tcase(s, k);
	return s;
}
