/* Unit tests of the virtio command-line options: --disk, --console, --rng, --virtio-transport, and their one-line errors. */
#include "tests/unit/suites.h"

#include "vmm/cli.h"

#include <errno.h>
#include <string.h>

static struct cli_options o;
static char err[512];

static int parse(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[8] = { "keel", "run" };
	int argc = 2;

	if (a1)
		argv[argc++] = (char *)a1;
	if (a2)
		argv[argc++] = (char *)a2;
	if (a3)
		argv[argc++] = (char *)a3;
	if (a4)
		argv[argc++] = (char *)a4;
	err[0] = '\0';
	cli_options_free(&o);	/* the last parse's strings */
	return cli_parse(argc, argv, &o, err, sizeof(err));
}

static void teardown(void)
{
	cli_options_free(&o);
}

START_TEST(defaults_no_virtio)
{
	ck_assert_int_eq(parse(NULL, NULL, NULL, NULL), 0);
	ck_assert_uint_eq(virtio_config_ndevices(&o.cfg.virtio), 0);
	ck_assert_int_eq(o.cfg.virtio.transport, VIRTIO_TRANSPORT_PCI);
	ck_assert_int_eq(o.cfg.virtio.console.kind, VIRTIO_CONSOLE_NONE);
}
END_TEST

START_TEST(disks)
{
	const struct virtio_disk_opts *d = o.cfg.virtio.disks;

	ck_assert_int_eq(parse("--disk", "/a.img", "--disk=/b.img,readonly,id=boot", "--rng"), 0);
	ck_assert_uint_eq(o.cfg.virtio.ndisks, 2);
	ck_assert_str_eq(d[0].path, "/a.img");
	ck_assert_str_eq(d[0].spec, "/a.img");
	ck_assert(!d[0].readonly);
	ck_assert_str_eq(d[0].id, "");
	ck_assert_str_eq(d[1].path, "/b.img");
	ck_assert_str_eq(d[1].spec, "/b.img,readonly,id=boot");
	ck_assert(d[1].readonly);
	ck_assert_str_eq(d[1].id, "boot");
	ck_assert(o.cfg.virtio.rng);
	ck_assert_uint_eq(virtio_config_ndevices(&o.cfg.virtio), 3);
	ck_assert_int_eq(parse("--disk", "x,id=01234567890123456789", NULL, NULL), 0);
	ck_assert_str_eq(o.cfg.virtio.disks[0].id, "01234567890123456789");
}
END_TEST

START_TEST(bad_disks)
{
	static const struct {
		const char *a1, *a2, *a3, *a4, *needle;
	} bad[] = {
		{ "--disk", NULL, NULL, NULL, "--disk needs a value" },
		{ "--disk", "", NULL, NULL, "no path given" },
		{ "--disk", ",readonly", NULL, NULL, "no path given" },
		{ "--disk", "a,bogus", NULL, NULL, "unknown option 'bogus'" },
		{ "--disk", "a,readonly,", NULL, NULL, "unknown option ''" },
		{ "--disk", "a,id=", NULL, NULL, "id= needs a name" },
		{ "--disk", "a,id=012345678901234567890", NULL, NULL, "longer than 20 bytes" },
		{ "--disk", "a,id=x y", NULL, NULL, "printable ASCII" },
		{ "--disk", "a,id=x,id=y", NULL, NULL, "id given twice" },
		{ "--disk", "a,id=same", "--disk", "b,id=same", "id 'same' is already used" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i].a1, bad[i].a2, bad[i].a3, bad[i].a4) == -EINVAL, "case %u accepted", i);
		ck_assert_msg(strstr(err, bad[i].needle), "case %u: '%s' lacks '%s'", i, err, bad[i].needle);
		ck_assert(!strchr(err, '\n'));
	}
}
END_TEST

START_TEST(too_many_disks)
{
	char *argv[2 + 2 * (VIRTIO_MAX_DISKS + 1)] = { "keel", "run" };
	int argc = 2;

	for (unsigned int i = 0; i < VIRTIO_MAX_DISKS + 1; i++) {
		argv[argc++] = "--disk";
		argv[argc++] = "x";
	}
	cli_options_free(&o);
	ck_assert_int_eq(cli_parse(argc, argv, &o, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "at most 32 disks"));
}
END_TEST

START_TEST(consoles)
{
	const struct virtio_console_opts *c = &o.cfg.virtio.console;

	ck_assert_int_eq(parse("--console", "virtio", NULL, NULL), 0);
	ck_assert_int_eq(c->kind, VIRTIO_CONSOLE_TERMINAL);
	ck_assert_int_eq(parse("--console=uart", NULL, NULL, NULL), 0);
	ck_assert_int_eq(c->kind, VIRTIO_CONSOLE_NONE);
	ck_assert_int_eq(parse("--console", "file:/tmp/out", NULL, NULL), 0);
	ck_assert_int_eq(c->kind, VIRTIO_CONSOLE_FILE);
	ck_assert_str_eq(c->path, "/tmp/out");
	ck_assert_ptr_null(c->in_path);
	ck_assert_int_eq(parse("--console", "file:/tmp/out,in=/tmp/in", NULL, NULL), 0);
	ck_assert_str_eq(c->path, "/tmp/out");
	ck_assert_str_eq(c->in_path, "/tmp/in");
	ck_assert_int_eq(parse("--console", "socket:/run/k.sock", NULL, NULL), 0);
	ck_assert_int_eq(c->kind, VIRTIO_CONSOLE_SOCKET);
	ck_assert_str_eq(c->path, "/run/k.sock");
	ck_assert_uint_eq(virtio_config_ndevices(&o.cfg.virtio), 1);
}
END_TEST

