/* The guest's fw_cfg driver: ports 0x510 (selector), 0x511 (data) and 0x514/0x518 (DMA address, big-endian halves). */
#include "guest/drivers/fw_cfg.h"

#include "guest/arch/x86/io.h"
#include "guest/arch/x86/mmu.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"

/* One page for DMA: the request at its start, the data after it. */
static uint64_t dma_page;

bool fw_cfg_present(void)
{
	char sig[4];

	fw_cfg_item(FW_CFG_SIGNATURE, sig, sizeof(sig));
	return !memcmp(sig, FW_CFG_SIGNATURE_BYTES, 4);
}

void fw_cfg_select(uint16_t key)
{
	outw(FW_CFG_PORT_SEL, key);
}

void fw_cfg_read(void *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)buf)[i] = inb(FW_CFG_PORT_DATA);
}

void fw_cfg_item(uint16_t key, void *buf, size_t n)
{
	fw_cfg_select(key);
	fw_cfg_read(buf, n);
}

void fw_cfg_dma_signature(char out[8])
{
	uint32_t hi = inl(FW_CFG_PORT_DMA_HI), lo = inl(FW_CFG_PORT_DMA_LO);

	memcpy(out, &hi, 4);
	memcpy(out + 4, &lo, 4);
}

uint32_t fw_cfg_dma(uint32_t control, uint32_t length, uint64_t addr)
{
	volatile struct fw_cfg_dma_access *req;

	if (!dma_page && !(dma_page = frame_alloc()))
		return ~0u;
	req = phys_to_virt(dma_page);
	req->control = __builtin_bswap32(control);
	req->length = __builtin_bswap32(length);
	req->address = __builtin_bswap64(addr);
	outl(FW_CFG_PORT_DMA_HI, __builtin_bswap32((uint32_t)(dma_page >> 32)));
	outl(FW_CFG_PORT_DMA_LO, __builtin_bswap32((uint32_t)dma_page));	/* runs it */
	return __builtin_bswap32(req->control);
}

uint32_t fw_cfg_dma_read(int key, void *buf, size_t n)
{
	uint32_t control = FW_CFG_DMA_CTL_READ, r;

	if (n > FW_CFG_DMA_BUF_MAX)
		return FW_CFG_DMA_CTL_ERROR;
	if (key >= 0)
		control |= (uint32_t)key << 16 | FW_CFG_DMA_CTL_SELECT;
	if (!dma_page && !(dma_page = frame_alloc()))
		return ~0u;
	r = fw_cfg_dma(control, (uint32_t)n, dma_page + 16);
	memcpy(buf, (const uint8_t *)phys_to_virt(dma_page) + 16, n);
	return r;
}

/* One 64-byte directory entry at the data port into @f; false when its name has no NUL. */
static bool read_entry(struct fw_cfg_file *f)
{
	uint8_t e[sizeof(struct fw_cfg_file_entry)];

	fw_cfg_read(e, sizeof(e));
	f->size = (uint32_t)e[0] << 24 | (uint32_t)e[1] << 16 | (uint32_t)e[2] << 8 | e[3];
	f->select = (uint16_t)(e[4] << 8 | e[5]);
	memcpy(f->name, e + 8, FW_CFG_NAME_MAX);
	return memchr(f->name, 0, FW_CFG_NAME_MAX) != 0;
}

bool fw_cfg_files(struct fw_cfg_file *out, unsigned int max, unsigned int *count)
{
	uint8_t c[4];
	struct fw_cfg_file f;

	fw_cfg_item(FW_CFG_FILE_DIR, c, sizeof(c));
	*count = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
	if (*count > 0x4000u - FW_CFG_FILE_FIRST)
		return false;
	for (unsigned int i = 0; i < *count; i++) {
		if (!read_entry(&f))
			return false;
		if (i < max)
			out[i] = f;
	}
	return true;
}

bool fw_cfg_find(const char *name, struct fw_cfg_file *f)
{
	uint8_t c[4];
	uint32_t n;

	fw_cfg_item(FW_CFG_FILE_DIR, c, sizeof(c));
	n = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
	for (uint32_t i = 0; i < n && i < 0x4000u; i++)
		if (read_entry(f) && !strcmp(f->name, name))
			return true;
	return false;
}
