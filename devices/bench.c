/* The bench device set: the exits `keel bench` measures, served with as little work as keel can do. */
#include "devices/bench.h"

#include <errno.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/devices.h"
#include "firmware/bench.h"
#include "vmm/log.h"

struct bench_dev {
	struct platform *plat;	/* its buses, the VM fd and the event loop */
	unsigned int ncpus;	/* what the user-space MSR reports */
	int kernel_efd;		/* pio-kernel and mmio-kernel: signalled by KVM, never read */
	int doorbell_efd;	/* irqfd path: the guest's doorbell, read by the event loop */
	int irq_efd;		/* irqfd path: written by the event loop, raises KEEL_BENCH_IRQ */
	bool pio_bound, mmio_bound, doorbell_bound, irqfd_bound, watching;
	uint32_t mmio_len;	/* the MMIO ioeventfd's length (0: any) */
};

static const struct vcpu_exit_hooks bench_hooks = {
	.msr = bench_msr,
	.hypercall = bench_hypercall,
};

int bench_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	(void)vcpu;
	(void)offset;
	if (!is_write)
		memset(data, 0, len);
	return 0;
}

int bench_msr(void *opaque, struct vcpu *vcpu, uint32_t index, uint64_t *data, bool is_write)
{
	const struct bench_dev *b = opaque;
	uint64_t n = b->ncpus ? b->ncpus : 1;

	(void)vcpu;
	if (index != KEEL_BENCH_MSR_USER)
		return -ENOENT;
	if (!is_write)
		*data = (n & 0xffff) | (n & 0xffff) << 16;	/* threads, cores: one thread per core */
	return 0;
}

int bench_hypercall(void *opaque, struct vcpu *vcpu, uint64_t nr, const uint64_t args[6], uint64_t *ret)
{
	(void)opaque;
	(void)vcpu;
	(void)args;
	if (nr != KEEL_BENCH_HC_NR)
		return -ENOSYS;
	*ret = 0;
	return 0;
}

int bench_kvm_user_msr(int kvm_fd, int vm_fd, uint32_t index)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR, .args = { KVM_MSR_EXIT_REASON_FILTER } };
	struct kvm_msr_filter filter;
	uint8_t deny = 0;	/* one MSR, its bit clear: denied, so it goes to user space */

	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
	    ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) <= 0)
		return -EOPNOTSUPP;
	if (ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return -errno;
	memset(&filter, 0, sizeof(filter));
	filter.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	filter.ranges[0].flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE;
	filter.ranges[0].base = index;
	filter.ranges[0].nmsrs = 1;
	filter.ranges[0].bitmap = &deny;
	return ioctl(vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0 ? -errno : 0;
}

int bench_kvm_hypercall_exit(int kvm_fd, int vm_fd, uint32_t nr)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXIT_HYPERCALL, .args = { 1ull << nr } };
	int mask;

	if (nr >= 32)
		return -EINVAL;
	mask = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL);
	if (mask <= 0 || !((unsigned int)mask & (1u << nr)))
		return -EOPNOTSUPP;
	return ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0 ? -errno : 0;
}

