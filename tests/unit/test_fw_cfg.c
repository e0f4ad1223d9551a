/* Unit tests of fw_cfg: the port protocol, the file directory's bytes, DMA and a hostile guest's requests, save/restore, the machine's items, and --fw-cfg's parsing and refusals. */
#include "tests/unit/suites.h"

#include "devices/fw_cfg.h"
#include "firmware/le.h"
#include "vmm/boot/pvh.h"
#include "vmm/bus.h"
#include "vmm/cli.h"
#include "vmm/config.h"
#include "vmm/machine.h"
#include "vmm/memory.h"
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MiB (1ull << 20)
#define RAM (16 * MiB)
#define REQ 0x1000ull		/* where the tests put a struct fw_cfg_dma_access */
#define BUF 0x2000ull		/* where DMA reads go */

static struct bus pio;
static struct guest_mem mem;
static struct fw_cfg *dev;

static void setup(void)
{
	ck_assert_int_eq(bus_init(&pio, "pio"), 0);
	ck_assert_int_eq(gmem_init(&mem, RAM), 0);
	ck_assert_int_eq(fw_cfg_create(&pio, &mem, &dev), 0);
}

static void teardown(void)
{
	fw_cfg_destroy(dev);
	dev = NULL;
	gmem_destroy(&mem);
	bus_destroy(&pio);
}

static void sel(uint16_t key)
{
	uint8_t d[2] = { (uint8_t)key, (uint8_t)(key >> 8) };

	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_SEL, d, 2, true), 0);
}

static uint8_t rd(void)
{
	uint8_t b = 0xaa;

	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DATA, &b, 1, false), 0);
	return b;
}

static void rdn(void *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)out)[i] = rd();
}

/* A request at @gpa (in RAM). */
static void put_req(uint64_t gpa, uint32_t control, uint32_t length, uint64_t addr)
{
	uint8_t r[16];

	be_put32(r, control);
	be_put32(r + 4, length);
	be_put32(r + 8, (uint32_t)(addr >> 32));
	be_put32(r + 12, (uint32_t)addr);
	ck_assert_int_eq(gmem_write(&mem, gpa, r, sizeof(r)), 0);
}

/* Start the request at @gpa: the high half, then the low half. */
static void dma(uint64_t gpa)
{
	uint8_t hi[4], lo[4];

	be_put32(hi, (uint32_t)(gpa >> 32));
	be_put32(lo, (uint32_t)gpa);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DMA_HI, hi, 4, true), 0);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DMA_LO, lo, 4, true), 0);
}

static uint32_t control_at(uint64_t gpa)
{
	uint8_t c[4];

	ck_assert_int_eq(gmem_read(&mem, gpa, c, 4), 0);
	return be_get32(c);
}

START_TEST(signature_and_id)
{
	uint8_t b[8], w[2] = { 0x12, 0x34 };

	sel(FW_CFG_SIGNATURE);
	rdn(b, 4);
	ck_assert_mem_eq(b, "QEMU", 4);
	ck_assert_uint_eq(rd(), 0);		/* past the end */
	ck_assert_uint_eq(rd(), 0);
	sel(FW_CFG_SIGNATURE);			/* re-select: from the start again */
	ck_assert_uint_eq(rd(), 'Q');
	sel(FW_CFG_ID);
	rdn(b, 5);
	ck_assert_mem_eq(b, "\x03\x00\x00\x00\x00", 5);	/* traditional and DMA */
	sel(FW_CFG_SIGNATURE | FW_CFG_WRITE_CHANNEL);	/* bit 14 is ignored */
	ck_assert_uint_eq(rd(), 'Q');
	sel(FW_CFG_ARCH_LOCAL);			/* nothing there */
	ck_assert_uint_eq(rd(), 0);
	sel(0x1234);
	ck_assert_uint_eq(rd(), 0);
	/* wider data reads give the next bytes; writes to data or reads of the selector do nothing */
	sel(FW_CFG_SIGNATURE);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DATA, w, 1, true), 0);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DATA, b, 2, false), 0);
	ck_assert_mem_eq(b, "QE", 2);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_SEL, b, 2, false), 0);
	ck_assert_mem_eq(b, "\0\0", 2);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_SEL, w, 1, true), 0);	/* a byte does not select */
	ck_assert_uint_eq(rd(), 'M');
}
END_TEST

