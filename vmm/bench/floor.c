/* The floor: a hand-built 64-bit guest loop on a bare KVM VM whose KVM_RUN handler does nothing, per bench path. */
#include "vmm/bench/floor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "devices/bench.h"
#include "vcpu/cpuid.h"
#include "vmm/bench/paths.h"
#include "vmm/exit_status.h"
#include "vmm/irq.h"

/* Guest-physical layout of the floor VM: one 2 MiB slot at 0. */
#define FLOOR_MEM_SIZE 0x200000ull
#define FLOOR_GDT 0x1000ull
#define FLOOR_PML4 0x2000ull
#define FLOOR_PDPT 0x3000ull
#define FLOOR_PD_LOW 0x4000ull		/* [0, 1 GiB): the RAM page */
#define FLOOR_PD_HIGH 0x5000ull		/* [3 GiB, 4 GiB): the bench MMIO page */
#define FLOOR_TSS 0x6000ull		/* 104 bytes, then the I/O permission bitmap ... */
#define FLOOR_TSS_LIMIT (0x68 + 0x2000)	/* ... of all 65536 ports (all allowed) and its 0xff end byte */
#define FLOOR_CODE 0x10000ull
#define FLOOR_HC_PAGE 0x100000ull	/* the page MAP_GPA_RANGE names */
#define FLOOR_STACK 0x1ff000ull
#define FLOOR_PORT_DONE 0x21ffu		/* the loop's last OUT: not a bench port */

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA (0x18 | 3)
#define SEL_UCODE (0x20 | 3)
#define SEL_TSS 0x28

#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull
#define PTE_PS 0x80ull

struct floor_vm {
	int kvm_fd, vm_fd, vcpu_fd, efd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	bool amd;		/* VMMCALL rather than VMCALL */
};

bool bench_floor_offers(enum keel_bench_path p)
{
	switch (p) {
	case KEEL_BENCH_PATH_CPUID:
	case KEEL_BENCH_PATH_PIO_USER:
	case KEEL_BENCH_PATH_PIO_KERNEL:
	case KEEL_BENCH_PATH_MMIO_USER:
	case KEEL_BENCH_PATH_MMIO_KERNEL:
	case KEEL_BENCH_PATH_MSR_KERNEL:
	case KEEL_BENCH_PATH_MSR_USER:
	case KEEL_BENCH_PATH_HYPERCALL:
		return true;
	default:
		return false;
	}
}

/* A byte emitter that refuses to overflow. */
struct emit {
	uint8_t *buf;
	size_t cap, n;
	bool overflow;
};

static void emit(struct emit *e, const uint8_t *bytes, size_t len)
{
	if (e->n + len > e->cap) {
		e->overflow = true;
		return;
	}
	memcpy(e->buf + e->n, bytes, len);
	e->n += len;
}

#define EMIT(e, ...) emit((e), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* rdx:rax = TSC, then rax = the 64-bit TSC (rdtsc; shl rdx, 32; or rax, rdx). */
static void emit_rdtsc(struct emit *e)
{
	EMIT(e, 0x0f, 0x31, 0x48, 0xc1, 0xe2, 0x20, 0x48, 0x09, 0xd0);
}

