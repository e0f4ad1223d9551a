/*
 * `keel bench` in the guest (firmware/bench.h is the protocol): with bench= on the command line the
 * kernel runs no checks; for each listed path it prints `bench: start`, runs one operation
 * (`bench: ready`), then R repetitions of N round trips timed with the TSC. Paths of ring 3 run in
 * the user program "bench" (guest/user/bench.c), which reports through SYS_BENCH; ring-0 paths run
 * here, on the main thread, with loop bodies kept tiny (ring 0 may be emulated).
 */
#include "guest/kernel/bench.h"

#include <stddef.h>
#include <stdint.h>

#include "firmware/bench.h"
#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/io.h"
#include "guest/arch/x86/ioapic.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/percpu.h"
#include "guest/arch/x86/traps.h"
#include "guest/arch/x86/vectors.h"
#include "guest/drivers/pci.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/errno.h"
#include "guest/kernel/smp.h"
#include "guest/kernel/time.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"
#include "guest/user/abi.h"

#define BENCH_LIST_MAX 256
#define BENCH_NUM_MAX 24
#define BENCH_REASON_MAX 160
#define BENCH_USER_TIMEOUT_MS 600000ull	/* the host's own limits end a stuck run first */
#define BENCH_PROBE_TIMEOUT_NS 1000000000ull	/* an interrupt that never comes */
#define BENCH_SPIN_NS 20000ull		/* the interrupt paths spin this long, then halt */
#define BENCH_VEC VEC_IPI_PONG		/* irq.c counts it in ipi_pongs and sends EOI */
#define MSR_X2APIC_SELF_IPI 0x83fu

/* The user program's argument a0: the path, and the repetitions above bit 8. */
#define BENCH_A0(path, reps) ((uint64_t)(path) | (uint64_t)(reps) << 8)

static const char *const bench_names[KEEL_BENCH_NPATHS] = {
#define BENCH_NAME_(id, name, ring, exit) [KEEL_BENCH_PATH_##id] = name,
	KEEL_BENCH_PATHS(BENCH_NAME_)
#undef BENCH_NAME_
};

/* The path being run, for the lines SYS_BENCH prints. */
static struct {
	const char *name;
	bool ready, over;		/* over: unavailable printed */
	unsigned int reps_done;
} cur;

static uint64_t iters;
static unsigned int reps;
static bool under_qemu;

/* QEMU's pci-testdev, found under QEMU: its BARs and wildcard-eventfd addresses. */
static struct {
	bool found, mmio_ok, pio_ok;
	volatile uint8_t *bar0;		/* BAR0 through the direct map: byte 0 selects a test */
	uint16_t bar1;			/* BAR1's first port: selects a test too */
	uint64_t mmio;			/* BAR0 + offset (physical) */
	uint16_t port;			/* BAR1 + offset */
} testdev;

/* CPU 0's TSS with an I/O permission bitmap for the bench ports (kvm_pvm checks it in ring 3). */
static struct {
	struct tss tss;
	uint8_t map[8192 + 1];		/* one bit per port, then the terminating 0xff byte */
} __attribute__((packed, aligned(16))) bench_tss;

static inline uint64_t tsc_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t tsc_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* --- the lines ----------------------------------------------------------------------------- */

static void line_start(enum keel_bench_path p, int ring)
{
	cur.name = bench_names[p];
	cur.ready = cur.over = false;
	cur.reps_done = 0;
	kprintf(KEEL_BENCH_PREFIX "start path=%s ring=%d\n", cur.name, ring);
}

static void line_ready(void)
{
	if (cur.ready || cur.over)
		return;
	cur.ready = true;
	kprintf(KEEL_BENCH_PREFIX "ready path=%s\n", cur.name);
}

static void line_rep(unsigned int rep, uint64_t cycles)
{
	if (cur.over)
		return;
	cur.reps_done++;
	kprintf(KEEL_BENCH_PREFIX "path=%s rep=%u iters=%lu cycles=%lu\n", cur.name, rep, (unsigned long)iters,
		(unsigned long)cycles);
}

