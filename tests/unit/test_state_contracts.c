/* Save/restore contracts: the virtio transports, device types and the UART round-trip into fresh objects and refuse hostile states. */
#include "tests/unit/suites.h"

#include "devices/msix.h"
#include "devices/pci.h"
#include "devices/uart.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/console.h"
#include "devices/virtio/mmio.h"
#include "devices/virtio/net.h"
#include "devices/virtio/pci.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RING_GPA 0x100000ull		/* queue q's rings at RING_GPA + q * 0x10000 */
#define BUF_GPA 0x200000ull		/* buffer k at BUF_GPA + k * 0x1000 */
#define RAM_COPY 0x300000ull		/* [RING_GPA, RING_GPA + RAM_COPY) holds every ring and buffer */
#define QSIZE 16u
#define MSI_ADDR 0xfee00000u
#define WAIT_MS 5000

/* A test VM and a fake driver on its first virtio device. */
struct side {
	struct vm vm;
	struct fakedrv d;
	struct fakeq q[VIRTIO_MAX_QUEUES];
	struct virtio_dev *dev;
	struct virtio_slot *slot;
};

static void side_start(struct side *s, const struct virtio_config *c)
{
	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(testvm_start(&s->vm, c), 0);
	s->slot = &s->vm.virtio->slots[0];
	s->dev = s->slot->dev;
	if (s->slot->pci)
		ck_assert_int_eq(fakedrv_open_pci(&s->d, &s->vm, s->slot->pci_slot), 0);
	else
		ck_assert_int_eq(fakedrv_open_mmio(&s->d, &s->vm, s->slot->mmio_base), 0);
}

static uint8_t *area(struct side *s, uint64_t gpa, uint64_t len)
{
	uint8_t *p = testvm_hva(&s->vm, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Negotiate everything offered, set up @nq queues of QSIZE (MSI-X vector @vec on PCI); DRIVER_OK when @ok. */
static void side_driver(struct side *s, unsigned int nq, uint16_t vec, bool ok)
{
	ck_assert_int_eq(fakedrv_init(&s->d, ~0ull, NULL), 0);
	for (unsigned int q = 0; q < nq; q++) {
		fakeq_init(&s->q[q], &s->vm.plat.mem, RING_GPA + q * 0x10000ull, QSIZE);
		fakedrv_queue(&s->d, q, &s->q[q], vec);
	}
	if (ok)
		fakedrv_driver_ok(&s->d);
}

/* The fake driver's queue @from, over the same guest-physical rings in @mem (a copy of its RAM). */
static void fakeq_move(struct fakeq *to, const struct fakeq *from, const struct guest_mem *mem)
{
	*to = *from;
	to->mem = mem;
	to->desc = fakeq_hva(to, from->desc_gpa, 16ull * from->size);
	to->avail = fakeq_hva(to, from->avail_gpa, 6ull + 2ull * from->size);
	to->used = fakeq_hva(to, from->used_gpa, 6ull + 8ull * from->size);
	ck_assert(to->desc && to->avail && to->used);
}

/*
 * Move @src's device core into @dst (a fresh device of the same kind): save it, copy the guest
 * RAM its rings and buffers live in, restore it, and give @dst's driver the same @nq queues.
 */
static void move_core(struct side *dst, struct side *src, unsigned int nq, struct virtio_dev_state *core)
{
	ck_assert_int_eq(virtio_dev_save(src->dev, core), 0);
	memcpy(area(dst, RING_GPA, RAM_COPY), area(src, RING_GPA, RAM_COPY), RAM_COPY);
	ck_assert_int_eq(virtio_dev_restore(dst->dev, core), 0);
	for (unsigned int q = 0; q < nq; q++)
		fakeq_move(&dst->q[q], &src->q[q], &dst->vm.plat.mem);
}

/* Chain @k on queue @q: one buffer of @len bytes (device-writable when @in) at slot @k; notify its use. */
static void offer(struct side *s, unsigned int q, unsigned int k, uint32_t len, bool in)
{
	const struct fakeq_buf b = { BUF_GPA + 0x1000ull * k, len, in };
	uint16_t used = __atomic_load_n(&s->q[q].used->idx, __ATOMIC_ACQUIRE);

	fakeq_set_used_event(&s->q[q], used);
	fakeq_offer(&s->q[q], fakeq_chain(&s->q[q], (uint16_t)(k % QSIZE), &b, 1));
}

/* Offer rng chain @k, kick, and wait for its 32 random bytes. */
static void rng_chain(struct side *s, unsigned int k)
{
	uint32_t len;

	offer(s, 0, k, 32, true);
	fakedrv_kick(&s->d, 0);
	ck_assert_int_eq(fakeq_wait_used(&s->q[0], NULL, &len, WAIT_MS), 1);
	ck_assert_uint_eq(len, 32);
}

/* Wait until eventfd @fd was signalled (consuming the count). Returns the count seen. */
static uint64_t wait_irq(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, WAIT_MS) != 1)
		return 0;
	return fakedrv_irqs(fd);
}

/* --- virtio-pci, its MSI-X table and the PCI host -------------------------------------------- */

static void assert_msix_eq(const struct msix_state *a, const struct msix_state *b)
{
	ck_assert_uint_eq(a->nvec, b->nvec);
	ck_assert_uint_eq(a->ctrl, b->ctrl);
	ck_assert_uint_eq(a->pba, b->pba);
	for (unsigned int v = 0; v < MSIX_STATE_MAX_VECTORS; v++) {
		ck_assert_uint_eq(a->vec[v].addr_lo, b->vec[v].addr_lo);
		ck_assert_uint_eq(a->vec[v].addr_hi, b->vec[v].addr_hi);
		ck_assert_uint_eq(a->vec[v].data, b->vec[v].data);
		ck_assert_uint_eq(a->vec[v].ctrl, b->vec[v].ctrl);
	}
}

static void assert_cfg_eq(const struct pci_dev_state *a, const struct pci_dev_state *b)
{
	for (unsigned int i = 0; i < PCI_CFG_SIZE; i++)
		ck_assert_msg(a->cfg[i] == b->cfg[i], "config byte 0x%x: 0x%x, then 0x%x", i, a->cfg[i], b->cfg[i]);
}