START_TEST(dma_signature)
{
	uint8_t b[8];

	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DMA_HI, b, 8, false), 0);
	ck_assert_mem_eq(b, "QEMU CFG", 8);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DMA_LO, b, 4, false), 0);
	ck_assert_mem_eq(b, " CFG", 4);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DMA_HI + 1, b, 1, false), 0);
	ck_assert_uint_eq(b[0], 'E');
}
END_TEST

START_TEST(items)
{
	static const uint8_t big[3] = { 7, 8, 9 };
	uint8_t b[4], v[2] = { 4, 0 };

	ck_assert_int_eq(fw_cfg_set_item(dev, FW_CFG_NB_CPUS, v, 2, false), 0);
	v[0] = 9;		/* copied: the item does not change */
	sel(FW_CFG_NB_CPUS);
	rdn(b, 3);
	ck_assert_mem_eq(b, "\x04\x00\x00", 3);
	ck_assert_int_eq(fw_cfg_set_item(dev, FW_CFG_NB_CPUS, big, 3, true), 0);	/* replaced, borrowed */
	sel(FW_CFG_NB_CPUS);
	rdn(b, 3);
	ck_assert_mem_eq(b, big, 3);
	ck_assert_int_eq(fw_cfg_set_item(dev, FW_CFG_SIGNATURE, v, 2, false), -EINVAL);
	ck_assert_int_eq(fw_cfg_set_item(dev, FW_CFG_ID, v, 2, false), -EINVAL);
	ck_assert_int_eq(fw_cfg_set_item(dev, FW_CFG_FILE_DIR, v, 2, false), -EINVAL);
	ck_assert_int_eq(fw_cfg_set_item(dev, FW_CFG_FILE_FIRST, v, 2, false), -EINVAL);
	ck_assert_int_eq(fw_cfg_set_item(dev, FW_CFG_KERNEL_DATA, big, FW_CFG_ITEM_MAX + 1, true), -EFBIG);
	/* an empty item reads as zeros */
	ck_assert_int_eq(fw_cfg_set_item(dev, FW_CFG_INITRD_DATA, NULL, 0, true), 0);
	sel(FW_CFG_INITRD_DATA);
	ck_assert_uint_eq(rd(), 0);
}
END_TEST

START_TEST(file_dir)
{
	uint8_t d[4 + 3 * 64], want[64] = { 0 };
	char name[80];

	ck_assert_int_eq(fw_cfg_add_file(dev, "opt/b", "bbbb", 4, false), 0);
	ck_assert_int_eq(fw_cfg_add_file(dev, "etc/e820", "e", 1, false), 0);
	ck_assert_int_eq(fw_cfg_add_file(dev, "opt/a", "aa", 2, false), 0);
	ck_assert_int_eq(fw_cfg_add_file(dev, "opt/a", "x", 1, false), -EEXIST);
	ck_assert_int_eq(fw_cfg_add_file(dev, "", "x", 1, false), -EINVAL);
	memset(name, 'n', 56);
	name[56] = '\0';
	ck_assert_int_eq(fw_cfg_add_file(dev, name, "x", 1, false), -EINVAL);
	name[55] = '\0';	/* 55 bytes: the longest name */
	ck_assert_int_eq(fw_cfg_add_file(dev, name, "x", 1, false), 0);
	ck_assert_int_eq(fw_cfg_file_key(dev, "etc/e820"), 0x20);
	ck_assert_int_eq(fw_cfg_file_key(dev, "opt/a"), 0x22);
	ck_assert_int_eq(fw_cfg_file_key(dev, "opt/b"), 0x23);
	ck_assert_int_eq(fw_cfg_file_key(dev, name), 0x21);	/* 'n' < 'o' */
	ck_assert_int_eq(fw_cfg_file_key(dev, "opt/c"), -ENOENT);

	sel(FW_CFG_FILE_DIR);
	rdn(d, 4 + 3 * 64);
	ck_assert_mem_eq(d, "\0\0\0\x04", 4);
	memcpy(want, "\0\0\0\x01\0\x20\0\0etc/e820", 16);	/* be32 size, be16 select, reserved, name */
	ck_assert_mem_eq(d + 4, want, 64);
	ck_assert_mem_eq(d + 4 + 64, "\0\0\0\x01\0\x21\0\0nnnn", 12);
	memset(want, 0, sizeof(want));
	memcpy(want, "\0\0\0\x02\0\x22\0\0opt/a", 13);
	ck_assert_mem_eq(d + 4 + 128, want, 64);
	/* each file by its key */
	sel(0x23);
	rdn(d, 5);
	ck_assert_mem_eq(d, "bbbb\0", 5);
	sel(0x24);		/* one past the last file */
	ck_assert_uint_eq(rd(), 0);
}
END_TEST

