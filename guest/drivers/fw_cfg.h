/* QEMU's fw_cfg (firmware/fw_cfg.h) from the guest: the signature probe, port reads, DMA requests and the file directory. */
#ifndef KEEL_GUEST_DRIVERS_FW_CFG_H
#define KEEL_GUEST_DRIVERS_FW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/fw_cfg.h"

#define FW_CFG_DMA_BUF_MAX 4080u	/* bytes one fw_cfg_dma_read may ask for (its page less the request) */

/* One file of the directory, in host byte order. */
struct fw_cfg_file {
	uint32_t size;
	uint16_t select;
	char name[FW_CFG_NAME_MAX];
};

/* True when the selector and data ports give "QEMU" for the signature item. */
bool fw_cfg_present(void);

/* fw_cfg_select - write @key to the selector (offset 0). fw_cfg_read - the next @n bytes by the data port. */
void fw_cfg_select(uint16_t key);
void fw_cfg_read(void *buf, size_t n);

/* fw_cfg_item - select @key and read its first @n bytes by the ports. */
void fw_cfg_item(uint16_t key, void *buf, size_t n);

/* The 8 bytes the DMA address ports read as (two 32-bit reads at 0x514 and 0x518). */
void fw_cfg_dma_signature(char out[8]);

/*
 * fw_cfg_dma - run one request (@control, @length, @addr: a guest-physical address, host order)
 * and return its control field as the device left it (0: done; FW_CFG_DMA_CTL_ERROR), or ~0u
 * when no page could be had for the request.
 */
uint32_t fw_cfg_dma(uint32_t control, uint32_t length, uint64_t addr);

/*
 * fw_cfg_dma_read - select @key (unless @key is negative: go on where the offset is) and read
 * @n bytes (at most FW_CFG_DMA_BUF_MAX) by DMA into @buf. The request's control field after it, as above.
 */
uint32_t fw_cfg_dma_read(int key, void *buf, size_t n);

/*
 * fw_cfg_files - read the directory by the ports: its count into *@count, at most @max entries
 * into @out. False when it does not parse (a count over 0x3fe0, a name without its NUL).
 */
bool fw_cfg_files(struct fw_cfg_file *out, unsigned int max, unsigned int *count);

/* fw_cfg_find - the directory's entry called @name into *@f; false when there is none. */
bool fw_cfg_find(const char *name, struct fw_cfg_file *f);

#endif