static void assert_pci_eq(const struct virtio_pci_state *a, const struct virtio_pci_state *b)
{
	ck_assert_uint_eq(a->isr, b->isr);
	ck_assert_uint_eq(a->dfselect, b->dfselect);
	ck_assert_uint_eq(a->gfselect, b->gfselect);
	ck_assert_uint_eq(a->queue_select, b->queue_select);
	ck_assert_uint_eq(a->config_vector, b->config_vector);
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		ck_assert_uint_eq(a->queue_vector[q], b->queue_vector[q]);
	assert_cfg_eq(&a->pci, &b->pci);
	assert_msix_eq(&a->msix, &b->msix);
}

/* The MSI route GSI @gsi has in @r, or NULL. */
static const struct kvm_irq_routing_entry *msi_route(struct irq_router *r, int gsi)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (r->entries[i].gsi == (uint32_t)gsi && r->entries[i].type == KVM_IRQ_ROUTING_MSI)
			return &r->entries[i];
	return NULL;
}

static const char *const bad_pci_names[] = {
	"an unknown ISR bit", "config vector out of range", "queue vector out of range",
	"a vector on a queue the device lacks", "another vendor ID", "BAR size bits",
	"another capability pointer", "another MSI-X table offset", "another vector count",
	"an unknown MSI-X control bit", "an unknown vector control bit", "a pending bit past the table",
	"a bit pending on a live vector", "an entry past the table", "capability and MSI-X disagree",
};
#define NBAD_PCI (sizeof(bad_pci_names) / sizeof(bad_pci_names[0]))

/* Make @s bad in way @i of bad_pci_names (@cap: the MSI-X capability's offset). */
static void bad_pci_state(struct virtio_pci_state *s, unsigned int i, uint8_t cap)
{
	switch (i) {
	case 0:
		s->isr |= 4;
		break;
	case 1:
		s->config_vector = 2;
		break;
	case 2:
		s->queue_vector[0] = 7;
		break;
	case 3:
		s->queue_vector[2] = 0;
		break;
	case 4:
		s->pci.cfg[PCI_VENDOR_ID] ^= 1;
		break;
	case 5:
		s->pci.cfg[PCI_BAR0] |= 0x10;
		break;
	case 6:
		s->pci.cfg[PCI_CAP_PTR] += 4;
		break;
	case 7:
		s->pci.cfg[cap + 4] ^= 0x10;
		break;
	case 8:
		s->msix.nvec = 3;
		break;
	case 9:
		s->msix.ctrl |= 0x2000;
		break;
	case 10:
		s->msix.vec[1].ctrl |= 2;
		break;
	case 11:
		s->msix.pba |= 1ull << 5;
		break;
	case 12:
		s->msix.pba |= 1;	/* vector 0 is unmasked, MSI-X enabled */
		break;
	case 13:
		s->msix.vec[5].data = 0x33;
		break;
	default:
		s->pci.cfg[cap + 3] ^= MSIX_CTRL_ENABLE >> 8;
		break;
	}
}

/*
 * virtio-rng over PCI driven into a state with every transport register in play: MSI-X on, the
 * config vector live, the queue's vector masked with its bit pending, an ISR bit raised while
 * MSI-X was off, the feature selects and queue select moved, BAR 0 moved, bus mastering on, the
 * interrupt line and the PCI_CFG window written. Saved, restored into a fresh VM, saved again:
 * field by field the same; then the restored transport answers at the new BAR, with its routes
 * programmed, its pending interrupt delivered on unmask and a new request's interrupt.
 */
