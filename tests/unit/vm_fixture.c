/* A struct vm without KVM for the console and stop-device tests, and fx_run_for() to turn an event loop. */
#include "tests/unit/vm_fixture.h"

#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

static void stop_cb(void *opaque, int fd, uint32_t events)
{
	uint64_t v;

	(void)events;
	ck_assert_int_eq(read(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	evloop_stop(opaque);
}

void fx_run_for(struct evloop *loop, int ms)
{
	struct itimerspec its = { .it_value = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000L } };
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);

	ck_assert_int_ge(tfd, 0);
	ck_assert_int_eq(timerfd_settime(tfd, 0, &its, NULL), 0);
	ck_assert_int_eq(evloop_add(loop, tfd, EPOLLIN, stop_cb, loop), 0);
	ck_assert_int_eq(evloop_run(loop), 0);
	ck_assert_int_eq(evloop_del(loop, tfd), 0);
	close(tfd);
}

struct vm fx_vm;

void fx_vm_setup(void)
{
	const struct vm_config cfg = { .cmdline = "", .mem_size = 0, .ncpus = 1, .kvm_path = "/dev/null" };

	ck_assert_int_eq(vm_init(&fx_vm, &cfg), 0);
}

void fx_vm_teardown(void)
{
	vm_destroy(&fx_vm);
}

int fx_stop_status(bool *requested)
{
	int status;

	pthread_mutex_lock(&fx_vm.plat.stop.lock);
	*requested = fx_vm.plat.stop.requested;
	status = fx_vm.plat.stop.status;
	pthread_mutex_unlock(&fx_vm.plat.stop.lock);
	return status;
}