/* @why: plain words; quotes and backslashes are replaced, control characters dropped. */
static void line_unavailable(const char *why)
{
	char r[BENCH_REASON_MAX];
	size_t n = 0;

	if (cur.over)
		return;
	cur.over = true;
	for (; *why && n < sizeof(r) - 1; why++) {
		char c = *why;

		if (c == '"' || c == '\\')
			c = '\'';
		if ((unsigned char)c < 0x20)
			continue;
		r[n++] = c;
	}
	r[n] = 0;
	kprintf(KEEL_BENCH_PREFIX "path=%s unavailable reason=\"%s\"\n", cur.name, r);
}

void sys_bench(struct trap_frame *f, struct task *t)
{
	char why[BENCH_REASON_MAX];
	uint64_t len;

	f->rax = 0;
	if (!cur.name) {
		f->rax = (uint64_t)-EINVAL;
		return;
	}
	switch (f->rdi) {
	case BENCH_OP_READY:
		line_ready();
		break;
	case BENCH_OP_REP:
		line_rep((unsigned int)f->rsi, f->rdx);
		break;
	case BENCH_OP_UNAVAILABLE:
		len = f->rdx < sizeof(why) - 1 ? f->rdx : sizeof(why) - 1;
		if (aspace_check_user(&t->as, f->rsi, len, false)) {
			f->rax = (uint64_t)-EFAULT;
			return;
		}
		memcpy(why, (const void *)(uintptr_t)f->rsi, len);
		why[len] = 0;
		line_unavailable(why);
		break;
	default:
		f->rax = (uint64_t)-EINVAL;
	}
}

/* --- the machine --------------------------------------------------------------------------- */

static bool vendor_is(uint32_t leaf, const char *v)
{
	struct cpuid_regs r = cpuid(leaf, 0);
	char s[13];

	memcpy(s, &r.ebx, 4);
	memcpy(s + 4, leaf >= 0x40000000u ? &r.ecx : &r.edx, 4);
	memcpy(s + 8, leaf >= 0x40000000u ? &r.edx : &r.ecx, 4);
	s[12] = 0;
	return !memcmp(s, v, strlen(v));
}

static void line_begin(void)
{
	struct cpuid_regs r;
	unsigned long khz = 0;
	const char *src = NULL;

	if (cpuid(0, 0).eax >= 0x15) {
		r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx) {
			khz = (unsigned long)((uint64_t)r.ecx * r.ebx / r.eax / 1000);
			src = "cpuid-15";
		}
	}
	if (!khz && cpuid(0, 0).eax >= 0x16 && (cpuid(0x16, 0).eax & 0xffff)) {
		khz = (cpuid(0x16, 0).eax & 0xffff) * 1000ul;
		src = "cpuid-16";
	}
	if (!khz && (cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR)) {
		/* KVM's timing leaf: 0x40000010 under QEMU, moved to 0x40000110 by keel. */
		uint32_t base = vendor_is(0x40000000u, "KeelKeelKeel") ? 0x40000100u : 0x40000000u;

		if (cpuid(base, 0).eax >= base + 0x10 && cpuid(base + 0x10, 0).eax) {
			khz = cpuid(base + 0x10, 0).eax;
			src = "kvm-40000010";
		}
	}
	kprintf(KEEL_BENCH_PREFIX "begin version=%d iters=%lu reps=%u cpus=%u", KEEL_BENCH_VERSION,
		(unsigned long)iters, reps, smp_online_count());
	if (khz)
		kprintf(" tsc-khz=%lu tsc-source=%s", khz, src);
	kprintf("\n");
}

static void bench_io_allow(uint32_t port)
{
	if (port < 0x10000u)
		bench_tss.map[port / 8] &= (uint8_t)~(1u << (port % 8));
}

/* Give CPU 0 (the caller) a TSS with an I/O bitmap that allows @ports to ring 3. */
static void bench_io_bitmap_install(void)
{
	struct cpu *c = this_cpu();
	uint64_t base = (uint64_t)(uintptr_t)&bench_tss, limit = sizeof(bench_tss) - 1;
	uint64_t *p = (uint64_t *)(void *)bench_tss.map;

	for (size_t i = 0; i < sizeof(bench_tss.map) / 8; i++)
		p[i] = ~0ull;
	bench_tss.map[sizeof(bench_tss.map) - 1] = 0xff;
	bench_tss.tss = c->tables.tss;
	bench_tss.tss.iomap_base = sizeof(struct tss);
	for (uint32_t i = 0; i < KEEL_BENCH_PORT_USER_LEN; i++)
		bench_io_allow(KEEL_BENCH_PORT_USER + i);
	if (under_qemu) {
		if (testdev.pio_ok)
			bench_io_allow(testdev.port);
	} else {
		bench_io_allow(KEEL_BENCH_PORT_KERNEL);
	}
	/* An available (not busy) 64-bit TSS descriptor for the new TSS, then ltr. */
	c->tables.gdt[TSS_SEL >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
				      ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	c->tables.gdt[(TSS_SEL >> 3) + 1] = base >> 32;
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)TSS_SEL) : "memory");
}

