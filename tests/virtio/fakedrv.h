/* A fake guest driver for keel's virtio transports: every register access goes through the VM's buses, as a vCPU's would. */
#ifndef KEEL_TESTS_VIRTIO_FAKEDRV_H
#define KEEL_TESTS_VIRTIO_FAKEDRV_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/virtio/fakeq.h"
#include "vmm/vm.h"

struct fakedrv {
	struct vm *vm;
	bool pci;
	/* PCI: what the capabilities say */
	unsigned int slot;
	uint64_t bar0;
	uint32_t common, isr, devcfg, notify, notify_mult;
	uint8_t msix_cap, cfg_cap;
	/* MMIO */
	uint64_t base;
};

/* PCI configuration space of bus 0 through ports 0xcf8/0xcfc. */
uint32_t fakedrv_cfg_read(struct vm *vm, unsigned int slot, uint32_t off, uint32_t len);
void fakedrv_cfg_write(struct vm *vm, unsigned int slot, uint32_t off, uint32_t len, uint32_t val);

/* fakedrv_open_pci - find the virtio capabilities of the function in @slot. 0, or -ENODEV / -EINVAL. */
int fakedrv_open_pci(struct fakedrv *d, struct vm *vm, unsigned int slot);

/* fakedrv_open_mmio - a virtio-mmio device at @base (magic and version checked). 0 or -ENODEV. */
int fakedrv_open_mmio(struct fakedrv *d, struct vm *vm, uint64_t base);

/* Raw MMIO accesses at guest-physical @gpa. */
uint64_t fakedrv_mmio_read(struct vm *vm, uint64_t gpa, uint32_t len);
void fakedrv_mmio_write(struct vm *vm, uint64_t gpa, uint32_t len, uint64_t val);

uint8_t fakedrv_status(struct fakedrv *d);
void fakedrv_set_status(struct fakedrv *d, uint8_t s);

/* fakedrv_reset - write 0 and wait (up to 2 s) to read 0 back. 0 or -ETIMEDOUT. */
int fakedrv_reset(struct fakedrv *d);

uint64_t fakedrv_device_features(struct fakedrv *d);

/*
 * fakedrv_init - reset, ACKNOWLEDGE, DRIVER, accept @want & offered, FEATURES_OK and check it
 * stuck. Stores the accepted set in *@got (may be NULL). 0, or -EIO when FEATURES_OK was refused.
 */
int fakedrv_init(struct fakedrv *d, uint64_t want, uint64_t *got);

/* fakedrv_queue - program queue @q from @fq (size and addresses), MSI-X vector @vec (PCI), enable. */
void fakedrv_queue(struct fakedrv *d, unsigned int q, const struct fakeq *fq, uint16_t vec);

/* fakedrv_queue_max - the largest size the device offers for queue @q (0: none). */
uint16_t fakedrv_queue_max(struct fakedrv *d, unsigned int q);

/* fakedrv_driver_ok - set DRIVER_OK. */
void fakedrv_driver_ok(struct fakedrv *d);

/* fakedrv_kick - notify queue @q the way a driver does (16-bit write to PCI notify, QueueNotify on MMIO). */
void fakedrv_kick(struct fakedrv *d, unsigned int q);

/* fakedrv_config - read @len bytes of device configuration at @off. */
uint64_t fakedrv_config(struct fakedrv *d, uint32_t off, uint32_t len);

/* PCI: enable MSI-X in the capability and program + unmask vector @v to (@addr, @data). */
void fakedrv_msix_enable(struct fakedrv *d);
void fakedrv_msix_vector(struct fakedrv *d, unsigned int v, uint64_t addr, uint32_t data, bool masked);

/* fakedrv_isr - PCI ISR (read clears) or MMIO InterruptStatus (then acknowledged). */
uint32_t fakedrv_isr(struct fakedrv *d);

/* fakedrv_irqs - how many times eventfd @fd was signalled since the last call (non-blocking). */
uint64_t fakedrv_irqs(int fd);

#endif
