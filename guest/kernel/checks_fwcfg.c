/* fw_cfg checks (area fw_cfg/): QEMU's firmware configuration device by its ports and by DMA, against what the boot handed over. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/mmu.h"
#include "guest/drivers/fw_cfg.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/devtree.h"
#include "guest/kernel/machine.h"
#include "guest/lib/string.h"

#define SHOW_MAX 512u			/* bytes of a file fw-cfg-show= prints */
#define DIR_MAX 64u			/* directory entries the checks look at */

static struct fw_cfg_file files[DIR_MAX];

/* SKIP reason when there is no fw_cfg, else NULL. */
static const char *absent(void)
{
	return fw_cfg_present() ? 0 : "no fw_cfg at port 0x510";
}

/* Under keel (its device tree's root says so), where every item must match exactly. */
static bool under_keel(void)
{
	return machine_has_fdt() && devtree_is_keel();
}

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

enum check_status check_fw_cfg_signature(struct check_ctx *ctx)
{
	char sig[5] = "";

	if (!fw_cfg_present()) {
		fw_cfg_item(FW_CFG_SIGNATURE, sig, 4);
		if (under_keel())
			return check_fail(ctx, "the signature item reads %02x %02x %02x %02x, not \"QEMU\"",
					  (uint8_t)sig[0], (uint8_t)sig[1], (uint8_t)sig[2], (uint8_t)sig[3]);
		return check_skip(ctx, "no fw_cfg at port 0x510");
	}
	fw_cfg_item(FW_CFG_SIGNATURE, sig, 4);
	fw_cfg_read(sig + 4, 1);		/* past the end: 0 */
	if (sig[4])
		return check_fail(ctx, "a read past the signature's end gave %#x", (uint8_t)sig[4]);
	return CHECK_PASS;
}

enum check_status check_fw_cfg_id_dma(struct check_ctx *ctx)
{
	const char *why = absent();
	uint8_t id[4];
	char sig[8];

	if (why)
		return check_skip(ctx, "%s", why);
	fw_cfg_item(FW_CFG_ID, id, 4);
	if ((le(id, 4) & 3) != 3)
		return check_fail(ctx, "ID is %#llx: traditional and DMA bits not both set",
				  (unsigned long long)le(id, 4));
	fw_cfg_dma_signature(sig);
	if (memcmp(sig, FW_CFG_DMA_SIGNATURE, 8))
		return check_fail(ctx, "the DMA address ports read %.8s, not \"QEMU CFG\"", sig);
	return CHECK_PASS;
}

enum check_status check_fw_cfg_nb_cpus(struct check_ctx *ctx)
{
	const char *why = absent();
	uint8_t n[2], max[2];

	if (why)
		return check_skip(ctx, "%s", why);
	fw_cfg_item(FW_CFG_NB_CPUS, n, 2);
	fw_cfg_item(FW_CFG_MAX_CPUS, max, 2);
	if (le(n, 2) != machine.ncpus)
		return check_fail(ctx, "NB_CPUS is %u, the guest found %u cpus", (unsigned int)le(n, 2), machine.ncpus);
	if (le(max, 2) < le(n, 2))
		return check_fail(ctx, "MAX_CPUS %u is below NB_CPUS %u", (unsigned int)le(max, 2),
				  (unsigned int)le(n, 2));
	return CHECK_PASS;
}

enum check_status check_fw_cfg_ram_size(struct check_ctx *ctx)
{
	const char *why = absent();
	uint64_t ram = bootinfo_ram_bytes(), size;
	uint8_t b[8];

	if (why)
		return check_skip(ctx, "%s", why);
	fw_cfg_item(FW_CFG_RAM_SIZE, b, 8);
	size = le(b, 8);
	/* the memory map leaves out at most the legacy hole below 1 MiB */
	if (size < ram || size - ram > (1ull << 20))
		return check_fail(ctx, "RAM_SIZE is %llu bytes, the memory map has %llu of RAM",
				  (unsigned long long)size, (unsigned long long)ram);
	return CHECK_PASS;
}

