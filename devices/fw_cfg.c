/* fw_cfg: items and a sorted file directory served through the selector/data ports and by DMA, every guest address through gmem_translate. */
#include "devices/fw_cfg.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "firmware/describe.h"
#include "firmware/le.h"
#include "vmm/bus.h"
#include "vmm/memory.h"

/* One item's bytes: owned (freed with the device) or borrowed. */
struct fw_item {
	const uint8_t *data;
	uint32_t size;
	bool present;
	bool owned;
};

struct fw_file {
	char name[FW_CFG_NAME_MAX];
	struct fw_item item;
};

struct fw_cfg {
	struct bus *pio;
	const struct guest_mem *mem;
	pthread_mutex_t lock;			/* everything below */
	struct fw_item items[FW_CFG_FILE_FIRST];	/* the fixed keys */
	struct fw_file files[FW_CFG_MAX_FILES];	/* sorted by name; key FW_CFG_FILE_FIRST + index */
	unsigned int nfiles;
	uint16_t key;				/* selected, as written (bit 14 ignored when looking up) */
	uint32_t offset;			/* into the selected item, at most its size */
	uint64_t dma_addr;			/* the DMA address register */
};

static void item_free(struct fw_item *it)
{
	if (it->owned)
		free((void *)it->data);
	memset(it, 0, sizeof(*it));
}

/* Fill @it with @len bytes of @data (copied unless @borrow). 0, -EFBIG or -ENOMEM. */
static int item_fill(struct fw_item *it, const void *data, size_t len, bool borrow)
{
	uint8_t *copy = NULL;

	if ((uint64_t)len > FW_CFG_ITEM_MAX)
		return -EFBIG;
	if (!borrow && len) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, data, len);
	}
	item_free(it);
	*it = (struct fw_item){
		.data = borrow ? data : copy, .size = (uint32_t)len, .present = true, .owned = !borrow
	};
	return 0;
}

/* The item @key selects (bit 14 ignored), or NULL when there is none. Lock held. */
static const struct fw_item *lookup(const struct fw_cfg *f, uint16_t key)
{
	key &= (uint16_t)~FW_CFG_WRITE_CHANNEL;
	if (key & FW_CFG_ARCH_LOCAL)
		return NULL;
	if (key < FW_CFG_FILE_FIRST)
		return f->items[key].present ? &f->items[key] : NULL;
	if (key - FW_CFG_FILE_FIRST < f->nfiles)
		return &f->files[key - FW_CFG_FILE_FIRST].item;
	return NULL;
}

/* Bytes of the selected item left after its offset. Lock held. */
static uint32_t left(const struct fw_cfg *f, const struct fw_item **it)
{
	*it = lookup(f, f->key);
	return *it && f->offset < (*it)->size ? (*it)->size - f->offset : 0;
}

/* The directory item, made anew from the files. Lock held. 0 or -ENOMEM. */
static int dir_rebuild(struct fw_cfg *f)
{
	size_t len = 4 + (size_t)f->nfiles * sizeof(struct fw_cfg_file_entry);
	uint8_t *d = calloc(1, len);

	if (!d)
		return -ENOMEM;
	be_put32(d, f->nfiles);
	for (unsigned int i = 0; i < f->nfiles; i++) {
		uint8_t *e = d + 4 + (size_t)i * sizeof(struct fw_cfg_file_entry);
		uint16_t key = (uint16_t)(FW_CFG_FILE_FIRST + i);

		be_put32(e, f->files[i].item.size);
		be_put16(e + 4, key);
		memcpy(e + 8, f->files[i].name, strlen(f->files[i].name));
	}
	item_free(&f->items[FW_CFG_FILE_DIR]);
	f->items[FW_CFG_FILE_DIR] =
		(struct fw_item){ .data = d, .size = (uint32_t)len, .present = true, .owned = true };
	return 0;
}