/*
 * Start the wildcard-eventfd test on the memory BAR (@mmio) or the I/O BAR. pci-testdev runs one
 * test at a time across both BARs (selecting one stops the other's eventfd), so each kernel path
 * selects its own just before it runs.
 */
static void testdev_select(bool mmio)
{
	if (mmio)
		testdev.bar0[0] = KEEL_BENCH_PCI_TESTDEV_WILDCARD;
	else
		outb(testdev.bar1, KEEL_BENCH_PCI_TESTDEV_WILDCARD);
}

/* Under QEMU: find pci-testdev on bus 0; select wildcard-eventfd on each BAR in turn to read its offset. */
static void testdev_probe(void)
{
	for (uint8_t slot = 0; slot < PCI_MAX_FUNCS; slot++) {
		uint32_t id = pci_read32(slot, PCI_CFG_VENDOR), bar0, bar1, off = 0;

		if (id != (KEEL_BENCH_PCI_TESTDEV_VENDOR | KEEL_BENCH_PCI_TESTDEV_DEVICE << 16))
			continue;
		testdev.found = true;
		pci_write16(slot, PCI_CFG_COMMAND, pci_read16(slot, PCI_CFG_COMMAND) | PCI_CMD_IO | PCI_CMD_MEMORY);
		bar0 = pci_read32(slot, PCI_CFG_BAR0);
		bar1 = pci_read32(slot, PCI_CFG_BAR1);
		if (!(bar0 & 1) && (bar0 & ~0xfu)) {
			volatile uint8_t *m = (volatile uint8_t *)(uintptr_t)(DIRECT_MAP_BASE + (bar0 & ~0xfu));

			testdev.bar0 = m;
			testdev_select(true);
			for (unsigned int i = 0; i < 4; i++)
				off |= (uint32_t)m[KEEL_BENCH_PCI_TESTDEV_OFFSET + i] << (8 * i);
			if (off && off < 0x1000) {
				testdev.mmio = (bar0 & ~0xfu) + off;
				testdev.mmio_ok = true;
			}
		}
		off = 0;
		if ((bar1 & 1) && (bar1 & ~0x3u)) {
			uint16_t port = (uint16_t)(bar1 & ~0x3u);

			testdev.bar1 = port;
			testdev_select(false);
			for (unsigned int i = 0; i < 4; i++)
				off |= (uint32_t)inb((uint16_t)(port + KEEL_BENCH_PCI_TESTDEV_OFFSET + i)) << (8 * i);
			if (off && off < 0x100) {
				testdev.port = (uint16_t)(port + off);
				testdev.pio_ok = true;
			}
		}
		return;
	}
}


/*
 * virtio-notify: queue 0 of the virtio-rng PCI device (modern transport), set up here; the ring-3
 * loop gets one page (its physical address in a2): the descriptor table at 0, the driver ring at
 * VQ_AVAIL, the device ring at VQ_USED, struct bench_vq at VQ_INFO, the 64-byte buffer at VQ_BUF.
 */
#define VQ_SIZE 16u
#define VQ_AVAIL 0x400u
#define VQ_USED 0x800u
#define VQ_INFO 0xc00u
#define VQ_BUF 0xe00u
#define VIRTIO_VENDOR 0x1af4u
#define VIRTIO_RNG_MODERN 0x1044u
#define VIRTIO_RNG_TRANSITIONAL 0x1005u

struct bench_vq {			/* what the ring-3 loop reads at VQ_INFO */
	uint64_t notify;		/* physical address of queue 0's notify register */
	uint64_t buf;			/* physical address of the buffer */
	uint32_t size;			/* queue size */
};

