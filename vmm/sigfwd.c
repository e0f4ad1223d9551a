/* A fault signal's number sent by another process, forwarded from its handler to the stop signalfd. */
#include "vmm/sigfwd.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigfwd_signal(void)
{
	return SIGRTMIN + 1;
}

bool sigfwd_from_kill(int sig, const siginfo_t *si)
{
	siginfo_t fw;

	if (si->si_code > 0 || si->si_pid == getpid())
		return false;
	memset(&fw, 0, sizeof(fw));
	fw.si_signo = sigfwd_signal();
	fw.si_code = SI_QUEUE;
	fw.si_pid = getpid();
	fw.si_value.sival_int = sig;
	return syscall(SYS_rt_sigqueueinfo, getpid(), fw.si_signo, &fw) == 0;
}

void sigfwd_handler(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	if (!sigfwd_from_kill(sig, si))
		signal(sig, SIG_DFL);
}