START_TEST(file_dir_full)
{
	char name[16];

	for (unsigned int i = 0; i < FW_CFG_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "opt/%02u", i);
		ck_assert_int_eq(fw_cfg_add_file(dev, name, "x", 1, true), 0);
	}
	ck_assert_int_eq(fw_cfg_add_file(dev, "opt/zz", "x", 1, true), -ENOSPC);
	ck_assert_int_eq(fw_cfg_file_key(dev, "opt/63"), 0x20 + 63);
}
END_TEST

START_TEST(dma_read_skip_select)
{
	uint8_t b[16], port[4];

	ck_assert_int_eq(fw_cfg_add_file(dev, "opt/a", "0123456789", 10, false), 0);
	put_req(REQ, 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 4, BUF);
	dma(REQ);
	ck_assert_uint_eq(control_at(REQ), 0);
	ck_assert_int_eq(gmem_read(&mem, BUF, b, 4), 0);
	ck_assert_mem_eq(b, "0123", 4);
	/* the offset moved: the port goes on from there, DMA after it */
	ck_assert_uint_eq(rd(), '4');
	put_req(REQ, FW_CFG_DMA_CTL_SKIP, 2, 0);
	dma(REQ);
	ck_assert_uint_eq(control_at(REQ), 0);
	put_req(REQ, FW_CFG_DMA_CTL_READ, 8, BUF);		/* 3 bytes left, then zeros */
	memset(b, 0xee, sizeof(b));
	ck_assert_int_eq(gmem_write(&mem, BUF, b, sizeof(b)), 0);
	dma(REQ);
	ck_assert_uint_eq(control_at(REQ), 0);
	ck_assert_int_eq(gmem_read(&mem, BUF, b, 9), 0);
	ck_assert_mem_eq(b, "789\0\0\0\0\0\xee", 9);
	/* a DMA read gives what the port gives */
	put_req(REQ, FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 4, BUF);
	dma(REQ);
	sel(FW_CFG_SIGNATURE);
	rdn(port, 4);
	ck_assert_int_eq(gmem_read(&mem, BUF, b, 4), 0);
	ck_assert_mem_eq(b, port, 4);
	/* select alone (no read, skip or write bit) */
	put_req(REQ, FW_CFG_ID << 16 | FW_CFG_DMA_CTL_SELECT, 100, BUF);
	dma(REQ);
	ck_assert_uint_eq(control_at(REQ), 0);
	ck_assert_uint_eq(rd(), 3);
	/* an unaligned request; a skip past the end stops there */
	put_req(REQ + 3, 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_SKIP, 0xffffffffu, 0);
	dma(REQ + 3);
	ck_assert_uint_eq(control_at(REQ + 3), 0);
	ck_assert_uint_eq(rd(), 0);
	/* a 64-bit write of the address runs it too */
	put_req(REQ, 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 1, BUF);
	be_put32(b, 0);
	be_put32(b + 4, (uint32_t)REQ);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DMA_HI, b, 8, true), 0);
	ck_assert_uint_eq(control_at(REQ), 0);
	ck_assert_int_eq(gmem_read(&mem, BUF, b, 1), 0);
	ck_assert_uint_eq(b[0], '0');
}
END_TEST