START_TEST(pci_round_trip)
{
	const struct virtio_config c = { .transport = VIRTIO_TRANSPORT_PCI, .rng = true };
	const uint32_t moved = KEEL_PCI_MMIO_BASE + 0x100000;
	struct virtio_pci_state a, b, bad;
	struct pci_host_state ha, hb, hbad;
	struct virtio_dev_state core;
	static struct side src, dst;
	const struct kvm_irq_routing_entry *e;
	struct virtio_pci *vp;
	unsigned int slot;
	uint32_t oldbar;

	side_start(&src, &c);
	slot = src.slot->pci_slot;
	ck_assert_int_eq(fakedrv_init(&src.d, ~0ull, NULL), 0);
	fakedrv_msix_enable(&src.d);
	fakedrv_msix_vector(&src.d, 0, MSI_ADDR, 0x30, false);
	fakedrv_msix_vector(&src.d, 1, MSI_ADDR, 0x31, true);
	fakedrv_mmio_write(&src.vm, src.d.bar0 + VIRTIO_PCI_COMMON_MSIX, 2, 0);
	fakeq_init(&src.q[0], &src.vm.plat.mem, RING_GPA, QSIZE);
	fakedrv_queue(&src.d, 0, &src.q[0], 1);
	fakedrv_driver_ok(&src.d);
	/* vector 1 masked: the request's interrupt waits in the PBA */
	rng_chain(&src, 0);
	for (int i = 0; i < 200 && fakedrv_mmio_read(&src.vm, src.d.bar0 + VIRTIO_PCI_MSIX_PBA_OFF, 8) != 2; i++)
		usleep(10000);
	ck_assert_uint_eq(fakedrv_mmio_read(&src.vm, src.d.bar0 + VIRTIO_PCI_MSIX_PBA_OFF, 8), 2);
	/* MSI-X off: the next one raises INTx and the ISR; MSI-X back on, the pending bit still there */
	fakedrv_cfg_write(&src.vm, slot, src.d.msix_cap + 2u, 2, 0);
	rng_chain(&src, 1);
	ck_assert_uint_eq(wait_irq(virtio_pci_intx_fd(src.slot->pci)), 1);
	fakedrv_msix_enable(&src.d);
	fakedrv_mmio_write(&src.vm, src.d.bar0 + VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	fakedrv_mmio_write(&src.vm, src.d.bar0 + VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	fakedrv_mmio_write(&src.vm, src.d.bar0 + VIRTIO_PCI_COMMON_Q_SELECT, 2, 5);
	/* the function's configuration space: BAR 0 moved, bus master, interrupt line, window on NUMQ */
	fakedrv_cfg_write(&src.vm, slot, PCI_BAR0, 4, moved);
	fakedrv_cfg_write(&src.vm, slot, PCI_COMMAND, 2, PCI_CMD_MEM | PCI_CMD_MASTER);
	fakedrv_cfg_write(&src.vm, slot, PCI_INT_LINE, 1, 9);
	fakedrv_cfg_write(&src.vm, slot, src.d.cfg_cap + 4u, 1, 0);
	fakedrv_cfg_write(&src.vm, slot, src.d.cfg_cap + 12u, 4, 2);
	fakedrv_cfg_write(&src.vm, slot, src.d.cfg_cap + 8u, 4, VIRTIO_PCI_COMMON_NUMQ);
	ck_assert_uint_eq(fakedrv_cfg_read(&src.vm, slot, PCI_VENDOR_ID, 2), VIRTIO_PCI_VENDOR);

	ck_assert_int_eq(virtio_pci_save(src.slot->pci, &a), 0);
	pci_host_save(&src.vm.virtio->pci, &ha);
	ck_assert_uint_eq(a.isr, VIRTIO_PCI_ISR_QUEUE);
	ck_assert_uint_eq(a.dfselect, 1);
	ck_assert_uint_eq(a.gfselect, 1);
	ck_assert_uint_eq(a.queue_select, 5);
	ck_assert_uint_eq(a.config_vector, 0);
	ck_assert_uint_eq(a.queue_vector[0], 1);
	ck_assert_uint_eq(a.queue_vector[1], VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(a.msix.nvec, 2);
	ck_assert_uint_eq(a.msix.ctrl, MSIX_CTRL_ENABLE);
	ck_assert_uint_eq(a.msix.pba, 2);
	ck_assert_uint_eq(a.msix.vec[0].addr_lo, MSI_ADDR);
	ck_assert_uint_eq(a.msix.vec[0].data, 0x30);
	ck_assert_uint_eq(a.msix.vec[0].ctrl, 0);
	ck_assert_uint_eq(a.msix.vec[1].data, 0x31);
	ck_assert_uint_eq(a.msix.vec[1].ctrl, MSIX_VEC_MASKED);
	ck_assert_uint_eq(a.pci.cfg[PCI_BAR0 + 2] | a.pci.cfg[PCI_BAR0 + 3] << 8, moved >> 16);
	ck_assert_uint_eq(a.pci.cfg[PCI_COMMAND], PCI_CMD_MEM | PCI_CMD_MASTER);
	ck_assert_uint_eq(a.pci.cfg[PCI_INT_LINE], 9);
	ck_assert_uint_eq(ha.addr, PCI_CFG_ADDR_ENABLE | slot << 11);

	/* into a fresh VM: the device core first, then the transport and the host */
	side_start(&dst, &c);
	vp = dst.slot->pci;
	oldbar = fakedrv_cfg_read(&dst.vm, slot, PCI_BAR0, 4);
	ck_assert_uint_ne(oldbar, moved);
	move_core(&dst, &src, 1, &core);
	ck_assert_int_eq(virtio_pci_restore(vp, &a), 0);
	ck_assert_int_eq(pci_host_restore(&dst.vm.virtio->pci, &ha), 0);
	ck_assert_int_eq(virtio_pci_save(vp, &b), 0);
	pci_host_save(&dst.vm.virtio->pci, &hb);
	assert_pci_eq(&a, &b);
	ck_assert_uint_eq(hb.addr, ha.addr);
	assert_cfg_eq(&ha.bridge, &hb.bridge);

	/* hostile states change nothing */
	for (unsigned int i = 0; i < NBAD_PCI; i++) {
		bad = a;
		bad_pci_state(&bad, i, src.d.msix_cap);
		ck_assert_msg(virtio_pci_restore(vp, &bad) == -EINVAL, "%s accepted", bad_pci_names[i]);
		ck_assert_int_eq(virtio_pci_save(vp, &b), 0);
		assert_pci_eq(&a, &b);
	}
	hbad = ha;
	hbad.addr |= 1;
	ck_assert_int_eq(pci_host_restore(&dst.vm.virtio->pci, &hbad), -EINVAL);
	hbad = ha;
	hbad.bridge.cfg[PCI_DEVICE_ID] ^= 1;
	ck_assert_int_eq(pci_host_restore(&dst.vm.virtio->pci, &hbad), -EINVAL);
	pci_host_save(&dst.vm.virtio->pci, &hb);
	ck_assert_uint_eq(hb.addr, ha.addr);
	assert_cfg_eq(&ha.bridge, &hb.bridge);

	/* the restored function answers at the moved BAR only, with its registers and window */
	ck_assert_int_eq(fakedrv_open_pci(&dst.d, &dst.vm, slot), 0);
	ck_assert_uint_eq(dst.d.bar0, moved);
	ck_assert_uint_eq(fakedrv_mmio_read(&dst.vm, oldbar + VIRTIO_PCI_COMMON_NUMQ, 2), 0xffff);
	ck_assert_uint_eq(fakedrv_mmio_read(&dst.vm, moved + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	ck_assert_uint_eq(fakedrv_mmio_read(&dst.vm, moved + VIRTIO_PCI_COMMON_Q_SELECT, 2), 5);
	ck_assert_uint_eq(fakedrv_mmio_read(&dst.vm, moved + VIRTIO_PCI_COMMON_DFSELECT, 4), 1);
	ck_assert_uint_eq(fakedrv_mmio_read(&dst.vm, moved + VIRTIO_PCI_COMMON_DF, 4),
			  (uint32_t)(core.host_features >> 32));
	ck_assert_uint_eq(fakedrv_cfg_read(&dst.vm, slot, PCI_INT_LINE, 1), 9);
	ck_assert_uint_eq(fakedrv_cfg_read(&dst.vm, slot, dst.d.cfg_cap + 16u, 2), 1);
	/* the live vector was routed again as the guest's write would have done */
	ck_assert(vp->msix.vec[0].routed);
	e = msi_route(&dst.vm.plat.irq, vp->msix.vec[0].gsi);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->u.msi.address_lo, MSI_ADDR);
	ck_assert_uint_eq(e->u.msi.data, 0x30);
	ck_assert_ptr_null(msi_route(&dst.vm.plat.irq, vp->msix.vec[1].gsi));
	/* the ISR bit reads once; unmasking vector 1 delivers what was pending and routes it */
	ck_assert_uint_eq(fakedrv_isr(&dst.d), VIRTIO_PCI_ISR_QUEUE);
	ck_assert_uint_eq(fakedrv_isr(&dst.d), 0);
	ck_assert_uint_eq(fakedrv_irqs(virtio_pci_vector_fd(vp, 1)), 0);
	fakedrv_msix_vector(&dst.d, 1, MSI_ADDR, 0x31, false);
	ck_assert_uint_eq(fakedrv_irqs(virtio_pci_vector_fd(vp, 1)), 1);
	ck_assert_uint_eq(fakedrv_mmio_read(&dst.vm, moved + VIRTIO_PCI_MSIX_PBA_OFF, 8), 0);
	e = msi_route(&dst.vm.plat.irq, vp->msix.vec[1].gsi);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->u.msi.data, 0x31);
	/* a new request through the restored device and transport: its MSI-X interrupt */
	rng_chain(&dst, 2);
	ck_assert_uint_eq(wait_irq(virtio_pci_vector_fd(vp, 1)), 1);
	testvm_stop(&dst.vm);
	testvm_stop(&src.vm);
}
END_TEST

/* --- virtio-mmio ----------------------------------------------------------------------------- */

static void assert_mmio_eq(const struct virtio_mmio_state *a, const struct virtio_mmio_state *b)
{
	ck_assert_uint_eq(a->int_status, b->int_status);
	ck_assert_uint_eq(a->dfsel, b->dfsel);
	ck_assert_uint_eq(a->gfsel, b->gfsel);
	ck_assert_uint_eq(a->queue_sel, b->queue_sel);
	ck_assert_uint_eq(a->shm_sel, b->shm_sel);
}

static uint32_t mreg(struct side *s, uint32_t off)
{
	return (uint32_t)fakedrv_mmio_read(&s->vm, s->d.base + off, 4);
}

/*
 * virtio-rng over MMIO with a used-buffer interrupt not yet acknowledged and the selects moved:
 * saved, restored into a fresh VM, saved again, the same; the restored registers read back, the
 * interrupt is acknowledged, and a new request raises the next one.
 */
START_TEST(mmio_round_trip)
{
	const struct virtio_config c = { .transport = VIRTIO_TRANSPORT_MMIO, .rng = true };
	struct virtio_mmio_state a, b, bad;
	struct virtio_dev_state core;
	static struct side src, dst;
	struct virtio_mmio *t;

	side_start(&src, &c);
	side_driver(&src, 1, 0, true);
	rng_chain(&src, 0);
	ck_assert_uint_eq(wait_irq(virtio_mmio_irq_fd(src.slot->mmio)), 1);
	fakedrv_mmio_write(&src.vm, src.d.base + VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 1);
	fakedrv_mmio_write(&src.vm, src.d.base + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1);
	fakedrv_mmio_write(&src.vm, src.d.base + VIRTIO_MMIO_QUEUE_SEL, 4, 7);
	fakedrv_mmio_write(&src.vm, src.d.base + VIRTIO_MMIO_SHM_SEL, 4, 3);

	ck_assert_int_eq(virtio_mmio_save(src.slot->mmio, &a), 0);
	ck_assert_uint_eq(a.shm_sel, 3);
	ck_assert_uint_eq(a.int_status, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(a.dfsel, 1);
	ck_assert_uint_eq(a.gfsel, 1);
	ck_assert_uint_eq(a.queue_sel, 7);

	side_start(&dst, &c);
	t = dst.slot->mmio;
	move_core(&dst, &src, 1, &core);
	ck_assert_int_eq(virtio_mmio_restore(t, &a), 0);
	ck_assert_int_eq(virtio_mmio_save(t, &b), 0);
	assert_mmio_eq(&a, &b);
	bad = a;
	bad.int_status |= 4;
	ck_assert_int_eq(virtio_mmio_restore(t, &bad), -EINVAL);
	ck_assert_int_eq(virtio_mmio_save(t, &b), 0);
	assert_mmio_eq(&a, &b);

	/* queue 7 does not exist; feature word 1 is the upper half of the offer; then queue 0 is live */
	ck_assert_uint_eq(mreg(&dst, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	ck_assert_uint_eq(mreg(&dst, VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)(core.host_features >> 32));
	fakedrv_mmio_write(&dst.vm, dst.d.base + VIRTIO_MMIO_QUEUE_SEL, 4, 0);
	ck_assert_uint_eq(mreg(&dst, VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_uint_eq(fakedrv_isr(&dst.d), VIRTIO_MMIO_INT_VRING);	/* read and acknowledged */
	ck_assert_uint_eq(mreg(&dst, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	rng_chain(&dst, 1);
	ck_assert_uint_eq(wait_irq(virtio_mmio_irq_fd(t)), 1);
	ck_assert_uint_eq(mreg(&dst, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	testvm_stop(&dst.vm);
	testvm_stop(&src.vm);
}
END_TEST

/* --- device types ---------------------------------------------------------------------------- */

/* Mark one request of @dev as using guest memory (@start) or done. */
static void busy(struct virtio_dev *dev, bool start)
{
	pthread_mutex_lock(&dev->lock);
	if (start)
		virtio_request_start(dev);
	else
		virtio_request_done(dev);
	pthread_mutex_unlock(&dev->lock);
}

/* Request @k on the blk queue: header, @len data bytes the device writes, status; wait for it. Its status. */
static uint8_t blk_request(struct side *s, unsigned int k, uint32_t type, uint64_t sector, uint32_t len)
{
	uint64_t base = BUF_GPA + 0x4000ull * k;
	struct virtio_blk_req_hdr h = { .type = type, .sector = sector };
	const struct fakeq_buf b[3] = { { base, 16, false }, { base + 0x1000, len, true }, { base + 0x3000, 1, true } };

	memcpy(area(s, base, sizeof(h)), &h, sizeof(h));
	memset(area(s, base + 0x1000, len), 0, len);
	*area(s, base + 0x3000, 1) = 0xaa;
	fakeq_offer(&s->q[0], fakeq_chain(&s->q[0], (uint16_t)(3 * k % QSIZE), b, 3));
	fakedrv_kick(&s->d, 0);
	ck_assert_int_eq(fakeq_wait_used(&s->q[0], NULL, NULL, WAIT_MS), 1);
	return *area(s, base + 0x3000, 1);
}

static void assert_blk_eq(const struct virtio_blk_state *a, const struct virtio_blk_state *b)
{
	ck_assert_uint_eq(a->capacity, b->capacity);
	ck_assert_uint_eq(a->blk_size, b->blk_size);
	ck_assert_uint_eq(a->readonly, b->readonly);
	ck_assert_int_eq(memcmp(a->id, b->id, sizeof(a->id)), 0);
}

/*
 * virtio-blk: its state names the disk the driver saw. Restored onto a copy of the disk in a fresh
 * VM (after the core), saved again, the same; the restored device answers GET_ID and reads.
 * Another size, block size, mode or serial is refused, and so is a device with requests in flight.
 */
START_TEST(blk_round_trip)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_MMIO, .ndisks = 1 };
	struct virtio_blk_state a, b, bad;
	struct virtio_dev_state core;
	static struct side src, dst;
	char img[64], img2[64];

	ck_assert_int_eq(testvm_image(img, sizeof(img), 1 << 20, 0xee), 0);
	ck_assert_int_eq(testvm_image(img2, sizeof(img2), 1 << 20, 0xee), 0);
	c.disks[0] = testvm_disk(img, false, "state-disk");
	side_start(&src, &c);
	side_driver(&src, 1, 0, true);
	ck_assert_uint_eq(blk_request(&src, 0, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(virtio_blk_save(src.dev, &a), 0);
	ck_assert_uint_eq(a.capacity, 2048);
	ck_assert(!a.readonly);
	ck_assert_uint_ge(a.blk_size, 512);
	ck_assert_uint_eq(a.blk_size & (a.blk_size - 1), 0);
	ck_assert_str_eq(a.id, "state-disk");
	busy(src.dev, true);
	ck_assert_int_eq(virtio_blk_save(src.dev, &b), -EBUSY);
	busy(src.dev, false);

	c.disks[0] = testvm_disk(img2, false, "state-disk");
	side_start(&dst, &c);
	move_core(&dst, &src, 1, &core);
	ck_assert_int_eq(virtio_blk_restore(dst.dev, &a), 0);
	ck_assert_int_eq(virtio_blk_save(dst.dev, &b), 0);
	assert_blk_eq(&a, &b);
	for (unsigned int i = 0; i < 4; i++) {
		bad = a;
		if (i == 0)
			bad.capacity++;
		else if (i == 1)
			bad.blk_size *= 2;
		else if (i == 2)
			bad.readonly = true;
		else
			bad.id[0] ^= 1;
		ck_assert_msg(virtio_blk_restore(dst.dev, &bad) == -EINVAL, "bad blk state %u accepted", i);
	}
	busy(dst.dev, true);
	ck_assert_int_eq(virtio_blk_restore(dst.dev, &a), -EBUSY);
	busy(dst.dev, false);
	ck_assert_int_eq(virtio_console_save(dst.dev, &(struct virtio_console_state){ 0 }), -EINVAL);
	ck_assert_int_eq(virtio_net_save(dst.dev, &(struct virtio_net_state){ 0 }), -EINVAL);

	/* the restored device at work: the serial, then the copy's bytes */
	ck_assert_uint_eq(blk_request(&dst, 1, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(memcmp(area(&dst, BUF_GPA + 0x4000 + 0x1000, 11), "state-disk", 11), 0);
	ck_assert_uint_eq(blk_request(&dst, 2, VIRTIO_BLK_T_IN, 7, 512), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(*area(&dst, BUF_GPA + 0x8000 + 0x1000 + 511, 1), 0xee);
	testvm_stop(&dst.vm);
	testvm_stop(&src.vm);
	unlink(img);
	unlink(img2);
}
END_TEST

/* A file-backed virtio-console: output to @out, input from @in holding @text. */
static void console_config(struct virtio_config *c, char *out, char *in, size_t len, const char *text)
{
	char spec[160];
	int fd;

	snprintf(out, len, "/tmp/keel-state-out.XXXXXX");
	fd = mkstemp(out);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(in, len, "/tmp/keel-state-in.XXXXXX");
	fd = mkstemp(in);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(spec, sizeof(spec), "file:%s,in=%s", out, in);
	*c = (struct virtio_config){ .transport = VIRTIO_TRANSPORT_MMIO };
	c->console = (struct virtio_console_opts){ .kind = VIRTIO_CONSOLE_FILE, .spec = strdup(spec),
						  .path = strdup(out), .in_path = strdup(in) };
}

/*
 * virtio-console: host input typed while the driver has no receive buffers waits in the device;
 * saved, restored into a fresh console (after the core), saved again, the same bytes; the
 * restored device hands them to the first receive buffer. Too much input is refused, and so is
 * a device with requests in flight.
 */
START_TEST(console_round_trip)
{
	static const char typed[] = "typed before a buffer";
	static struct virtio_console_state a, b, bad;
	struct virtio_config c;
	struct virtio_dev_state core;
	static struct side src, dst;
	char out[64], in[64], out2[64], in2[64];
	uint32_t len;
	int ret = -1;

	console_config(&c, out, in, sizeof(out), typed);
	side_start(&src, &c);
	side_driver(&src, 2, 0, true);
	for (int i = 0; i < 200; i++) {
		ret = virtio_console_save(src.dev, &a);
		if (ret == 0 && a.in_len == sizeof(typed) - 1)
			break;
		usleep(10000);
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(a.in_len, sizeof(typed) - 1);
	ck_assert_int_eq(memcmp(a.in, typed, a.in_len), 0);
	for (unsigned int i = a.in_len; i < VIRTIO_CONSOLE_IN_BUF; i++)
		ck_assert_uint_eq(a.in[i], 0);
	busy(src.dev, true);
	ck_assert_int_eq(virtio_console_save(src.dev, &b), -EBUSY);
	busy(src.dev, false);

	console_config(&c, out2, in2, sizeof(out2), "");
	side_start(&dst, &c);
	move_core(&dst, &src, 2, &core);
	ck_assert_int_eq(virtio_console_restore(dst.dev, &a), 0);
	ck_assert_int_eq(virtio_console_save(dst.dev, &b), 0);
	ck_assert_uint_eq(b.in_len, a.in_len);
	ck_assert_int_eq(memcmp(a.in, b.in, sizeof(a.in)), 0);
	bad = a;
	bad.in_len = VIRTIO_CONSOLE_IN_BUF + 1;
	ck_assert_int_eq(virtio_console_restore(dst.dev, &bad), -EINVAL);
	busy(dst.dev, true);
	ck_assert_int_eq(virtio_console_restore(dst.dev, &bad), -EINVAL);
	ck_assert_int_eq(virtio_console_restore(dst.dev, &a), -EBUSY);
	busy(dst.dev, false);
	ck_assert_int_eq(virtio_console_save(dst.dev, &b), 0);
	ck_assert_uint_eq(b.in_len, a.in_len);
	ck_assert_int_eq(virtio_blk_save(dst.dev, &(struct virtio_blk_state){ 0 }), -EINVAL);

	/* the waiting input reaches the restored device's first receive buffer */
	offer(&dst, 0, 0, 64, true);
	fakedrv_kick(&dst.d, 0);
	ck_assert_int_eq(fakeq_wait_used(&dst.q[0], NULL, &len, WAIT_MS), 1);
	ck_assert_uint_eq(len, sizeof(typed) - 1);
	ck_assert_int_eq(memcmp(area(&dst, BUF_GPA, len), typed, len), 0);
	ck_assert_int_eq(virtio_console_save(dst.dev, &b), 0);
	ck_assert_uint_eq(b.in_len, 0);
	testvm_stop(&dst.vm);
	testvm_stop(&src.vm);
	unlink(out);
	unlink(in);
	unlink(out2);
	unlink(in2);
}
END_TEST

static const uint8_t net_mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };

/* One NIC on the socket backend bound in @dir as @name, with address net_mac. */
static void net_config(struct virtio_config *c, const char *dir, const char *name)
{
	struct virtio_net_opts *n = &c->nets[0];
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*c = (struct virtio_config){ .transport = VIRTIO_TRANSPORT_MMIO, .nnets = 1 };
	n->kind = VIRTIO_NET_SOCKET;
	n->spec = strdup(path);
	n->path = strdup(path);
	memcpy(n->mac, net_mac, 6);
	n->mac_given = true;
}

/* One control command on @s's control queue (request slot @k); its ack. */
static uint8_t net_ctrl_cmd(struct side *s, unsigned int k, const void *cmd, uint32_t len)
{
	uint64_t base = BUF_GPA + 0x1000ull * k;
	const struct fakeq_buf b[2] = { { base, len, false }, { base + 0x800, 1, true } };
	struct fakeq *q = &s->q[VIRTIO_NET_CTRL];

	memcpy(area(s, base, len), cmd, len);
	*area(s, base + 0x800, 1) = 0xee;
	fakeq_offer(q, fakeq_chain(q, (uint16_t)(2 * k % QSIZE), b, 2));
	fakedrv_kick(&s->d, VIRTIO_NET_CTRL);
	ck_assert_int_eq(fakeq_wait_used(q, NULL, NULL, WAIT_MS), 1);
	return *area(s, base + 0x800, 1);
}

static void assert_net_eq(const struct virtio_net_state *a, const struct virtio_net_state *b)
{
	ck_assert_int_eq(memcmp(a->ctrl.mac, b->ctrl.mac, 6), 0);
	ck_assert_uint_eq(a->ctrl.promisc, b->ctrl.promisc);
	ck_assert_uint_eq(a->ctrl.allmulti, b->ctrl.allmulti);
	ck_assert_uint_eq(a->ctrl.uc_entries, b->ctrl.uc_entries);
	ck_assert_uint_eq(a->ctrl.mc_entries, b->ctrl.mc_entries);
	ck_assert_int_eq(memcmp(a->ctrl.vlans, b->ctrl.vlans, sizeof(a->ctrl.vlans)), 0);
	ck_assert_uint_eq(a->ctrl.announce_acked, b->ctrl.announce_acked);
	ck_assert_uint_eq(a->link_up, b->link_up);
	ck_assert_uint_eq(a->logged, b->logged);
	ck_assert_uint_eq(a->rx_frames, b->rx_frames);
	ck_assert_uint_eq(a->rx_dropped, b->rx_dropped);
	ck_assert_uint_eq(a->tx_frames, b->tx_frames);
	ck_assert_uint_eq(a->tx_dropped, b->tx_dropped);
}

/*
 * virtio-net: the driver sets every control command's state (receive mode, filter tables, address,
 * a VLAN, the announce ack) and sends a frame. Saved, restored into a fresh NIC after its core,
 * saved again: the same; the restored configuration space shows the address and the link.
 * Refused: a state the driver could not reach (a multicast address, too many filter entries,
 * unknown logged kinds, anything but the reset state before DRIVER_OK), and busy devices.
 */
START_TEST(net_round_trip)
{
	static const uint8_t rx_mode[] = { 0, 0, 0 };		/* PROMISC off */
	static const uint8_t table[] = { 1, 0, 1, 0, 0, 0, 0x02, 1, 2, 3, 4, 5, 1, 0, 0, 0, 0x01, 0, 0x5e, 0, 0, 1 };
	static const uint8_t addr[] = { 1, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t vlan[] = { 2, 0, 100, 0 }, announce[] = { 3, 0 };
	static const uint8_t new_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct virtio_net_state a, b, bad, fresh;
	struct virtio_dev_state core;
	static struct side src, dst;
	struct virtio_config c;
	char dir[64];
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
	uint32_t len;

	snprintf(dir, sizeof(dir), "/tmp/keel-state-net.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	net_config(&c, dir, "src");
	side_start(&src, &c);
	side_driver(&src, 3, 0, true);
	ck_assert_uint_eq(net_ctrl_cmd(&src, 0, rx_mode, sizeof(rx_mode)), VIRTIO_NET_OK);
	ck_assert_uint_eq(net_ctrl_cmd(&src, 1, table, sizeof(table)), VIRTIO_NET_OK);
	ck_assert_uint_eq(net_ctrl_cmd(&src, 2, addr, sizeof(addr)), VIRTIO_NET_OK);
	ck_assert_uint_eq(net_ctrl_cmd(&src, 3, vlan, sizeof(vlan)), VIRTIO_NET_OK);
	ck_assert_uint_eq(net_ctrl_cmd(&src, 4, announce, sizeof(announce)), VIRTIO_NET_OK);
	/* a frame with no peer yet: dropped and counted, the chain returned */
	memcpy(area(&src, BUF_GPA + 0x8000 + NET_HDR_LEN, sizeof(frame)), frame, sizeof(frame));
	memset(area(&src, BUF_GPA + 0x8000, NET_HDR_LEN), 0, NET_HDR_LEN);
	offer(&src, VIRTIO_NET_TX, 8, NET_HDR_LEN + sizeof(frame), false);
	fakedrv_kick(&src.d, VIRTIO_NET_TX);
	ck_assert_int_eq(fakeq_wait_used(&src.q[VIRTIO_NET_TX], NULL, &len, WAIT_MS), 1);

	ck_assert_int_eq(virtio_net_save(src.dev, &a), 0);
	ck_assert_int_eq(memcmp(a.ctrl.mac, new_mac, 6), 0);
	ck_assert(!a.ctrl.promisc);
	ck_assert(!a.ctrl.allmulti);
	ck_assert_uint_eq(a.ctrl.uc_entries, 1);
	ck_assert_uint_eq(a.ctrl.mc_entries, 1);
	ck_assert_uint_eq(a.ctrl.vlans[100 / 8], 1u << (100 % 8));
	ck_assert(a.ctrl.announce_acked);
	ck_assert(a.link_up);
	ck_assert_uint_eq(a.tx_frames + a.tx_dropped, 1);
	busy(src.dev, true);
	ck_assert_int_eq(virtio_net_save(src.dev, &b), -EBUSY);
	busy(src.dev, false);

	net_config(&c, dir, "dst");
	side_start(&dst, &c);
	/* before its core, the fresh NIC is in the reset state: the driver's settings cannot be there */
	ck_assert_int_eq(virtio_net_save(dst.dev, &fresh), 0);
	ck_assert_int_eq(virtio_net_restore(dst.dev, &a), -EINVAL);
	ck_assert_int_eq(virtio_net_save(dst.dev, &b), 0);
	assert_net_eq(&fresh, &b);
	move_core(&dst, &src, 3, &core);
	ck_assert_int_eq(virtio_net_restore(dst.dev, &a), 0);
	ck_assert_int_eq(virtio_net_save(dst.dev, &b), 0);
	assert_net_eq(&a, &b);
	for (unsigned int i = 0; i < 3; i++) {
		bad = a;
		if (i == 0)
			bad.ctrl.mac[0] |= 1;
		else if (i == 1)
			bad.ctrl.uc_entries = NET_CTRL_MAC_ENTRIES + 1;
		else
			bad.logged |= 1u << 6;	/* past the kinds net.c logs */
		ck_assert_msg(virtio_net_restore(dst.dev, &bad) == -EINVAL, "bad net state %u accepted", i);
		ck_assert_int_eq(virtio_net_save(dst.dev, &b), 0);
		assert_net_eq(&a, &b);
	}
	busy(dst.dev, true);
	ck_assert_int_eq(virtio_net_restore(dst.dev, &a), -EBUSY);
	busy(dst.dev, false);
	ck_assert_int_eq(virtio_console_restore(dst.dev, &(struct virtio_console_state){ 0 }), -EINVAL);

	/* the restored configuration space: the driver's address, the link as the driver last saw it */
	for (unsigned int i = 0; i < 6; i++)
		ck_assert_uint_eq(fakedrv_config(&dst.d, VIRTIO_NET_CFG_MAC + i, 1), new_mac[i]);
	ck_assert_uint_eq(fakedrv_config(&dst.d, VIRTIO_NET_CFG_STATUS, 2), VIRTIO_NET_S_LINK_UP);
	bad = a;
	bad.link_up = false;
	ck_assert_int_eq(virtio_net_restore(dst.dev, &bad), 0);
	ck_assert_uint_eq(fakedrv_config(&dst.d, VIRTIO_NET_CFG_STATUS, 2), 0);
	ck_assert_int_eq(virtio_net_restore(dst.dev, &a), 0);
	ck_assert_uint_eq(fakedrv_config(&dst.d, VIRTIO_NET_CFG_STATUS, 2), VIRTIO_NET_S_LINK_UP);
	/* and its control queue goes on from the restored state */
	ck_assert_uint_eq(net_ctrl_cmd(&dst, 5, rx_mode, sizeof(rx_mode)), VIRTIO_NET_OK);
	testvm_stop(&dst.vm);
	testvm_stop(&src.vm);
	for (unsigned int i = 0; i < 2; i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", dir, i ? "dst" : "src");
		unlink(path);
	}
	rmdir(dir);
}
END_TEST

/* --- the UART -------------------------------------------------------------------------------- */

/* What a UART's interrupt line and room hook saw. */
struct uart_seen {
	int level;
	unsigned int levels, rooms;
};

static int uart_seen_irq(void *ctx, unsigned int irq, int level)
{
	struct uart_seen *s = ctx;

	(void)irq;
	s->level = level;
	s->levels++;
	return 0;
}

static void uart_seen_room(void *ctx)
{
	struct uart_seen *s = ctx;

	s->rooms++;
}

static struct uart *uart_new(struct uart_seen *seen)
{
	const struct uart_params p = { .out_fd = -1, .irq = 4, .irq_fn = uart_seen_irq, .irq_ctx = seen };
	struct uart *u;

	memset(seen, 0, sizeof(*seen));
	ck_assert_int_eq(uart_create(&p, &u), 0);
	uart_set_room_notify(u, uart_seen_room, seen);
	return u;
}

static uint8_t uart_rd(struct uart *u, unsigned int reg)
{
	uint8_t v = 0xee;

	ck_assert_int_eq(uart_io(u, NULL, reg, &v, 1, false), 0);
	return v;
}

static void uart_wr(struct uart *u, unsigned int reg, uint8_t v)
{
	ck_assert_int_eq(uart_io(u, NULL, reg, &v, 1, true), 0);
}

static void assert_uart_eq(const struct uart_state *a, const struct uart_state *b)
{
	ck_assert_uint_eq(a->ier, b->ier);
	ck_assert_uint_eq(a->lcr, b->lcr);
	ck_assert_uint_eq(a->mcr, b->mcr);
	ck_assert_uint_eq(a->msr_delta, b->msr_delta);
	ck_assert_uint_eq(a->scr, b->scr);
	ck_assert_uint_eq(a->dll, b->dll);
	ck_assert_uint_eq(a->dlm, b->dlm);
	ck_assert_uint_eq(a->fcr, b->fcr);
	ck_assert_uint_eq(a->overrun, b->overrun);
	ck_assert_uint_eq(a->thr_ipending, b->thr_ipending);
	ck_assert_uint_eq(a->rx_full, b->rx_full);
	ck_assert_uint_eq(a->irq_level, b->irq_level);
	ck_assert_uint_eq(a->rx_count, b->rx_count);
	ck_assert_int_eq(memcmp(a->rx, b->rx, sizeof(a->rx)), 0);
}

static const char *const bad_uart_names[] = {
	"IER bit 4", "MCR bit 5", "an MSR bit that is no delta", "FCR's clear bit", "more bytes than the buffer",
	"full with room", "a full buffer not full", "an interrupt level the registers do not make",
};
#define NBAD_UART (sizeof(bad_uart_names) / sizeof(bad_uart_names[0]))

static void bad_uart_state(struct uart_state *s, unsigned int i)
{
	switch (i) {
	case 0:
		s->ier |= 0x10;
		break;
	case 1:
		s->mcr |= 0x20;
		break;
	case 2:
		s->msr_delta |= UART_MSR_CTS;
		break;
	case 3:
		s->fcr |= UART_FCR_CLEAR_RX;
		break;
	case 4:
		s->rx_count = UART_RX_SIZE + 1;
		break;
	case 5:
		s->rx_count = 10;	/* rx_full stays set */
		break;
	case 6:
		s->rx_count = UART_RX_SIZE;
		s->rx_full = false;
		break;
	default:
		s->irq_level = 0;
		break;
	}
}

/*
 * The UART with a divisor, line settings, every interrupt enabled, loopback, FIFOs, a scratch
 * value, a modem-status delta, a full receive buffer with an overrun, and bytes read from it:
 * saved, restored into a fresh UART (its line driven high), saved again, the same. The guest side
 * then reads the registers and the queued bytes in order, and the room hook runs when the full
 * episode ends. Hostile states change nothing.
 */
START_TEST(uart_round_trip)
{
	static struct uart_state a, b, bad;
	struct uart_seen seen_a, seen_b;
	struct uart *ua = uart_new(&seen_a), *ub = uart_new(&seen_b);
	static uint8_t fill[UART_RX_SIZE];

	for (unsigned int i = 0; i < UART_RX_SIZE; i++)
		fill[i] = (uint8_t)(i * 7 + 1);
	uart_wr(ua, UART_LCR, UART_LCR_DLAB);
	uart_wr(ua, UART_DLL, 0x0c);
	uart_wr(ua, UART_DLM, 0x01);
	uart_wr(ua, UART_LCR, 0x1b);				/* 8 bits, even parity, 1 stop bit */
	uart_wr(ua, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | 0xc0);
	uart_wr(ua, UART_SCR, 0x5a);
	uart_wr(ua, UART_IER, UART_IER_RDI | UART_IER_THRI | UART_IER_RLSI | UART_IER_MSI);
	ck_assert_uint_eq(uart_receive(ua, fill, UART_RX_SIZE), UART_RX_SIZE);	/* before loopback refuses it */
	uart_wr(ua, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);	/* loopback: only DSR, from DTR */
	uart_wr(ua, UART_THR, 0x99);				/* loopback into a full buffer: overrun */
	for (unsigned int i = 0; i < 10; i++)
		ck_assert_uint_eq(uart_rd(ua, UART_RBR), fill[i]);
	ck_assert_uint_eq(seen_a.level, 1);

	ck_assert_int_eq(uart_save(ua, &a), 0);
	ck_assert_uint_eq(a.dll, 0x0c);
	ck_assert_uint_eq(a.dlm, 0x01);
	ck_assert_uint_eq(a.lcr, 0x1b);
	ck_assert_uint_eq(a.fcr, UART_FCR_ENABLE | 0xc0);
	ck_assert_uint_eq(a.scr, 0x5a);
	ck_assert_uint_eq(a.ier, 0x0f);
	ck_assert_uint_eq(a.mcr, UART_MCR_LOOP | UART_MCR_DTR);
	ck_assert_uint_eq(a.msr_delta, UART_MSR_DCTS | UART_MSR_DDCD);	/* CTS and DCD dropped */
	ck_assert(a.overrun);
	ck_assert(a.rx_full);
	ck_assert_uint_eq(a.irq_level, 1);
	ck_assert_uint_eq(a.rx_count, UART_RX_SIZE - 10);
	ck_assert_int_eq(memcmp(a.rx, fill + 10, UART_RX_SIZE - 10), 0);

	ck_assert_int_eq(uart_restore(ub, &a), 0);
	ck_assert_uint_eq(seen_b.level, 1);
	ck_assert_uint_eq(seen_b.levels, 1);
	ck_assert_int_eq(uart_save(ub, &b), 0);
	assert_uart_eq(&a, &b);
	for (unsigned int i = 0; i < NBAD_UART; i++) {
		bad = a;
		bad_uart_state(&bad, i);
		ck_assert_msg(uart_restore(ub, &bad) == -EINVAL, "%s accepted", bad_uart_names[i]);
		ck_assert_int_eq(uart_save(ub, &b), 0);
		assert_uart_eq(&a, &b);
	}
	ck_assert_uint_eq(seen_b.levels, 1);

	/* the guest side of the restored UART: IIR, LSR, the divisor, MSR, then the bytes */
	ck_assert_uint_eq(uart_rd(ub, UART_IIR), UART_IIR_FIFO | UART_IIR_RLSI);
	ck_assert_uint_eq(uart_rd(ub, UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(uart_rd(ub, UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(uart_rd(ub, UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
	ck_assert_uint_eq(uart_rd(ub, UART_MSR), UART_MSR_DSR | UART_MSR_DCTS | UART_MSR_DDCD);
	ck_assert_uint_eq(uart_rd(ub, UART_SCR), 0x5a);
	uart_wr(ub, UART_LCR, 0x1b | UART_LCR_DLAB);
	ck_assert_uint_eq(uart_rd(ub, UART_DLL), 0x0c);
	ck_assert_uint_eq(uart_rd(ub, UART_DLM), 0x01);
	uart_wr(ub, UART_LCR, 0x1b);
	for (unsigned int i = 10; i < UART_RX_SIZE; i++) {
		ck_assert_uint_eq(uart_rd(ub, UART_RBR), fill[i]);
		/* the full episode ends once UART_RX_RESUME bytes are free, once */
		ck_assert_uint_eq(seen_b.rooms, (i + 1 < UART_RX_RESUME ? 0u : 1u));
	}
	ck_assert_uint_eq(uart_rd(ub, UART_LSR) & UART_LSR_DR, 0);
	ck_assert_uint_eq(uart_rd(ub, UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);	/* THRI was pending */
	ck_assert_uint_eq(uart_rd(ub, UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	ck_assert_uint_eq(seen_b.level, 0);

	/* a restore that ends a full episode tells the room hook, as a read would */
	ck_assert_int_eq(uart_restore(ub, &a), 0);
	ck_assert_uint_eq(seen_b.rooms, 1);
	bad = (struct uart_state){ .lcr = 3 };
	ck_assert_int_eq(uart_restore(ub, &bad), 0);
	ck_assert_uint_eq(seen_b.rooms, 2);
	ck_assert_uint_eq(seen_b.level, 0);
	ck_assert_uint_eq(uart_rd(ub, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	uart_destroy(ua);
	uart_destroy(ub);
}
END_TEST

static void quiet(void)
{
	log_set_level(LOG_ERROR);
}

Suite *state_contracts_suite(void)
{
	Suite *s = suite_create("state_contracts");
	TCase *t = tcase_create("transports");
	TCase *d = tcase_create("devices");
	TCase *u = tcase_create("uart");

	tcase_add_checked_fixture(t, quiet, NULL);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, pci_round_trip);
	tcase_add_test(t, mmio_round_trip);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(d, quiet, NULL);
	tcase_set_timeout(d, 30);
	tcase_add_test(d, blk_round_trip);
	tcase_add_test(d, console_round_trip);
	tcase_add_test(d, net_round_trip);
	suite_add_tcase(s, d);
	tcase_add_test(u, uart_round_trip);
	suite_add_tcase(s, u);
	return s;
}
