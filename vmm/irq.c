/* GSI routing (KVM's default irqchip routes plus MSI routes), KVM_IRQFD and KVM_IOEVENTFD wrappers. */
#include "vmm/irq.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

int irq_line_set(const struct irq_line *line, int level)
{
	struct kvm_irq_level l = { .irq = line->gsi, .level = (uint32_t)level };

	if (line->vm_fd < 0)
		return 0;
	return ioctl(line->vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}

int irq_router_init(struct irq_router *r, int vm_fd)
{
	memset(r, 0, sizeof(*r));
	r->vm_fd = vm_fd;
	r->next_gsi = IRQ_IOAPIC_PINS;
	r->cap = IRQ_IOAPIC_PINS + IRQ_PIC_PINS + 32;
	r->entries = calloc(r->cap, sizeof(*r->entries));
	if (!r->entries)
		return -ENOMEM;
	pthread_mutex_init(&r->lock, NULL);
	/* What KVM sets up by itself: GSI n is IOAPIC pin n, and below 16 also 8259 pin n % 8. */
	for (unsigned int gsi = 0; gsi < IRQ_IOAPIC_PINS; gsi++) {
		r->entries[r->n++] = (struct kvm_irq_routing_entry){
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = gsi },
		};
		if (gsi < IRQ_PIC_PINS)
			r->entries[r->n++] = (struct kvm_irq_routing_entry){
				.gsi = gsi,
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { .irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
					       .pin = gsi % 8 },
			};
	}
	return 0;
}

void irq_router_destroy(struct irq_router *r)
{
	if (!r->entries)
		return;
	free(r->entries);
	r->entries = NULL;
	pthread_mutex_destroy(&r->lock);
}

int irq_router_alloc_gsi(struct irq_router *r)
{
	int gsi;

	pthread_mutex_lock(&r->lock);
	gsi = r->next_gsi < 1024 ? (int)r->next_gsi++ : -ENOSPC;
	pthread_mutex_unlock(&r->lock);
	return gsi;
}

/* Hand the table to KVM (lock held). */
static int irq_router_commit(struct irq_router *r)
{
	struct kvm_irq_routing *t;
	int ret = 0;

	if (r->vm_fd < 0)
		return 0;
	t = calloc(1, sizeof(*t) + r->n * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	t->nr = r->n;
	memcpy(t->entries, r->entries, r->n * sizeof(t->entries[0]));
	if (ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, t) < 0)
		ret = -errno;
	free(t);
	return ret;
}

static struct kvm_irq_routing_entry *irq_router_find_msi(struct irq_router *r, unsigned int gsi)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (r->entries[i].gsi == gsi && r->entries[i].type == KVM_IRQ_ROUTING_MSI)
			return &r->entries[i];
	return NULL;
}

int irq_router_set_msi(struct irq_router *r, unsigned int gsi, uint64_t addr, uint32_t data)
{
	struct kvm_irq_routing_entry *e, old;
	bool added = false;
	int ret;

	if (gsi < IRQ_IOAPIC_PINS)
		return -EINVAL;
	pthread_mutex_lock(&r->lock);
	e = irq_router_find_msi(r, gsi);
	if (!e) {
		if (r->n == r->cap) {
			struct kvm_irq_routing_entry *n = realloc(r->entries, 2 * r->cap * sizeof(*n));

			if (!n) {
				pthread_mutex_unlock(&r->lock);
				return -ENOMEM;
			}
			r->entries = n;
			r->cap *= 2;
		}
		e = &r->entries[r->n++];
		added = true;
	}
	old = *e;
	*e = (struct kvm_irq_routing_entry){
		.gsi = gsi,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32), .data = data },
	};
	ret = irq_router_commit(r);
	if (ret < 0) {
		if (added)
			r->n--;
		else
			*e = old;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int irq_router_clear(struct irq_router *r, unsigned int gsi)
{
	struct kvm_irq_routing_entry *e;
	int ret = 0;

	pthread_mutex_lock(&r->lock);
	e = irq_router_find_msi(r, gsi);
	if (e) {
		*e = r->entries[--r->n];
		ret = irq_router_commit(r);
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int kvm_irqfd(int vm_fd, int efd, unsigned int gsi, bool assign)
{
	struct kvm_irqfd f = {
		.fd = (uint32_t)efd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (vm_fd < 0)
		return 0;
	return ioctl(vm_fd, KVM_IRQFD, &f) < 0 ? -errno : 0;
}

int kvm_ioeventfd(int vm_fd, int efd, uint64_t addr, uint32_t len, bool pio, bool datamatch,
		  uint64_t data, bool assign)
{
	struct kvm_ioeventfd io = {
		.datamatch = datamatch ? data : 0,
		.addr = addr,
		.len = len,
		.fd = efd,
		.flags = (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) | (datamatch ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	if (vm_fd < 0)
		return 0;
	return ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}
