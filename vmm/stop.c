/* Stop requests: the first status wins, an eventfd tells the main loop. */
#include "vmm/stop.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/log.h"

int stop_ctl_init(struct stop_ctl *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return s->efd < 0 ? -errno : 0;
}

void stop_ctl_destroy(struct stop_ctl *s)
{
	if (s->efd >= 0)
		close(s->efd);
	s->efd = -1;
	pthread_mutex_destroy(&s->lock);
}

static void stop_request_as(struct stop_ctl *s, int status, bool reset, const char *why)
{
	uint64_t one = 1;
	bool first;

	pthread_mutex_lock(&s->lock);
	first = !s->requested;
	if (first) {
		s->requested = true;
		s->status = status;
		s->reset = reset;
	}
	pthread_mutex_unlock(&s->lock);
	if (!first)
		return;
	if (why)
		log_info("%s (exit status %d)", why, status);
	if (s->efd >= 0 && write(s->efd, &one, sizeof(one)) < 0)
		log_debug("stop eventfd: %s", strerror(errno));
}

void stop_request(struct stop_ctl *s, int status, const char *why)
{
	stop_request_as(s, status, false, why);
}

void stop_reset(struct stop_ctl *s, const char *why)
{
	stop_request_as(s, 0, true, why);
}

bool stop_was_reset(struct stop_ctl *s)
{
	bool reset;

	pthread_mutex_lock(&s->lock);
	reset = s->requested && s->reset;
	pthread_mutex_unlock(&s->lock);
	return reset;
}

int stop_status(struct stop_ctl *s)
{
	int status;

	pthread_mutex_lock(&s->lock);
	status = s->status;
	pthread_mutex_unlock(&s->lock);
	return status;
}