/* Set up the virtio-rng device's queue 0; its page's physical address, or 0 with @why. */
static uint64_t virtio_rng_setup(const char **why)
{
	uint64_t common = 0, notify = 0, page;
	uint32_t mult = 0;
	uint8_t slot;
	volatile uint8_t *c;
	struct bench_vq *info;
	uint16_t qs, noff;

	for (slot = 0; slot < PCI_MAX_FUNCS; slot++) {
		uint32_t id = pci_read32(slot, PCI_CFG_VENDOR);

		if ((id & 0xffff) == VIRTIO_VENDOR &&
		    (id >> 16 == VIRTIO_RNG_MODERN || id >> 16 == VIRTIO_RNG_TRANSITIONAL))
			break;
	}
	if (slot == PCI_MAX_FUNCS) {
		*why = "no virtio-rng PCI device on bus 0";
		return 0;
	}
	pci_write16(slot, PCI_CFG_COMMAND, pci_read16(slot, PCI_CFG_COMMAND) | PCI_CMD_MEMORY | PCI_CMD_MASTER);
	for (uint8_t cap = pci_find_cap(slot, 0x09, 0); cap; cap = pci_find_cap(slot, 0x09, cap)) {
		uint32_t h = pci_read32(slot, cap);	/* vendor capability: cfg_type in bits 24-31 */
		uint64_t at = pci_bar_base(slot, pci_read8(slot, (uint8_t)(cap + 4))) + pci_read32(slot, (uint8_t)(cap + 8));

		if ((h >> 24 & 0xff) == 1 && !common)
			common = at;
		if ((h >> 24 & 0xff) == 2 && !notify) {
			notify = at;
			mult = pci_read32(slot, (uint8_t)(cap + 16));
		}
	}
	if (!common || !notify || common >= 0x100000000ull) {
		*why = "the virtio-rng device has no modern (virtio 1.0) PCI capabilities";
		return 0;
	}
	c = (volatile uint8_t *)(uintptr_t)(DIRECT_MAP_BASE + common);
	c[0x14] = 0;				/* reset */
	while (c[0x14])
		cpu_relax();
	c[0x14] = 1 | 2;			/* ACKNOWLEDGE | DRIVER */
	*(volatile uint32_t *)(c + 0x08) = 1;	/* driver features 32-63: VIRTIO_F_VERSION_1 */
	*(volatile uint32_t *)(c + 0x0c) = 1;
	*(volatile uint32_t *)(c + 0x08) = 0;
	*(volatile uint32_t *)(c + 0x0c) = 0;
	c[0x14] = 1 | 2 | 8;			/* FEATURES_OK */
	if (!(c[0x14] & 8)) {
		*why = "the virtio-rng device refused VIRTIO_F_VERSION_1 alone";
		return 0;
	}
	*(volatile uint16_t *)(c + 0x16) = 0;	/* queue_select */
	qs = *(volatile uint16_t *)(c + 0x18);
	if (!qs) {
		*why = "the virtio-rng device has no queue 0";
		return 0;
	}
	if (qs > VQ_SIZE)
		qs = VQ_SIZE;
	page = frame_alloc_zeroed();
	if (!page) {
		*why = "no free page for the virtqueue";
		return 0;
	}
	*(volatile uint16_t *)(c + 0x18) = qs;
	*(volatile uint16_t *)(c + 0x1a) = 0xffff;	/* no MSI-X vector */
	*(volatile uint64_t *)(c + 0x20) = page;
	*(volatile uint64_t *)(c + 0x28) = page + VQ_AVAIL;
	*(volatile uint64_t *)(c + 0x30) = page + VQ_USED;
	noff = *(volatile uint16_t *)(c + 0x1e);
	*(volatile uint16_t *)(c + 0x1c) = 1;	/* queue_enable */
	c[0x14] = 1 | 2 | 8 | 4;		/* DRIVER_OK */
	info = (struct bench_vq *)(uintptr_t)(DIRECT_MAP_BASE + page + VQ_INFO);
	info->notify = notify + (uint64_t)noff * mult;
	info->buf = page + VQ_BUF;
	info->size = qs;
	return page;
}

/* --- ring 3 -------------------------------------------------------------------------------- */

