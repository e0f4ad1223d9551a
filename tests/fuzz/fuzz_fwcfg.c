/* libFuzzer target: a hostile guest driving fw_cfg through its ports (selects, data reads, DMA requests anywhere), checked against a model of the device: never outside guest RAM, the control field ends 0 or error, the items never change. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "devices/fw_cfg.h"
#include "firmware/fw_cfg.h"
#include "firmware/le.h"
#include "vmm/bus.h"
#include "vmm/memory.h"

#define FUZZ_RAM (1ull << 20)		/* a small guest: DMA targets reach past its end easily */
#define FUZZ_GUARD (2ull << 20)		/* inaccessible host memory on both sides of it */
#define NFILES 4u
#define NFIXED 7u
#define MAX_OPS 256u			/* operations one input may make */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One item the device serves, as the harness set it (and expects it back). */
struct want_item {
	uint16_t key;
	const uint8_t *data;
	uint32_t size;
};

/* The harness's state: the device, its RAM and the model of both. Made once, reset per input. */
static struct {
	struct bus pio;
	struct guest_mem mem;
	struct fw_cfg *dev;
	struct want_item items[NFIXED + 1 + NFILES];	/* the fixed ones, the directory, the files */
	unsigned int nitems;
	uint8_t dir[4 + NFILES * sizeof(struct fw_cfg_file_entry)];
	uint8_t *shadow;		/* what guest RAM must hold */
	/* the model of the guest-visible registers */
	uint16_t key;
	uint32_t offset;
	uint64_t dma_addr;
} fz;

static uint8_t kernel_data[3000], initrd_data[150000], e820[3 * FW_CFG_E820_ENTRY_BYTES];
static uint8_t opt_big[70000], ram_size[8], ncpus[2], cmdline[] = "console=ttyS0";

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed + (i >> 8));
}

static void want(uint16_t key, const uint8_t *d, uint32_t n)
{
	fz.items[fz.nitems++] = (struct want_item){ .key = key, .data = d, .size = n };
}

