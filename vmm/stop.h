/* Stop requests: any thread asks the VM to end with an exit status; the first request wins and wakes the main loop. */
#ifndef KEEL_VMM_STOP_H
#define KEEL_VMM_STOP_H

#include <pthread.h>
#include <stdbool.h>

/*
 * The one handle through which a device or a vCPU ends the VM (debug-exit, power-off, reset, a
 * fatal exit, Ctrl-A x): it can ask for a stop and nothing else.
 */
struct stop_ctl {
	pthread_mutex_t lock;		/* guards the three fields below */
	bool requested;			/* first request wins */
	int status;			/* KEEL_EXIT_* or a debug-exit status */
	bool reset;			/* the winning request was the guest resetting the machine */
	int efd;			/* eventfd, written once when a stop is requested; -1 when closed */
};

/* stop_ctl_init - nothing requested yet, a fresh non-blocking eventfd. Returns 0 or -errno. */
int stop_ctl_init(struct stop_ctl *s);

/* stop_ctl_destroy - close the eventfd; safe after a failed or missing init (efd -1). */
void stop_ctl_destroy(struct stop_ctl *s);

/*
 * stop_request - ask the VM to end with @status; callable from any thread. The first request
 * wins; later ones are ignored. @why (may be NULL) is logged at info level.
 */
void stop_request(struct stop_ctl *s, int status, const char *why);

/* stop_reset - like stop_request with KEEL_EXIT_OK, marking the stop as the guest's reset (a reboot). */
void stop_reset(struct stop_ctl *s, const char *why);

/* stop_was_reset - whether the winning request was a reset. */
bool stop_was_reset(struct stop_ctl *s);

/* stop_status - the status of the winning request (0 when none came). */
int stop_status(struct stop_ctl *s);

#endif