int fw_cfg_create(struct bus *pio, const struct guest_mem *mem, struct fw_cfg **out)
{
	static const uint8_t sig[4] = FW_CFG_SIGNATURE_BYTES;
	uint8_t id[4];
	struct fw_cfg *f = calloc(1, sizeof(*f));
	int ret;

	*out = NULL;
	if (!f)
		return -ENOMEM;
	f->mem = mem;
	pthread_mutex_init(&f->lock, NULL);
	le_put32(id, FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA);
	ret = item_fill(&f->items[FW_CFG_SIGNATURE], sig, sizeof(sig), false);
	if (ret == 0)
		ret = item_fill(&f->items[FW_CFG_ID], id, sizeof(id), false);
	if (ret == 0)
		ret = dir_rebuild(f);
	if (ret == 0 && pio) {
		ret = bus_register(pio, FW_CFG_PORT_SEL, FW_CFG_PORT_COUNT, fw_cfg_io, f, "fw_cfg");
		f->pio = ret == 0 ? pio : NULL;
	}
	if (ret < 0) {
		fw_cfg_destroy(f);
		return ret;
	}
	*out = f;
	return 0;
}

void fw_cfg_destroy(struct fw_cfg *f)
{
	if (!f)
		return;
	/* Once unregistered, no vCPU can be inside fw_cfg_io any more. */
	if (f->pio)
		devices_unregister(f->pio, FW_CFG_PORT_SEL, fw_cfg_io);
	for (unsigned int i = 0; i < FW_CFG_FILE_FIRST; i++)
		item_free(&f->items[i]);
	for (unsigned int i = 0; i < f->nfiles; i++)
		item_free(&f->files[i].item);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

int fw_cfg_set_item(struct fw_cfg *f, uint16_t key, const void *data, size_t len, bool borrow)
{
	int ret;

	if (key >= FW_CFG_FILE_FIRST || key == FW_CFG_SIGNATURE || key == FW_CFG_ID || key == FW_CFG_FILE_DIR)
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	ret = item_fill(&f->items[key], data, len, borrow);
	pthread_mutex_unlock(&f->lock);
	return ret;
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, size_t len, bool borrow)
{
	size_t nlen = name ? strnlen(name, FW_CFG_NAME_MAX) : 0;
	struct fw_file nf = { 0 };
	unsigned int at;
	int ret;

	if (nlen == 0 || nlen >= FW_CFG_NAME_MAX)
		return -EINVAL;
	ret = item_fill(&nf.item, data, len, borrow);
	if (ret < 0)
		return ret;
	memcpy(nf.name, name, nlen);
	pthread_mutex_lock(&f->lock);
	for (at = 0; at < f->nfiles && strcmp(f->files[at].name, name) < 0; at++)
		;
	if (at < f->nfiles && !strcmp(f->files[at].name, name))
		ret = -EEXIST;
	else if (f->nfiles == FW_CFG_MAX_FILES)
		ret = -ENOSPC;
	if (ret == 0) {
		memmove(&f->files[at + 1], &f->files[at], (f->nfiles - at) * sizeof(f->files[0]));
		f->files[at] = nf;
		f->nfiles++;
		ret = dir_rebuild(f);
		if (ret < 0) {	/* take it out again */
			memmove(&f->files[at], &f->files[at + 1], (f->nfiles - at - 1) * sizeof(f->files[0]));
			f->nfiles--;
		}
	}
	pthread_mutex_unlock(&f->lock);
	if (ret < 0)
		item_free(&nf.item);
	return ret;
}

int fw_cfg_file_key(struct fw_cfg *f, const char *name)
{
	int key = -ENOENT;

	pthread_mutex_lock(&f->lock);
	for (unsigned int i = 0; i < f->nfiles; i++)
		if (!strcmp(f->files[i].name, name))
			key = (int)(FW_CFG_FILE_FIRST + i);
	pthread_mutex_unlock(&f->lock);
	return key;
}

/* Select @key at offset 0. Lock held. */
static void select_key(struct fw_cfg *f, uint16_t key)
{
	f->key = key;
	f->offset = 0;
}

/* The next @len bytes of the selected item into @out, zeros past its end. Lock held. */
static void read_data(struct fw_cfg *f, uint8_t *out, uint32_t len)
{
	const struct fw_item *it;
	uint32_t n = left(f, &it);

	if (n > len)
		n = len;
	if (n)
		memcpy(out, it->data + f->offset, n);
	memset(out + n, 0, len - n);
	f->offset += n;
}

/* Let go of the lock between steps: other vCPUs may reach the device while a long request runs. */
static uint32_t dma_read_step(struct fw_cfg *f, uint64_t gpa, uint32_t len)
{
	void *p;

	if (gmem_translate(f->mem, gpa, len, &p) < 0)
		return FW_CFG_DMA_CTL_ERROR;
	pthread_mutex_lock(&f->lock);
	read_data(f, p, len);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/* Run the request whose struct fw_cfg_dma_access is at guest-physical @req. */
static void dma_run(struct fw_cfg *f, uint64_t req)
{
	uint8_t raw[sizeof(struct fw_cfg_dma_access)], done[4];
	uint32_t control, length, result = 0;
	uint64_t addr;

	if (gmem_read(f->mem, req, raw, sizeof(raw)) < 0) {
		/* The request is not (all) in RAM: the error bit where its control field is, if that is. */
		be_put32(done, FW_CFG_DMA_CTL_ERROR);
		(void)gmem_write(f->mem, req, done, sizeof(done));
		return;
	}
	control = be_get32(raw);
	length = be_get32(raw + 4);
	addr = (uint64_t)be_get32(raw + 8) << 32 | be_get32(raw + 12);
	if (control & FW_CFG_DMA_CTL_SELECT) {
		pthread_mutex_lock(&f->lock);
		select_key(f, (uint16_t)(control >> 16));
		pthread_mutex_unlock(&f->lock);
	}
	if (control & FW_CFG_DMA_CTL_READ) {
		while (length && !result) {
			uint32_t n = length < FW_CFG_DMA_CHUNK ? length : FW_CFG_DMA_CHUNK;

			result = dma_read_step(f, addr, n);
			addr += n;
			length -= n;
		}
	} else if (control & FW_CFG_DMA_CTL_WRITE) {
		if (length)
			result = FW_CFG_DMA_CTL_ERROR;	/* no item is writable */
	} else if (control & FW_CFG_DMA_CTL_SKIP) {
		const struct fw_item *it;
		uint32_t n;

		pthread_mutex_lock(&f->lock);
		n = left(f, &it);
		f->offset += n < length ? n : length;
		pthread_mutex_unlock(&f->lock);
	}
	be_put32(done, result);
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* the data before the guest sees control change */
	(void)gmem_write(f->mem, req, done, sizeof(done));
}

int fw_cfg_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	static const char dma_sig[] = FW_CFG_DMA_SIGNATURE;
	struct fw_cfg *f = opaque;
	uint64_t run = 0;
	bool start = false;

	(void)vcpu;
	if (!is_write)
		memset(data, 0, len);
	pthread_mutex_lock(&f->lock);
	if (is_write && offset == 0 && len == 2) {
		select_key(f, (uint16_t)devices_le_value(data, 2));
	} else if (!is_write && offset == 1) {
		read_data(f, data, len);
	} else if (!is_write && offset >= 4) {
		for (uint32_t i = 0; i < len && offset + i < 12; i++)
			data[i] = (uint8_t)dma_sig[offset - 4 + i];
	} else if (is_write && offset == 4 && len == 4) {
		f->dma_addr = (uint64_t)be_get32(data) << 32;
	} else if (is_write && offset == 8 && len == 4) {
		run = f->dma_addr | be_get32(data);
		start = true;
	} else if (is_write && offset == 4 && len == 8) {
		run = (uint64_t)be_get32(data) << 32 | be_get32(data + 4);
		start = true;
	}
	if (start)
		f->dma_addr = 0;
	pthread_mutex_unlock(&f->lock);
	if (start)
		dma_run(f, run);
	return 0;
}

void fw_cfg_save(struct fw_cfg *f, struct fw_cfg_state *st)
{
	pthread_mutex_lock(&f->lock);
	*st = (struct fw_cfg_state){ .key = f->key, .offset = f->offset, .dma_addr = f->dma_addr };
	pthread_mutex_unlock(&f->lock);
}

int fw_cfg_restore(struct fw_cfg *f, const struct fw_cfg_state *st)
{
	const struct fw_item *it;
	int ret = -EINVAL;

	pthread_mutex_lock(&f->lock);
	it = lookup(f, st->key);
	if (st->offset <= (it ? it->size : 0)) {
		f->key = st->key;
		f->offset = st->offset;
		f->dma_addr = st->dma_addr;
		ret = 0;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

int fw_cfg_describe(struct dev_descs *out)
{
	const struct dev_desc d = {
		.name = "fw-cfg", .compatible = "qemu,fw-cfg-io", .space = DESC_ISA_IO,
		.nregs = 1, .regs = { { FW_CFG_PORT_SEL, FW_CFG_PORT_COUNT } }, .irq = -1,
	};

	return desc_add(out, &d);
}
