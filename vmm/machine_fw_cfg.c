/* The fw_cfg device's items for one VM, built from its configuration, its memory map and its boot. */
#include "vmm/machine_fw_cfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/fw_cfg.h"
#include "firmware/le.h"
#include "vmm/boot/pvh.h"
#include "vmm/log.h"
#include "vmm/vm.h"

/* The device and the files whose bytes it borrows. */
struct machine_fw_cfg {
	struct fw_cfg *dev;
	struct image kernel, initrd;		/* KERNEL_DATA, INITRD_DATA: the boot's mappings, taken over */
	uint8_t *initrd_joined;			/* INITRD_DATA when Linux got several files as one initrd */
	struct image files[CONFIG_MAX_FW_CFG];	/* the --fw-cfg file= items */
};

/* etc/e820: the boot protocols' memory map, 20 bytes an entry. */
static int add_e820(struct fw_cfg *dev, const struct guest_mem *mem)
{
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];
	uint8_t buf[PVH_MEMMAP_MAX * FW_CFG_E820_ENTRY_BYTES];
	int n = mem->nregions ? pvh_memmap(mem, map, PVH_MEMMAP_MAX) : 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		uint8_t *e = buf + (size_t)i * FW_CFG_E820_ENTRY_BYTES;

		le_put64(e, map[i].addr);
		le_put64(e + 8, map[i].size);
		le_put32(e + 16, map[i].type);
	}
	return fw_cfg_add_file(dev, FW_CFG_FILE_E820, buf, (size_t)n * FW_CFG_E820_ENTRY_BYTES, false);
}

