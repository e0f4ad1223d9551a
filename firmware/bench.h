/* The `keel bench` contract between the host and the bundled guest: command line, paths, addresses, output lines. */
#ifndef KEEL_FIRMWARE_BENCH_H
#define KEEL_FIRMWARE_BENCH_H

/*
 * Shared by keel (vmm/bench/, devices/bench.c) and the bundled guest (no libc: macros, and C
 * declarations only outside assembler). Everything here is part of the protocol: change it in
 * both at once and bump KEEL_BENCH_VERSION.
 *
 * COMMAND LINE. `keel bench` boots the bundled guest (and QEMU boots the same ELF) with
 *     bench=NAME[,NAME...] bench-iters=N bench-reps=R
 * where the NAMEs are path names below, in the order to run them, N >= 1 the round trips per
 * repetition and R >= 1 the repetitions. With bench= the guest runs no checks: it brings up what
 * the listed paths need, runs them, prints the lines below and leaves through its exit= mode
 * (debug-exit 0 by default, so keel ends with status 1).
 *
 * WHICH VMM. CPUID leaf 0x40000000 says "KeelKeelKeel" under keel (firmware/machine.h) and
 * "KVMKVMKVM" under QEMU. Under keel every address below is fixed. Under QEMU the host adds
 *     -device isa-debug-exit,iobase=0xf4,iosize=4 -device pc-testdev -device pci-testdev
 *     -device virtio-rng-pci
 * and the kernel paths use QEMU's pci-testdev (see KEEL_BENCH_PCI_TESTDEV_* below).
 *
 * RING 3. The user-mode loops need the bench MMIO pages mapped user-accessible (uncached) and
 * the bench ports allowed by the I/O permission bitmap of the TSS: kvm_pvm hosts keep a guest's
 * IOPL at 0 in user mode (its ring 3 runs in the host's ring 3) and emulate IN/OUT after checking
 * that bitmap, so IOPL 3 alone gets #GP there (the floor, vmm/bench/floor.c, does both).
 *
 * OUTPUT. Every line the host reads starts with "bench: " and is at most KEEL_BENCH_LINE_MAX
 * bytes; it is a list of space-separated items, each a bare word or key=value, a value being a
 * token without spaces or a "double-quoted" string (\" and \\ escaped). Other lines are ignored
 * (the host keeps them for `keel bench -v`). In order:
 *     bench: begin version=1 iters=N reps=R cpus=C [tsc-khz=K tsc-source=cpuid-15|cpuid-16|kvm-40000010]
 *   then for each listed path, in order:
 *     bench: start path=NAME ring=0|3          about to run the first operation
 *     bench: ready path=NAME                   one operation came back: the path works
 *     bench: path=NAME rep=I iters=N cycles=C  R times, I = 0 .. R-1; C = TSC cycles of the
 *                                              whole repetition (RDTSC before and after N round trips)
 *   or, instead of ready and the reps, at any point after start:
 *     bench: path=NAME unavailable reason="why, in words"
 *   and at last:
 *     bench: end
 * The host times every wait: a path that has started and not printed ready within
 * KEEL_BENCH_PROBE_LIMIT_MS (a vmcall that never returns) has its VM killed and is reported
 * unavailable; the paths after it run in a fresh VM.
 *
 * TSC. Cycles are the guest's RDTSC, which runs at the host's TSC rate (neither keel nor the
 * QEMU command line scales it). The host converts cycles to time with the frequency it reads
 * itself (KVM_GET_TSC_KHZ on a vCPU; if KVM cannot say, it calibrates RDTSC against
 * CLOCK_MONOTONIC_RAW) and reports that frequency and its source. The guest may add what it
 * sees on its begin line (CPUID 0x15, 0x16 or KVM's timing leaf 0x40000010, which keel moves to
 * 0x40000110); the host records it and does not use it.
 */

#define KEEL_BENCH_VERSION 1
#define KEEL_BENCH_LINE_MAX 256			/* bytes, newline excluded */
#define KEEL_BENCH_PREFIX "bench: "
#define KEEL_BENCH_PROBE_LIMIT_MS 5000		/* start -> ready */

/* The command-line keys. */
#define KEEL_BENCH_ARG_PATHS "bench"
#define KEEL_BENCH_ARG_ITERS "bench-iters"
#define KEEL_BENCH_ARG_REPS "bench-reps"