START_TEST(bad_consoles_and_transports)
{
	static const struct {
		const char *a1, *a2, *a3, *a4, *needle;
	} bad[] = {
		{ "--console", "bogus", NULL, NULL, "--console bogus: not a console" },
		{ "--console", "file:", NULL, NULL, "no output file" },
		{ "--console", "file:/x,out=/y", NULL, NULL, "unknown option 'out=/y'" },
		{ "--console", "file:/x,in=", NULL, NULL, "--console file:/x,in=: in= needs a path" },
		{ "--console", "socket:", NULL, NULL, "no socket path" },
		{ "--console", "virtio", "--console", "uart", "--console given twice" },
		{ "--console", NULL, NULL, NULL, "--console needs a value" },
		{ "--virtio-transport", "bogus", NULL, NULL, "--virtio-transport bogus: not a transport" },
		{ "--virtio-transport", "pci", "--virtio-transport=mmio", NULL, "given twice" },
		{ "--virtio-transport", NULL, NULL, NULL, "needs a value" },
		{ "--rng=yes", NULL, NULL, NULL, "--rng=yes: unknown option 'yes' (use transport=pci|mmio or msix=off)" },
		{ "--rng=transport=usb", NULL, NULL, NULL, "--rng=transport=usb: transport must be pci or mmio" },
		{ "--rng=msix=off,transport=mmio", NULL, NULL, NULL, "msix=off is for PCI devices, not transport=mmio" },
		{ "--disk", "a,transport=mmio,transport=pci", NULL, NULL, "--disk a,transport=mmio,transport=pci: transport given twice" },
		{ "--disk", "a,msix=no", NULL, NULL, "--disk a,msix=no: msix must be on or off" },
		{ "--disk", "a,msix=off,msix=on", NULL, NULL, "msix given twice" },
		{ "--net", "tap:k0,transport=mmio,msix=off", NULL, NULL, "--net tap:k0,transport=mmio,msix=off: msix=off is for PCI" },
		{ "--console", "virtio,transport=", NULL, NULL, "transport must be pci or mmio" },
		{ "--disks", "a", NULL, NULL, "unknown option '--disks'" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i].a1, bad[i].a2, bad[i].a3, bad[i].a4) == -EINVAL, "case %u accepted", i);
		ck_assert_msg(strstr(err, bad[i].needle), "case %u: '%s' lacks '%s'", i, err, bad[i].needle);
	}
	ck_assert_int_eq(parse("--virtio-transport", "mmio", "--rng", NULL), 0);
	ck_assert_int_eq(o.cfg.virtio.transport, VIRTIO_TRANSPORT_MMIO);
}
END_TEST

/* transport= and msix= on each device's option; a device without them follows --virtio-transport. */
START_TEST(placement)
{
	const struct virtio_config *v = &o.cfg.virtio;

	ck_assert_int_eq(parse("--disk", "/a.img,transport=mmio,id=a", "--disk=/b.img,msix=off,readonly", "--rng"), 0);
	ck_assert(v->disks[0].place.transport_given);
	ck_assert_int_eq(virtio_place_transport(v, &v->disks[0].place), VIRTIO_TRANSPORT_MMIO);
	ck_assert(!v->disks[0].place.no_msix);
	ck_assert_str_eq(v->disks[0].path, "/a.img");
	ck_assert_str_eq(v->disks[0].id, "a");
	ck_assert(!v->disks[1].place.transport_given);
	ck_assert_int_eq(virtio_place_transport(v, &v->disks[1].place), VIRTIO_TRANSPORT_PCI);
	ck_assert(v->disks[1].place.no_msix);
	ck_assert(v->disks[1].readonly);
	ck_assert(!v->rng_place.transport_given && !v->rng_place.no_msix);

	ck_assert_int_eq(parse("--virtio-transport=mmio", "--rng=msix=off,transport=pci",
			       "--console=file:/o,transport=pci,in=/i", NULL), 0);
	ck_assert(v->rng && v->rng_place.no_msix);
	ck_assert_int_eq(virtio_place_transport(v, &v->rng_place), VIRTIO_TRANSPORT_PCI);
	ck_assert_int_eq(v->console.kind, VIRTIO_CONSOLE_FILE);
	ck_assert_str_eq(v->console.path, "/o");
	ck_assert_str_eq(v->console.in_path, "/i");
	ck_assert_int_eq(virtio_place_transport(v, &v->console.place), VIRTIO_TRANSPORT_PCI);

	ck_assert_int_eq(parse("--net", "socket:/tmp/s,transport=mmio,peer=/tmp/p", "--console", "socket:/tmp/c,msix=off"), 0);
	ck_assert_str_eq(v->nets[0].path, "/tmp/s");
	ck_assert_str_eq(v->nets[0].peer, "/tmp/p");
	ck_assert_int_eq(virtio_place_transport(v, &v->nets[0].place), VIRTIO_TRANSPORT_MMIO);
	ck_assert_str_eq(v->console.path, "/tmp/c");
	ck_assert(v->console.place.no_msix);
}
END_TEST

Suite *virtio_cli_suite(void)
{
	Suite *s = suite_create("virtio_cli");
	TCase *t = tcase_create("options");

	tcase_add_checked_fixture(t, NULL, teardown);

	tcase_add_test(t, defaults_no_virtio);
	tcase_add_test(t, disks);
	tcase_add_test(t, bad_disks);
	tcase_add_test(t, too_many_disks);
	tcase_add_test(t, consoles);
	tcase_add_test(t, bad_consoles_and_transports);
	tcase_add_test(t, placement);
	suite_add_tcase(s, t);
	return s;
}
