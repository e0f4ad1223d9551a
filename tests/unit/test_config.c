/* Unit tests of the configuration model: each adder's good and bad input, its one-line errors, and that the config owns its strings. */
#include "tests/unit/suites.h"

#include "vmm/cli.h"
#include "vmm/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* @call must succeed. */
#define OK(call) ck_assert_msg((call) == 0, "%s failed: %s", #call, err)

/* @call must fail with -EINVAL and one line in err holding @needle. */
#define BAD(call, needle)                                                                          \
	do {                                                                                       \
		err[0] = '\0';                                                                     \
		ck_assert_msg((call) == -EINVAL, "%s accepted", #call);                           \
		ck_assert_msg(strstr(err, needle), "%s: '%s' lacks '%s'", #call, err, needle);     \
		ck_assert_msg(!strchr(err, '\n'), "%s: more than one line", #call);                \
	} while (0)

#define E err, sizeof(err)

START_TEST(defaults)
{
	struct vm_config c;

	vm_config_init(&c);
	ck_assert_uint_eq(c.mem_size, 256ull << 20);
	ck_assert_uint_eq(c.ncpus, 1);
	ck_assert_str_eq(c.kvm_path, "/dev/kvm");
	ck_assert_str_eq(c.cmdline, "");
	ck_assert_ptr_null(c.kernel_path);
	ck_assert_uint_eq(c.ninitrds, 0);
	ck_assert_ptr_null(c.gdb);
	ck_assert(!c.gdb_wait);
	ck_assert_int_eq(c.virtio.transport, VIRTIO_TRANSPORT_PCI);
	ck_assert_int_eq(c.virtio.console.kind, VIRTIO_CONSOLE_NONE);
	ck_assert_uint_eq(virtio_config_ndevices(&c.virtio), 0);
	vm_config_free(&c);
	vm_config_free(&c);	/* idempotent: the defaults own nothing */
}
END_TEST

START_TEST(machine)
{
	struct vm_config c;
	char err[256];

	vm_config_init(&c);
	BAD(config_set_mem(&c, "lots", E), "--mem lots: not a size");
	BAD(config_set_mem(&c, "1M", E), "--mem 1M: too small (at least 4 MiB)");
	BAD(config_set_mem(&c, "3T", E), "--mem 3T: too large (at most 1024 GiB)");
	BAD(config_set_mem(&c, "99999999999999999999G", E), "too large");
	BAD(config_set_mem(&c, "5001K", E), "--mem 5001K: not a multiple of 4 KiB");
	BAD(config_set_mem(&c, "", E), "not a size");
	ck_assert_uint_eq(c.mem_size, 256ull << 20);	/* every failure left it alone */
	OK(config_set_mem(&c, "512M", E));
	ck_assert_uint_eq(c.mem_size, 512ull << 20);
	BAD(config_set_mem(&c, "1G", E), "--mem given twice");
	BAD(config_set_mem_bytes(&c, 1ull << 30, E), "--mem given twice");
	ck_assert_uint_eq(c.mem_size, 512ull << 20);

	BAD(config_set_cpus(&c, "0", E), "--cpus 0: must be between 1 and 4096");
	BAD(config_set_cpus(&c, "4097", E), "--cpus 4097: must be between 1 and 4096");
	BAD(config_set_cpus(&c, "two", E), "--cpus two: not a number");
	BAD(config_set_cpus(&c, "-1", E), "--cpus -1: not a number");
	BAD(config_set_cpus_n(&c, 0, E), "--cpus 0: must be between 1 and 4096");
	BAD(config_set_cpus_n(&c, 5000, E), "--cpus 5000: must be between");
	ck_assert_uint_eq(c.ncpus, 1);
	OK(config_set_cpus(&c, "3", E));
	ck_assert_uint_eq(c.ncpus, 3);
	BAD(config_set_cpus_n(&c, 2, E), "--cpus given twice");
	vm_config_free(&c);

	/* The numeric variants run the same checks. */
	vm_config_init(&c);
	BAD(config_set_mem_bytes(&c, 1ull << 20, E), "--mem 1048576 bytes: too small");
	BAD(config_set_mem_bytes(&c, (64ull << 20) + 1, E), "not a multiple of 4 KiB");
	BAD(config_set_mem_bytes(&c, 2ull << 40, E), "too large");
	OK(config_set_mem_bytes(&c, 64ull << 20, E));
	ck_assert_uint_eq(c.mem_size, 64ull << 20);
	OK(config_set_cpus_n(&c, 4096, E));
	ck_assert_uint_eq(c.ncpus, 4096);
	vm_config_free(&c);
	ck_assert_uint_eq(c.mem_size, 256ull << 20);
	ck_assert_uint_eq(c.ncpus, 1);
	OK(config_set_mem(&c, "1G", E));	/* freed: may be set again */
	vm_config_free(&c);
}
END_TEST

START_TEST(boot_source)
{
	char longline[KEEL_CMDLINE_MAX + 1];
	struct vm_config c;
	char err[256];

	vm_config_init(&c);
	OK(config_set_boot_source(&c, "k.elf", NULL, NULL, E));
	ck_assert_str_eq(c.kernel_path, "k.elf");
	ck_assert_uint_eq(c.ninitrds, 0);
	BAD(config_set_boot_source(&c, "other.elf", NULL, NULL, E), "--kernel given twice");
	ck_assert_str_eq(c.kernel_path, "k.elf");
	OK(config_set_boot_source(&c, NULL, "i.img", "console=ttyS0 quiet", E));
	ck_assert_str_eq(c.initrd_paths[0], "i.img");
	ck_assert_str_eq(c.cmdline, "console=ttyS0 quiet");
	OK(config_set_boot_source(&c, NULL, "j.img", NULL, E));	/* --initrd may be repeated: modules in order */
	ck_assert_uint_eq(c.ninitrds, 2);
	ck_assert_str_eq(c.initrd_paths[1], "j.img");
	for (unsigned int i = 2; i < CONFIG_MAX_INITRDS; i++)
		OK(config_set_boot_source(&c, NULL, "k.img", NULL, E));
	BAD(config_set_boot_source(&c, NULL, "l.img", NULL, E), "--initrd given more than 16 times");
	ck_assert_uint_eq(c.ninitrds, CONFIG_MAX_INITRDS);
	BAD(config_set_boot_source(&c, NULL, NULL, "", E), "--cmdline given twice");
	ck_assert_str_eq(c.cmdline, "console=ttyS0 quiet");
	vm_config_free(&c);
	ck_assert_ptr_null(c.kernel_path);
	ck_assert_str_eq(c.cmdline, "");

	/* A failure sets nothing, not even the parts that were fine. */
	vm_config_init(&c);
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	BAD(config_set_boot_source(&c, "k.elf", "i.img", longline, E), "--cmdline: 2048 bytes is too long (at most 2047)");
	ck_assert_ptr_null(c.kernel_path);
	ck_assert_uint_eq(c.ninitrds, 0);
	ck_assert_str_eq(c.cmdline, "");
	longline[KEEL_CMDLINE_MAX - 1] = '\0';
	OK(config_set_boot_source(&c, NULL, NULL, longline, E));
	ck_assert_str_eq(c.cmdline, longline);

	BAD(config_set_kvm_path(&c, "", E), "no path given");
	OK(config_set_kvm_path(&c, "/dev/null", E));
	ck_assert_str_eq(c.kvm_path, "/dev/null");
	vm_config_free(&c);
	ck_assert_str_eq(c.kvm_path, "/dev/kvm");
}
END_TEST

START_TEST(gdb_stub)
{
	struct vm_config c;
	char err[256];

	vm_config_init(&c);
	BAD(config_set_gdb(&c, NULL, true, E), "--gdb-wait needs --gdb");
	BAD(config_set_gdb(&c, "tcp:port", false, E), "--gdb tcp:port: 'port' is not a port number");
	BAD(config_set_gdb(&c, "ftp:1", true, E), "--gdb ftp:1");
	ck_assert_ptr_null(c.gdb);
	ck_assert(!c.gdb_wait);
	OK(config_set_gdb(&c, "tcp:1234", false, E));
	ck_assert_str_eq(c.gdb, "tcp:1234");
	OK(config_set_gdb(&c, NULL, true, E));	/* the address set before */
	ck_assert(c.gdb_wait);
	BAD(config_set_gdb(&c, "unix:/tmp/g.sock", true, E), "--gdb given twice");
	ck_assert_str_eq(c.gdb, "tcp:1234");
	vm_config_free(&c);
	ck_assert_ptr_null(c.gdb);
	ck_assert(!c.gdb_wait);
}
END_TEST

START_TEST(drives)
{
	const struct virtio_disk_opts *d;
	struct vm_config c;
	char err[256];

	vm_config_init(&c);
	d = c.virtio.disks;
	OK(config_add_drive(&c, "/a.img,readonly,id=boot", E));
	OK(config_add_drive_opts(&c, "/b,c.img", false, "data", E));	/* a comma in a path: only structured */
	ck_assert_uint_eq(c.virtio.ndisks, 2);
	ck_assert_str_eq(d[0].path, "/a.img");
	ck_assert_str_eq(d[0].spec, "/a.img,readonly,id=boot");
	ck_assert(d[0].readonly);
	ck_assert_str_eq(d[0].id, "boot");
	ck_assert_str_eq(d[1].path, "/b,c.img");
	ck_assert_str_eq(d[1].spec, "/b,c.img,id=data");
	ck_assert(!d[1].readonly);
	ck_assert_str_eq(d[1].id, "data");

	BAD(config_add_drive(&c, "x,id=012345678901234567890", E), "--disk x,id=012345678901234567890: the id is longer than 20 bytes");
	BAD(config_add_drive_opts(&c, "x", false, "012345678901234567890", E), "the id is longer than 20 bytes");
	BAD(config_add_drive(&c, "x,id=boot", E), "id 'boot' is already used by another --disk");
	BAD(config_add_drive_opts(&c, "x", true, "data", E), "--disk x,readonly,id=data: id 'data' is already used");
	BAD(config_add_drive_opts(&c, "x", false, "a b", E), "printable ASCII");
	BAD(config_add_drive_opts(&c, "x", false, "", E), "id= needs a name");
	BAD(config_add_drive_opts(&c, "", false, NULL, E), "no path given");
	BAD(config_add_drive_opts(&c, NULL, false, NULL, E), "no path given");
	BAD(config_add_drive(&c, ",readonly", E), "no path given");
	BAD(config_add_drive(&c, "x,ro", E), "--disk x,ro: unknown option 'ro' (use readonly, id=NAME, transport=pci|mmio or msix=off)");
	BAD(config_add_drive(&c, "x,id=a,id=b", E), "id given twice");
	ck_assert_uint_eq(c.virtio.ndisks, 2);

	for (unsigned int i = 2; i < VIRTIO_MAX_DISKS; i++) {
		char path[16];

		snprintf(path, sizeof(path), "d%u", i);
		OK(i % 2 ? config_add_drive(&c, path, E) : config_add_drive_opts(&c, path, false, NULL, E));
	}
	BAD(config_add_drive(&c, "g", E), "--disk g: at most 32 disks");
	BAD(config_add_drive_opts(&c, "g", false, NULL, E), "at most 32 disks");
	ck_assert_uint_eq(c.virtio.ndisks, VIRTIO_MAX_DISKS);
	ck_assert_str_eq(d[VIRTIO_MAX_DISKS - 1].path, "d31");
	vm_config_free(&c);
	ck_assert_uint_eq(c.virtio.ndisks, 0);
}
END_TEST

START_TEST(console_rng_transport)
{
	const struct virtio_console_opts *o;
	struct vm_config c;
	char err[256];

	vm_config_init(&c);
	o = &c.virtio.console;
	BAD(config_set_console(&c, "serial", E), "--console serial: not a console (use uart, virtio, file:PATH or socket:PATH)");
	BAD(config_set_console(&c, "file:", E), "no output file given");
	BAD(config_set_console(&c, "file:/o,out=/x", E), "--console file:/o,out=/x: unknown option 'out=/x' (use in=PATH, ");
	BAD(config_set_console(&c, "file:/o,in=/a,in=/b", E), "in= given twice");
	BAD(config_set_console(&c, "file:/o,in=", E), "in= needs a path");
	BAD(config_set_console(&c, "virtio,in=/a", E), "unknown option 'in=/a' (use transport=pci|mmio or msix=off)");
	BAD(config_set_console(&c, "socket:", E), "no socket path given");
	ck_assert_ptr_null(o->spec);	/* failures do not count as given */
	OK(config_set_console(&c, "file:/tmp/out,in=/tmp/in", E));
	ck_assert_int_eq(o->kind, VIRTIO_CONSOLE_FILE);
	ck_assert_str_eq(o->spec, "file:/tmp/out,in=/tmp/in");
	ck_assert_str_eq(o->path, "/tmp/out");
	ck_assert_str_eq(o->in_path, "/tmp/in");
	BAD(config_set_console(&c, "virtio", E), "--console given twice");

	OK(config_set_rng(&c, true, E));
	OK(config_set_rng(&c, true, E));	/* once is enough, twice is the same */
	ck_assert_uint_eq(virtio_config_ndevices(&c.virtio), 2);
	OK(config_set_rng(&c, false, E));
	ck_assert_uint_eq(virtio_config_ndevices(&c.virtio), 1);

	BAD(config_set_transport(&c, "virtio-ccw", E), "--virtio-transport virtio-ccw: not a transport (use pci or mmio)");
	OK(config_set_transport(&c, "mmio", E));
	ck_assert_int_eq(c.virtio.transport, VIRTIO_TRANSPORT_MMIO);
	BAD(config_set_transport(&c, "pci", E), "--virtio-transport given twice");
	ck_assert_int_eq(c.virtio.transport, VIRTIO_TRANSPORT_MMIO);
	vm_config_free(&c);
	ck_assert_ptr_null(o->spec);
	ck_assert_int_eq(c.virtio.transport, VIRTIO_TRANSPORT_PCI);

	vm_config_init(&c);
	OK(config_set_console(&c, "socket:/run/k.sock", E));
	ck_assert_int_eq(o->kind, VIRTIO_CONSOLE_SOCKET);
	ck_assert_str_eq(o->path, "/run/k.sock");
	ck_assert_ptr_null(o->in_path);
	vm_config_free(&c);
}
END_TEST

START_TEST(nets)
{
	static const unsigned char mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const unsigned char multicast[6] = { 0x01, 0, 0, 0, 0, 0x01 };
	static const unsigned char zero[6] = { 0 };
	const struct virtio_net_opts *n;
	struct vm_config c, c2;
	char err[256];

	vm_config_init(&c);
	vm_config_init(&c2);
	n = c.virtio.nets;
	OK(config_add_net(&c, "tap:keel0", E));
	OK(config_add_net_opts(&c, VIRTIO_NET_SOCKET, "/tmp/vm.sock", "/tmp/peer.sock", mac, E));
	ck_assert_uint_eq(c.virtio.nnets, 2);
	ck_assert_int_eq(n[0].kind, VIRTIO_NET_TAP);
	ck_assert_str_eq(n[0].ifname, "keel0");
	ck_assert_ptr_null(n[0].path);
	ck_assert_int_eq(n[1].kind, VIRTIO_NET_SOCKET);
	ck_assert_str_eq(n[1].spec, "socket:/tmp/vm.sock,peer=/tmp/peer.sock,mac=02:00:00:00:00:01");
	ck_assert_str_eq(n[1].path, "/tmp/vm.sock");
	ck_assert_str_eq(n[1].peer, "/tmp/peer.sock");
	ck_assert(n[1].mac_given);
	ck_assert_int_eq(memcmp(n[1].mac, mac, 6), 0);

	/* The structured adder derives the same MAC as the text for the same NIC. */
	OK(config_add_net_opts(&c2, VIRTIO_NET_TAP, "keel0", NULL, NULL, E));
	ck_assert_str_eq(c2.virtio.nets[0].spec, "tap:keel0");
	ck_assert_int_eq(memcmp(c2.virtio.nets[0].mac, n[0].mac, 6), 0);
	ck_assert(!n[0].mac_given);

	BAD(config_add_net(&c, "tap:k1,mac=02:00:00:00:00", E), "--net tap:k1,mac=02:00:00:00:00: the mac must be six hex bytes");
	BAD(config_add_net(&c, "tap:k1,mac=02:00:00:00:00:0g", E), "six hex bytes");
	BAD(config_add_net_opts(&c, VIRTIO_NET_TAP, "k1", NULL, multicast, E), "the mac is a multicast address");
	BAD(config_add_net_opts(&c, VIRTIO_NET_TAP, "k1", NULL, zero, E), "the mac is all zeros");
	BAD(config_add_net(&c, "tap:k1,mac=02:00:00:00:00:01", E), "the mac is already used by --net socket:/tmp/vm.sock");
	BAD(config_add_net_opts(&c, VIRTIO_NET_TAP, "keel0", NULL, NULL, E), "tap keel0 is already used by another --net");
	BAD(config_add_net(&c, "socket:/tmp/vm.sock", E), "the socket path is already used by another --net");
	BAD(config_add_net_opts(&c, VIRTIO_NET_SOCKET, "/tmp/s", "/tmp/s", NULL, E), "the peer is the socket itself");
	BAD(config_add_net_opts(&c, VIRTIO_NET_SOCKET, "/tmp/s", "", NULL, E), "peer= needs a path");
	BAD(config_add_net_opts(&c, VIRTIO_NET_TAP, "k1", "/tmp/p", NULL, E), "unknown option 'peer=/tmp/p'");
	BAD(config_add_net(&c, "tap:k1,peer=/tmp/p", E), "unknown option 'peer=/tmp/p' (use mac=MAC, transport=pci|mmio or msix=off)");
	BAD(config_add_net(&c, "tap:a-very-long-interface-name", E), "not an interface name");
	BAD(config_add_net_opts(&c, VIRTIO_NET_TAP, "a/b", NULL, NULL, E), "not an interface name");
	BAD(config_add_net_opts(&c, VIRTIO_NET_TAP, NULL, NULL, NULL, E), "no interface name given");
	BAD(config_add_net(&c, "udp:1.2.3.4", E), "--net udp:1.2.3.4: not a network backend");
	BAD(config_add_net_opts(&c, (enum virtio_net_kind)7, "x", NULL, NULL, E), "not a network backend");
	ck_assert_uint_eq(c.virtio.nnets, 2);

	OK(config_add_net(&c, "socket:/tmp/a,peer=/tmp/b", E));
	for (unsigned int i = 3; i < VIRTIO_MAX_NICS; i++) {
		char spec[16];

		snprintf(spec, sizeof(spec), "tap:k%u", i);
		OK(config_add_net(&c, spec, E));
	}
	BAD(config_add_net(&c, "tap:kx", E), "--net tap:kx: at most 16 network devices");
	BAD(config_add_net_opts(&c, VIRTIO_NET_TAP, "kx", NULL, NULL, E), "at most 16 network devices");
	ck_assert_uint_eq(c.virtio.nnets, VIRTIO_MAX_NICS);
	vm_config_free(&c);
	vm_config_free(&c2);
	ck_assert_uint_eq(c.virtio.nnets, 0);
}
END_TEST

/* Add disks "d0", "d1", ... to @c until it has @n. */
static void add_disks(struct vm_config *c, unsigned int n)
{
	char err[256], path[16];

	while (c->virtio.ndisks < n) {
		snprintf(path, sizeof(path), "d%u", c->virtio.ndisks);
		OK(config_add_drive(c, path, E));
	}
}

/* Disks, console, rng and NICs share VIRTIO_MAX_DEVICES (32) slots; the adder that would take one more says so. */
START_TEST(too_many_devices)
{
	struct vm_config c;
	char err[256];

	vm_config_init(&c);
	add_disks(&c, VIRTIO_MAX_DEVICES - 2);
	OK(config_set_console(&c, "virtio", E));
	OK(config_set_rng(&c, true, E));
	BAD(config_add_net(&c, "socket:/tmp/n", E), "--net socket:/tmp/n: at most 32 virtio devices in all");
	ck_assert_uint_eq(c.virtio.nnets, 0);
	OK(config_set_rng(&c, false, E));
	OK(config_add_net(&c, "socket:/tmp/n", E));
	BAD(config_set_rng(&c, true, E), "--rng: at most 32 virtio devices in all");
	ck_assert(!c.virtio.rng);
	vm_config_free(&c);

	vm_config_init(&c);
	add_disks(&c, VIRTIO_MAX_DEVICES - 3);
	OK(config_set_rng(&c, true, E));
	OK(config_add_net(&c, "tap:k0", E));
	OK(config_add_net(&c, "tap:k1", E));
	OK(config_set_console(&c, "uart", E));	/* no virtio device: fits */
	BAD(config_add_drive(&c, "f", E), "--disk f: at most 32 virtio devices in all");
	vm_config_free(&c);

	vm_config_init(&c);
	add_disks(&c, VIRTIO_MAX_DEVICES - 2);
	OK(config_set_rng(&c, true, E));
	OK(config_add_net(&c, "tap:k0", E));
	BAD(config_set_console(&c, "virtio", E), "--console virtio: at most 32 virtio devices in all");
	ck_assert_ptr_null(c.virtio.console.spec);
	vm_config_free(&c);
}
END_TEST

/* A heap copy of @s the test scribbles over and frees after handing it to an adder. */
static char *scratch(const char *s)
{
	char *p = strdup(s);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void wipe(char *p)
{
	memset(p, 'Z', strlen(p));
	free(p);
}

START_TEST(owns_its_strings)
{
	char *kernel = scratch("/boot/k.elf"), *initrd = scratch("/boot/i.img"), *cmd = scratch("a=b c");
	char *gdb = scratch("unix:/tmp/g.sock"), *disk = scratch("/d.img,id=d0"), *con = scratch("file:/o,in=/i");
	char *net = scratch("socket:/tmp/s,peer=/tmp/p"), *path = scratch("/e.img"), *id = scratch("e0");
	char *sock = scratch("/tmp/t"), *peer = scratch("/tmp/q");
	struct vm_config c;
	char err[256];

	vm_config_init(&c);
	OK(config_set_boot_source(&c, kernel, initrd, cmd, E));
	OK(config_set_gdb(&c, gdb, true, E));
	OK(config_add_drive(&c, disk, E));
	OK(config_add_drive_opts(&c, path, true, id, E));
	OK(config_set_console(&c, con, E));
	OK(config_add_net(&c, net, E));
	OK(config_add_net_opts(&c, VIRTIO_NET_SOCKET, sock, peer, NULL, E));
	wipe(kernel);
	wipe(initrd);
	wipe(cmd);
	wipe(gdb);
	wipe(disk);
	wipe(path);
	wipe(id);
	wipe(con);
	wipe(net);
	wipe(sock);
	wipe(peer);
	ck_assert_str_eq(c.kernel_path, "/boot/k.elf");
	ck_assert_str_eq(c.initrd_paths[0], "/boot/i.img");
	ck_assert_str_eq(c.cmdline, "a=b c");
	ck_assert_str_eq(c.gdb, "unix:/tmp/g.sock");
	ck_assert_str_eq(c.virtio.disks[0].spec, "/d.img,id=d0");
	ck_assert_str_eq(c.virtio.disks[0].path, "/d.img");
	ck_assert_str_eq(c.virtio.disks[0].id, "d0");
	ck_assert_str_eq(c.virtio.disks[1].path, "/e.img");
	ck_assert_str_eq(c.virtio.disks[1].id, "e0");
	ck_assert_str_eq(c.virtio.console.spec, "file:/o,in=/i");
	ck_assert_str_eq(c.virtio.console.path, "/o");
	ck_assert_str_eq(c.virtio.console.in_path, "/i");
	ck_assert_str_eq(c.virtio.nets[0].spec, "socket:/tmp/s,peer=/tmp/p");
	ck_assert_str_eq(c.virtio.nets[0].path, "/tmp/s");
	ck_assert_str_eq(c.virtio.nets[0].peer, "/tmp/p");
	ck_assert_str_eq(c.virtio.nets[1].path, "/tmp/t");
	ck_assert_str_eq(c.virtio.nets[1].peer, "/tmp/q");
	vm_config_free(&c);
	ck_assert_ptr_null(c.kernel_path);
	ck_assert_uint_eq(c.ninitrds, 0);
	ck_assert_ptr_null(c.gdb);
	ck_assert_uint_eq(virtio_config_ndevices(&c.virtio), 0);
}
END_TEST

/* The command line is one front end: what it parsed outlives argv. */
START_TEST(cli_owns_its_strings)
{
	static const char *const args[] = { "keel", "run", "--kernel=/k.elf", "--disk", "/d.img,readonly",
					     "--net", "tap:keel7", "--cmdline", "x=y", "--gdb", "tcp:1234" };
	enum { N = sizeof(args) / sizeof(args[0]) };
	struct cli_options o;
	char *argv[N + 1];
	char err[256];

	for (unsigned int i = 0; i < N; i++)
		argv[i] = scratch(args[i]);
	argv[N] = NULL;
	OK(cli_parse(N, argv, &o, E));
	for (unsigned int i = 0; i < N; i++)
		wipe(argv[i]);
	ck_assert_str_eq(o.cfg.kernel_path, "/k.elf");
	ck_assert_str_eq(o.cfg.virtio.disks[0].path, "/d.img");
	ck_assert(o.cfg.virtio.disks[0].readonly);
	ck_assert_str_eq(o.cfg.virtio.nets[0].ifname, "keel7");
	ck_assert_str_eq(o.cfg.virtio.nets[0].spec, "tap:keel7");
	ck_assert_str_eq(o.cfg.cmdline, "x=y");
	ck_assert_str_eq(o.cfg.gdb, "tcp:1234");
	cli_options_free(&o);
	ck_assert_ptr_null(o.cfg.kernel_path);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, machine);
	tcase_add_test(tc, boot_source);
	tcase_add_test(tc, gdb_stub);
	tcase_add_test(tc, drives);
	tcase_add_test(tc, console_rng_transport);
	tcase_add_test(tc, nets);
	tcase_add_test(tc, too_many_devices);
	tcase_add_test(tc, owns_its_strings);
	tcase_add_test(tc, cli_owns_its_strings);
	suite_add_tcase(s, tc);
	return s;
}