int bench_floor_code(enum keel_bench_path p, bool amd, uint8_t *buf, size_t cap)
{
	struct emit e = { .buf = buf, .cap = cap };
	size_t loop;

	if (!bench_floor_offers(p))
		return -EINVAL;
	/* r8 = round trips, r9 = port or MMIO address, r10 = MSR index or hypercall GPA (set by the host). */
	emit_rdtsc(&e);
	EMIT(&e, 0x49, 0x89, 0xc3);				/* mov r11, rax: the start */
	switch (p) {
	case KEEL_BENCH_PATH_PIO_USER:
	case KEEL_BENCH_PATH_PIO_KERNEL:
		EMIT(&e, 0x4c, 0x89, 0xca);			/* mov rdx, r9 */
		break;
	case KEEL_BENCH_PATH_MMIO_USER:
	case KEEL_BENCH_PATH_MMIO_KERNEL:
		EMIT(&e, 0x4c, 0x89, 0xcb);			/* mov rbx, r9 */
		break;
	case KEEL_BENCH_PATH_MSR_KERNEL:
	case KEEL_BENCH_PATH_MSR_USER:
		EMIT(&e, 0x4c, 0x89, 0xd1);			/* mov rcx, r10 */
		break;
	default:
		break;
	}
	loop = e.n;
	switch (p) {
	case KEEL_BENCH_PATH_CPUID:
		EMIT(&e, 0x31, 0xc0, 0x0f, 0xa2);		/* xor eax, eax; cpuid */
		break;
	case KEEL_BENCH_PATH_PIO_USER:
	case KEEL_BENCH_PATH_PIO_KERNEL:
		EMIT(&e, 0xee);					/* out dx, al */
		break;
	case KEEL_BENCH_PATH_MMIO_USER:
		EMIT(&e, 0x89, 0x03);				/* mov [rbx], eax */
		break;
	case KEEL_BENCH_PATH_MMIO_KERNEL:
		EMIT(&e, 0x88, 0x03);				/* mov [rbx], al */
		break;
	case KEEL_BENCH_PATH_MSR_KERNEL:
	case KEEL_BENCH_PATH_MSR_USER:
		EMIT(&e, 0x0f, 0x32);				/* rdmsr */
		break;
	default:						/* the hypercall */
		EMIT(&e, 0xb8, KEEL_BENCH_HC_NR, 0, 0, 0);	/* mov eax, KVM_HC_MAP_GPA_RANGE */
		EMIT(&e, 0x4c, 0x89, 0xd3);			/* mov rbx, r10: the GPA */
		EMIT(&e, 0xb9, 1, 0, 0, 0);			/* mov ecx, 1: one page */
		EMIT(&e, 0xba, KEEL_BENCH_HC_ATTRS, 0, 0, 0);	/* mov edx, attributes */
		if (amd)
			EMIT(&e, 0x0f, 0x01, 0xd9);		/* vmmcall */
		else
			EMIT(&e, 0x0f, 0x01, 0xc1);		/* vmcall */
		break;
	}
	EMIT(&e, 0x49, 0xff, 0xc8);				/* dec r8 */
	EMIT(&e, 0x75, (uint8_t)(int8_t)((int)loop - (int)(e.n + 2)));	/* jnz loop */
	emit_rdtsc(&e);
	EMIT(&e, 0x4c, 0x29, 0xd8);				/* sub rax, r11 */
	EMIT(&e, 0x49, 0x89, 0xc4);				/* mov r12, rax: the cycles */
	EMIT(&e, 0xba, FLOOR_PORT_DONE & 0xff, FLOOR_PORT_DONE >> 8, 0, 0);	/* mov edx, done port */
	EMIT(&e, 0xee, 0xeb, 0xfe);				/* out dx, al; jmp . */
	return e.overflow ? -ENOSPC : (int)e.n;
}