START_TEST(dma_hostile)
{
	uint8_t b[8], hi[4], lo[4];
	struct timespec t0, t1;

	ck_assert_int_eq(fw_cfg_add_file(dev, "opt/a", "0123456789", 10, false), 0);
	/* the request outside RAM: nothing happens (nowhere to write the error) */
	dma(RAM);
	dma(~0ull - 7);
	/* the request straddling RAM's end: the error bit, where its control field is */
	put_req(RAM - 16, 0, 0, 0);
	dma(RAM - 8);
	ck_assert_uint_eq(control_at(RAM - 8), FW_CFG_DMA_CTL_ERROR);
	/* data outside RAM, across its end, or wrapping around */
	put_req(REQ, 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 4, RAM);
	dma(REQ);
	ck_assert_uint_eq(control_at(REQ), FW_CFG_DMA_CTL_ERROR);
	put_req(REQ, 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 4, RAM - 2);
	dma(REQ);
	ck_assert_uint_eq(control_at(REQ), FW_CFG_DMA_CTL_ERROR);
	put_req(REQ, 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 0x100, ~0ull - 0x10);
	dma(REQ);
	ck_assert_uint_eq(control_at(REQ), FW_CFG_DMA_CTL_ERROR);
	/* the largest length: zeros up to RAM's end, then the error, in bounded time */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	put_req(REQ, 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 0xffffffffu, 8 * MiB);
	dma(REQ);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_uint_eq(control_at(REQ), FW_CFG_DMA_CTL_ERROR);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 5);
	ck_assert_int_eq(gmem_read(&mem, 8 * MiB, b, 8), 0);
	ck_assert_mem_eq(b, "01234567", 8);
	/* writes are refused, and change nothing */
	put_req(REQ, 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 4, BUF);
	dma(REQ);
	ck_assert_uint_eq(control_at(REQ), FW_CFG_DMA_CTL_ERROR);
	sel(0x20);
	ck_assert_uint_eq(rd(), '0');
	/* an item that does not exist reads as zeros, as from the port (QEMU does the same) */
	memset(b, 0xee, sizeof(b));
	ck_assert_int_eq(gmem_write(&mem, BUF, b, 8), 0);
	put_req(REQ, 0x3fffu << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 8, BUF);
	dma(REQ);
	ck_assert_uint_eq(control_at(REQ), 0);
	ck_assert_int_eq(gmem_read(&mem, BUF, b, 8), 0);
	ck_assert_mem_eq(b, "\0\0\0\0\0\0\0\0", 8);
	/* the address register is 0 again after a request: a low half alone is a 32-bit address */
	be_put32(hi, 1);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DMA_HI, hi, 4, true), 0);
	be_put32(lo, (uint32_t)REQ);
	put_req(REQ, 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 1, BUF);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DMA_LO, lo, 4, true), 0);	/* 4 GiB + REQ: not RAM */
	ck_assert_uint_eq(control_at(REQ), 0x20u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ);
	ck_assert_int_eq(bus_access(&pio, NULL, FW_CFG_PORT_DMA_LO, lo, 4, true), 0);
	ck_assert_uint_eq(control_at(REQ), 0);
}
END_TEST