/* The irqfd path: each doorbell the guest rings is answered by one interrupt. */
static void bench_doorbell(void *opaque, int fd, uint32_t events)
{
	struct bench_dev *b = opaque;
	uint64_t v, one = 1;

	(void)events;
	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return;
	if (write(b->irq_efd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_debug("bench: irqfd write: %s", strerror(errno));
}

static int bench_bind(struct bench_dev *b)
{
	struct platform *p = b->plat;
	int ret;

	ret = kvm_ioeventfd(p->vm_fd, b->kernel_efd, KEEL_BENCH_PORT_KERNEL, 1, true, false, 0, true);
	if (ret < 0)
		return ret;
	b->pio_bound = true;
	/* Any length when KVM allows it: the cheapest MMIO notification it has. */
	b->mmio_len = ioctl(p->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD_ANY_LENGTH) > 0 ? 0 : 1;
	ret = kvm_ioeventfd(p->vm_fd, b->kernel_efd, KEEL_BENCH_MMIO_KERNEL, b->mmio_len, false, false, 0, true);
	if (ret < 0)
		return ret;
	b->mmio_bound = true;
	ret = kvm_ioeventfd(p->vm_fd, b->doorbell_efd, KEEL_BENCH_PORT_DOORBELL, 1, true, false, 0, true);
	if (ret < 0)
		return ret;
	b->doorbell_bound = true;
	ret = kvm_irqfd(p->vm_fd, b->irq_efd, KEEL_BENCH_IRQ, true);
	if (ret < 0)
		return ret;
	b->irqfd_bound = true;
	ret = evloop_add(&p->loop, b->doorbell_efd, EPOLLIN, bench_doorbell, b);
	if (ret < 0)
		return ret;
	b->watching = true;
	return 0;
}

/* The exits that need a capability: without it the guest reports the path unavailable. */
static void bench_caps(const struct platform *p)
{
	int ret;

	if (p->vm_fd < 0)
		return;
	ret = bench_kvm_user_msr(p->kvm_fd, p->vm_fd, KEEL_BENCH_MSR_USER);
	if (ret < 0)
		log_info("bench: no user-space MSR %#x: %s", KEEL_BENCH_MSR_USER, strerror(-ret));
	ret = bench_kvm_hypercall_exit(p->kvm_fd, p->vm_fd, KEEL_BENCH_HC_NR);
	if (ret < 0)
		log_info("bench: no user-space hypercall %u: %s", KEEL_BENCH_HC_NR, strerror(-ret));
}

int bench_devices_create(struct platform *p, unsigned int ncpus, struct bench_dev **out)
{
	struct bench_dev *b;
	int ret;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->plat = p;
	b->ncpus = ncpus;
	b->kernel_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	b->doorbell_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	b->irq_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ret = b->kernel_efd < 0 || b->doorbell_efd < 0 || b->irq_efd < 0 ? -errno : 0;
	if (ret == 0)
		ret = bus_register(&p->pio, KEEL_BENCH_PORT_USER, KEEL_BENCH_PORT_USER_LEN, bench_io, b, "bench-pio-user");
	if (ret == 0)
		ret = bus_register(&p->pio, KEEL_BENCH_PORT_KERNEL, KEEL_BENCH_PORT_LEN, bench_io, b, "bench-pio");
	if (ret == 0)
		ret = bus_register(&p->mmio, KEEL_BENCH_MMIO_USER, KEEL_BENCH_MMIO_USER_LEN, bench_io, b,
				   "bench-mmio-user");
	if (ret == 0)
		ret = bus_register(&p->mmio, KEEL_BENCH_MMIO_KERNEL, KEEL_BENCH_MMIO_KERNEL_LEN, bench_io, b,
				   "bench-mmio-kernel");
	if (ret == 0 && p->vm_fd >= 0)
		ret = bench_bind(b);
	if (ret < 0) {
		bench_devices_destroy(b);
		return ret;
	}
	bench_caps(p);
	*out = b;
	return 0;
}

const struct vcpu_exit_hooks *bench_exit_hooks(void)
{
	return &bench_hooks;
}

void bench_devices_destroy(struct bench_dev *b)
{
	struct platform *p;

	if (!b)
		return;
	p = b->plat;
	if (b->watching)
		evloop_del(&p->loop, b->doorbell_efd);
	if (b->irqfd_bound)
		kvm_irqfd(p->vm_fd, b->irq_efd, KEEL_BENCH_IRQ, false);
	if (b->doorbell_bound)
		kvm_ioeventfd(p->vm_fd, b->doorbell_efd, KEEL_BENCH_PORT_DOORBELL, 1, true, false, 0, false);
	if (b->mmio_bound)
		kvm_ioeventfd(p->vm_fd, b->kernel_efd, KEEL_BENCH_MMIO_KERNEL, b->mmio_len, false, false, 0, false);
	if (b->pio_bound)
		kvm_ioeventfd(p->vm_fd, b->kernel_efd, KEEL_BENCH_PORT_KERNEL, 1, true, false, 0, false);
	devices_unregister(&p->mmio, KEEL_BENCH_MMIO_KERNEL, bench_io);
	devices_unregister(&p->mmio, KEEL_BENCH_MMIO_USER, bench_io);
	devices_unregister(&p->pio, KEEL_BENCH_PORT_KERNEL, bench_io);
	devices_unregister(&p->pio, KEEL_BENCH_PORT_USER, bench_io);
	if (b->irq_efd >= 0)
		close(b->irq_efd);
	if (b->doorbell_efd >= 0)
		close(b->doorbell_efd);
	if (b->kernel_efd >= 0)
		close(b->kernel_efd);
	free(b);
}
