/* The platform's set-up and tear-down: buses, GSI router, stop requests, resources, event loop, KVM fds. */
#include "vmm/platform.h"

#include <string.h>
#include <unistd.h>

int platform_init(struct platform *p)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->kvm_fd = p->vm_fd = -1;
	p->loop.epfd = -1;
	p->stop.efd = -1;
	res_init(&p->res);
	ret = bus_init(&p->pio, "pio");
	if (ret == 0)
		ret = bus_init(&p->mmio, "mmio");
	if (ret == 0)
		ret = irq_router_init(&p->irq, -1);
	if (ret == 0)
		ret = stop_ctl_init(&p->stop);
	if (ret == 0)
		ret = evloop_init(&p->loop);
	return ret;
}

void platform_set_vm(struct platform *p, int kvm_fd, int vm_fd)
{
	p->kvm_fd = kvm_fd;
	p->vm_fd = vm_fd;
	p->irq.vm_fd = vm_fd;
}

struct irq_line platform_irq_line(const struct platform *p, unsigned int gsi)
{
	return (struct irq_line){ .vm_fd = p->vm_fd, .gsi = gsi };
}

void platform_destroy(struct platform *p)
{
	if (p->vm_fd >= 0)
		close(p->vm_fd);
	if (p->kvm_fd >= 0)
		close(p->kvm_fd);
	p->vm_fd = p->kvm_fd = -1;
	gmem_destroy(&p->mem);
	evloop_destroy(&p->loop);
	stop_ctl_destroy(&p->stop);
	irq_router_destroy(&p->irq);
	bus_destroy(&p->pio);
	bus_destroy(&p->mmio);
}