START_TEST(save_restore)
{
	struct fw_cfg_state st, bad;

	sel(FW_CFG_SIGNATURE);
	rd();
	rd();
	fw_cfg_save(dev, &st);
	ck_assert_uint_eq(st.key, FW_CFG_SIGNATURE);
	ck_assert_uint_eq(st.offset, 2);
	sel(FW_CFG_ID);
	bad = st;
	bad.offset = 5;		/* past the signature's end */
	ck_assert_int_eq(fw_cfg_restore(dev, &bad), -EINVAL);
	ck_assert_uint_eq(rd(), 3);	/* unchanged: still the ID */
	ck_assert_int_eq(fw_cfg_restore(dev, &st), 0);
	ck_assert_uint_eq(rd(), 'M');
	/* into a fresh device with the same items: it goes on where the first one was */
	{
		struct fw_cfg *fresh;
		uint8_t b = 0;

		ck_assert_int_eq(fw_cfg_create(NULL, &mem, &fresh), 0);
		ck_assert_int_eq(fw_cfg_restore(fresh, &st), 0);
		ck_assert_int_eq(fw_cfg_io(fresh, NULL, 1, &b, 1, false), 0);
		ck_assert_uint_eq(b, 'M');
		bad.key = 0x20;		/* no such file in it */
		bad.offset = 1;
		ck_assert_int_eq(fw_cfg_restore(fresh, &bad), -EINVAL);
		fw_cfg_destroy(fresh);
	}
}
END_TEST

/* The machine's items, as vm_create makes them (without KVM). */
START_TEST(machine_items)
{
	struct vm_config cfg;
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];
	uint8_t b[256], e820[PVH_MEMMAP_MAX * 20];
	struct vm vm;
	char err[256];
	int n;

	vm_config_init(&cfg);
	cfg.ncpus = 3;
	ck_assert_int_eq(config_add_fw_cfg(&cfg, "name=opt/keel/test,string=hello, world", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_add_fw_cfg(&cfg, "name=opt/keel/test,string=hello,, world", err, sizeof(err)), 0);
	ck_assert_int_eq(vm_init(&vm, &cfg), 0);
	ck_assert_int_eq(gmem_init(&vm.plat.mem, 64 * MiB), 0);
	ck_assert_int_eq(machine_devices_create(&vm), 0);
	sel(0);		/* the test's own bus is not the VM's */
	b[0] = FW_CFG_RAM_SIZE;
	b[1] = 0;
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_SEL, b, 2, true), 0);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_DATA, b + i, 1, false), 0);
	ck_assert_uint_eq(le_get64(b), 64 * MiB);
	b[0] = FW_CFG_NB_CPUS;
	b[1] = 0;
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_SEL, b, 2, true), 0);
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_DATA, b, 2, false), 0);
	ck_assert_uint_eq(b[0] | b[1] << 8, 3);
	/* the directory: etc/e820 (0x20), then opt/keel/test (0x21) */
	b[0] = FW_CFG_FILE_DIR;
	b[1] = 0;
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_SEL, b, 2, true), 0);
	for (int i = 0; i < 4 + 2 * 64; i++)
		ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_DATA, b + i, 1, false), 0);
	ck_assert_uint_eq(be_get32(b), 2);
	ck_assert_str_eq((char *)b + 4 + 8, "etc/e820");
	ck_assert_str_eq((char *)b + 4 + 64 + 8, "opt/keel/test");
	ck_assert_uint_eq(be_get32(b + 4 + 64), 12);
	n = pvh_memmap(&vm.plat.mem, map, PVH_MEMMAP_MAX);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(be_get32(b + 4), (uint32_t)n * 20);
	b[0] = 0x20;
	b[1] = 0;
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_SEL, b, 2, true), 0);
	for (int i = 0; i < n * 20; i++)
		ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_DATA, e820 + i, 1, false), 0);
	for (int i = 0; i < n; i++) {
		ck_assert_uint_eq(le_get64(e820 + i * 20), map[i].addr);
		ck_assert_uint_eq(le_get64(e820 + i * 20 + 8), map[i].size);
		ck_assert_uint_eq(le_get32(e820 + i * 20 + 16), map[i].type);
	}
	b[0] = 0x21;
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_SEL, b, 2, true), 0);
	for (int i = 0; i < 13; i++)
		ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_DATA, b + i, 1, false), 0);
	ck_assert_mem_eq(b, "hello, world\0", 13);
	/* after the boot: the command line as the kernel got it */
	snprintf(vm.cmdline, sizeof(vm.cmdline), "console=ttyS0 x=1");
	vm.boot.cmdline_gpa = 0x20000;
	ck_assert_int_eq(machine_devices_booted(&vm), 0);
	b[0] = FW_CFG_CMDLINE_DATA;
	b[1] = 0;
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_SEL, b, 2, true), 0);
	for (int i = 0; i < 19; i++)
		ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_DATA, b + i, 1, false), 0);
	ck_assert_mem_eq(b, "console=ttyS0 x=1\0\0", 19);
	b[0] = FW_CFG_CMDLINE_SIZE;
	b[1] = 0;
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_SEL, b, 2, true), 0);
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_DATA, b, 4, false), 0);
	ck_assert_uint_eq(le_get32(b), 18);
	b[0] = FW_CFG_CMDLINE_ADDR;
	b[1] = 0;
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_SEL, b, 2, true), 0);
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, FW_CFG_PORT_DATA, b, 4, false), 0);
	ck_assert_uint_eq(le_get32(b), 0x20000);
	vm_destroy(&vm);
	vm_config_free(&cfg);
}
END_TEST

