/* The process's signal set-up, shared by `keel run`, `keel firecracker` and `keel bench`. */
#include "vmm/signals.h"

#include "vcpu/vcpu.h"
#include "vmm/sigfwd.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* The fault signals: keel's own faults dump core; the same numbers sent by kill are forwarded. */
static const int fault_sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS };

void signals_stop_set(sigset_t *set)
{
	static const int stops[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU,
				     SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR };

	sigemptyset(set);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaddset(set, stops[i]);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		if (s != vcpu_kick_signal())
			sigaddset(set, s);	/* sigfwd_signal() among them */
}

void signals_block(void)
{
	struct sigaction sa, old;
	sigset_t set;

	signals_stop_set(&set);
	sigaddset(&set, vcpu_kick_signal());
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigfwd_handler;	/* a kill forwarded, a real fault left to its default */
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fault_sigs) / sizeof(fault_sigs[0]); i++)
		if (sigaction(fault_sigs[i], NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
		    old.sa_handler == SIG_DFL)
			sigaction(fault_sigs[i], &sa, NULL);
}

int signals_number(const struct signalfd_siginfo *si)
{
	/* forwarded by keel's own handler; the same number sent by another process is itself */
	if ((int)si->ssi_signo == sigfwd_signal() && si->ssi_pid == (uint32_t)getpid() && si->ssi_int > 0 &&
	    si->ssi_int < NSIG)
		return si->ssi_int;
	return (int)si->ssi_signo;
}
