/* The process's signal set-up, shared by `keel run` and `keel bench`: which signals stop keel, and blocking them early. */
#ifndef KEEL_VMM_SIGNALS_H
#define KEEL_VMM_SIGNALS_H

#include <signal.h>

/* signals_stop_set - fill @set with the signals that stop keel: SIGINT, SIGTERM, SIGHUP. */
void signals_stop_set(sigset_t *set);

/*
 * signals_block - call before any thread exists: block the stop signals (they are read from a
 * signalfd on the event loop), SIGUSR1 (a screenshot, the same way) and the vCPU kick signal (unblocked only in vCPU threads), and
 * ignore SIGPIPE (a closed stdout is not fatal).
 */
void signals_block(void);

#endif