/* GDT, TSS and page tables; the code goes in per path. */
static void floor_tables(uint8_t *mem)
{
	static const uint64_t gdt[] = {
		0,
		0x00af9a000000ffffull,	/* 0x08 kernel code, 64-bit */
		0x00cf92000000ffffull,	/* 0x10 kernel data */
		0x00cff2000000ffffull,	/* 0x18 user data */
		0x00affa000000ffffull,	/* 0x20 user code, 64-bit */
		/* 0x28: the 64-bit TSS, filled below */
		0, 0,
	};
	uint64_t *g = (uint64_t *)(mem + FLOOR_GDT);
	uint64_t *pml4 = (uint64_t *)(mem + FLOOR_PML4), *pdpt = (uint64_t *)(mem + FLOOR_PDPT);
	uint64_t *pd_low = (uint64_t *)(mem + FLOOR_PD_LOW), *pd_high = (uint64_t *)(mem + FLOOR_PD_HIGH);
	const uint64_t flags = PTE_P | PTE_RW | PTE_US;

	memcpy(g, gdt, sizeof(gdt));
	g[5] = FLOOR_TSS_LIMIT | (FLOOR_TSS & 0xffffff) << 16 | 0x89ull << 40 | (FLOOR_TSS >> 24 & 0xff) << 56;
	g[6] = FLOOR_TSS >> 32;
	/*
	 * Ring 3 may use IN and OUT through the TSS's I/O bitmap as well as IOPL 3: kvm_pvm keeps
	 * the guest's IOPL at 0 (its user mode runs in the host's ring 3) and checks the bitmap.
	 */
	mem[FLOOR_TSS + 0x66] = 0x68;	/* I/O map base: right after the 104-byte TSS; the bitmap stays 0 */
	mem[FLOOR_TSS + FLOOR_TSS_LIMIT] = 0xff;
	pml4[0] = FLOOR_PDPT | flags;
	pdpt[0] = FLOOR_PD_LOW | flags;
	pdpt[3] = FLOOR_PD_HIGH | flags;
	pd_low[0] = 0 | flags | PTE_PS;
	pd_high[(KEEL_BENCH_MMIO_USER >> 21) & 511] = (KEEL_BENCH_MMIO_USER & ~0x1fffffull) | flags | PTE_PS;
	/* The MMIO kernel page lies in the same 2 MiB page. */
	_Static_assert((KEEL_BENCH_MMIO_USER >> 21) == (KEEL_BENCH_MMIO_KERNEL >> 21), "one 2 MiB page");
}

static void floor_destroy(struct floor_vm *f)
{
	if (f->run)
		munmap(f->run, f->run_size);
	if (f->mem)
		munmap(f->mem, FLOOR_MEM_SIZE);
	if (f->vcpu_fd >= 0)
		close(f->vcpu_fd);
	if (f->efd >= 0)
		close(f->efd);
	if (f->vm_fd >= 0)
		close(f->vm_fd);
	if (f->kvm_fd >= 0)
		close(f->kvm_fd);
	memset(f, 0, sizeof(*f));
	f->kvm_fd = f->vm_fd = f->vcpu_fd = f->efd = -1;
}

static int floor_fail(char *why, size_t len, const char *what)
{
	int err = errno;

	snprintf(why, len, "%s: %s", what, strerror(err));
	return err ? -err : -EIO;
}

