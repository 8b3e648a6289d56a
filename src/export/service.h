/* The service manager's side (systemd's Type=notify, through libsystemd's
 * sd_notify): readiness once the programs are attached and the database is
 * open, watchdog pings from the loop, reloading and stopping.  Without
 * NOTIFY_SOCKET (a terminal, cron, another supervisor) every call is a
 * no-op. */
#ifndef PDTT_SERVICE_H
#define PDTT_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct pdtt_service {
	uint64_t watchdog_usec; /* WatchdogSec= for this process; 0: none */
	struct timespec last_ping;
};

/* Reads the watchdog's period (WATCHDOG_USEC, for this pid only). */
void pdtt_service_init(struct pdtt_service *s);
/* READY=1 with a STATUS= line. */
void pdtt_service_ready(struct pdtt_service *s, const char *status);
/* WATCHDOG=1 when half the period has passed since the last ping (now:
 * CLOCK_MONOTONIC). */
void pdtt_service_alive(struct pdtt_service *s, const struct timespec *now);
/* How long the loop may sleep after now (CLOCK_MONOTONIC) before it must
 * ping, in ms; -1: no limit. */
long pdtt_service_max_sleep_ms(const struct pdtt_service *s, const struct timespec *now);
void pdtt_service_reloading(void);
void pdtt_service_reloaded(void);
void pdtt_service_stopping(void);

#endif
