/* QEMU's firmware configuration device (fw_cfg) on ports 0x510-0x51b: read-only items and files by the selector/data ports and by DMA into guest RAM. */
#ifndef KEEL_DEVICES_FW_CFG_H
#define KEEL_DEVICES_FW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/fw_cfg.h"

struct bus;
struct dev_descs;
struct guest_mem;
struct vcpu;
struct fw_cfg;

#define FW_CFG_MAX_FILES 64u		/* files in the directory, keel's and the user's */
#define FW_CFG_ITEM_MAX 0xffffffffull	/* an item's size travels in 32 bits */
/* Bytes a DMA request copies per step; the device's lock is let go between steps. */
#define FW_CFG_DMA_CHUNK (64u << 10)

/*
 * What the guest may change, as plain data: the selected key, its offset, and the DMA address
 * register's high half. fw_cfg_save fills it; fw_cfg_restore checks it (the offset may not lie
 * past the selected item's end) and returns 0, or -EINVAL leaving the device unchanged.
 */
struct fw_cfg_state {
	uint16_t key;
	uint32_t offset;
	uint64_t dma_addr;
};

/*
 * fw_cfg_create - the device with the signature and ID items and an empty file directory,
 * registered on @pio at [FW_CFG_PORT_SEL, + FW_CFG_PORT_COUNT). DMA requests reach guest RAM
 * only through gmem_translate on @mem. Returns 0 or -errno (-EEXIST: the ports are taken).
 */
int fw_cfg_create(struct bus *pio, const struct guest_mem *mem, struct fw_cfg **out);

/* fw_cfg_destroy - unregister from the bus it was created on, then free; NULL is fine. */
void fw_cfg_destroy(struct fw_cfg *f);

/*
 * fw_cfg_set_item - item @key (below FW_CFG_FILE_FIRST; not the signature, ID or file directory)
 * holds the @len bytes at @data from now on, replacing what it held. With @borrow the bytes are
 * not copied: they must stay as they are until the device is destroyed. 0, -EINVAL (a key the
 * device keeps for itself, or beyond the fixed ones), -EFBIG (@len over FW_CFG_ITEM_MAX) or -ENOMEM.
 */
int fw_cfg_set_item(struct fw_cfg *f, uint16_t key, const void *data, size_t len, bool borrow);

/*
 * fw_cfg_add_file - a file called @name (1 to FW_CFG_NAME_MAX - 1 bytes) with the @len bytes at
 * @data (@borrow as above). The directory stays sorted by name and each file's key is
 * FW_CFG_FILE_FIRST plus its place in it, so keys move as files are added: add them all before
 * the guest runs. 0, -EINVAL (a bad name), -EEXIST (the name is there), -ENOSPC (FW_CFG_MAX_FILES
 * already), -EFBIG or -ENOMEM.
 */
int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, size_t len, bool borrow);

/* fw_cfg_file_key - the key of file @name, or -ENOENT. */
int fw_cfg_file_key(struct fw_cfg *f, const char *name);

/*
 * fw_cfg_io - bus handler, opaque = the struct fw_cfg, offsets from FW_CFG_PORT_SEL: a 16-bit
 * write at 0 selects; reads at 1 give the next bytes (0 past the end); 32-bit big-endian writes
 * at 4 (high) and 8 (low; this one runs the request) or a 64-bit one at 4 give the address of a
 * struct fw_cfg_dma_access; reads at 4-11 give FW_CFG_DMA_SIGNATURE's bytes. Anything else reads
 * 0 and writes nothing. Returns 0.
 */
int fw_cfg_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* fw_cfg_save / fw_cfg_restore - see struct fw_cfg_state. */
void fw_cfg_save(struct fw_cfg *f, struct fw_cfg_state *st);
int fw_cfg_restore(struct fw_cfg *f, const struct fw_cfg_state *st);

/*
 * fw_cfg_describe - add the device to @out: ports [0x510, 0x51c), compatible "qemu,fw-cfg-io"
 * (the DSDT's QEMU0002; the device tree's /isa/fw-cfg@i510). 0 or -ENOSPC.
 */
int fw_cfg_describe(struct dev_descs *out);

#endif