/* The VM keel's guest would get: irqchip, TSS and identity-map addresses, the same CPUID. */
static int floor_create(struct floor_vm *f, const char *kvm_path, char *why, size_t len)
{
	struct kvm_userspace_memory_region slot = { .slot = 0, .memory_size = FLOOR_MEM_SIZE };
	struct kvm_cpuid2 *sup = NULL, *cpuid = NULL;
	uint64_t idmap = 0xfffbc000ull;
	const struct kvm_cpuid_entry2 *leaf0;
	int mmap_size, ret;

	memset(f, 0, sizeof(*f));
	f->vm_fd = f->vcpu_fd = f->efd = -1;
	f->kvm_fd = open(kvm_path, O_RDWR | O_CLOEXEC);
	if (f->kvm_fd < 0)
		return floor_fail(why, len, kvm_path);
	f->vm_fd = ioctl(f->kvm_fd, KVM_CREATE_VM, 0UL);
	if (f->vm_fd < 0)
		return floor_fail(why, len, "KVM_CREATE_VM");
	if (ioctl(f->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0 ||
	    ioctl(f->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0 || ioctl(f->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return floor_fail(why, len, "setting up the VM");
	f->mem = mmap(NULL, FLOOR_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->mem == MAP_FAILED) {
		f->mem = NULL;
		return floor_fail(why, len, "guest memory");
	}
	slot.userspace_addr = (uintptr_t)f->mem;
	if (ioctl(f->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return floor_fail(why, len, "KVM_SET_USER_MEMORY_REGION");
	f->vcpu_fd = ioctl(f->vm_fd, KVM_CREATE_VCPU, 0UL);
	mmap_size = ioctl(f->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (f->vcpu_fd < 0 || mmap_size <= 0)
		return floor_fail(why, len, "KVM_CREATE_VCPU");
	f->run_size = (size_t)mmap_size;
	f->run = mmap(NULL, f->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, f->vcpu_fd, 0);
	if (f->run == MAP_FAILED) {
		f->run = NULL;
		return floor_fail(why, len, "mapping kvm_run");
	}
	ret = cpuid_get_supported(f->kvm_fd, &sup);
	if (ret == 0)
		ret = cpuid_build(sup, 0, 1, &cpuid);
	if (ret == 0 && ioctl(f->vcpu_fd, KVM_SET_CPUID2, cpuid) < 0)
		ret = -errno;
	leaf0 = ret == 0 ? cpuid_find(cpuid, 0, 0) : NULL;
	f->amd = leaf0 && leaf0->ebx == 0x68747541;	/* "Auth"enticAMD */
	free(cpuid);
	free(sup);
	if (ret < 0) {
		errno = -ret;
		return floor_fail(why, len, "setting the vCPU's CPUID");
	}
	f->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->efd < 0)
		return floor_fail(why, len, "eventfd");
	floor_tables(f->mem);
	return 0;
}

static struct kvm_segment floor_seg(uint16_t sel, uint8_t type, uint8_t dpl, bool code)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type, .present = 1, .dpl = dpl,
		.db = !code, .s = 1, .l = code, .g = 1,
	};
}

/* Point the vCPU at the loop: @ring 3 or 0, r8 = @iters, r9 and r10 as the code expects. */
static int floor_enter(struct floor_vm *f, int ring, uint64_t iters, uint64_t r9, uint64_t r10)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	bool user = ring == 3;

	if (ioctl(f->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.cs = floor_seg(user ? SEL_UCODE : SEL_KCODE, 11, user ? 3 : 0, true);
	sregs.ss = floor_seg(user ? SEL_UDATA : SEL_KDATA, 3, user ? 3 : 0, false);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss;
	sregs.tr = (struct kvm_segment){
		.base = FLOOR_TSS, .limit = FLOOR_TSS_LIMIT, .selector = SEL_TSS, .type = 11, .present = 1,
	};
	sregs.ldt = (struct kvm_segment){ .type = 2, .unusable = 1 };
	sregs.gdt.base = FLOOR_GDT;
	sregs.gdt.limit = 7 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = 0x80050033;		/* PG WP NE ET MP PE */
	sregs.cr3 = FLOOR_PML4;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.efer = 0x500;		/* LMA LME */
	if (ioctl(f->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = FLOOR_CODE;
	regs.rsp = FLOOR_STACK;
	regs.rflags = user ? 0x3002 : 0x2;	/* IOPL 3 lets ring 3 use IN and OUT */
	regs.r8 = iters;
	regs.r9 = r9;
	regs.r10 = r10;
	return ioctl(f->vcpu_fd, KVM_SET_REGS, &regs) < 0 ? -errno : 0;
}

static uint64_t floor_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static const char *floor_exit_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_SHUTDOWN:
		return "KVM_EXIT_SHUTDOWN: the guest faulted (a #GP: the instruction is refused here)";
	case KVM_EXIT_INTERNAL_ERROR:
		return "KVM_EXIT_INTERNAL_ERROR: KVM could not emulate the instruction";
	case KVM_EXIT_FAIL_ENTRY:
		return "KVM_EXIT_FAIL_ENTRY: KVM refused the vCPU state";
	case KVM_EXIT_HLT:
		return "KVM_EXIT_HLT";
	default:
		return "an unexpected exit";
	}
}

/*
 * One repetition: KVM_RUN until the loop's done port, with the empty handler; then the pending
 * OUT is completed (immediate_exit) so that the next KVM_SET_REGS stands.
 */
static int floor_run(struct floor_vm *f, uint64_t *cycles, uint64_t *ns, char *why, size_t len)
{
	struct kvm_run *run = f->run;
	struct kvm_regs regs;
	uint64_t t0, t1;

	t0 = floor_now_ns();
	for (;;) {
		if (ioctl(f->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return floor_fail(why, len, "KVM_RUN");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.port == FLOOR_PORT_DONE)
				goto done;
			continue;
		case KVM_EXIT_MMIO:
			continue;
		case KVM_EXIT_X86_RDMSR:
			run->msr.error = 0;
			run->msr.data = 0;
			continue;
		case KVM_EXIT_X86_WRMSR:
			run->msr.error = 0;
			continue;
		case KVM_EXIT_HYPERCALL:
			run->hypercall.ret = 0;
			continue;
		default:
			snprintf(why, len, "%s (exit reason %u)", floor_exit_name(run->exit_reason), run->exit_reason);
			return -EIO;
		}
	}
done:
	t1 = floor_now_ns();
	run->immediate_exit = 1;
	if (ioctl(f->vcpu_fd, KVM_RUN, 0) < 0 && errno != EINTR) {
		run->immediate_exit = 0;
		return floor_fail(why, len, "completing the last OUT");
	}
	run->immediate_exit = 0;
	if (ioctl(f->vcpu_fd, KVM_GET_REGS, &regs) < 0)
		return floor_fail(why, len, "KVM_GET_REGS");
	*cycles = regs.r12;
	*ns = t1 - t0 ? t1 - t0 : 1;
	return 0;
}

/* Capabilities and ioeventfds path @p needs, and r9 / r10 for its loop. */
static int floor_prepare(struct floor_vm *f, enum keel_bench_path p, uint64_t *r9, uint64_t *r10, char *why,
			 size_t len)
{
	int ret = 0;

	*r9 = *r10 = 0;
	switch (p) {
	case KEEL_BENCH_PATH_PIO_USER:
		*r9 = KEEL_BENCH_PORT_USER;
		break;
	case KEEL_BENCH_PATH_PIO_KERNEL:
		*r9 = KEEL_BENCH_PORT_KERNEL;
		ret = kvm_ioeventfd(f->vm_fd, f->efd, KEEL_BENCH_PORT_KERNEL, 1, true, false, 0, true);
		break;
	case KEEL_BENCH_PATH_MMIO_USER:
		*r9 = KEEL_BENCH_MMIO_USER;
		break;
	case KEEL_BENCH_PATH_MMIO_KERNEL:
		*r9 = KEEL_BENCH_MMIO_KERNEL;
		ret = kvm_ioeventfd(f->vm_fd, f->efd, KEEL_BENCH_MMIO_KERNEL,
				    ioctl(f->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD_ANY_LENGTH) > 0 ? 0 : 1,
				    false, false, 0, true);
		break;
	case KEEL_BENCH_PATH_MSR_KERNEL:
		*r10 = KEEL_BENCH_MSR_KERNEL;
		break;
	case KEEL_BENCH_PATH_MSR_USER:
		*r10 = KEEL_BENCH_MSR_USER;
		ret = bench_kvm_user_msr(f->kvm_fd, f->vm_fd, KEEL_BENCH_MSR_USER);
		if (ret == -EOPNOTSUPP) {
			snprintf(why, len, "KVM has no user-space MSRs (KVM_CAP_X86_USER_SPACE_MSR, KVM_CAP_X86_MSR_FILTER)");
			return ret;
		}
		break;
	case KEEL_BENCH_PATH_HYPERCALL:
		*r10 = FLOOR_HC_PAGE;
		ret = bench_kvm_hypercall_exit(f->kvm_fd, f->vm_fd, KEEL_BENCH_HC_NR);
		if (ret == -EOPNOTSUPP) {
			snprintf(why, len, "KVM does not send KVM_HC_MAP_GPA_RANGE to user space (KVM_CAP_EXIT_HYPERCALL)");
			return ret;
		}
		break;
	default:
		break;
	}
	if (ret < 0)
		snprintf(why, len, "setting up the path: %s", strerror(-ret));
	return ret;
}

/* Print one protocol line on stdout at once (the parent reads it as it comes). */
static void floor_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void floor_say(const char *fmt, ...)
{
	char line[KEEL_BENCH_LINE_MAX + 2];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		return;
}

/* Quote @s for a reason="..." value. */
static void floor_quote(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 3 < cap; s++) {
		if (*s == '"' || *s == '\\')
			out[n++] = '\\';
		out[n++] = *s == '\n' ? ' ' : *s;
	}
	out[n] = '\0';
}

static void floor_unavailable(const char *name, const char *why)
{
	char q[160];

	floor_quote(why, q, sizeof(q));
	floor_say(KEEL_BENCH_PREFIX "path=%s unavailable reason=\"%s\"", name, q);
}

/* One path on a fresh floor VM. Returns 0, or -ENODEV when /dev/kvm itself is unusable. */
static int floor_path(const struct bench_floor_cfg *cfg, enum keel_bench_path p)
{
	const struct bench_path_info info = bench_path(p);
	struct floor_vm f;
	uint64_t r9, r10, cycles, ns;
	char why[160] = "";
	int len, ret;

	floor_say(KEEL_BENCH_PREFIX "start path=%s ring=%d", info.name, info.ring);
	ret = floor_create(&f, cfg->kvm_path, why, sizeof(why));
	if (ret < 0) {
		bool no_kvm = f.kvm_fd < 0;

		floor_unavailable(info.name, why);
		floor_destroy(&f);
		return no_kvm ? -ENODEV : 0;
	}
	len = bench_floor_code(p, f.amd, f.mem + FLOOR_CODE, 256);
	ret = len < 0 ? len : floor_prepare(&f, p, &r9, &r10, why, sizeof(why));
	/* The probe: one round trip. A vmcall that never returns stops here, and the parent kills us. */
	if (ret == 0)
		ret = floor_enter(&f, info.ring, 1, r9, r10);
	if (ret == 0)
		ret = floor_run(&f, &cycles, &ns, why, sizeof(why));
	if (ret < 0) {
		if (!why[0])
			snprintf(why, sizeof(why), "%s", strerror(-ret));
		floor_unavailable(info.name, why);
		floor_destroy(&f);
		return 0;
	}
	floor_say(KEEL_BENCH_PREFIX "ready path=%s", info.name);
	for (unsigned int rep = 0; rep < cfg->reps; rep++) {
		ret = floor_enter(&f, info.ring, cfg->iters, r9, r10);
		if (ret == 0)
			ret = floor_run(&f, &cycles, &ns, why, sizeof(why));
		if (ret < 0) {
			if (!why[0])
				snprintf(why, sizeof(why), "%s", strerror(-ret));
			floor_unavailable(info.name, why);
			break;
		}
		floor_say(KEEL_BENCH_PREFIX "path=%s rep=%u iters=%llu cycles=%llu ns=%llu", info.name, rep,
			  (unsigned long long)cfg->iters, (unsigned long long)cycles, (unsigned long long)ns);
	}
	floor_destroy(&f);
	return 0;
}

int bench_floor_main(void *arg)
{
	const struct bench_floor_cfg *cfg = arg;

	floor_say(KEEL_BENCH_PREFIX "begin version=%d iters=%llu reps=%u cpus=1", KEEL_BENCH_VERSION,
		  (unsigned long long)cfg->iters, cfg->reps);
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		if (!(cfg->paths & (1u << p)) || !bench_floor_offers((enum keel_bench_path)p))
			continue;
		if (floor_path(cfg, (enum keel_bench_path)p) == -ENODEV)
			return KEEL_EXIT_HOST;
	}
	floor_say(KEEL_BENCH_PREFIX "end");
	return 0;
}