enum check_status check_fw_cfg_cmdline(struct check_ctx *ctx)
{
	static char line[KEEL_CMDLINE_MAX + 1];
	const char *why = absent();
	uint8_t b[4];
	uint32_t size;

	if (why)
		return check_skip(ctx, "%s", why);
	fw_cfg_item(FW_CFG_CMDLINE_SIZE, b, 4);
	size = (uint32_t)le(b, 4);
	if (size == 0 && !under_keel())
		return check_skip(ctx, "no CMDLINE items");
	if (size != strlen(boot_info.cmdline) + 1)
		return check_fail(ctx, "CMDLINE_SIZE is %u, the command line has %u bytes with its NUL", size,
				  (unsigned int)strlen(boot_info.cmdline) + 1);
	fw_cfg_item(FW_CFG_CMDLINE_DATA, line, size + 1);
	if (line[size - 1] || line[size] || strcmp(line, boot_info.cmdline))
		return check_fail(ctx, "CMDLINE_DATA is \"%.80s\", not the command line received", line);
	/* under keel CMDLINE_ADDR says where the boot put it */
	fw_cfg_item(FW_CFG_CMDLINE_ADDR, b, 4);
	if (under_keel() && (!le(b, 4) || !phys_mapped(le(b, 4), size) ||
			     memcmp(phys_to_virt(le(b, 4)), boot_info.cmdline, size)))
		return check_fail(ctx, "CMDLINE_ADDR %#llx does not hold the command line",
				  (unsigned long long)le(b, 4));
	return CHECK_PASS;
}

enum check_status check_fw_cfg_file_dir(struct check_ctx *ctx)
{
	const char *why = absent();
	unsigned int n;
	bool e820 = false;

	if (why)
		return check_skip(ctx, "%s", why);
	if (!fw_cfg_files(files, DIR_MAX, &n))
		return check_fail(ctx, "the file directory does not parse (count %u)", n);
	for (unsigned int i = 0; i < n && i < DIR_MAX; i++) {
		if (files[i].select < FW_CFG_FILE_FIRST)
			return check_fail(ctx, "%s has key %#x, below the files' %#x", files[i].name, files[i].select,
					  FW_CFG_FILE_FIRST);
		if (i && strcmp(files[i - 1].name, files[i].name) >= 0)
			return check_fail(ctx, "%s comes after %s: not sorted", files[i].name, files[i - 1].name);
		e820 |= !strcmp(files[i].name, FW_CFG_FILE_E820);
		check_detail(ctx, "%#x %s (%u bytes)", files[i].select, files[i].name, files[i].size);
	}
	if (!e820)
		return check_fail(ctx, "no %s among the %u files", FW_CFG_FILE_E820, n);
	return CHECK_PASS;
}

enum check_status check_fw_cfg_e820(struct check_ctx *ctx)
{
	static uint8_t e[DIR_MAX * FW_CFG_E820_ENTRY_BYTES];
	const char *why = absent();
	struct fw_cfg_file f;
	unsigned int n;