static void run_user(enum keel_bench_path p, uint64_t addr)
{
	const char *why = NULL;
	struct task *t;
	char msg[BENCH_REASON_MAX];

	t = task_spawn("bench", 0, BENCH_A0(p, reps), iters, addr, TASK_CAP_IO | TASK_CAP_DEVICE, &why);
	if (!t) {
		line_unavailable(why ? why : "cannot start the user program");
		return;
	}
	task_wait(&t, 1, BENCH_USER_TIMEOUT_MS);
	if (t->killed) {
		if (t->fault.vector < 32)
			snprintf(msg, sizeof(msg), "the ring-3 loop was killed by %s at rip %#lx (error %#lx)",
				 exception_name(t->fault.vector), (unsigned long)t->fault.rip,
				  (unsigned long)t->fault.error_code);
		else
			snprintf(msg, sizeof(msg), "the ring-3 loop was killed (timeout)");
		line_unavailable(msg);
	} else if (!cur.over && cur.reps_done != reps) {
		snprintf(msg, sizeof(msg), "the ring-3 loop ended (code %d) after %u of %u repetitions",
			  t->exit_code, cur.reps_done, reps);
		line_unavailable(msg);
	}
	task_reap(t);
}

/* --- ring 0 -------------------------------------------------------------------------------- */

/* RDMSR that survives a #GP: true when it did not fault. */
extern const char bench_rdmsr_resume[];
static __attribute__((noinline)) bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	const struct trap_expect *e;

	trap_expect_arm(13, bench_rdmsr_resume);
	__asm__ volatile("rdmsr\n\t.globl bench_rdmsr_resume\nbench_rdmsr_resume:"
			 : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	e = trap_expect_disarm();
	*val = (uint64_t)hi << 32 | lo;
	return e->hits == 0;
}

static void run_msr(uint32_t msr)
{
	uint64_t v, t0;

	if (!rdmsr_safe(msr, &v)) {
		line_unavailable("RDMSR raised #GP");
		return;
	}
	line_ready();
	for (unsigned int r = 0; r < reps; r++) {
		uint64_t n = iters;

		t0 = tsc_begin();
		do
			__asm__ volatile("rdmsr" : : "c"(msr) : "rax", "rdx");
		while (--n);
		line_rep(r, tsc_end() - t0);
	}
}

static inline uint64_t pongs(void)
{
	return __atomic_load_n(&cpus[0].ipi_pongs, __ATOMIC_ACQUIRE);
}

/* With interrupts on, wait until the pong count passes @old; false after BENCH_PROBE_TIMEOUT_NS. */
static bool wait_pong_probe(uint64_t old)
{
	uint64_t end = rdtsc() + ns_to_tsc(BENCH_PROBE_TIMEOUT_NS);
	bool ok;

	__asm__ volatile("sti" : : : "memory");
	while (!(ok = pongs() != old) && rdtsc() < end)
		cpu_relax();
	__asm__ volatile("cli" : : : "memory");
	return ok;
}

enum irq_kind { IRQ_SELF, IRQ_IPI, IRQ_DOORBELL };

static void irq_trigger(enum irq_kind k, uint32_t dest)
{
	if (k == IRQ_SELF)
		apic_self_ipi(BENCH_VEC);
	else if (k == IRQ_IPI)
		apic_send_ipi(dest, VEC_IPI_PING);
	else
		outb(KEEL_BENCH_PORT_DOORBELL, 1);
}

/*
 * Trigger, wait for the handler (which sends EOI): the three interrupt round trips. The wait spins
 * for BENCH_SPIN_NS, then halts: where ring 0 is emulated (kvm_pvm) a spinning vCPU gets its
 * interrupt late (about 500 us here, against about 100 us with HLT); on hardware KVM the answer
 * comes within the spin.
 */
static void run_irq(enum irq_kind k, uint32_t dest, const char *no_answer)
{
	uint64_t old = pongs(), t0, spin = ns_to_tsc(BENCH_SPIN_NS);

	irq_trigger(k, dest);
	if (!wait_pong_probe(old)) {
		line_unavailable(no_answer);
		return;
	}
	line_ready();
	for (unsigned int r = 0; r < reps; r++) {
		uint64_t n = iters;

		t0 = tsc_begin();
		__asm__ volatile("sti" : : : "memory");
		do {
			uint64_t until;

			old = pongs();
			irq_trigger(k, dest);
			until = rdtsc() + spin;
			while (pongs() == old && rdtsc() < until)
				cpu_relax();
			while (pongs() == old)
				__asm__ volatile("hlt" : : : "memory");
		} while (--n);
		__asm__ volatile("cli" : : : "memory");
		line_rep(r, tsc_end() - t0);
	}
}

