/* Unit tests of the device-type table: each type's option adds exactly one device of that type through its adder, and every type has the ops the host needs. */
#include "tests/unit/suites.h"

#include <string.h>

#include "vmm/device_types.h"
#include "vmm/log.h"

/* A value each type's option accepts (its adder only parses; nothing is opened). */
static const char *good_value(const struct device_type *t)
{
	if (!strcmp(t->opt.name, "--disk"))
		return "/tmp/keel-unit-disk.img,id=d0";
	if (!strcmp(t->opt.name, "--console"))
		return "file:/tmp/keel-unit-console.out";
	if (!strcmp(t->opt.name, "--net"))
		return "socket:/tmp/keel-unit-net.sock";
	if (!strcmp(t->opt.name, "--input"))
		return "keyboard";
	if (!strcmp(t->opt.name, "--gpu"))
		return "2d";
	if (!strcmp(t->opt.name, "--vsock"))
		return "cid=3,uds=/tmp/keel-unit-vsock.sock";
	return NULL;	/* a flag */
}

START_TEST(every_type_complete)
{
	ck_assert_uint_ge(device_ntypes, 4);
	ck_assert_uint_le(device_ntypes, DEVICE_TYPES_MAX);
	for (size_t t = 0; t < device_ntypes; t++) {
		const struct device_type *d = &device_types[t];

		ck_assert_msg(!strncmp(d->opt.name, "--", 2), "option %s", d->opt.name);
		ck_assert_ptr_nonnull(d->add);
		ck_assert_ptr_nonnull(d->ops);
		ck_assert_ptr_nonnull(d->ops->name);
		ck_assert_ptr_nonnull(d->ops->count);
		ck_assert_ptr_nonnull(d->ops->create);
		ck_assert_ptr_nonnull(d->ops->destroy);
		ck_assert_msg((d->ops->open == NULL) == (d->ops->close == NULL), "%s: open without close", d->ops->name);
		ck_assert_msg((d->ops->save == NULL) == (d->ops->restore == NULL), "%s: save without restore",
			      d->ops->name);
		for (size_t u = 0; u < t; u++) {
			ck_assert_str_ne(d->opt.name, device_types[u].opt.name);
			ck_assert_ptr_ne(d->ops, device_types[u].ops);
		}
	}
}
END_TEST

/* Each option adds one device of its own type and none of the others. */
START_TEST(option_adds_its_type)
{
	char err[256];

	log_set_level(LOG_OFF);
	for (size_t t = 0; t < device_ntypes; t++) {
		const struct device_type *d = &device_types[t];
		struct vm_config c;
		unsigned int before[DEVICE_TYPES_MAX];

		vm_config_init(&c);
		for (size_t u = 0; u < device_ntypes; u++)
			before[u] = device_types[u].ops->count(&c.virtio);
		ck_assert_msg(d->add(&c, d->opt.value ? good_value(d) : NULL, err, sizeof(err)) == 0, "%s: %s",
			      d->opt.name, err);
		for (size_t u = 0; u < device_ntypes; u++)
			ck_assert_uint_eq(device_types[u].ops->count(&c.virtio), before[u] + (u == t));
		vm_config_free(&c);
	}
	log_set_level(LOG_WARN);
}
END_TEST

Suite *device_types_suite(void)
{
	Suite *s = suite_create("device_types");
	TCase *t = tcase_create("table");

	tcase_add_test(t, every_type_complete);
	tcase_add_test(t, option_adds_its_type);
	suite_add_tcase(s, t);
	return s;
}
