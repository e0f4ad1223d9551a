/* Guest-virtual memory access for a vCPU: KVM_TRANSLATE page by page, every physical range through gmem_translate. */
#include "vcpu/vmem.h"

#include "vcpu/vcpu.h"
#include "vmm/memory.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

int vcpu_translate(struct vcpu *vcpu, uint64_t gva, uint64_t *gpa)
{
	struct kvm_translation tr = { .linear_address = gva };

	if (vcpu->fd < 0)
		return -EBADF;
	if (ioctl(vcpu->fd, KVM_TRANSLATE, &tr) < 0)
		return -errno;
	if (!tr.valid)
		return -EFAULT;
	*gpa = tr.physical_address;
	return 0;
}

/* The host address of the @len bytes at @gva, which must not cross a page: page tables, then @fb. */
static int vmem_host(struct vcpu *vcpu, const struct vmem_fallback *fb, uint64_t gva, size_t len, void **hva)
{
	uint64_t gpa;
	int r = vcpu_translate(vcpu, gva, &gpa);

	if (r == 0)
		r = gmem_translate(vcpu->env->mem, gpa, len, hva);
	if (r < 0 && fb && fb->translate(fb->ctx, gva, &gpa) == 0)
		r = gmem_translate(vcpu->env->mem, gpa, len, hva);
	return r;
}

/* Bytes from @gva to the end of its page, at most @left. */
static size_t vmem_chunk(uint64_t gva, size_t left)
{
	uint64_t room = VMEM_PAGE - (gva & (VMEM_PAGE - 1));

	return left < room ? left : (size_t)room;
}

ssize_t vcpu_read_virt_fb(struct vcpu *vcpu, const struct vmem_fallback *fb, uint64_t gva, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = vmem_chunk(gva + done, len - done);
		void *hva;
		int r;

		if (gva + done < gva)
			break;	/* wrapped past the top of the address space */
		r = vmem_host(vcpu, fb, gva + done, n, &hva);
		if (r < 0) {
			if (done == 0)
				return r;
			break;
		}
		memcpy((uint8_t *)buf + done, hva, n);
		done += n;
	}
	return (ssize_t)done;
}

int vcpu_write_virt_fb(struct vcpu *vcpu, const struct vmem_fallback *fb, uint64_t gva, const void *buf, size_t len)
{
	size_t done;

	if (len == 0)
		return 0;
	if (gva + (len - 1) < gva)
		return -EFAULT;
	for (done = 0; done < len;) {
		size_t n = vmem_chunk(gva + done, len - done);
		void *hva;
		int r = vmem_host(vcpu, fb, gva + done, n, &hva);

		if (r < 0)
			return r;
		done += n;
	}
	for (done = 0; done < len;) {
		size_t n = vmem_chunk(gva + done, len - done);
		void *hva;
		int r = vmem_host(vcpu, fb, gva + done, n, &hva);

		if (r < 0)
			return r;	/* cannot happen with the vCPU stopped */
		memcpy(hva, (const uint8_t *)buf + done, n);
		done += n;
	}
	return 0;
}

ssize_t vcpu_read_virt(struct vcpu *vcpu, uint64_t gva, void *buf, size_t len)
{
	return vcpu_read_virt_fb(vcpu, NULL, gva, buf, len);
}

int vcpu_write_virt(struct vcpu *vcpu, uint64_t gva, const void *buf, size_t len)
{
	return vcpu_write_virt_fb(vcpu, NULL, gva, buf, len);
}