/*
 * THE PATHS: X(ID, "name", ring, exit). The name is the stable identifier of the table, the JSON
 * and --paths. ring: 3 when the guest drives the path from user mode, 0 when the architecture
 * needs kernel mode (RDMSR, WRMSR, HLT, VMCALL, interrupt delivery). exit: where the round trip
 * is served: KERNEL (KVM alone), USER (KVM exits to the VMM's vCPU thread), THREAD (a VMM thread
 * answers through an eventfd). What the guest does in each iteration:
 *
 * cpuid         CPUID with EAX=0.
 * pio-user      1-byte OUT to KEEL_BENCH_PORT_USER (QEMU: pc-testdev's port, the same number).
 * pio-kernel    1-byte OUT to KEEL_BENCH_PORT_KERNEL, bound to an ioeventfd (QEMU: pci-testdev).
 * mmio-user     4-byte write to KEEL_BENCH_MMIO_USER (QEMU: pc-testdev's iomem, the same address).
 * mmio-kernel   1-byte write to KEEL_BENCH_MMIO_KERNEL, bound to an ioeventfd of any length (of
 *               one byte where KVM lacks KVM_CAP_IOEVENTFD_ANY_LENGTH) (QEMU: pci-testdev, the same).
 * hlt-timer     arm the LAPIC timer for the nearest deadline (TSC-deadline mode when CPUID says
 *               so, else one-shot with count 1), STI; HLT; the handler sends EOI.
 * msr-kernel    RDMSR of KEEL_BENCH_MSR_KERNEL (IA32_APIC_BASE: KVM answers it).
 * msr-user      RDMSR of KEEL_BENCH_MSR_USER (MSR_CORE_THREAD_COUNT): keel filters it to user
 *               space (KVM_X86_SET_MSR_FILTER) and answers (threads | cores << 16) = one thread per
 *               core, as QEMU 7.1 and later do with the same filter. A #GP: unavailable.
 * hypercall     KVM_HC_MAP_GPA_RANGE (RAX=12, RBX=a page-aligned GPA of guest RAM, RCX=1 page,
 *               RDX=KEEL_BENCH_HC_ATTRS), VMCALL on Intel and VMMCALL on AMD (CPUID vendor).
 *               keel enables KVM_CAP_EXIT_HYPERCALL for it and answers RAX=0. Ring 0: KVM refuses
 *               hypercalls from ring 3. RAX = -1000 (-KVM_ENOSYS) after the probe: unavailable.
 * self-ipi      write a fixed IPI to itself (x2APIC SELF_IPI MSR 0x83f, or the xAPIC ICR with the
 *               self shorthand); wait until the handler has run; EOI.
 * ipi           vCPU 0 sends a fixed IPI to vCPU 1, whose handler sends one back; vCPU 0 waits for
 *               it. Needs two vCPUs (otherwise unavailable).
 * irqfd         1-byte OUT to KEEL_BENCH_PORT_DOORBELL (an ioeventfd); keel's event loop answers
 *               by signalling an irqfd on IOAPIC input KEEL_BENCH_IRQ, which the guest programs
 *               edge-triggered, active high, fixed, to itself; wait for the handler; EOI.
 *               Not offered by QEMU.
 * virtio-notify one 64-byte device-writable buffer on queue 0 of the virtio-rng device (keel:
 *               `--rng`, PCI transport; QEMU: virtio-rng-pci), notify, poll the used ring until
 *               it comes back (VIRTQ_AVAIL_F_NO_INTERRUPT set: no interrupt). Ring 3 with the
 *               notify address and the rings mapped for user mode.
 */
#define KEEL_BENCH_PATHS(X) \
	X(CPUID, "cpuid", 3, KERNEL) \
	X(PIO_USER, "pio-user", 3, USER) \
	X(PIO_KERNEL, "pio-kernel", 3, KERNEL) \
	X(MMIO_USER, "mmio-user", 3, USER) \
	X(MMIO_KERNEL, "mmio-kernel", 3, KERNEL) \
	X(HLT_TIMER, "hlt-timer", 0, KERNEL) \
	X(MSR_KERNEL, "msr-kernel", 0, KERNEL) \
	X(MSR_USER, "msr-user", 0, USER) \
	X(HYPERCALL, "hypercall", 0, USER) \
	X(SELF_IPI, "self-ipi", 0, KERNEL) \
	X(IPI, "ipi", 0, KERNEL) \
	X(IRQFD, "irqfd", 0, THREAD) \
	X(VIRTIO_NOTIFY, "virtio-notify", 3, THREAD)

