/*
 * User program "bench": the ring-3 loops of `keel bench` (firmware/bench.h). a0 = the path
 * (enum keel_bench_path) | repetitions << 8, a1 = iterations, a2 = the port or physical address.
 * One operation first (then BENCH_OP_READY), then each repetition timed with the TSC and reported
 * with BENCH_OP_REP; no system call inside a timed loop.
 */
#include "firmware/bench.h"
#include "guest/lib/string.h"
#include "guest/user/lib/ulib.h"

static inline uint64_t tsc_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t tsc_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static int unavailable(const char *why)
{
	syscall3(SYS_BENCH, BENCH_OP_UNAVAILABLE, (long)why, (long)strlen(why));
	return 1;
}

static inline void op_cpuid(void)
{
	uint32_t a = 0, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

static inline void op_out(uint16_t port)
{
	__asm__ volatile("outb %b0, %w1" : : "a"((uint8_t)0), "Nd"(port) : "memory");
}

/* Run @body @n times per repetition: the loops are spelled out so each body is inlined. */
#define BENCH_LOOP(body) \
	do { \
		body; \
		syscall3(SYS_BENCH, BENCH_OP_READY, 0, 0); \
		for (unsigned long r = 0; r < reps; r++) { \
			uint64_t n = iters, t0 = tsc_begin(); \
			do { \
				body; \
			} while (--n); \
			syscall3(SYS_BENCH, BENCH_OP_REP, (long)r, (long)(tsc_end() - t0)); \
		} \
	} while (0)

/* The virtqueue page the kernel set up (guest/kernel/bench.c): rings, struct info, the buffer. */
#define VQ_AVAIL 0x400u
#define VQ_USED 0x800u
#define VQ_INFO 0xc00u
#define VQ_BUF 0xe00u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

struct vq_info {
	uint64_t notify, buf;
	uint32_t size;
};

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* Offer the buffer, notify queue 0, poll the used ring until it comes back. */
static inline void vq_roundtrip(volatile uint16_t *avail, volatile uint16_t *used_idx, volatile uint16_t *notify,
				uint16_t *idx, uint16_t size)
{
	avail[2 + *idx % size] = 0;
	__asm__ volatile("" : : : "memory");
	avail[1] = ++*idx;
	__asm__ volatile("mfence" : : : "memory");
	*notify = 0;
	while (*used_idx != *idx)
		__asm__ volatile("pause" : : : "memory");
}

static int run_virtio(uint64_t page, uint64_t iters, unsigned long reps)
{
	long va = syscall3(SYS_MAP_DEVICE, (long)page, 4096, 0), nva;
	volatile struct vq_info *info;
	volatile struct vq_desc *desc;
	volatile uint16_t *avail, *used_idx, *notify;
	uint16_t idx = 0, size;

	if (va < 0)
		return unavailable("SYS_MAP_DEVICE refused the virtqueue page");
	info = (volatile struct vq_info *)(va + VQ_INFO);
	desc = (volatile struct vq_desc *)va;
	avail = (volatile uint16_t *)(va + VQ_AVAIL);
	used_idx = (volatile uint16_t *)(va + VQ_USED + 2);
	size = (uint16_t)info->size;
	nva = syscall3(SYS_MAP_DEVICE, (long)(info->notify & ~0xfffull), 4096, 0);
	if (nva < 0)
		return unavailable("SYS_MAP_DEVICE refused the notify page");
	notify = (volatile uint16_t *)(nva + (long)(info->notify & 0xfff));
	for (uint16_t i = 0; i < size; i++) {
		desc[i].addr = info->buf;
		desc[i].len = 64;
		desc[i].flags = VIRTQ_DESC_F_WRITE;
	}
	avail[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	BENCH_LOOP(vq_roundtrip(avail, used_idx, notify, &idx, size));
	return 0;
}

int main(uint64_t a0, uint64_t iters, uint64_t addr)
{
	unsigned int path = (unsigned int)(a0 & 0xff);
	unsigned long reps = a0 >> 8;
	volatile uint8_t *b = 0;
	volatile uint32_t *w = 0;
	uint16_t port = (uint16_t)addr;

	if (!iters || !reps)
		return unavailable("no iterations");
	if (path == KEEL_BENCH_PATH_MMIO_USER || path == KEEL_BENCH_PATH_MMIO_KERNEL) {
		long va = syscall3(SYS_MAP_DEVICE, (long)(addr & ~0xfffull), 4096, 0);

		if (va < 0)
			return unavailable("SYS_MAP_DEVICE refused the bench page");
		b = (volatile uint8_t *)(va + (long)(addr & 0xfff));
		w = (volatile uint32_t *)(void *)b;
	}
	if (path == KEEL_BENCH_PATH_VIRTIO_NOTIFY)
		return run_virtio(addr, iters, reps);
	switch (path) {
	case KEEL_BENCH_PATH_CPUID:
		BENCH_LOOP(op_cpuid());
		break;
	case KEEL_BENCH_PATH_PIO_USER:
	case KEEL_BENCH_PATH_PIO_KERNEL:
		BENCH_LOOP(op_out(port));
		break;
	case KEEL_BENCH_PATH_MMIO_USER:
		BENCH_LOOP(*w = 0);
		break;
	case KEEL_BENCH_PATH_MMIO_KERNEL:
		BENCH_LOOP(*b = 0);
		break;
	default:
		return unavailable("not a ring-3 path");
	}
	return 0;
}