/* @call must fail with -EINVAL and one line in err holding @needle. */
#define BAD(spec, needle)                                                                          \
	do {                                                                                       \
		err[0] = '\0';                                                                     \
		ck_assert_msg(config_add_fw_cfg(&c, spec, err, sizeof(err)) == -EINVAL, "%s accepted", spec); \
		ck_assert_msg(strstr(err, needle), "%s: '%s' lacks '%s'", spec, err, needle);      \
		ck_assert_msg(!strchr(err, '\n'), "%s: more than one line", spec);                 \
	} while (0)

START_TEST(config_items)
{
	char err[256], dir[64], file[80], empty[80], fifo[80], spec[200], big[80];
	struct vm_config c;
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/keel-fwcfg.%d", getpid());
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/blob", dir);
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(big, sizeof(big), "%s/big", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_eq(write(fd, "\x01\x02\x03", 3), 3);
	close(fd);
	close(open(empty, O_CREAT | O_WRONLY, 0600));
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	fd = open(big, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_eq(ftruncate(fd, (off_t)FW_CFG_ITEM_MAX + 1), 0);
	close(fd);

	vm_config_init(&c);
	snprintf(spec, sizeof(spec), "name=opt/keel/blob,file=%s", file);
	ck_assert_int_eq(config_add_fw_cfg(&c, spec, err, sizeof(err)), 0);
	ck_assert_int_eq(config_add_fw_cfg(&c, "opt/a,string=x", err, sizeof(err)), 0);	/* [name=] */
	ck_assert_int_eq(config_add_fw_cfg(&c, "string=a,,b,,,,c,name=opt/b", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.nfw_cfg, 3);
	ck_assert_str_eq(c.fw_cfg[0].name, "opt/keel/blob");
	ck_assert_str_eq(c.fw_cfg[0].file, file);
	ck_assert_ptr_null(c.fw_cfg[0].string);
	ck_assert_str_eq(c.fw_cfg[1].name, "opt/a");
	ck_assert_str_eq(c.fw_cfg[2].string, "a,b,,c");

	BAD("", "no name");
	BAD("string=x", "no name");
	BAD("name=,string=x", "no name");
	BAD("name=etc/e820,string=x", "must start with opt/");
	BAD("name=keel,string=x", "must start with opt/");
	BAD("name=opt/,string=x", "empty, '.' or '..' part");
	BAD("name=opt//a,string=x", "empty, '.' or '..' part");
	BAD("name=opt/a/,string=x", "empty, '.' or '..' part");
	BAD("name=opt/../a,string=x", "empty, '.' or '..' part");
	BAD("name=opt/./a,string=x", "empty, '.' or '..' part");
	BAD("name=opt/a\tb,string=x", "printable ASCII only");
	BAD("name=opt/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,string=x", "56 bytes long (at most 55)");
	BAD("name=opt/a,string=y", "opt/a is given twice");
	BAD("name=opt/c,name=opt/d,string=x", "name= given twice");
	BAD("name=opt/c,string=x,string=y", "string= given twice");
	BAD("name=opt/c", "no contents");
	BAD("name=opt/c,string=", "string= is empty");
	BAD("name=opt/c,string=x,file=/etc/hostname", "both given");
	BAD("name=opt/c,size=4", "unknown item 'size=4'");
	BAD("name=opt/c,string=x,gen_id=y", "unknown item");
	BAD("name=opt/c,string=x,a,b", "too many items");
	BAD("name=opt/c,file=", "file= has no path");
	BAD("name=opt/c,file=/nonexistent/keel", "No such file or directory");
	snprintf(spec, sizeof(spec), "name=opt/c,file=%s", dir);
	BAD(spec, "is a directory");
	snprintf(spec, sizeof(spec), "name=opt/c,file=%s", empty);
	BAD(spec, "is empty");
	snprintf(spec, sizeof(spec), "name=opt/c,file=%s", fifo);
	BAD(spec, "is a FIFO");
	BAD("name=opt/c,file=/dev/null", "not a regular file");
	snprintf(spec, sizeof(spec), "name=opt/c,file=%s", big);
	BAD(spec, "under 4 GiB");
	ck_assert_uint_eq(c.nfw_cfg, 3);	/* every refusal left it alone */
	for (unsigned int i = 3; i < CONFIG_MAX_FW_CFG; i++) {
		snprintf(spec, sizeof(spec), "name=opt/n%u,string=x", i);
		ck_assert_int_eq(config_add_fw_cfg(&c, spec, err, sizeof(err)), 0);
	}
	BAD("name=opt/one-more,string=x", "more than 32 --fw-cfg items");
	vm_config_free(&c);
	ck_assert_uint_eq(c.nfw_cfg, 0);
	unlink(file);
	unlink(empty);
	unlink(fifo);
	unlink(big);
	rmdir(dir);
}
END_TEST

START_TEST(cli_option)
{
	char *argv[] = { "keel", "run", "--fw-cfg", "name=opt/x,string=1", "--fw-cfg=opt/y,string=2", NULL };
	char *bad[] = { "keel", "run", "--fw-cfg", "name=opt/x", NULL };
	struct cli_options o;
	char err[256];

	ck_assert_int_eq(cli_parse(5, argv, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.cfg.nfw_cfg, 2);
	ck_assert_str_eq(o.cfg.fw_cfg[1].name, "opt/y");
	ck_assert_str_eq(o.cfg.fw_cfg[1].string, "2");
	cli_options_free(&o);
	ck_assert_int_eq(cli_parse(4, bad, &o, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--fw-cfg name=opt/x: no contents (file=PATH or string=TEXT)");
	cli_options_free(&o);
}
END_TEST

Suite *fw_cfg_suite(void)
{
	Suite *s = suite_create("fw_cfg");
	TCase *dev_tc = tcase_create("device");
	TCase *cfg_tc = tcase_create("config");

	tcase_add_checked_fixture(dev_tc, setup, teardown);
	tcase_add_test(dev_tc, signature_and_id);
	tcase_add_test(dev_tc, dma_signature);
	tcase_add_test(dev_tc, items);
	tcase_add_test(dev_tc, file_dir);
	tcase_add_test(dev_tc, file_dir_full);
	tcase_add_test(dev_tc, dma_read_skip_select);
	tcase_add_test(dev_tc, dma_hostile);
	tcase_add_test(dev_tc, save_restore);
	tcase_add_test(dev_tc, machine_items);
	suite_add_tcase(s, dev_tc);
	tcase_add_test(cfg_tc, config_items);
	tcase_add_test(cfg_tc, cli_option);
	suite_add_tcase(s, cfg_tc);
	return s;
}