/* The --fw-cfg items, in the order given (the directory sorts them). */
static int add_user_files(struct machine_fw_cfg *m, const struct vm_config *cfg)
{
	char err[512];

	for (unsigned int i = 0; i < cfg->nfw_cfg; i++) {
		const struct config_fw_cfg *it = &cfg->fw_cfg[i];
		const void *data = it->string;
		size_t len = it->string ? strlen(it->string) : 0;
		int ret;

		if (it->file) {
			ret = image_open(it->file, "--fw-cfg file=", &m->files[i], err, sizeof(err));
			if (ret < 0) {
				log_error("%s", err);
				return ret;
			}
			data = m->files[i].data;
			len = m->files[i].size;
		}
		ret = fw_cfg_add_file(m->dev, it->name, data, len, it->file != NULL);
		if (ret < 0) {
			log_error("--fw-cfg %s: %s", it->name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* A little-endian item of @bytes (2, 4 or 8) holding @v. */
static int set_le(struct fw_cfg *dev, uint16_t key, uint64_t v, unsigned int bytes)
{
	uint8_t b[8];

	le_put64(b, v);
	return fw_cfg_set_item(dev, key, b, bytes, false);
}

int machine_fw_cfg_create(struct vm *vm)
{
	struct machine_fw_cfg *m = calloc(1, sizeof(*m));
	uint64_t ram = vm->plat.mem.size ? vm->plat.mem.size : vm->cfg.mem_size;
	int ret;

	if (!m)
		return -ENOMEM;
	vm->fw_cfg = m;
	ret = fw_cfg_create(&vm->plat.pio, &vm->plat.mem, &m->dev);
	if (ret == 0)
		ret = set_le(m->dev, FW_CFG_RAM_SIZE, ram, 8);
	if (ret == 0)
		ret = set_le(m->dev, FW_CFG_NB_CPUS, vm->cfg.ncpus, 2);
	if (ret == 0)
		ret = set_le(m->dev, FW_CFG_MAX_CPUS, vm->cfg.ncpus, 2);
	if (ret == 0)
		ret = add_e820(m->dev, &vm->plat.mem);
	if (ret == 0)
		ret = add_user_files(m, &vm->cfg);
	if (ret < 0)
		machine_fw_cfg_destroy(vm);
	return ret;
}

/*
 * Linux's protocol hands several --initrd files over as one initrd, one after another: INITRD_DATA
 * is then that initrd as the kernel received it, copied from guest RAM before any vCPU runs.
 */
static int join_initrd(struct machine_fw_cfg *m, struct vm *vm)
{
	void *hva;
	int ret;

	if (vm->boot.initrd_size > FW_CFG_ITEM_MAX)
		return -EFBIG;
	ret = gmem_translate(&vm->plat.mem, vm->boot.initrd_gpa, vm->boot.initrd_size, &hva);
	if (ret < 0)
		return ret;
	m->initrd_joined = malloc(vm->boot.initrd_size);
	if (!m->initrd_joined)
		return -ENOMEM;
	memcpy(m->initrd_joined, hva, vm->boot.initrd_size);
	return 0;
}

int machine_fw_cfg_booted(struct vm *vm)
{
	struct machine_fw_cfg *m = vm->fw_cfg;
	const struct boot_module *rd = boot_initrd(&vm->boot_req);
	const uint8_t *kernel = vm->boot_req.kernel;
	size_t kernel_size = vm->boot_req.kernel_size;
	int ret = 0;

	if (!m)
		return 0;
	if (vm->cfg.kernel_path) {	/* the file as given, not a bzImage's unpacked vmlinux: keel keeps it mapped */
		image_take(&m->kernel, &vm->kernel_img);
		kernel = m->kernel.data;
		kernel_size = m->kernel.size;
	}
	if (rd) {
		image_take(&m->initrd, &vm->initrd_img[0]);
		if (m->initrd.size > FW_CFG_ITEM_MAX) {
			log_warn("fw_cfg: %s is too large for INITRD_DATA (4 GiB at most): left out", rd->name);
			image_close(&m->initrd);
			rd = NULL;
		}
		if (rd && vm->boot.initrd_size > m->initrd.size)
			ret = join_initrd(m, vm);
		if (ret == 0 && rd)
			ret = fw_cfg_set_item(m->dev, FW_CFG_INITRD_DATA,
					      m->initrd_joined ? m->initrd_joined : m->initrd.data,
					      m->initrd_joined ? vm->boot.initrd_size : m->initrd.size, true);
		if (ret == 0 && rd)
			ret = set_le(m->dev, FW_CFG_INITRD_ADDR, vm->boot.initrd_gpa, 4);
		if (ret == 0 && rd)
			ret = set_le(m->dev, FW_CFG_INITRD_SIZE,
				     m->initrd_joined ? vm->boot.initrd_size : m->initrd.size, 4);
	}
	if (ret == 0 && kernel && kernel_size <= FW_CFG_ITEM_MAX)
		ret = fw_cfg_set_item(m->dev, FW_CFG_KERNEL_DATA, kernel, kernel_size, true);
	if (ret == 0)
		ret = set_le(m->dev, FW_CFG_KERNEL_ADDR, vm->boot.kernel_start, 4);
	if (ret == 0)
		ret = set_le(m->dev, FW_CFG_KERNEL_SIZE, kernel_size, 4);
	if (ret == 0)
		ret = fw_cfg_set_item(m->dev, FW_CFG_CMDLINE_DATA, vm->cmdline, strlen(vm->cmdline) + 1, false);
	if (ret == 0)
		ret = set_le(m->dev, FW_CFG_CMDLINE_SIZE, strlen(vm->cmdline) + 1, 4);
	if (ret == 0 && vm->boot.cmdline_gpa)	/* the protocol says where */
		ret = set_le(m->dev, FW_CFG_CMDLINE_ADDR, vm->boot.cmdline_gpa, 4);
	if (ret == 0 && vm->boot.cmdline_gpa)
		ret = set_le(m->dev, FW_CFG_KERNEL_CMDLINE, vm->boot.cmdline_gpa, 4);
	if (ret < 0)
		log_error("fw_cfg: %s", strerror(-ret));
	return ret;
}

int machine_fw_cfg_describe(struct vm *vm, struct dev_descs *out)
{
	return vm->fw_cfg ? fw_cfg_describe(out) : 0;
}

void machine_fw_cfg_destroy(struct vm *vm)
{
	struct machine_fw_cfg *m = vm->fw_cfg;

	if (!m)
		return;
	fw_cfg_destroy(m->dev);		/* off the ports first: nothing reads the images after */
	image_close(&m->kernel);
	image_close(&m->initrd);
	free(m->initrd_joined);
	for (unsigned int i = 0; i < CONFIG_MAX_FW_CFG; i++)
		image_close(&m->files[i]);
	free(m);
	vm->fw_cfg = NULL;
}
