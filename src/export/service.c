/* systemd notifications (service.h). */
#include "service.h"

#include <stdio.h>
#include <systemd/sd-daemon.h>

void pdtt_service_init(struct pdtt_service *s)
{
	uint64_t usec = 0;

	s->watchdog_usec = sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
	s->last_ping = (struct timespec){ 0, 0 };
}

void pdtt_service_ready(struct pdtt_service *s, const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
	if (s->watchdog_usec)
		clock_gettime(CLOCK_MONOTONIC, &s->last_ping);
}

static int64_t usec_between(const struct timespec *a, const struct timespec *b)
{
	return ((int64_t)b->tv_sec - a->tv_sec) * 1000000 + (b->tv_nsec - a->tv_nsec) / 1000;
}

void pdtt_service_alive(struct pdtt_service *s, const struct timespec *now)
{
	if (!s->watchdog_usec || usec_between(&s->last_ping, now) < (int64_t)s->watchdog_usec / 2)
		return;
	sd_notify(0, "WATCHDOG=1");
	s->last_ping = *now;
}

long pdtt_service_max_sleep_ms(const struct pdtt_service *s, const struct timespec *now)
{
	int64_t left;

	if (!s->watchdog_usec)
		return -1;
	left = (int64_t)s->watchdog_usec / 2 - usec_between(&s->last_ping, now);
	return left > 0 ? (long)((left + 999) / 1000) : 0;
}

void pdtt_service_reloading(void)
{
	struct timespec now;
	char msg[64];

	/* systemd 253+ wants the time with RELOADING=1; older ones ignore it */
	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)now.tv_sec * 1000000ULL +
			 (unsigned long long)now.tv_nsec / 1000ULL);
	sd_notify(0, msg);
}

void pdtt_service_reloaded(void)
{
	sd_notify(0, "READY=1");
}

void pdtt_service_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
