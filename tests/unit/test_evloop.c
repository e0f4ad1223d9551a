/* Unit tests of the event loop (vmm/evloop.c): add, pause, resume, delete, and deletion from a callback. */
#include "tests/unit/suites.h"

#include "tests/unit/vm_fixture.h"
#include "vmm/evloop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

struct counter {
	int calls;
	uint32_t events;
	struct evloop *loop;
	int other_fd;		/* deleted by the callback when >= 0 */
};

static void count_cb(void *opaque, int fd, uint32_t events)
{
	struct counter *c = opaque;
	char buf[16];

	c->calls++;
	c->events = events;
	if (read(fd, buf, sizeof(buf)) < 0)
		ck_abort_msg("read: %s", strerror(errno));
	if (c->other_fd >= 0)
		evloop_del(c->loop, c->other_fd);
}

START_TEST(evloop_add_mod_del)
{
	struct evloop loop;
	struct counter cnt = { .other_fd = -1 };
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(evloop_init(&loop), 0);
	ck_assert_int_eq(evloop_add(&loop, p[0], EPOLLIN, count_cb, &cnt), 0);
	ck_assert_int_eq(evloop_add(&loop, p[0], EPOLLIN, count_cb, &cnt), -EEXIST);
	ck_assert_int_eq(evloop_mod(&loop, p[1], EPOLLIN), -ENOENT);
	ck_assert_int_eq(evloop_del(&loop, p[1]), -ENOENT);

	ck_assert_int_eq(write(p[1], "a", 1), 1);
	fx_run_for(&loop, 20);
	ck_assert_int_eq(cnt.calls, 1);
	ck_assert(cnt.events & EPOLLIN);

	/* Paused: nothing is dispatched. */
	ck_assert_int_eq(evloop_mod(&loop, p[0], 0), 0);
	ck_assert_int_eq(write(p[1], "b", 1), 1);
	fx_run_for(&loop, 20);
	ck_assert_int_eq(cnt.calls, 1);

	/* Resumed: the waiting byte is seen. */
	ck_assert_int_eq(evloop_mod(&loop, p[0], EPOLLIN), 0);
	fx_run_for(&loop, 20);
	ck_assert_int_eq(cnt.calls, 2);

	/* Deleted: never again. */
	ck_assert_int_eq(evloop_del(&loop, p[0]), 0);
	ck_assert_int_eq(write(p[1], "c", 1), 1);
	fx_run_for(&loop, 20);
	ck_assert_int_eq(cnt.calls, 2);

	evloop_destroy(&loop);
	evloop_destroy(&loop);	/* idempotent */
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(evloop_delete_from_callback)
{
	struct evloop loop;
	struct counter a = { .other_fd = -1 }, b = { .other_fd = -1 };
	int pa[2], pb[2];

	ck_assert_int_eq(pipe2(pa, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(pb, O_CLOEXEC), 0);
	ck_assert_int_eq(evloop_init(&loop), 0);
	a.loop = b.loop = &loop;
	a.other_fd = pb[0];
	b.other_fd = pa[0];
	ck_assert_int_eq(evloop_add(&loop, pa[0], EPOLLIN, count_cb, &a), 0);
	ck_assert_int_eq(evloop_add(&loop, pb[0], EPOLLIN, count_cb, &b), 0);
	/* Both ready in the same batch; whichever runs first deletes the other. */
	ck_assert_int_eq(write(pa[1], "a", 1), 1);
	ck_assert_int_eq(write(pb[1], "b", 1), 1);
	fx_run_for(&loop, 20);
	ck_assert_int_eq(a.calls + b.calls, 1);
	evloop_destroy(&loop);
	close(pa[0]);
	close(pa[1]);
	close(pb[0]);
	close(pb[1]);
}
END_TEST

Suite *evloop_suite(void)
{
	Suite *s = suite_create("evloop");
	TCase *loop = tcase_create("evloop");

	tcase_add_test(loop, evloop_add_mod_del);
	tcase_add_test(loop, evloop_delete_from_callback);
	suite_add_tcase(s, loop);
	return s;
}