/* Guest RAM between two PROT_NONE guards, laid out as gmem_init does (one region from 0). */
static void ram_init(void)
{
	uint8_t *raw = mmap(NULL, FUZZ_RAM + 2 * FUZZ_GUARD, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (raw == MAP_FAILED || mprotect(raw + FUZZ_GUARD, FUZZ_RAM, PROT_READ | PROT_WRITE) != 0)
		abort();
	fz.mem.base = raw + FUZZ_GUARD;
	fz.mem.size = FUZZ_RAM;
	fz.mem.regions[0] = (struct gmem_region){ .gpa = 0, .size = FUZZ_RAM, .hva = fz.mem.base };
	fz.mem.nregions = 1;
	fz.shadow = calloc(1, FUZZ_RAM);
	if (!fz.shadow)
		abort();
}

/* The device as machine_fw_cfg sets it up: a few items and files, copied and borrowed, one past a DMA chunk. */
static void setup(void)
{
	static const char *const names[NFILES] = { "etc/e820", "opt/big", "opt/empty", "opt/org.keel/x" };
	static const uint8_t sig[4] = FW_CFG_SIGNATURE_BYTES, id[4] = { 3, 0, 0, 0 };
	const uint8_t *fdata[NFILES] = { e820, opt_big, NULL, cmdline };
	const uint32_t fsize[NFILES] = { sizeof(e820), sizeof(opt_big), 0, 5 };
	unsigned int order[NFILES] = { 0, 1, 2, 3 };	/* names[] is sorted already */

	if (bus_init(&fz.pio, "pio") != 0)
		abort();
	ram_init();
	if (fw_cfg_create(&fz.pio, &fz.mem, &fz.dev) != 0)
		abort();
	fill(kernel_data, sizeof(kernel_data), 1);
	fill(initrd_data, sizeof(initrd_data), 2);
	fill(e820, sizeof(e820), 3);
	fill(opt_big, sizeof(opt_big), 4);
	le_put64(ram_size, FUZZ_RAM);
	le_put16(ncpus, 2);
	if (fw_cfg_set_item(fz.dev, FW_CFG_RAM_SIZE, ram_size, sizeof(ram_size), false) ||
	    fw_cfg_set_item(fz.dev, FW_CFG_NB_CPUS, ncpus, sizeof(ncpus), false) ||
	    fw_cfg_set_item(fz.dev, FW_CFG_KERNEL_DATA, kernel_data, sizeof(kernel_data), true) ||
	    fw_cfg_set_item(fz.dev, FW_CFG_INITRD_DATA, initrd_data, sizeof(initrd_data), false) ||
	    fw_cfg_set_item(fz.dev, FW_CFG_CMDLINE_DATA, cmdline, sizeof(cmdline), true))
		abort();
	/* added out of order: the directory sorts them */
	for (unsigned int i = NFILES; i-- > 0;)
		if (fw_cfg_add_file(fz.dev, names[i], fdata[i], fsize[i], i & 1) != 0)
			abort();
	want(FW_CFG_SIGNATURE, sig, sizeof(sig));
	want(FW_CFG_ID, id, sizeof(id));
	want(FW_CFG_RAM_SIZE, ram_size, sizeof(ram_size));
	want(FW_CFG_NB_CPUS, ncpus, sizeof(ncpus));
	want(FW_CFG_KERNEL_DATA, kernel_data, sizeof(kernel_data));
	want(FW_CFG_INITRD_DATA, initrd_data, sizeof(initrd_data));
	want(FW_CFG_CMDLINE_DATA, cmdline, sizeof(cmdline));
	be_put32(fz.dir, NFILES);
	for (unsigned int i = 0; i < NFILES; i++) {
		uint8_t *e = fz.dir + 4 + i * sizeof(struct fw_cfg_file_entry);
		unsigned int f = order[i];

		be_put32(e, fsize[f]);
		e[4] = 0;
		e[5] = (uint8_t)(FW_CFG_FILE_FIRST + i);
		memcpy(e + 8, names[f], strlen(names[f]));
		want((uint16_t)(FW_CFG_FILE_FIRST + i), fdata[f], fsize[f]);
	}
	want(FW_CFG_FILE_DIR, fz.dir, sizeof(fz.dir));
}

/* The item @key selects in the model (bit 14 ignored, bit 15 nothing), or NULL. */
static const struct want_item *model_item(uint16_t key)
{
	key &= (uint16_t)~FW_CFG_WRITE_CHANNEL;
	if (key & FW_CFG_ARCH_LOCAL)
		return NULL;
	for (unsigned int i = 0; i < fz.nitems; i++)
		if (fz.items[i].key == key)
			return &fz.items[i];
	return NULL;
}

/* The model's next @len bytes of the selected item (zeros past its end) into @out; the offset moves. */
static void model_read(uint8_t *out, uint64_t len)
{
	const struct want_item *it = model_item(fz.key);
	uint64_t left = it && fz.offset < it->size ? it->size - fz.offset : 0;
	uint64_t n = left < len ? left : len;

	if (n)
		memcpy(out, it->data + fz.offset, n);
	memset(out + n, 0, len - n);
	fz.offset += (uint32_t)n;
}

static bool in_ram(uint64_t gpa, uint64_t len)
{
	return len <= FUZZ_RAM && gpa <= FUZZ_RAM - len;
}

/* The model of a DMA request at @req: what guest RAM (the shadow) and the registers become. */
static void model_dma(uint64_t req)
{
	uint32_t control, length, result = 0;
	uint64_t addr;

	if (!in_ram(req, 16)) {
		if (in_ram(req, 4)) {
			be_put32(fz.shadow + req, FW_CFG_DMA_CTL_ERROR);
			if (be_get32(fz.mem.base + req) != FW_CFG_DMA_CTL_ERROR)
				abort();
		}
		return;
	}
	control = be_get32(fz.shadow + req);
	length = be_get32(fz.shadow + req + 4);
	addr = (uint64_t)be_get32(fz.shadow + req + 8) << 32 | be_get32(fz.shadow + req + 12);
	if (control & FW_CFG_DMA_CTL_SELECT) {
		fz.key = (uint16_t)(control >> 16);
		fz.offset = 0;
	}
	if (control & FW_CFG_DMA_CTL_READ) {
		while (length && !result) {
			uint32_t n = length < FW_CFG_DMA_CHUNK ? length : FW_CFG_DMA_CHUNK;

			if (in_ram(addr, n))
				model_read(fz.shadow + addr, n);
			else
				result = FW_CFG_DMA_CTL_ERROR;
			addr += n;
			length -= n;
		}
	} else if (control & FW_CFG_DMA_CTL_WRITE) {
		result = length ? FW_CFG_DMA_CTL_ERROR : 0;
	} else if (control & FW_CFG_DMA_CTL_SKIP) {
		const struct want_item *it = model_item(fz.key);
		uint32_t left = it && fz.offset < it->size ? it->size - fz.offset : 0;

		fz.offset += left < length ? left : length;
	}
	be_put32(fz.shadow + req, result);
	/* the device ran first: its control field says done (0) or error, as the model does */
	if (be_get32(fz.mem.base + req) != result)
		abort();
}

/* One port access, through the bus as a vCPU's exit makes it, and the model's answer. */
static void port(uint16_t p, uint8_t *d, uint32_t len, bool write)
{
	static const char dma_sig[] = FW_CFG_DMA_SIGNATURE;
	uint64_t off = (uint64_t)p - FW_CFG_PORT_SEL;
	uint8_t got[8], model[8] = { 0 };
	int r;

	memcpy(got, d, len);
	r = bus_access(&fz.pio, NULL, p, got, len, write);
	if (p < FW_CFG_PORT_SEL || off + len > FW_CFG_PORT_COUNT) {
		if (r != -ENOENT)
			abort();
		return;
	}
	if (r != 0)
		abort();
	if (write && off == 0 && len == 2) {
		fz.key = (uint16_t)(d[0] | d[1] << 8);
		fz.offset = 0;
	} else if (!write && off == 1) {
		model_read(model, len);
	} else if (!write && off >= 4) {
		for (uint32_t i = 0; i < len; i++)
			model[i] = (uint8_t)dma_sig[off - 4 + i];
	} else if (write && off == 4 && len == 4) {
		fz.dma_addr = (uint64_t)be_get32(d) << 32;
	} else if (write && off == 8 && len == 4) {
		model_dma(fz.dma_addr | be_get32(d));
		fz.dma_addr = 0;
	} else if (write && off == 4 && len == 8) {
		model_dma((uint64_t)be_get32(d) << 32 | be_get32(d + 4));
		fz.dma_addr = 0;
	}
	if (!write && memcmp(got, model, len) != 0)
		abort();
}

/* The input, read front to back; zeros once it runs out. */
struct in {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++) {
		v |= (uint64_t)(in->n ? *in->p : 0) << (8 * i);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

/* A guest address: mostly inside RAM, near its end, or anywhere (beyond it, wrapping). */
static uint64_t take_gpa(struct in *in)
{
	uint8_t how = (uint8_t)take(in, 1);

	switch (how & 3) {
	case 0:
		return take(in, 3) % FUZZ_RAM;
	case 1:
		return FUZZ_RAM - 1 - take(in, 1) % 64;
	case 2:
		return (take(in, 2) & 0xfff0) + (how >> 2);	/* low pages, aligned or not */
	default:
		return take(in, 8);
	}
}

/* The guest writes @len bytes into its RAM at @gpa (in range), e.g. to lay out a request. */
static void guest_write(uint64_t gpa, const uint8_t *d, size_t len)
{
	if (!in_ram(gpa, len) || gmem_write(&fz.mem, gpa, d, len) != 0)
		return;
	memcpy(fz.shadow + gpa, d, len);
}

/* A DMA request laid out at @req (partly, when it crosses RAM's end) and started by the ports. */
static void op_dma(struct in *in, uint8_t op)
{
	uint64_t req = take_gpa(in), addr;
	uint32_t control = (uint32_t)take(in, 4), length;
	uint8_t r[16], hi[4], lo[4];

	/* lengths: small, around a chunk, or anything up to 4 GiB - 1 */
	switch ((op >> 3) & 3) {
	case 0:
		length = (uint32_t)take(in, 1);
		break;
	case 1:
		length = FW_CFG_DMA_CHUNK - 2 + (uint32_t)take(in, 1) % 4;
		break;
	default:
		length = (uint32_t)take(in, 4);
		break;
	}
	addr = (op & 0x20) ? req + take(in, 1) % 24 - 8 : take_gpa(in);	/* onto the request itself */
	be_put32(r, control);
	be_put32(r + 4, length);
	be_put32(r + 8, (uint32_t)(addr >> 32));
	be_put32(r + 12, (uint32_t)addr);
	for (unsigned int i = 0; i < sizeof(r); i++)
		guest_write(req + i, r + i, 1);
	be_put32(hi, (uint32_t)(req >> 32));
	be_put32(lo, (uint32_t)req);
	if (op & 0x40) {
		uint8_t both[8];

		memcpy(both, hi, 4);
		memcpy(both + 4, lo, 4);
		port(FW_CFG_PORT_DMA_HI, both, 8, true);
	} else {
		if (!(op & 0x80) || req >> 32)
			port(FW_CFG_PORT_DMA_HI, hi, 4, true);
		port(FW_CFG_PORT_DMA_LO, lo, 4, true);
	}
}

/*
 * Every item, from a fresh selection, is what was set: small ones read whole through the data
 * port, big ones by one DMA request at the start of RAM (which the model no longer follows).
 */
static void check_items(void)
{
	static uint8_t buf[256 + 4];

	for (unsigned int i = 0; i < fz.nitems; i++) {
		const struct want_item *it = &fz.items[i];
		uint8_t k[2] = { (uint8_t)it->key, (uint8_t)(it->key >> 8) }, r[16], z[4] = { 0 };
		const uint8_t *got = buf;

		if (it->size <= 256) {
			if (bus_access(&fz.pio, NULL, FW_CFG_PORT_SEL, k, 2, true) != 0)
				abort();
			for (uint32_t at = 0; at < it->size + 4; at += 4)
				if (bus_access(&fz.pio, NULL, FW_CFG_PORT_DATA, buf + at, 4, false) != 0)
					abort();
		} else {
			be_put32(r, (uint32_t)it->key << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ);
			be_put32(r + 4, it->size + 4);
			be_put32(r + 8, 0);
			be_put32(r + 12, 0x1000);
			if (gmem_write(&fz.mem, 0, r, sizeof(r)) != 0 ||
			    bus_access(&fz.pio, NULL, FW_CFG_PORT_DMA_HI, z, 4, true) != 0 ||
			    bus_access(&fz.pio, NULL, FW_CFG_PORT_DMA_LO, z, 4, true) != 0 ||
			    be_get32(fz.mem.base) != 0)
				abort();
			got = fz.mem.base + 0x1000;
		}
		if ((it->size && memcmp(got, it->data, it->size) != 0) || memcmp(got + it->size, z, 4) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static const struct fw_cfg_state start = { 0 };
	struct in in = { data, size };
	struct fw_cfg_state st;

	if (!ready) {
		setup();
		ready = true;
	}
	memset(fz.mem.base, 0, FUZZ_RAM);
	memset(fz.shadow, 0, FUZZ_RAM);
	if (fw_cfg_restore(fz.dev, &start) != 0)
		abort();
	fz.key = 0;
	fz.offset = 0;
	fz.dma_addr = 0;
	for (unsigned int n = 0; in.n && n < MAX_OPS; n++) {
		uint8_t op = (uint8_t)take(&in, 1), d[8];
		static const uint32_t lens[4] = { 1, 2, 4, 8 };

		switch (op & 7) {
		case 0:		/* select */
			le_put16(d, (uint16_t)take(&in, 2));
			port(FW_CFG_PORT_SEL, d, 2, true);
			break;
		case 1:		/* data reads of 1, 2 or 4 bytes */
			for (unsigned int i = 0; i <= (op >> 5); i++)
				port(FW_CFG_PORT_DATA, d, lens[(op >> 3) % 3], false);
			break;
		case 2:
		case 3:
			op_dma(&in, op);
			break;
		case 4: {	/* any access at or around the device's ports */
			uint16_t p = (uint16_t)(FW_CFG_PORT_SEL - 2 + take(&in, 1) % (FW_CFG_PORT_COUNT + 4));

			le_put64(d, take(&in, 8));
			port(p, d, lens[(op >> 3) & 3], op & 0x20);
			break;
		}
		case 5: {	/* the guest writes its RAM: requests of its own making */
			uint64_t gpa = take_gpa(&in);
			uint8_t b[32];
			size_t k = (op >> 3) + 1;

			for (size_t i = 0; i < k; i++)
				b[i] = (uint8_t)take(&in, 1);
			guest_write(gpa, b, k);
			break;
		}
		case 6:		/* save and restore: the same state, then whatever the input says */
			fw_cfg_save(fz.dev, &st);
			if (st.key != fz.key || st.offset != fz.offset || st.dma_addr != fz.dma_addr ||
			    fw_cfg_restore(fz.dev, &st) != 0)
				abort();
			st = (struct fw_cfg_state){ .key = (uint16_t)take(&in, 2), .offset = (uint32_t)take(&in, 3),
						    .dma_addr = take(&in, 8) };
			if (fw_cfg_restore(fz.dev, &st) == 0) {
				const struct want_item *it = model_item(st.key);

				if (st.offset > (it ? it->size : 0))
					abort();
				fz.key = st.key;
				fz.offset = st.offset;
				fz.dma_addr = st.dma_addr;
			} else {
				const struct want_item *it = model_item(st.key);

				if (st.offset <= (it ? it->size : 0))
					abort();
			}
			break;
		default:	/* the DMA address's high half alone, left for a later request */
			be_put32(d, (uint32_t)take(&in, 4));
			port(FW_CFG_PORT_DMA_HI, d, 4, true);
			break;
		}
	}
	/* guest RAM is what the model says: nothing written where it should not be */
	if (memcmp(fz.mem.base, fz.shadow, FUZZ_RAM) != 0)
		abort();
	check_items();
	return 0;
}