	if (why)
		return check_skip(ctx, "%s", why);
	if (!fw_cfg_find(FW_CFG_FILE_E820, &f))
		return check_fail(ctx, "no %s", FW_CFG_FILE_E820);
	n = f.size / FW_CFG_E820_ENTRY_BYTES;
	if (f.size % FW_CFG_E820_ENTRY_BYTES || n > DIR_MAX)
		return check_fail(ctx, "%s is %u bytes: not 20-byte entries (or over %u)", FW_CFG_FILE_E820, f.size,
				  DIR_MAX);
	fw_cfg_item(f.select, e, f.size);
	if (under_keel() && n != boot_info.memmap_entries)
		return check_fail(ctx, "%u entries, the memory map has %u", n, boot_info.memmap_entries);
	for (unsigned int i = 0; under_keel() && i < n; i++) {
		const struct hvm_memmap_table_entry *m = &boot_info.memmap[i];
		uint64_t a = le(e + i * 20, 8), s = le(e + i * 20 + 8, 8);
		uint32_t t = (uint32_t)le(e + i * 20 + 16, 4);

		if (m->addr != a || m->size != s || m->type != t)
			return check_fail(
				ctx, "entry %u is [%#llx, +%#llx) type %u, the memory map's [%#llx, +%#llx) type %u", i,
				(unsigned long long)a, (unsigned long long)s, t, (unsigned long long)m->addr,
				(unsigned long long)m->size, m->type);
	}
	/* elsewhere (QEMU's firmware splits its RAM around itself): the map's RAM lies in etc/e820's */
	for (unsigned int i = 0; !under_keel() && i < boot_info.memmap_entries; i++) {
		const struct hvm_memmap_table_entry *m = &boot_info.memmap[i];
		bool in = m->type != PVH_MEMMAP_RAM;

		for (unsigned int j = 0; j < n && !in; j++) {
			uint64_t a = le(e + j * 20, 8), s = le(e + j * 20 + 8, 8);

			in = le(e + j * 20 + 16, 4) == PVH_MEMMAP_RAM && a <= m->addr && m->addr + m->size <= a + s;
		}
		if (!in)
			return check_fail(ctx, "RAM [%#llx, +%#llx) of the memory map is not RAM in %s",
					  (unsigned long long)m->addr, (unsigned long long)m->size, FW_CFG_FILE_E820);
	}
	return CHECK_PASS;
}

enum check_status check_fw_cfg_dma(struct check_ctx *ctx)
{
	static uint8_t port[256], dma[256];
	const char *why = absent();
	uint32_t r;

	if (why)
		return check_skip(ctx, "%s", why);
	/* the directory's first bytes both ways */
	fw_cfg_item(FW_CFG_FILE_DIR, port, sizeof(port));
	r = fw_cfg_dma_read(FW_CFG_FILE_DIR, dma, sizeof(dma));
	if (r)
		return check_fail(ctx, "a DMA read of the directory ended with control %#x", r);
	if (memcmp(port, dma, sizeof(port)))
		return check_fail(ctx, "a DMA read of the directory differs from the port's bytes");
	/* select, skip 2, read 2: the signature's last two bytes */
	r = fw_cfg_dma(FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_SKIP, 2, 0);
	if (r)
		return check_fail(ctx, "a DMA skip ended with control %#x", r);
	r = fw_cfg_dma_read(-1, dma, 2);
	if (r || memcmp(dma, "MU", 2))
		return check_fail(ctx, "after skipping 2, a DMA read gave control %#x and %02x %02x", r, dma[0],
				  dma[1]);
	/* a write is refused */
	r = fw_cfg_dma(FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 4, 0x1000);
	if (!(r & FW_CFG_DMA_CTL_ERROR))
		return check_fail(ctx, "a DMA write ended with control %#x, not the error bit", r);
	fw_cfg_item(FW_CFG_SIGNATURE, dma, 4);
	if (memcmp(dma, "QEMU", 4))
		return check_fail(ctx, "the refused write changed the signature");
	return CHECK_PASS;
}

/*
 * KERNEL_DATA is an ELF file (the bundled guest, by --kernel or embedded); with an initrd, PVH's
 * module 0 is it: INITRD_ADDR and _SIZE say where and how big, INITRD_DATA holds its bytes.
 */
enum check_status check_fw_cfg_kernel_initrd(struct check_ctx *ctx)
{
	static uint8_t dma[FW_CFG_DMA_BUF_MAX];
	const struct hvm_modlist_entry *m0 = boot_info.nr_modules > 1 ? &boot_info.modules[0] : 0;
	const char *why = absent();
	uint8_t raw[4];
	uint64_t size, addr;
	uint32_t n, r;