/* One timer round trip: arm the nearest deadline, sti; hlt until the handler has run. */
static inline void hlt_once(bool deadline)
{
	uint64_t old = pongs();

	if (deadline)
		apic_tsc_deadline_arm(rdtsc());
	else
		apic_timer_oneshot(BENCH_VEC, 1);
	while (pongs() == old)
		__asm__ volatile("sti; hlt; cli" : : : "memory");
}

static void run_hlt_timer(void)
{
	bool deadline = apic_has_tsc_deadline();
	uint64_t t0;

	if (deadline)
		apic_timer_tsc_deadline(BENCH_VEC);
	hlt_once(deadline);
	line_ready();
	for (unsigned int r = 0; r < reps; r++) {
		uint64_t n = iters;

		t0 = tsc_begin();
		do
			hlt_once(deadline);
		while (--n);
		line_rep(r, tsc_end() - t0);
	}
	apic_timer_stop();
	time_start_tick();
}

/*
 * The first hypercall, with a #PF caught: where the CPUID vendor is not the host's, KVM patches
 * the instruction into the other one by writing guest text, read-only here. True when no fault.
 */
extern const char bench_hc_resume[];
static __attribute__((noinline)) bool hypercall_probe(bool amd, uint64_t gpa, uint64_t *ret)
{
	uint64_t rax = KEEL_BENCH_HC_NR;

	trap_expect_arm(14, bench_hc_resume);
	__asm__ volatile("testb %b4, %b4\n\tjz 1f\n\tvmmcall\n\tjmp 2f\n1:\tvmcall\n"
			 "2:\n\t.globl bench_hc_resume\nbench_hc_resume:"
			 : "+a"(rax) : "b"(gpa), "c"(1ul), "d"((uint64_t)KEEL_BENCH_HC_ATTRS), "r"((uint8_t)amd)
			 : "memory", "cc");
	*ret = rax;
	return trap_expect_disarm()->hits == 0;
}

static void run_hypercall(void)
{
	bool amd = vendor_is(0, "AuthenticAMD") || vendor_is(0, "HygonGenuine");
	uint64_t gpa = frame_alloc(), ret, t0;

	if (!gpa) {
		line_unavailable("no free page for the hypercall's GPA");
		return;
	}
#define BENCH_HC(insn) \
	__asm__ volatile(insn : "=a"(ret) : "a"((uint64_t)KEEL_BENCH_HC_NR), "b"(gpa), "c"(1ul), \
			 "d"((uint64_t)KEEL_BENCH_HC_ATTRS) : "memory")
	if (!hypercall_probe(amd, gpa, &ret)) {
		line_unavailable("the first hypercall raised #PF writing its own instruction (KVM patching "
				 "VMCALL/VMMCALL for the other CPU vendor?); the kernel text is read-only");
		frame_free(gpa);
		return;
	}
	if (ret == (uint64_t)-1000) {
		line_unavailable("the hypercall returned -KVM_ENOSYS");
		frame_free(gpa);
		return;
	}
	line_ready();
	for (unsigned int r = 0; r < reps; r++) {
		uint64_t n = iters;

		t0 = tsc_begin();
		if (amd)
			do
				BENCH_HC("vmmcall");
			while (--n);
		else
			do
				BENCH_HC("vmcall");
			while (--n);
		line_rep(r, tsc_end() - t0);
	}
#undef BENCH_HC
	frame_free(gpa);
}

/* --- the paths ----------------------------------------------------------------------------- */

