/* libFuzzer target: arbitrary bytes as a --kernel file (and --initrd modules) through kernel probing, then the PVH ELF64 loader's check and load into a small guest. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "firmware/machine.h"
#include "firmware/pvh.h"
#include "vmm/boot/boot.h"
#include "vmm/boot/elf.h"
#include "vmm/boot/kernel.h"
#include "vmm/log.h"
#include "vmm/memory.h"

/*
 * The input: one control byte, a 4-byte little-endian kernel length, the kernel file, then the
 * modules' bytes (split evenly among them). Control byte: bits 0-1 vCPUs - 1, bits 2-3 the
 * number of --initrd modules, bit 4 the larger guest.
 */
#define IN_HEAD 5u
#define MEM_SMALL GMEM_MIN_SIZE		/* the smallest --mem */
#define MEM_LARGE (16ull << 20)
#define MAX_MODS 3u
#define KNAME "fuzz.elf"
#define CMDLINE "console=ttyS0 quiet"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Guest RAM from gmem_init, made once per size (the harness's state, not keel's), with an
 * inaccessible page claimed on each side where the address space is free, so that a write just
 * past either end faults instead of landing in a neighbouring mapping.
 */
static struct guest_mem *fuzz_guest(bool large)
{
	static struct guest_mem mem[2];
	static bool ready;

