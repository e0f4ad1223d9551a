/* The process's signal set-up, shared by `keel run` and `keel bench`. */
#include "vmm/signals.h"

#include "vcpu/vcpu.h"

#include <pthread.h>

void signals_stop_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void signals_block(void)
{
	sigset_t set;

	signals_stop_set(&set);
	sigaddset(&set, SIGUSR1);	/* a screenshot, read on `keel run`'s event loop (vmm/vm.c) */
	sigaddset(&set, vcpu_kick_signal());
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}