	if (why)
		return check_skip(ctx, "%s", why);
	if (!under_keel())
		return check_skip(ctx, "not keel: what another VMM puts in KERNEL_DATA is its own business");
	fw_cfg_item(FW_CFG_KERNEL_SIZE, raw, 4);
	size = le(raw, 4);
	r = fw_cfg_dma_read(FW_CFG_KERNEL_DATA, dma, 4);
	if (size < 4 || r || memcmp(dma, "\177ELF", 4))
		return check_fail(ctx, "KERNEL_SIZE %llu, KERNEL_DATA (control %#x) starts %02x %02x %02x %02x, not an ELF",
				  (unsigned long long)size, r, dma[0], dma[1], dma[2], dma[3]);
	fw_cfg_item(FW_CFG_INITRD_SIZE, raw, 4);
	size = le(raw, 4);
	fw_cfg_item(FW_CFG_INITRD_ADDR, raw, 4);
	addr = le(raw, 4);
	if (!m0 || !m0->size) {		/* no initrd (module 0 empty, the device tree after it) */
		if (size)
			return check_fail(ctx, "no initrd, yet INITRD_SIZE is %llu", (unsigned long long)size);
		return CHECK_PASS;
	}
	if (size != m0->size || addr != m0->paddr)
		return check_fail(ctx, "INITRD_ADDR %#llx, _SIZE %llu; module 0 is at %#llx, %llu bytes",
				  (unsigned long long)addr, (unsigned long long)size, (unsigned long long)m0->paddr,
				  (unsigned long long)m0->size);
	n = size < FW_CFG_DMA_BUF_MAX ? (uint32_t)size : FW_CFG_DMA_BUF_MAX;
	r = fw_cfg_dma_read(FW_CFG_INITRD_DATA, dma, n);
	if (r || !phys_mapped(m0->paddr, n) || memcmp(dma, phys_to_virt(m0->paddr), n))
		return check_fail(ctx, "INITRD_DATA's first %u bytes (control %#x) are not module 0's", n, r);
	check_note(ctx, "KERNEL_DATA an ELF; INITRD_DATA the %llu bytes of module 0 at %#llx",
		   (unsigned long long)size, (unsigned long long)addr);
	return CHECK_PASS;
}

/* Print file @name (fw-cfg-show=): its size and bytes in hex; the ports and DMA must agree. */
static enum check_status show(struct check_ctx *ctx, const char *name)
{
	static uint8_t port[SHOW_MAX], dma[SHOW_MAX];
	static char hex[2 * SHOW_MAX + 1];
	struct fw_cfg_file f;
	unsigned int n;
	uint32_t r;

	if (!fw_cfg_find(name, &f))
		return check_fail(ctx, "no file %s", name);
	n = f.size < SHOW_MAX ? f.size : SHOW_MAX;
	fw_cfg_item(f.select, port, n);
	r = fw_cfg_dma_read(f.select, dma, n);
	if (r || memcmp(port, dma, n))
		return check_fail(ctx, "%s: DMA (control %#x) and the ports disagree", name, r);
	for (unsigned int i = 0; i < n; i++) {
		hex[2 * i] = "0123456789abcdef"[port[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[port[i] & 15];
	}
	hex[2 * n] = '\0';
	kprintf("guest: fw_cfg %s: %u bytes: %s%s\n", name, f.size, hex, n < f.size ? "..." : "");
	return CHECK_PASS;
}

enum check_status check_fw_cfg_show(struct check_ctx *ctx)
{
	char names[256], *p = names;
	const char *why = absent();
	enum check_status st = CHECK_PASS;

	if (!cmdline_get(boot_info.cmdline, "fw-cfg-show", names, sizeof(names)) || !names[0])
		return check_skip(ctx, "no fw-cfg-show= on the command line");
	if (why)
		return check_fail(ctx, "fw-cfg-show= given: %s", why);
	while (p && st == CHECK_PASS) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		st = show(ctx, p);
		p = comma ? comma + 1 : 0;
	}
	return st;
}
