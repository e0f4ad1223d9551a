/* Guest-virtual memory as one vCPU sees it: KVM_TRANSLATE through its page tables, then the checked gmem_translate. */
#ifndef KEEL_VCPU_VMEM_H
#define KEEL_VCPU_VMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vcpu;

#define VMEM_PAGE 4096ull	/* translation granularity (any larger page is a run of these) */

/*
 * vcpu_translate - the guest-physical address of guest-virtual (linear) @gva through @vcpu's
 * current page tables (identity while paging is off). 0, -EFAULT (not mapped) or -errno. Call it
 * while the vCPU is outside KVM_RUN (its own thread, or paused).
 */
int vcpu_translate(struct vcpu *vcpu, uint64_t gva, uint64_t *gpa);

/*
 * vcpu_read_virt - copy up to @len bytes from guest-virtual @gva, page by page. Returns how many
 * bytes were copied: fewer than @len when a later page is unmapped or not RAM; -EFAULT (or
 * -errno) when the first one is.
 */
ssize_t vcpu_read_virt(struct vcpu *vcpu, uint64_t gva, void *buf, size_t len);

/*
 * vcpu_write_virt - copy @len bytes to guest-virtual @gva, all or nothing: every page is
 * translated and checked before the first byte is written. 0, -EFAULT or -errno. Page
 * protections do not apply (a debugger writes into code).
 */
int vcpu_write_virt(struct vcpu *vcpu, uint64_t gva, const void *buf, size_t len);

/*
 * A second translation, asked when the page tables do not map @gva or map it outside RAM: the
 * gdb stub's image map (where the kernel's linked addresses were loaded), so a debugger reaches
 * kernel code before the guest has built its page tables. 0 with *@gpa, or -EFAULT.
 */
struct vmem_fallback {
	int (*translate)(const void *ctx, uint64_t gva, uint64_t *gpa);
	const void *ctx;
};

/* vcpu_read_virt_fb, vcpu_write_virt_fb - vcpu_read_virt and vcpu_write_virt with @fb (may be NULL). */
ssize_t vcpu_read_virt_fb(struct vcpu *vcpu, const struct vmem_fallback *fb, uint64_t gva, void *buf, size_t len);
int vcpu_write_virt_fb(struct vcpu *vcpu, const struct vmem_fallback *fb, uint64_t gva, const void *buf, size_t len);

#endif