static void run_path(enum keel_bench_path p)
{
	const char *why = NULL;
	uint64_t vq_page;

	switch (p) {
	case KEEL_BENCH_PATH_CPUID:
	case KEEL_BENCH_PATH_PIO_USER:
	case KEEL_BENCH_PATH_MMIO_USER:
		line_start(p, 3);
		run_user(p, p == KEEL_BENCH_PATH_PIO_USER ? KEEL_BENCH_PORT_USER : KEEL_BENCH_MMIO_USER);
		break;
	case KEEL_BENCH_PATH_PIO_KERNEL:
		line_start(p, 3);
		if (!under_qemu)
			run_user(p, KEEL_BENCH_PORT_KERNEL);
		else if (testdev.pio_ok) {
			testdev_select(false);
			run_user(p, testdev.port);
		} else {
			line_unavailable(testdev.found ? "pci-testdev has no wildcard-eventfd I/O BAR"
						       : "no pci-testdev on PCI bus 0");
		}
		break;
	case KEEL_BENCH_PATH_MMIO_KERNEL:
		line_start(p, 3);
		if (!under_qemu)
			run_user(p, KEEL_BENCH_MMIO_KERNEL);
		else if (testdev.mmio_ok) {
			testdev_select(true);
			run_user(p, testdev.mmio);
		} else {
			line_unavailable(testdev.found ? "pci-testdev has no wildcard-eventfd memory BAR"
						       : "no pci-testdev on PCI bus 0");
		}
		break;
	case KEEL_BENCH_PATH_HLT_TIMER:
		line_start(p, 0);
		run_hlt_timer();
		break;
	case KEEL_BENCH_PATH_MSR_KERNEL:
		line_start(p, 0);
		run_msr(KEEL_BENCH_MSR_KERNEL);
		break;
	case KEEL_BENCH_PATH_MSR_USER:
		line_start(p, 0);
		run_msr(KEEL_BENCH_MSR_USER);
		break;
	case KEEL_BENCH_PATH_HYPERCALL:
		line_start(p, 0);
		run_hypercall();
		break;
	case KEEL_BENCH_PATH_SELF_IPI:
		line_start(p, 0);
		run_irq(IRQ_SELF, 0, "the self-IPI never arrived");
		break;
	case KEEL_BENCH_PATH_IPI:
		line_start(p, 0);
		if (smp_online_count() < 2)
			line_unavailable("needs two vCPUs");
		else
			run_irq(IRQ_IPI, cpus[smp_online_cpu(1)].apic_id, "vCPU 1 did not answer the IPI");
		break;
	case KEEL_BENCH_PATH_IRQFD:
		line_start(p, 0);
		if (under_qemu) {
			line_unavailable("QEMU has no device that answers the doorbell with an irqfd");
			break;
		}
		ioapic_route(KEEL_BENCH_IRQ, BENCH_VEC, cpus[0].apic_id);
		run_irq(IRQ_DOORBELL, 0, "no interrupt came back for the doorbell");
		ioapic_mask(KEEL_BENCH_IRQ);
		break;
	case KEEL_BENCH_PATH_VIRTIO_NOTIFY:
		line_start(p, 3);
		vq_page = virtio_rng_setup(&why);
		if (vq_page)
			run_user(p, vq_page);
		else
			line_unavailable(why);
		break;
	default:
		break;
	}
}

bool bench_requested(const char *cmdline)
{
	char v[2];

	return cmdline_get(cmdline, KEEL_BENCH_ARG_PATHS, v, sizeof(v));
}

static uint64_t arg_num(const char *cmdline, const char *key, uint64_t dflt)
{
	char v[BENCH_NUM_MAX];
	uint64_t n = 0;

	if (!cmdline_get(cmdline, key, v, sizeof(v)) || !v[0])
		return dflt;
	for (const char *s = v; *s; s++) {
		if (*s < '0' || *s > '9')
			return dflt;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	return n ? n : dflt;
}

void bench_run(const char *cmdline)
{
	char list[BENCH_LIST_MAX];
	char *s = list;

	cmdline_get(cmdline, KEEL_BENCH_ARG_PATHS, list, sizeof(list));
	iters = arg_num(cmdline, KEEL_BENCH_ARG_ITERS, 1000);
	reps = (unsigned int)arg_num(cmdline, KEEL_BENCH_ARG_REPS, 1);
	under_qemu = (cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR) && vendor_is(0x40000000u, "KVMKVMKVM");
	if (under_qemu)
		testdev_probe();
	bench_io_bitmap_install();
	line_begin();
	while (*s) {
		char *e = s;
		int p = -1;

		while (*e && *e != ',')
			e++;
		for (int i = 0; i < KEEL_BENCH_NPATHS; i++)
			if (strlen(bench_names[i]) == (size_t)(e - s) && !memcmp(bench_names[i], s, (size_t)(e - s)))
				p = i;
		if (p >= 0)
			run_path((enum keel_bench_path)p);
		else
			kprintf("guest: bench: unknown path %.*s\n", (int)(e - s), s);
		s = *e ? e + 1 : e;
	}
	kprintf(KEEL_BENCH_PREFIX "end\n");
}
