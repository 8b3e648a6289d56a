/* The --quota-exec hook, at least once.  A quota transition is queued in
 * the database (quota_hooks) in the transaction that records it; the queue
 * starts the oldest waiting hooks whenever a slot is free, and a row leaves
 * the queue only when its hook ran to its end or was killed at its timeout.
 * A hook cut short by a stop or a crash runs again at the next start with
 * the same PDTT_EVENT_ID.  Hooks never stall accounting: the daemon reaps
 * them when SIGCHLD wakes it, and never waits for one (but at exit, briefly). */
#ifndef PDTT_QUOTA_HOOKS_H
#define PDTT_QUOTA_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct sqlite3;

#define PDTT_HOOK_SLOTS 16

struct pdtt_hooks {
	const char *program; /* --quota-exec; NULL: no hooks, nothing queued */
	struct {
		struct timespec deadline; /* CLOCK_MONOTONIC: killed after it */
		int64_t event_id;
		pid_t pid;
	} run[PDTT_HOOK_SLOTS];
	int64_t *done; /* ran to the end; the queue row is not deleted yet */
	size_t n_done, cap_done;
	unsigned timeout; /* --quota-exec-timeout, seconds */
	int n_run;
	bool said_store;   /* a failed queue read or write was said */
	bool stopping;	   /* the daemon stops: queue, start nothing */
	bool store_failed; /* ... in this pump */
};

void pdtt_hooks_init(struct pdtt_hooks *h, const char *program, unsigned timeout);

/* One transition, as record_event stored it. */
struct pdtt_hook_event {
	const char *state, *per, *dir, *period; /* "over", "month", "total", "2026-10" */
	int64_t period_start, at;
	uint64_t used, limit;
	uint32_t uid;
};

/* Queues the hook for e in the caller's open transaction (nothing without
 * a program).  0 or an SQLite error code. */
int pdtt_hooks_queue(const struct pdtt_hooks *h, struct sqlite3 *db,
		     const struct pdtt_hook_event *e);

/* Reaps hooks that ended (and kills those past their timeout), stores
 * that they are done, and starts queued ones in the free slots, oldest
 * first.  now: the wall clock stored as the start. */
void pdtt_hooks_pump(struct pdtt_hooks *h, struct sqlite3 *db, int64_t now);

/* The daemon is stopping: transitions are still queued, no hook starts. */
void pdtt_hooks_stopping(struct pdtt_hooks *h);

/* At exit: waits for running hooks up to their timeout and 5 s at most;
 * those still running are killed and stay queued for the next start. */
void pdtt_hooks_stop(struct pdtt_hooks *h, struct sqlite3 *db);

/* Says how many hooks wait from an earlier run (at start). */
void pdtt_hooks_say_waiting(const struct pdtt_hooks *h, struct sqlite3 *db);

void pdtt_hooks_free(struct pdtt_hooks *h);

#endif
