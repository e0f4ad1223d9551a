/* The keel machine contract: fixed guest-physical layout, port numbers and FDT names shared by VMM and guest. */
#ifndef KEEL_FIRMWARE_MACHINE_H
#define KEEL_FIRMWARE_MACHINE_H

/* Guest-physical layout. RAM starts at 0; above 3 GiB sits the device hole. */
#define KEEL_BOOT_INFO_GPA 0x6000ull	/* hvm_start_info, memory map, module list, command lines */
#define KEEL_BOOT_INFO_SIZE 0x2000ull	/* [0x6000, 0x8000) belongs to keel at boot */
#define KEEL_AP_TRAMPOLINE_GPA 0x8000ull /* free page below 1 MiB the guest may use for its AP trampoline */
#define KEEL_LOW_RAM_END 0xa0000ull	/* conventional memory ends here; [0xa0000, 0x100000) is reserved */
#define KEEL_ACPI_GPA 0xe0000ull	/* ACPI tables (RSDP first, in the BIOS area Linux scans) ... */
#define KEEL_ACPI_SIZE 0x20000ull	/* ... up to 1 MiB, inside the reserved range */
#define KEEL_HIGH_MEM_START 0x100000ull	/* 1 MiB */
#define KEEL_LOW_RAM_MAX 0xc0000000ull	/* RAM below 4 GiB stops at 3 GiB ... */
#define KEEL_RAM_ABOVE_4G 0x100000000ull /* ... and continues at 4 GiB */
#define KEEL_IOAPIC_GPA 0xfec00000ull
#define KEEL_LAPIC_GPA 0xfee00000ull

/*
 * virtio, in the device hole below the IOAPIC (present only when a virtio device is asked for).
 * Device i (the --disk images in order, then the console, then the rng, then the NICs) raises
 * IOAPIC input KEEL_VIRTIO_GSI_BASE + i % KEEL_VIRTIO_GSI_COUNT as an edge (program the
 * redirection entry edge-triggered, active high). Beyond KEEL_VIRTIO_GSI_COUNT devices the
 * inputs are shared round-robin (device 8 with device 0, ...). That is safe: each device's
 * irqfd raises an edge of its own, and a virtio-mmio or INTx handler reads its own device's
 * interrupt status, so a driver that registers its handler as shared (Linux: IRQF_SHARED for
 * virtio-mmio and for PCI INTx) sees every device's interrupt; virtio-pci drivers use MSI-X.
 * PCI (the default): a host bridge in slot 0 behind configuration mechanism #1; device i < 31
 * is function 0 of slot i + 1, device 31 + k function 1 + k % 7 of slot 1 + k / 7 (function 0 of
 * such a slot reads as multi-function in its header type); BARs placed in the window, memory
 * decoding on, INTA# as above (Interrupt Line holds it), MSI-X with one vector per queue plus
 * one for configuration changes, routed by KVM. MMIO: device i at KEEL_VIRTIO_MMIO_BASE +
 * i * stride, just above the PCI window.
 */
#define KEEL_PCI_MMIO_BASE 0xc0000000ull	/* 32-bit PCI memory window for BARs ... */
#define KEEL_PCI_MMIO_SIZE 0x10000000ull	/* ... 256 MiB: [0xc0000000, 0xd0000000) */
#define KEEL_VIRTIO_MMIO_BASE 0xd0000000ull	/* virtio-mmio device 0 (version 2, 0x200 bytes used) */
#define KEEL_VIRTIO_MMIO_STRIDE 0x1000ull
#define KEEL_VIRTIO_MMIO_SLOTS 32u		/* windows up to 0xd0020000 */
#define KEEL_VIRTIO_GSI_BASE 16u		/* IOAPIC inputs 16-23 for virtio devices ... */
#define KEEL_VIRTIO_GSI_COUNT 8u		/* ... shared round-robin beyond 8 devices */
#define KEEL_MSI_GSI_BASE 24u			/* KVM GSIs of MSI-X routes start here */
#define KEEL_PCI_SLOTS 32u			/* slots on bus 0; slot 0 is the host bridge */
#define KEEL_PCI_FUNCS 8u			/* functions per slot */
#define KEEL_PORT_PCI_CONFIG_ADDR 0xcf8u	/* CONFIG_ADDRESS (32-bit accesses) */
#define KEEL_PORT_PCI_CONFIG_DATA 0xcfcu	/* CONFIG_DATA */
#define KEEL_CMDLINE_MAX 2048u		/* longest command line, NUL included */