/*
 * What keel provides in bench mode (devices/bench.c). The user-space PIO port and MMIO window
 * are pc-testdev's, so those two loops are the same code under both VMMs; the rest sits where
 * neither keel's machine (firmware/machine.h) nor QEMU's pc machine has anything.
 */
#define KEEL_BENCH_PORT_USER 0xe0u		/* 4 ports; writes dropped, reads 0 (QEMU: pc-testdev ioport) */
#define KEEL_BENCH_PORT_USER_LEN 4u
#define KEEL_BENCH_PORT_KERNEL 0x2100u		/* 1-byte writes: an ioeventfd, no exit to keel */
#define KEEL_BENCH_PORT_DOORBELL 0x2101u	/* 1-byte writes: the irqfd path's doorbell (an ioeventfd) */
#define KEEL_BENCH_PORT_LEN 2u			/* [0x2100, 0x2102): other accesses exit and are ignored */
#define KEEL_BENCH_MMIO_USER 0xff000000ull	/* 64 KiB; writes dropped, reads 0 (QEMU: pc-testdev iomem) */
#define KEEL_BENCH_MMIO_USER_LEN 0x10000ull
#define KEEL_BENCH_MMIO_KERNEL 0xff010000ull	/* a 1-byte write (any length where KVM allows): an ioeventfd */
#define KEEL_BENCH_MMIO_KERNEL_LEN 0x1000ull	/* the page; other accesses exit and are ignored */
#define KEEL_BENCH_MSR_KERNEL 0x1bu		/* IA32_APIC_BASE */
#define KEEL_BENCH_MSR_USER 0x35u		/* MSR_CORE_THREAD_COUNT */
#define KEEL_BENCH_HC_NR 12u			/* KVM_HC_MAP_GPA_RANGE */
#define KEEL_BENCH_HC_ATTRS 0x10u		/* KVM_MAP_GPA_RANGE_ENCRYPTED | KVM_MAP_GPA_RANGE_PAGE_SZ_4K */
#define KEEL_BENCH_IRQ 5u			/* IOAPIC input of the irqfd path (ISA IRQ 5 is free) */

/*
 * QEMU's pci-testdev (vendor 0x1b36, device 0x0005), for the kernel paths under QEMU. The
 * firmware has placed its BARs: BAR0 memory (4 KiB), BAR1 I/O (256 ports). Write test number
 * KEEL_BENCH_PCI_TESTDEV_WILDCARD to byte 0 of a BAR to select "wildcard-eventfd" on it, then
 * read the 32-bit little-endian offset at byte 4 of the same BAR, one byte at a time: 1-byte
 * writes of any value at BAR + offset then signal an ioeventfd in the kernel (0x801 in BAR0,
 * 0x84 in BAR1 on QEMU 7.2). One test runs at a time across both BARs (selecting one removes the
 * other's ioeventfd), so the guest selects a BAR's test again right before the path that uses it.
 * Test KEEL_BENCH_PCI_TESTDEV_NO_EVENTFD is the user-space twin.
 */
#define KEEL_BENCH_PCI_TESTDEV_VENDOR 0x1b36u
#define KEEL_BENCH_PCI_TESTDEV_DEVICE 0x0005u
#define KEEL_BENCH_PCI_TESTDEV_NO_EVENTFD 0u
#define KEEL_BENCH_PCI_TESTDEV_WILDCARD 1u
#define KEEL_BENCH_PCI_TESTDEV_OFFSET 4u	/* the header's offset field */

#ifndef __ASSEMBLER__
/* The path identifiers, in table order: KEEL_BENCH_PATH_CPUID ... KEEL_BENCH_PATH_VIRTIO_NOTIFY. */
enum keel_bench_path {
#define KEEL_BENCH_ENUM_(id, name, ring, exit) KEEL_BENCH_PATH_##id,
	KEEL_BENCH_PATHS(KEEL_BENCH_ENUM_)
#undef KEEL_BENCH_ENUM_
	KEEL_BENCH_NPATHS
};
#endif

#endif
