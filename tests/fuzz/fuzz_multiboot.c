/* libFuzzer target: arbitrary bytes as a --kernel file through Multiboot 1 and 2 (probe, check, load): refused in one line, or loaded inside guest RAM with its entry and information there. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "firmware/machine.h"
#include "firmware/multiboot.h"
#include "vmm/boot/boot.h"
#include "vmm/memory.h"

#define FUZZ_RAM (64ull << 20)		/* the guest the kernels are loaded into */
#define FUZZ_SMALL GMEM_MIN_SIZE	/* a 4 MiB guest: every check against the smallest --mem */
#define FUZZ_GUARD (2ull << 20)		/* inaccessible host memory on both sides of guest RAM */
#define FUZZ_NAME "fuzz.elf"
#define FUZZ_CMDLINE "console=ttyS0 quiet"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Guest RAM laid out as gmem_init does below 3 GiB (one region from 0), but between two
 * PROT_NONE guards: a write past either end faults instead of landing in another mapping.
 * Created once per size and reused: a harness's state, not keel's.
 */
static void fuzz_mem_init(struct guest_mem *m, uint64_t size)
{
	uint8_t *raw = mmap(NULL, size + 2 * FUZZ_GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			    -1, 0);

	if (raw == MAP_FAILED || mprotect(raw + FUZZ_GUARD, size, PROT_READ | PROT_WRITE) != 0)
		abort();
	memset(m, 0, sizeof(*m));
	m->base = raw + FUZZ_GUARD;
	m->size = size;
	m->regions[0] = (struct gmem_region){ .gpa = 0, .size = size, .hva = m->base };
	m->nregions = 1;
}

static struct guest_mem *fuzz_mem(bool small)
{
	static struct guest_mem mem[2];
	static bool ready;

	if (!ready) {
		fuzz_mem_init(&mem[0], FUZZ_RAM);
		fuzz_mem_init(&mem[1], FUZZ_SMALL);
		ready = true;
	}
	return &mem[small];
}

/* An error line: NUL-terminated inside the buffer, one line, not empty. */
static void check_err(const char *err, size_t errlen)
{
	if (!memchr(err, '\0', errlen) || err[0] == '\0' || strchr(err, '\n'))
		abort();
}

/* [@gpa, @gpa + @len) lies in guest RAM. */
static bool in_ram(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	void *hva;

	return gmem_translate(m, gpa, len ? len : 1, &hva) == 0;
}

/* What a loaded kernel finds: its entry in its image, the information and modules where said, intact. */
static void check_loaded(const struct guest_mem *m, const struct boot_request *req, const struct boot_result *res,
			 bool mb2)
{
	char want[sizeof(FUZZ_NAME " " FUZZ_CMDLINE)] = FUZZ_NAME " " FUZZ_CMDLINE;
	char got[sizeof(want)];
	uint32_t head[2];

	if (res->kernel_start >= res->kernel_end || res->kernel_end > 0x100000000ull ||
	    !in_ram(m, res->kernel_start, res->kernel_end - res->kernel_start) ||
	    res->entry < res->kernel_start || res->entry >= res->kernel_end || !in_ram(m, res->entry, 1) ||
	    res->nmap == 0 || res->nmap > BOOT_MAP_MAX)
		abort();
	for (unsigned int i = 0; i < res->nmap; i++)
		if (res->map[i].size && !in_ram(m, res->map[i].paddr, res->map[i].size))
			abort();
	/* the information block: in keel's boot area, and what was written there is still there */
	if (res->start_info_gpa < KEEL_BOOT_INFO_GPA ||
	    res->start_info_gpa >= KEEL_BOOT_INFO_GPA + KEEL_BOOT_INFO_SIZE || res->cmdline_gpa < KEEL_BOOT_INFO_GPA ||
	    res->cmdline_gpa + sizeof(want) > KEEL_BOOT_INFO_GPA + KEEL_BOOT_INFO_SIZE ||
	    gmem_read(m, res->cmdline_gpa, got, sizeof(got)) != 0 || memcmp(got, want, sizeof(want)) != 0 ||
	    gmem_read(m, res->start_info_gpa, head, sizeof(head)) != 0)
		abort();
	if (mb2 ? head[0] < 8 + 8 || head[0] > KEEL_BOOT_INFO_SIZE : !(head[0] & MB1_INFO_CMDLINE))
		abort();
	if (res->acpi_gpa && !in_ram(m, res->acpi_gpa, 20))
		abort();
	/* modules: page-aligned after the kernel, in RAM, their bytes as given */
	if (req->nmodules && (res->initrd_gpa != (res->initrd_gpa & ~0xfffull) || res->initrd_gpa < res->kernel_end ||
			      res->initrd_size != req->modules[0].size))
		abort();
	if (req->nmodules) {
		void *hva;

		if (gmem_translate(m, res->initrd_gpa, req->modules[0].size, &hva) != 0 ||
		    memcmp(hva, req->modules[0].data, req->modules[0].size) != 0)
			abort();
	}
}

/* One protocol, one memory, one request: check, then load, which must agree with it. */
static void run(const struct boot_protocol *proto, struct guest_mem *m, const struct boot_request *req, bool mb2)
{
	char err1[256], err2[256];
	struct boot_result res;
	int r1, r2;

	memset(err1, 0x5a, sizeof(err1));
	memset(err2, 0x5a, sizeof(err2));
	r1 = proto->check(m, req, err1, sizeof(err1));
	if (r1 != 0 && r1 != -EINVAL)
		abort();
	if (r1)
		check_err(err1, sizeof(err1));
	memset(&res, 0xa5, sizeof(res));
	r2 = proto->load(m, req, &res, err2, sizeof(err2));
	/* check makes every check load makes: the same verdict, the same line */
	if (r2 != r1)
		abort();
	if (r2) {
		check_err(err2, sizeof(err2));
		if (strcmp(err1, err2) != 0)
			abort();
		return;
	}
	check_loaded(m, req, &res, mb2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t initrd[300] = "070701 fuzz initrd";
	static const uint8_t second[8] = "module2";
	const struct boot_module mods[2] = {
		{ .data = initrd, .size = sizeof(initrd), .name = "initrd.cpio" },
		{ .data = second, .size = sizeof(second), .name = NULL },
	};
	struct boot_request req = {
		.kernel_name = FUZZ_NAME, .cmdline = FUZZ_CMDLINE, .ncpus = 1,
	};
	uint8_t *kernel;

	if (size == 0)
		return 0;	/* keel refuses an empty --kernel before any protocol sees it */
	/* an exact-size copy: reading past the file's end is caught by ASan */
	kernel = malloc(size);
	if (!kernel)
		return 0;
	memcpy(kernel, data, size);
	req.kernel = kernel;
	req.kernel_size = size;
	/* the file's last byte picks the vCPUs and the modules, so each seed goes both ways */
	req.ncpus = 1 + data[size - 1] % 4;
	req.modules = (data[size - 1] & 0x10) ? mods : NULL;
	req.nmodules = (data[size - 1] & 0x10) ? 2 : 0;
	for (int v = 0; v < 2; v++) {
		const struct boot_protocol *proto = v ? &boot_multiboot2 : &boot_multiboot;

		(void)proto->probe(&req);
		run(proto, fuzz_mem(false), &req, v);
		run(proto, fuzz_mem(true), &req, v);
	}
	free(kernel);
	return 0;
}