/* The windows above do not overlap each other, and stay below the IOAPIC. */
_Static_assert(KEEL_PCI_MMIO_BASE >= KEEL_LOW_RAM_MAX, "the PCI window overlaps RAM");
_Static_assert(KEEL_VIRTIO_MMIO_BASE >= KEEL_PCI_MMIO_BASE + KEEL_PCI_MMIO_SIZE,
	       "the virtio-mmio windows overlap the PCI window");
_Static_assert(KEEL_VIRTIO_MMIO_BASE + KEEL_VIRTIO_MMIO_SLOTS * KEEL_VIRTIO_MMIO_STRIDE <= KEEL_IOAPIC_GPA,
	       "the virtio-mmio windows reach the IOAPIC");
_Static_assert(KEEL_VIRTIO_GSI_BASE + KEEL_VIRTIO_GSI_COUNT == KEEL_MSI_GSI_BASE,
	       "virtio's IOAPIC inputs end where MSI routes start");

/* Port I/O devices. */
#define KEEL_PORT_UART0 0x3f8u		/* 16550A, IRQ 4 */
#define KEEL_UART0_IRQ 4u
#define KEEL_PORT_DEBUG_EXIT 0xf4u	/* write v: the VM ends with status (v << 1) | 1 */
#define KEEL_PORT_I8042_DATA 0x60u
#define KEEL_PORT_I8042_CMD 0x64u	/* write 0xfe: reset, the VM ends with status 0 */
#define KEEL_PORT_PM1A_EVT 0x600u	/* ACPI PM1a event block: status (16 bits) then enable (16 bits) */
#define KEEL_PM1_EN_OFFSET 2u		/* PM1_EN sits at KEEL_PORT_PM1A_EVT + 2, after PM1_STS */
#define KEEL_PM1_PWRBTN_STS (1u << 8)	/* PM1_STS: the power button was pressed (write 1 to clear) */
#define KEEL_PM1_PWRBTN_EN (1u << 8)	/* PM1_EN: the guest listens to the power button (SIGTERM presses it) */
#define KEEL_PORT_PM1A_CNT 0x604u	/* 16-bit write with SLP_EN set: power off, status 0 */
#define KEEL_PM1_SLP_EN (1u << 13)
#define KEEL_PORT_PM_TMR 0x608u		/* ACPI PM timer, 32 bits at 3.579545 MHz */
#define KEEL_SCI_IRQ 9u			/* the ACPI system control interrupt (IOAPIC input 9, level, active high) */
/*
 * `keel bench` adds, in its VMs only, ports 0xe0-0xe3 and 0x2100-0x2101, MMIO 0xff000000-0xff010fff
 * and IOAPIC input 5 (firmware/bench.h): keep other devices off them.
 */

/* CPUID leaf 0x40000000 signature (EBX, ECX, EDX) naming keel; KVM's leaves move to 0x40000100. */
#define KEEL_CPUID_SIGNATURE "KeelKeelKeel"
#define KEEL_CPUID_BASE 0x40000000u
#define KEEL_CPUID_KVM_BASE 0x40000100u

/*
 * Flattened device tree written by the VMM (see vmm/boot/fdt.c), handed over as the
 * last PVH module with command line KEEL_FDT_MODULE_CMDLINE:
 *   /                 compatible "keel,vm", #address-cells 2, #size-cells 2
 *   /chosen           bootargs, stdout-path = "/isa/serial@i3f8"
 *   /memory@0         device_type "memory", reg = the RAM ranges of the PVH memory map, (addr, size) 2 cells each
 *   /cpus             #address-cells 1, #size-cells 0
 *   /cpus/cpu@N       device_type "cpu", reg = <APIC id>
 *   /isa              compatible "isa", #address-cells 2 (space 1 = I/O ports, port), #size-cells 1
 *   /isa/serial@i3f8  compatible "ns16550a", reg = <1 0x3f8 8>, interrupts = <4>, clock-frequency
 *   /isa/debug-exit@if4    compatible "keel,debug-exit", reg = <1 0xf4 1>
 *   /isa/i8042@i60    compatible "intel,8042", reg = <1 0x60 1 1 0x64 1>
 *   /isa/poweroff@i604     compatible "keel,pm1a-control", reg = <1 0x604 2>
 *   /isa/fw-cfg@i510  compatible "qemu,fw-cfg-io", reg = <1 0x510 12> (firmware/fw_cfg.h: selector,
 *                     data, DMA address; keel's name for QEMU's port-I/O fw_cfg, which has no binding)
 *   /virtio_mmio@d0000000  (--virtio-transport mmio only, one per device, @ its base)
 *                     compatible "virtio,mmio", reg = <0 base 0 0x200>, interrupts = <IOAPIC input>
 */
#define KEEL_FDT_COMPATIBLE "keel,vm"

#endif