	if (!ready) {
		for (int i = 0; i < 2; i++) {
			if (gmem_init(&mem[i], i ? MEM_LARGE : MEM_SMALL) != 0)
				abort();
			(void)mmap(mem[i].base - 4096, 4096, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			(void)mmap(mem[i].base + mem[i].size, 4096, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		}
		log_set_level(LOG_OFF);
		ready = true;
	}
	return &mem[large];
}

/* A verdict: 0, or -EINVAL with one line in @err (NUL-terminated inside it, not empty). */
static void want_verdict(int r, const char *err, size_t errlen)
{
	if (r != 0 && (r != -EINVAL || !memchr(err, '\0', errlen) || err[0] == '\0' || strchr(err, '\n')))
		abort();
}

/* @len bytes at @gpa in guest RAM equal @want. */
static bool ram_holds(const struct guest_mem *m, uint64_t gpa, const void *want, uint64_t len)
{
	void *hva;

	if (len == 0)
		return true;
	return gmem_translate(m, gpa, len, &hva) == 0 && memcmp(hva, want, len) == 0;
}

/* After a PVH load: the start information, the modules and every kernel segment are where it says, intact. */
static void check_pvh(const struct guest_mem *m, const struct boot_request *req, const struct boot_result *res)
{
	struct hvm_modlist_entry mod;
	struct hvm_start_info si;
	struct elf_image img;
	unsigned int nmods = req->nmodules ? req->nmodules + 1 : 2;
	char err[256];

	if (gmem_read(m, res->start_info_gpa, &si, sizeof(si)) != 0 || si.magic != PVH_START_MAGIC ||
	    si.nr_modules != nmods || si.cmdline_paddr != res->cmdline_gpa ||
	    !ram_holds(m, si.cmdline_paddr, req->cmdline, strlen(req->cmdline) + 1) ||
	    res->start_info_gpa < KEEL_BOOT_INFO_GPA ||
	    res->start_info_gpa + sizeof(si) > KEEL_BOOT_INFO_GPA + KEEL_BOOT_INFO_SIZE)
		abort();
	for (unsigned int i = 0; i < req->nmodules; i++)
		if (gmem_read(m, si.modlist_paddr + i * sizeof(mod), &mod, sizeof(mod)) != 0 ||
		    mod.size != req->modules[i].size || (mod.paddr & 0xfff) || mod.paddr < KEEL_HIGH_MEM_START ||
		    !ram_holds(m, mod.paddr, req->modules[i].data, mod.size))
			abort();
	if (gmem_read(m, si.modlist_paddr + (nmods - 1) * sizeof(mod), &mod, sizeof(mod)) != 0 ||
	    mod.paddr != res->fdt_gpa || mod.size != res->fdt_size ||
	    !ram_holds(m, mod.cmdline_paddr, KEEL_FDT_MODULE_CMDLINE, sizeof(KEEL_FDT_MODULE_CMDLINE)))
		abort();
	/* nothing written after the kernel landed on it: each segment still holds the file's bytes */
	if (elf_parse(m, req->kernel, req->kernel_size, KNAME, &img, err, sizeof(err)) != 0)
		abort();
	for (unsigned int i = 0; i < img.nsegs; i++)
		if (!ram_holds(m, img.segs[i].paddr, img.file + img.segs[i].offset, img.segs[i].filesz))
			abort();
}

/* One protocol on one guest: check writes nothing and agrees with load, verdict and line. */
static void run(const struct boot_protocol *proto, struct guest_mem *m, const struct boot_request *req)
{
	char err[2][256];
	struct boot_result res;
	int r[2];

	memset(err, 0x5a, sizeof(err));
	r[0] = proto->check(m, req, err[0], sizeof(err[0]));
	want_verdict(r[0], err[0], sizeof(err[0]));
	if (r[0] == 0)
		memset(m->base, 0xa5, m->size);	/* so that what load leaves is its own */
	memset(&res, 0xa5, sizeof(res));
	r[1] = proto->load(m, req, &res, err[1], sizeof(err[1]));
	want_verdict(r[1], err[1], sizeof(err[1]));
	if (r[1] != r[0] || (r[1] && strcmp(err[0], err[1]) != 0))
		abort();
	if (r[1])
		return;
	if (res.kernel_start >= res.kernel_end || res.entry >= res.kernel_end || res.entry < res.kernel_start ||
	    res.nmap == 0 || res.nmap > BOOT_MAP_MAX)
		abort();
	if (proto == &boot_pvh)
		check_pvh(m, req, &res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_module mods[MAX_MODS];
	struct boot_request req = { .kernel_name = KNAME, .cmdline = CMDLINE };
	const struct boot_protocol *proto;
	struct kernel_file k;
	struct guest_mem *m;
	bool pvh, linux_note;
	size_t klen, rest, off;
	uint8_t *buf;
	char err[256];
	unsigned int n;
	int r;

	if (size < IN_HEAD + 1)
		return 0;
	klen = (size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16 | (size_t)data[4] << 24;
	if (klen == 0 || klen > size - IN_HEAD)
		klen = size - IN_HEAD;
	/* exact-size heap copies: reading past the kernel's or a module's end is caught by ASan */
	rest = size - IN_HEAD - klen;
	buf = malloc(klen);
	if (!buf)
		return 0;
	memcpy(buf, data + IN_HEAD, klen);
	n = (data[0] >> 2) & 3;
	off = IN_HEAD + klen;
	for (unsigned int i = 0; i < n; i++) {
		size_t len = i + 1 < n ? rest / n : rest - (size_t)(n - 1) * (rest / n);
		uint8_t *d = len ? malloc(len) : NULL;

		if (d)
			memcpy(d, data + off, len);
		mods[i] = (struct boot_module){ .data = d, .size = d ? len : 0, .name = i ? NULL : "initrd.cpio" };
		off += len;
	}
	m = fuzz_guest(data[0] & 0x10);
	r = kernel_file_open(buf, klen, KNAME, m->size, &k, err, sizeof(err));
	if (r != 0) {
		want_verdict(r, err, sizeof(err));
		goto out;
	}
	if (k.elf_size == 0 || !k.elf)
		abort();
	(void)elf_notes(k.elf, k.elf_size, &pvh, &linux_note);
	req.kernel = k.elf;
	req.kernel_size = k.elf_size;
	req.setup_hdr = k.setup_hdr;
	req.setup_hdr_len = k.setup_hdr_len;
	req.modules = n ? mods : NULL;
	req.nmodules = n;
	req.ncpus = 1 + (data[0] & 3);
	/* what --boot-protocol auto picks, then PVH itself when that was another */
	proto = boot_protocol_for(&req);
	run(proto, m, &req);
	if (proto != &boot_pvh) {
		(void)boot_pvh.probe(&req);
		run(&boot_pvh, m, &req);
	}
	kernel_file_close(&k);
out:
	for (unsigned int i = 0; i < n; i++)
		free((void *)mods[i].data);
	free(buf);
	return 0;
}
