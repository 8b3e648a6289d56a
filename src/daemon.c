/* Daemon shell: checks, attach, the per-interval loop and its outputs.
 * The arithmetic lives in snapshot.c / user_totals.c / report_format.c. */
#include "daemon.h"

#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <pwd.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clocktrust.h"
#include "collector.h"
#include "errmsg.h"
#include "ifwatch.h"
#include "logfile.h"
#include "metrics.h"
#include "names.h"
#include "pdtt_exit.h"
#include "privileges.h"
#include "quota_cmd.h"
#include "quota_hooks.h"
#include "sql_embedded.h"
#include "report_format.h"
#include "retention.h"
#include "service.h"
#include "store.h"
#include "sysenv.h"
#include "table.h"
#include "timebucket.h"
#include "upgrade.h"
#include "version.h"
#include "user_totals.h"
#include "writer_lock.h"
#include "zone.h"

struct pdtt_daemon {
	const struct pdtt_options *opts;
	struct pdtt_collector collector;
	struct pdtt_iface_sel ifaces[PDTT_MAX_IFACES]; /* the -i names present at start */
	struct pdtt_ifwatch ifwatch; /* follows the -i names for the daemon's life */
	char cgroup_path[4096];
	int n_ifaces;
	int sig_fd;		   /* signalfd for SIGINT, SIGTERM and SIGHUP */
	enum pdtt_console console; /* resolved: never PDTT_CONSOLE_AUTO */
	bool console_tty;
	bool read_failing;
	struct pdtt_logfile log;
	struct pdtt_snapshot prev, cur, delta;
	/* Idle keys: removed from the kernel map with their final counters. */
	unsigned idle_reads;	    /* unchanged reads before a key goes; 0 never */
	bool take_off;		    /* the kernel cannot remove keys that way */
	bool take_failing;	    /* the last removal failed (said once) */
	struct pdtt_snapshot taken; /* removed, not yet in the log totals */
	struct pdtt_user_table users;
	struct pdtt_lost_info lost;
	uint64_t lost_warned_packets;
	struct pdtt_buf buf;
	struct timespec last_tick;
	struct timespec late_said; /* when a late interval was last reported */
	unsigned long late_count;  /* late intervals since then */
	uint64_t netns_cookie;	   /* the daemon's netns as the programs key it */

	/* History (absent with --no-db) */
	bool have_db;
	struct pdtt_writer_lock writer; /* held while the daemon runs */
	char db_path[4096];
	char pin_dir[4096];
	struct pdtt_upgrade upgrade; /* an older layout's pins being taken over */
	struct pdtt_store store;
	struct pdtt_snapshot committed; /* kernel counters as of the last commit */
	struct pdtt_snapshot retired;	/* removed keys' counters, not yet committed */
	struct pdtt_snapshot view;	/* kernel + retired: what a commit is diffed on */
	int64_t last_end;		/* wall-clock end of the last commit */
	char boot_id[64];
	bool reset_pending; /* the map is new: drop the stored baseline */
	bool store_failing;
	bool committed_now; /* this interval stored rows: the metrics reread them */
	struct timespec last_prune;
	struct pdtt_user_table names; /* uid -> name cache for the database */
	struct pdtt_names *resolver;  /* NSS, off the accounting path */
	struct pdtt_commit_row *rows;
	size_t rows_cap;
	struct pdtt_quota_watch quota; /* the current periods' usage per user */
	char (*labels)[2][24];

	struct {
		uint32_t ifindex;
		char name[IF_NAMESIZE];
	} ifnames[64]; /* this interval's ifindex -> name lookups */
	int n_ifnames;

	struct pdtt_hooks hooks;	    /* --quota-exec: the queue's running hooks */
	struct pdtt_audit_row *quota_retry; /* transitions a failed write left over */
	size_t n_quota_retry, cap_quota_retry;
	struct pdtt_clock clock;    /* whether the wall clock is trusted (dated_now) */
	int64_t dated_now;	    /* this interval's time (dated_now, read once in collect) */
	int64_t dated_boot_ms;	    /* CLOCK_BOOTTIME at the whole second dated_now gave */
	int64_t prune_base;	    /* the stored last end at start (0: none) ... */
	int64_t prune_base_boot_ms; /* ... and CLOCK_BOOTTIME then */
	bool clock_hold;	    /* a step back is watched: commit nothing yet */
	int64_t wall_now;	    /* the wall clock as dated_now last read it */

	bool have_runas; /* --user: switch to it once attached */
	struct pdtt_runas runas;
	struct pdtt_service service; /* systemd's notify socket and watchdog */

	struct pdtt_metrics *metrics; /* --metrics, --metrics-textfile; NULL: none */
	int64_t start_time;
	uint64_t commit_failures; /* intervals whose commit failed, this run */
};

/* SIGINT, SIGTERM and SIGHUP stay blocked and are taken synchronously by
 * sigtimedwait in the loop: one that arrives while an interval is being
 * written is handled right after it, never lost until the next interval. */
static sigset_t loop_signals;

static void install_signals(void)
{
	struct sigaction sa = { 0 };

	sigemptyset(&loop_signals);
	sigaddset(&loop_signals, SIGINT);
	sigaddset(&loop_signals, SIGTERM);
	sigaddset(&loop_signals, SIGHUP);
	sigaddset(&loop_signals, SIGCHLD); /* a quota hook ended: free its slot */
	sigprocmask(SIG_BLOCK, &loop_signals, NULL);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Names for a table's users from the resolver's cache (asking it for the
 * new ones); a name once known is kept while the directory is down.
 * settle: wait that long at most for the new ones' answers. */
static void resolve_names(struct pdtt_daemon *d, struct pdtt_user_table *t, int settle)
{
	bool missing = false;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < t->n; i++) {
			struct pdtt_user_stat *u = &t->u[i];
			char name[PDTT_NAME_MAX];

			if (pass && u->name[0])
				continue;
			pdtt_names_get(d->resolver, u->uid, name, sizeof(name));
			if (name[0])
				snprintf(u->name, sizeof(u->name), "%s", name);
			missing |= !u->name[0];
		}
		if (!missing || !settle)
			break;
		pdtt_names_settle(d->resolver, settle);
		missing = false;
	}
}

/* Users an earlier run stored without a name are asked again too (the
 * thread, at its own pace), not only the ones that move data now. */
static void ask_unnamed(struct pdtt_daemon *d)
{
	sqlite3_stmt *st = NULL;
	char name[PDTT_NAME_MAX];

	if (sqlite3_prepare_v2(d->store.db, pdtt_sql_unnamed_users, -1, &st, NULL) != SQLITE_OK) {
		pdtt_say("database '%s': cannot list users without a name: %s; they are named "
			 "when they move data",
			 d->db_path, sqlite3_errmsg(d->store.db));
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		pdtt_names_get(d->resolver, (uint32_t)sqlite3_column_int64(st, 0), name,
			       sizeof(name));
	sqlite3_finalize(st);
}

/* Names that appeared (a directory back from an outage) or changed reach
 * the users table, also for users idle now; what fails is kept. */
static void store_names(struct pdtt_daemon *d)
{
	struct pdtt_name_change *c;
	size_t n = pdtt_names_take_changed(d->resolver, &c);

	if (n && pdtt_store_set_user_names(&d->store, c, n)) {
		pdtt_say("database %s: cannot store %zu user names: %s; tried again next interval",
			 d->db_path, n, sqlite3_errmsg(d->store.db));
		pdtt_names_untake(d->resolver, c, n);
	}
	free(c);
}

static int read_boot_id(char *out, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	int ok = f && fgets(out, (int)len, f);

	if (f)
		fclose(f);
	if (!ok)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

/* Looks up every uid of the delta first: pointers into d->names stay
 * valid only while no entry is added. */
static int cache_names(struct pdtt_daemon *d, const struct pdtt_snapshot *delta)
{
	for (size_t i = 0; i < delta->n; i++)
		if (!pdtt_users_get(&d->names, delta->e[i].key.uid))
			return -ENOMEM;
	resolve_names(d, &d->names, 0); /* the commit never waits for NSS */
	return 0;
}

static const char *cached_name(struct pdtt_daemon *d, uint32_t uid)
{
	struct pdtt_user_stat *u = pdtt_users_get(&d->names, uid); /* present: no realloc */

	return u && u->name[0] ? u->name : NULL;
}

/* Interface name and namespace label for a key: names for the daemon's own
 * namespace, "if<N>" / "netns:<cookie>" for others. */
static void iface_labels(struct pdtt_daemon *d, const struct pdtt_key *k, char name[24],
			 char netns[24])
{
	char ifname[IF_NAMESIZE];

	if (k->netns_cookie == d->netns_cookie) {
		const char *watched = pdtt_ifwatch_name(&d->ifwatch, k->ifindex);

		snprintf(netns, 24, "host");
		/* A watched interface's rows carry the name they were counted
		 * under, also after it was renamed away or deleted. */
		if (watched) {
			snprintf(name, 24, "%s", watched);
			return;
		}
		/* one lookup per interface and interval, not per row */
		for (int i = 0; i < d->n_ifnames; i++)
			if (d->ifnames[i].ifindex == k->ifindex) {
				snprintf(name, 24, "%s", d->ifnames[i].name);
				return;
			}
		if (if_indextoname(k->ifindex, ifname)) {
			snprintf(name, 24, "%s", ifname);
			if (d->n_ifnames < (int)(sizeof(d->ifnames) / sizeof(d->ifnames[0]))) {
				d->ifnames[d->n_ifnames].ifindex = k->ifindex;
				snprintf(d->ifnames[d->n_ifnames++].name, IF_NAMESIZE, "%s",
					 ifname);
			}
			return;
		}
	} else {
		snprintf(netns, 24, "netns:%llu", (unsigned long long)k->netns_cookie);
	}
	snprintf(name, 24, "if%u", k->ifindex);
}

/* A failed write of transitions: the warn and over rows (both the ones
 * kept from before and these) wait for the next check.  Without memory
 * the new ones rely on the watch finding them again. */
static void keep_transitions(struct pdtt_daemon *d, const struct pdtt_audit_row *rows, size_t n)
{
	size_t want = d->n_quota_retry + n;
	struct pdtt_audit_row *k;

	if (want > d->cap_quota_retry) {
		k = realloc(d->quota_retry, want * sizeof(*k));
		if (!k)
			return;
		d->quota_retry = k;
		d->cap_quota_retry = want;
	}
	for (size_t i = 0; i < n; i++)
		if (rows[i].state != PDTT_QUOTA_OK)
			d->quota_retry[d->n_quota_retry++] = rows[i];
}

/* After each commit: report each user's first warn and over per period,
 * once (quota_events remembers across restarts).  The transitions, and
 * their hooks' queue rows, are stored in one transaction before anything
 * is said, so a failed write says nothing and the next check retries. */
static void check_quotas(struct pdtt_daemon *d, const struct pdtt_commit *c)
{
	struct pdtt_audit_row *rows;
	sqlite3_stmt *st = NULL;
	struct pdtt_buf lines;
	int64_t at = c->span.end;
	size_t n;
	int rc = pdtt_quota_watch_check(&d->quota, d->store.db, c->rows, c->n_rows, at, &rows, &n);

	if (!rc)
		pdtt_metrics_set_quotas(d->metrics, rows, n);
	if (rc) {
		pdtt_say("database %s: quota check failed: %s; retried next interval", d->db_path,
			 rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(d->store.db));
		return;
	}
	pdtt_buf_init(&lines);
	/* transitions a failed write left over come first: the watch has moved
	 * on (a day's last interval is followed by the next day) */
	for (size_t i = 0; i < d->n_quota_retry + n && rc == SQLITE_OK; i++) {
		const struct pdtt_audit_row *r =
			i < d->n_quota_retry ? &d->quota_retry[i] : &rows[i - d->n_quota_retry];
		struct pdtt_hook_event e = { .state = r->state == PDTT_QUOTA_OVER ? "over" : "warn",
					     .per = pdtt_per_name(r->per),
					     .dir = pdtt_dir_name(r->dir),
					     .period_start = r->period.from,
					     .at = at,
					     .used = r->used,
					     .limit = r->limit,
					     .uid = r->uid };
		char period[24], uid[16];
		char *name;

		if (r->state == PDTT_QUOTA_OK)
			continue;
		if (!st) {
			rc = sqlite3_exec(d->store.db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
			if (rc == SQLITE_OK)
				rc = sqlite3_prepare_v2(d->store.db, pdtt_sql_record_event, -1, &st,
							NULL);
			if (rc != SQLITE_OK)
				break;
		}
		sqlite3_bind_int64(st, 1, r->uid);
		sqlite3_bind_text(st, 2, e.per, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, r->period.from);
		sqlite3_bind_text(st, 4, pdtt_state_name(r->state), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, at);
		sqlite3_bind_int64(st, 6, (int64_t)r->used);
		sqlite3_bind_int64(st, 7, (int64_t)r->limit);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(d->store.db);
		sqlite3_reset(st);
		if (rc != SQLITE_OK || sqlite3_changes(d->store.db) != 1)
			continue; /* already reported */
		pdtt_period_label(r->per, r->period.from, period, sizeof(period));
		e.period = period;
		rc = pdtt_hooks_queue(&d->hooks, d->store.db, &e);
		name = pdtt_user_name(d->store.db, r->uid);
		snprintf(uid, sizeof(uid), "%" PRIu32, r->uid);
		pdtt_buf_printf(&lines,
				"QUOTA %s uid=%s user=%s used=%" PRIu64 " limit=%" PRIu64
				" period=%s per=%s dir=%s\n",
				r->state == PDTT_QUOTA_OVER ? "OVER" : "WARN", uid,
				name ? name : uid, r->used, r->limit, period, e.per, e.dir);
		free(name);
	}
	sqlite3_finalize(st);
	if (st && rc == SQLITE_OK)
		rc = sqlite3_exec(d->store.db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		pdtt_say("database '%s': cannot record quota transitions: %s; they are kept and "
			 "recorded at the next commit",
			 d->db_path, sqlite3_errmsg(d->store.db));
		if (!sqlite3_get_autocommit(d->store.db))
			sqlite3_exec(d->store.db, "ROLLBACK", NULL, NULL, NULL);
		keep_transitions(d, rows, n);
	} else if (lines.len) {
		int wrc = pdtt_logfile_write(&d->log, lines.p, lines.len);

		if (wrc)
			pdtt_say("log %s: %s; the QUOTA lines below are on stderr and in the "
				 "database (quota_events); check the free space and permissions of "
				 "the log's file system",
				 d->opts->log_path, strerror(-wrc));
		fwrite(lines.p, 1, lines.len, stderr);
	}
	if (rc == SQLITE_OK)
		d->n_quota_retry = 0;
	pdtt_buf_free(&lines);
	pdtt_audit_free(rows, n);
	if (d->opts->quota_exec)
		pdtt_hooks_pump(&d->hooks, d->store.db, at);
}

/* One commit row per entry of d->delta; now holds what the kernel has, the
 * baselines the rows store (a key not in it has none). */
static int build_rows(struct pdtt_daemon *d, const struct pdtt_snapshot *now)
{
	if (cache_names(d, &d->delta))
		return -ENOMEM;
	if (d->rows_cap < d->delta.n) {
		size_t cap = d->delta.n * 2;
		void *r = realloc(d->rows, cap * sizeof(*d->rows));
		void *l = r ? realloc(d->labels, cap * sizeof(*d->labels)) : NULL;

		if (r)
			d->rows = r;
		if (!l)
			return -ENOMEM;
		d->labels = l;
		d->rows_cap = cap;
	}
	for (size_t i = 0; i < d->delta.n; i++) {
		struct pdtt_commit_row *r = &d->rows[i];
		const struct pdtt_entry *cum =
			now ? pdtt_snapshot_find(now, &d->delta.e[i].key) : NULL;

		r->key = d->delta.e[i].key;
		r->delta = d->delta.e[i].val;
		/* The baseline is what the kernel holds now, not the sum. */
		r->gone = !cum;
		r->cumulative = cum ? cum->val : (struct pdtt_value){ 0 };
		r->user_name = cached_name(d, r->key.uid);
		iface_labels(d, &r->key, d->labels[i][0], d->labels[i][1]);
		r->iface_name = d->labels[i][0];
		r->netns = d->labels[i][1];
	}
	return 0;
}

static int64_t ms_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

static void describe_step(int64_t step_ms, char *out, size_t len)
{
	double s = (double)step_ms / 1000;
	double a = s < 0 ? -s : s;

	if (a >= 86400)
		snprintf(out, len, "%+.1f days", s / 86400);
	else if (a >= 3600)
		snprintf(out, len, "%+.1f hours", s / 3600);
	else
		snprintf(out, len, "%+.0f s", s);
}

/* The time rows are dated with: the wall clock, unless it has just stepped
 * (clocktrust.h).  One line when a step is seen, and one when it is gone
 * or adopted.  Read once per interval (collect): d->dated_now. */
static int64_t dated_now(struct pdtt_daemon *d)
{
	struct timespec wall, boot;
	struct pdtt_clock_reading r;
	char step[48];

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	d->wall_now = wall.tv_sec;
	r = pdtt_clock_read(&d->clock, ms_of(&wall), ms_of(&boot));
	d->dated_now = r.now;
	d->dated_boot_ms = ms_of(&boot) - (r.now_ms - r.now * 1000);
	d->clock_hold = r.hold;
	describe_step(r.step_ms, step, sizeof(step));
	switch (r.event) {
	case PDTT_CLOCK_STEP_SEEN:
		pdtt_say("clock: the wall clock stepped by %s; %s until the step has held for %d s",
			 step,
			 r.step_ms < 0
				 ? "counts wait in the kernel"
				 : "rows are dated by the last trusted time plus CLOCK_BOOTTIME",
			 PDTT_CLOCK_ADOPT_MS / 1000);
		break;
	case PDTT_CLOCK_STEP_GONE:
		pdtt_say("clock: the wall clock is back (it had stepped by %s); no row was dated "
			 "by the step",
			 step);
		break;
	case PDTT_CLOCK_STEP_ADOPTED:
		pdtt_say("clock: the wall clock's step of %s held for %d s: adopted, rows are "
			 "dated by it from now on",
			 step, PDTT_CLOCK_ADOPT_MS / 1000);
		break;
	case PDTT_CLOCK_STEADY:
	case PDTT_CLOCK_STEPPING:
		break;
	}
	return r.now;
}

/* Commits this interval's change against the last committed baseline.  A
 * failed commit keeps the baseline (and the removed keys' counters), so the
 * next one carries the gap. */
static void record_history(struct pdtt_daemon *d, const struct pdtt_snapshot *now)
{
	const struct pdtt_snapshot *counted = now;
	struct pdtt_commit c = { 0 };
	char err[512];
	int rc;

	if (!d->have_db)
		return;
	d->n_ifnames = 0; /* interfaces come and go: names are per interval */
	/* Removed keys count with their final counters, plus whatever a key
	 * that came back has counted since. */
	if (d->retired.n) {
		if (pdtt_snapshot_sum(now, &d->retired, &d->view))
			goto oom;
		counted = &d->view;
	}
	if (pdtt_snapshot_diff(&d->committed, counted, &d->delta) || build_rows(d, now))
		goto oom;
	c.span = pdtt_plan_sample(d->last_end, d->dated_now);
	c.end_boot_ms = d->dated_boot_ms;
	/* Same second as the last commit, or a step back being watched: the
	 * counts wait in the kernel for the next interval. */
	if (c.span.end == c.span.start || d->clock_hold)
		return;
	c.rows = d->rows;
	c.n_rows = d->delta.n;
	c.removed = &d->retired;
	c.reset_baseline = d->reset_pending;
	c.boot_id = d->boot_id;
	c.map_id = d->collector.map_id;
	rc = pdtt_store_commit(&d->store, &c, err, sizeof(err));
	if (rc) {
		d->commit_failures++;
		if (!d->store_failing)
			pdtt_say("database %s: cannot store this interval: %s; nothing is lost, "
				 "the next interval that can be stored includes it",
				 d->db_path, err);
		d->store_failing = true;
		return;
	}
	if (pdtt_snapshot_copy(&d->committed, now)) {
		/* The database has the new baseline; reload it rather than guess. */
		struct pdtt_store_state st;

		pdtt_store_load(&d->store, &st, &d->committed);
	}
	if (d->store_failing)
		pdtt_say("database %s: storing again; the interval since %lld is complete",
			 d->db_path, (long long)c.span.start);
	d->store_failing = false;
	pdtt_snapshot_clear(&d->retired);
	d->last_end = c.span.end;
	d->committed_now = true;
	d->reset_pending = false;
	check_quotas(d, &c);
	return;
oom:
	pdtt_say("database: out of memory; the next interval retries");
}

static void prune_history(struct pdtt_daemon *d, const struct timespec *now)
{
	struct pdtt_cutoffs c;
	int64_t now_s;
	char err[512];

	if (!d->have_db || (d->last_prune.tv_sec && now->tv_sec - d->last_prune.tv_sec < 3600))
		return;
	d->last_prune = *now;
	/* Never ahead of the boot time elapsed since the stored last end: a
	 * clock far ahead after a reboot, or a wrong step adopted, prunes
	 * nothing the history has not seen age (pdtt_prune_reference).  While
	 * a step is watched either the wall clock or the extrapolation is the
	 * real present: the earlier of the two prunes nothing within retention
	 * of it (a start at the real time after commits dated 400 days ahead
	 * would otherwise roll the real week's samples into hours). */
	now_s = dated_now(d);
	if (d->clock.stepping && d->wall_now < now_s)
		now_s = d->wall_now;
	if (d->prune_base) {
		struct timespec boot;

		clock_gettime(CLOCK_BOOTTIME, &boot);
		now_s = pdtt_prune_reference(now_s, d->prune_base, d->prune_base_boot_ms,
					     ms_of(&boot));
	}
	c = pdtt_retention_cutoffs(&d->opts->retention, now_s);
	if (pdtt_store_prune(&d->store, &c, err, sizeof(err)))
		pdtt_say("database %s: pruning old rows failed: %s; retried in an hour", d->db_path,
			 err);
	/* Rows that moved to monthly totals no longer count for days and weeks:
	 * where retention reached into the current periods, read them again. */
	if (c.daily != INT64_MIN && c.daily > d->quota.usage.periods[PDTT_PER_WEEK].from)
		pdtt_quota_watch_forget(&d->quota);
}

static double seconds_since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Removes the keys that have not moved for idle_reads reads, in one step
 * each that returns their final counters (which go into cur): nothing a
 * program adds between the read and the removal is lost.  Not while the
 * database is failing: a key's last counters would then live only here. */
static void take_idle(struct pdtt_daemon *d)
{
	size_t candidates = 0;
	struct pdtt_span next;

	if (!d->idle_reads || d->take_off || d->store_failing)
		return;
	/* Only when this interval's commit will run (not in the same second
	 * as the last one): removed counters must not wait. */
	next = pdtt_plan_sample(d->last_end, d->dated_now);
	if (d->have_db && (next.end == next.start || d->clock_hold))
		return;
	for (size_t i = 0; i < d->cur.n; i++)
		candidates += d->cur.e[i].idle >= d->idle_reads;
	/* Room first: a removed key's counters must have a place to go. */
	if (!candidates)
		return;
	if (pdtt_snapshot_reserve(&d->taken, candidates) ||
	    pdtt_snapshot_reserve(&d->retired, candidates)) {
		pdtt_say("removing idle table keys: out of memory; they stay and are counted, the "
			 "next interval tries again");
		return;
	}
	for (size_t i = 0; i < d->cur.n; i++) {
		struct pdtt_entry *e = &d->cur.e[i];
		struct pdtt_value final;
		int rc;

		if (e->idle < d->idle_reads || pdtt_snapshot_find(&d->taken, &e->key))
			continue;
		rc = pdtt_collector_take(&d->collector, &e->key, &final);
		if (rc == -ENOENT)
			continue;
		if (rc == -EOPNOTSUPP || rc == -EINVAL || rc == -524) {
			pdtt_say("warning: the kernel cannot read and remove a table key in one "
				 "step (Linux 5.14+): idle keys stay; size --max-entries for every "
				 "user, interface and network namespace that ever moves data");
			d->take_off = true;
			return;
		}
		if (rc) {
			if (!d->take_failing)
				pdtt_say("removing idle table keys: %s; they stay and are counted, "
					 "the next interval tries again",
					 strerror(-rc));
			d->take_failing = true;
			return;
		}
		d->take_failing = false;
		e->val = final;
		/* Cannot fail: the room is reserved. */
		pdtt_snapshot_add(&d->taken, &e->key, &final);
		if (d->have_db)
			pdtt_snapshot_add(&d->retired, &e->key, &final);
	}
}

/* At exit, removed keys whose counters the database never took (its commits
 * failed) go back into the kernel table, where the stored baseline still
 * matches them; a key that came back meanwhile is taken again and put back
 * with both counts. */
static void put_back_retired(struct pdtt_daemon *d)
{
	uint64_t lost = 0;
	const char *why = "";

	for (size_t i = 0; i < d->retired.n; i++) {
		const struct pdtt_entry *e = &d->retired.e[i];
		struct pdtt_value v = e->val, again;
		int rc = -EEXIST;

		if (pdtt_value_is_zero(&v))
			continue; /* a stale baseline's key: nothing to keep */
		for (int tries = 0; rc == -EEXIST && tries < 3; tries++) {
			rc = pdtt_collector_put_back(&d->collector, &e->key, &v);
			if (rc == -EEXIST && !pdtt_collector_take(&d->collector, &e->key, &again))
				pdtt_value_add(&v, &again);
		}
		if (rc) {
			lost += pdtt_value_total_bytes(&v);
			why = strerror(-rc);
		}
	}
	if (lost)
		pdtt_say(
			"database %s: %llu bytes of removed table keys could neither be stored nor "
			"put back into the kernel table (%s); the history lacks them",
			d->db_path, (unsigned long long)lost, why);
	pdtt_snapshot_clear(&d->retired);
}

/* Reads the kernel's counters and folds the change into the totals.  On a
 * read failure the baseline stays, so the next good read carries the gap. */
static void collect(struct pdtt_daemon *d, bool final)
{
	int rc = pdtt_collector_read(&d->collector, &d->cur);

	dated_now(d); /* one reading for the whole interval: idle keys, commit, report */
	pdtt_users_begin_interval(&d->users);
	/* Keys removed in an interval that then failed still count. */
	if (!rc && d->taken.n) {
		rc = pdtt_snapshot_sum(&d->cur, &d->taken, &d->view);
		if (!rc)
			pdtt_snapshot_swap(&d->cur, &d->view);
	}
	if (!rc) {
		pdtt_snapshot_age(&d->prev, &d->cur);
		if (!final) /* the last counters of a stop stay in the kernel */
			take_idle(d);
	}
	if (!rc)
		rc = pdtt_snapshot_diff(&d->prev, &d->cur, &d->delta);
	if (!rc)
		rc = pdtt_users_add_deltas(&d->users, &d->delta);
	if (rc) {
		if (!d->read_failing)
			pdtt_say("reading the kernel counters: %s; the next interval will include "
				 "this one's traffic",
				 strerror(-rc));
		d->read_failing = true;
		return;
	}
	d->read_failing = false;
	pdtt_snapshot_swap(&d->prev, &d->cur);
	/* What the kernel holds now: a removed key is gone (it starts from
	 * zero if it comes back), one that came back since holds only its new
	 * counters. */
	pdtt_snapshot_subtract(&d->prev, &d->taken);
	pdtt_snapshot_clear(&d->taken);
	record_history(d, &d->prev);
	resolve_names(d, &d->users, 20);
	if (d->have_db)
		store_names(d);
	if (!pdtt_collector_read_lost(&d->collector, &d->lost) &&
	    d->lost.packets > d->lost_warned_packets) {
		char warn[256];

		pdtt_format_lost(&d->lost, warn, sizeof(warn));
		pdtt_say("%s", warn);
		d->lost_warned_packets = d->lost.packets;
	}
}

/* The terminal's size now (it may have been resized); 24x80 if unknown. */
static struct pdtt_screen screen_size(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_row || !ws.ws_col)
		return (struct pdtt_screen){ 24, 80 };
	return (struct pdtt_screen){ ws.ws_row, ws.ws_col };
}

/* The console's view of the interval, in the order its mode shows users. */
static void show_console(struct pdtt_daemon *d, const struct tm *tm, double secs,
			 const struct pdtt_user_stat **users)
{
	struct pdtt_console_view v = { .users = users, .n = d->users.n, .lost = &d->lost };

	pdtt_users_sum(&d->users, &v.total, &v.interval);
	pdtt_buf_reset(&d->buf);
	v.active = pdtt_users_changed(users, d->users.n, users + d->users.n);
	if (d->console == PDTT_CONSOLE_TABLE) {
		struct pdtt_screen scr = screen_size();

		pdtt_users_by_rate(&d->users, users);
		if (d->console_tty)
			pdtt_buf_printf(&d->buf, "\033[H\033[2J");
		pdtt_format_console_table(&d->buf, tm, secs, &v, &scr);
	} else {
		if (d->console == PDTT_CONSOLE_USERS)
			pdtt_format_console_users(&d->buf, tm, users + d->users.n, v.active);
		pdtt_format_console_summary(&d->buf, tm, &v);
	}
	if (!d->buf.oom) {
		fwrite(d->buf.p, 1, d->buf.len, stdout);
		fflush(stdout);
	}
}

static void report(struct pdtt_daemon *d, bool final)
{
	/* Room for two lists: the log's (or the table's) and the changed ones. */
	const struct pdtt_user_stat **sorted =
		calloc(2 * d->users.n + 1, sizeof(const struct pdtt_user_stat *));
	struct timespec now;
	struct tm tm;
	time_t wall = (time_t)d->dated_now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	localtime_r(&wall, &tm);
	if (!sorted) {
		pdtt_say("report: out of memory; the next interval retries");
		return;
	}
	pdtt_users_by_busiest(&d->users, sorted);
	pdtt_logfile_block(&d->log, &tm, (double)now.tv_sec + (double)now.tv_nsec / 1e9, sorted,
			   d->users.n, &d->lost, final);
	if (d->console != PDTT_CONSOLE_OFF)
		show_console(d, &tm, seconds_since(&d->last_tick, &now), sorted);
	d->last_tick = now;
	free(sorted);
}

static void timespec_add(struct timespec *t, unsigned secs)
{
	t->tv_sec += secs;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void interface_changed(const struct pdtt_watch_change *ch, const struct pdtt_watched *w,
			      void *arg);

/* Waits up to *wait (and at most max_ms unless that is -1: the watchdog's
 * limit) for a signal (returned) or an interface change (handled here,
 * returns -1); 0 when the time is up. */
static int wait_event(struct pdtt_daemon *d, const struct timespec *wait, long max_ms)
{
	struct pollfd pfd[2] = { { .fd = d->sig_fd, .events = POLLIN },
				 { .fd = d->ifwatch.fd, .events = POLLIN } };
	struct signalfd_siginfo si;
	/* Rounded up, so the interval never ends early. */
	long ms = (long)wait->tv_sec * 1000 + (wait->tv_nsec + 999999) / 1000000;
	int n;

	if (max_ms >= 0 && ms > max_ms)
		ms = max_ms;
	n = poll(pfd, d->ifwatch.fd >= 0 ? 2 : 1, (int)(ms > 86400000L ? 86400000L : ms));

	if (n <= 0)
		return n < 0 && errno == EINTR ? -1 : 0;
	if (pfd[1].revents && pdtt_ifwatch_read(&d->ifwatch, interface_changed, d) < 0)
		pdtt_say("interfaces: reading link events: %s; the names are looked up again at "
			 "the next event",
			 strerror(errno));
	if (pfd[0].revents && read(d->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return (int)si.ssi_signo;
	return -1;
}

/* The schedule slipped: said at once, then at most hourly with a count, so
 * an admin learns that -t is too short for the machine (or it stalled). */
static void say_late(struct pdtt_daemon *d, double late, double work, const struct timespec *now)
{
	char since[64] = "";

	d->late_count++;
	if (d->late_said.tv_sec && seconds_since(&d->late_said, now) < 3600)
		return;
	if (d->late_count > 1)
		snprintf(since, sizeof(since), "; %lu late intervals since the last such line",
			 d->late_count);
	pdtt_say("interval: the -t %u schedule slipped: an interval began %.1f s late and its work "
		 "took %.1f s%s; the next one starts now and covers the gap, nothing is lost; a "
		 "longer -t helps if this repeats",
		 d->opts->interval, late, work, since);
	d->late_said = *now;
	d->late_count = 0;
}

/* The metrics' page (and textfile) after an interval; work: how long its
 * read, commit and report took. */
static void update_metrics(struct pdtt_daemon *d, double work)
{
	struct pdtt_metrics_health h = { .version = PDTT_VERSION,
					 .schema = PDTT_SCHEMA_VERSION,
					 .start_time = d->start_time,
					 .last_commit = d->last_end,
					 .commit_failures = d->commit_failures,
					 .lost_bytes = d->lost.bytes,
					 .lost_packets = d->lost.packets,
					 .table_entries = d->prev.n,
					 .table_max_entries = d->collector.max_entries,
					 .interval_seconds = d->opts->interval,
					 .interval_duration = work,
					 .active_window_secs = d->opts->metrics_active_secs };

	if (!d->metrics)
		return;
	pdtt_metrics_update(d->metrics, d->store.db, &h, d->committed_now,
			    d->dated_now ? d->dated_now : time(NULL));
	d->committed_now = false;
}

static void run_loop(struct pdtt_daemon *d)
{
	struct timespec next, now, began, due;
	bool stop = false;

	clock_gettime(CLOCK_MONOTONIC, &next);
	d->last_tick = next;
	timespec_add(&next, d->opts->interval);
	while (!stop) {
		struct timespec wait;
		int sig;

		clock_gettime(CLOCK_MONOTONIC, &now);
		pdtt_service_alive(&d->service, &now);
		if (before(&now, &next)) {
			wait.tv_sec = next.tv_sec - now.tv_sec;
			wait.tv_nsec = next.tv_nsec - now.tv_nsec;
			if (wait.tv_nsec < 0) {
				wait.tv_sec--;
				wait.tv_nsec += 1000000000L;
			}
			/* the watchdog is pinged at least every half period */
			sig = wait_event(d, &wait, pdtt_service_max_sleep_ms(&d->service, &now));
			if (sig == SIGHUP) {
				pdtt_service_reloading();
				pdtt_logfile_reopen(&d->log);
				pdtt_service_reloaded();
			}
			if (sig == SIGCHLD && d->have_db)
				pdtt_hooks_pump(&d->hooks, d->store.db,
						d->dated_now ? d->dated_now : time(NULL));
			if (sig == SIGINT || sig == SIGTERM)
				stop = true;
			continue; /* the top sees whether the interval is due */
		}
		clock_gettime(CLOCK_MONOTONIC, &began);
		due = next;
		collect(d, false);
		report(d, false);
		timespec_add(&next, d->opts->interval);
		clock_gettime(CLOCK_MONOTONIC, &now);
		prune_history(d, &now);
		if (d->have_db)
			pdtt_hooks_pump(&d->hooks, d->store.db,
					d->dated_now ? d->dated_now : time(NULL));
		update_metrics(d, seconds_since(&began, &now));
		if (before(&next, &now)) { /* fell behind (stall, slow disk): skip, don't burst */
			say_late(d, seconds_since(&due, &began), seconds_since(&began, &now), &now);
			next = now;
			timespec_add(&next, d->opts->interval);
		}
	}
	/* Final statistics, as the original tool promises on Ctrl+C. */
	pdtt_service_stopping();
	pdtt_hooks_stopping(&d->hooks);
	clock_gettime(CLOCK_MONOTONIC, &began);
	collect(d, true);
	put_back_retired(d);
	report(d, true);
	clock_gettime(CLOCK_MONOTONIC, &now);
	update_metrics(d, seconds_since(&began, &now)); /* the textfile's last word */
	if (d->have_db)
		pdtt_hooks_stop(&d->hooks, d->store.db);
}

static int resolve_ifaces(struct pdtt_daemon *d)
{
	int missing = 0, rc;

	rc = pdtt_ifwatch_start(&d->ifwatch, d->opts->ifaces, d->opts->n_ifaces,
				d->opts->allow_missing, &missing);
	if (rc == -ENODEV) {
		pdtt_say("interface '%s': not found in this network namespace; "
			 "'ip link show' lists the interfaces, --allow-missing counts it once it "
			 "exists",
			 d->opts->ifaces[missing]);
		return PDTT_EXIT_NO_IFACE;
	}
	if (rc) {
		pdtt_say("interfaces: cannot follow them (rtnetlink): %s; pdtt needs a netlink "
			 "socket (is it confined by seccomp or a missing CAP_NET_ADMIN?)",
			 strerror(-rc));
		return PDTT_EXIT_RUNTIME;
	}
	for (int i = 0; i < d->ifwatch.n; i++) {
		if (!d->ifwatch.names[i].ifindex) {
			pdtt_say("interface '%s': not there yet; counted once it exists",
				 d->ifwatch.names[i].name);
			continue;
		}
		snprintf(d->ifaces[d->n_ifaces].name, sizeof(d->ifaces[0].name), "%s",
			 d->ifwatch.names[i].name);
		d->ifaces[d->n_ifaces++].ifindex = d->ifwatch.names[i].ifindex;
	}
	return 0;
}

/* A watched interface came, went or was renamed: the filter follows, and
 * the log and stderr say so. */
static void interface_changed(const struct pdtt_watch_change *ch, const struct pdtt_watched *w,
			      void *arg)
{
	struct pdtt_daemon *d = arg;
	char line[256];
	int len;

	if (ch->stop && pdtt_collector_filter(&d->collector, ch->stop, false))
		pdtt_say("interface '%s': cannot stop counting ifindex %u: %s; it stays counted "
			 "until pdtt restarts",
			 w->name, ch->stop, strerror(errno));
	if (ch->start && pdtt_collector_filter(&d->collector, ch->start, true)) {
		pdtt_say("interface '%s': cannot count ifindex %u: %s; restart pdtt", w->name,
			 ch->start, strerror(errno));
		return;
	}
	len = snprintf(line, sizeof(line), "INTERFACE: %s %s (ifindex %u): %s\n", w->name, ch->why,
		       ch->start ? ch->start : ch->stop,
		       ch->start ? "counted from now" : "no longer counted");
	fprintf(stderr, "pdtt: %s", line);
	if (len > 0)
		(void)pdtt_logfile_write(&d->log, line, (size_t)len);
}

static void describe_start(const struct pdtt_daemon *d)
{
	char what[PDTT_MAX_IFACES * 24] = "";
	size_t off = 0;

	if (d->opts->all_ifaces)
		snprintf(what, sizeof(what), "all interfaces in all network namespaces");
	for (int i = 0; i < d->ifwatch.n && off < sizeof(what); i++)
		off += (size_t)snprintf(what + off, sizeof(what) - off, "%s%s", i ? ", " : "",
					d->ifwatch.names[i].name);
	fprintf(stderr,
		"pdtt: tracking %s (BPF variant %s, each socket's %s, cgroup %s); log %s every "
		"%u s; %s%s; Ctrl+C to stop\n",
		what, pdtt_variant_name(d->collector.variant),
		d->collector.owners ? "last user" : "creator", d->cgroup_path, d->opts->log_path,
		d->opts->interval, d->have_db ? "history " : "no history (--no-db)",
		d->have_db ? d->db_path : "");
}

static void describe_table(const struct pdtt_daemon *d)
{
	char size[32], idle[96] = "; idle keys stay (--idle-after 0)";

	pdtt_format_iec(pdtt_table_cost(d->collector.max_entries, d->collector.ncpus), size,
			sizeof(size));
	if (d->idle_reads)
		snprintf(idle, sizeof(idle), "; keys unchanged for %u s are removed",
			 d->idle_reads * d->opts->interval);
	pdtt_say("kernel table: %u entries for %d possible CPUs, about %s of kernel memory%s%s",
		 d->collector.max_entries, d->collector.ncpus, size, idle,
		 d->have_db ? " (pinned: 'stop' and a restart apply a new --max-entries)" : "");
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !getenv("PDTT_DEBUG")))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* An older layout's map, after its links moved to this run's programs:
 * what it counted since the last commit is committed once, in the same
 * transaction that starts the new map's baseline from zero, and only then
 * are its pins removed.  A start that stops before the removal finds the
 * database already on the new map and only removes them. */
static int take_over_layout(struct pdtt_daemon *d, const struct pdtt_store_state *st)
{
	bool same_boot = !strcmp(st->boot_id, d->boot_id);
	struct pdtt_snapshot old, none;
	struct pdtt_commit c = { 0 };
	uint64_t bytes = 0;
	char err[512];
	int rc;

	pdtt_snapshot_init(&old);
	pdtt_snapshot_init(&none);
	rc = pdtt_upgrade_read(&d->upgrade, d->collector.ncpus, &old);
	if (rc) {
		pdtt_say("upgrade: reading the counters of map layout %d in %s: %s; its pins stay "
			 "for the next start",
			 d->upgrade.layout, d->upgrade.dir, strerror(-rc));
		rc = PDTT_EXIT_RUNTIME;
		goto out;
	}
	if (!(same_boot && st->map_id == d->collector.map_id)) {
		const struct pdtt_snapshot *base =
			same_boot && st->map_id == d->upgrade.map_id ? &d->committed : &none;
		int64_t last = st->last_end ? st->last_end : dated_now(d);

		d->n_ifnames = 0;
		if (pdtt_snapshot_diff(base, &old, &d->delta) || build_rows(d, NULL)) {
			pdtt_say("upgrade: out of memory; the old layout's pins stay for the next "
				 "start");
			rc = PDTT_EXIT_RUNTIME;
			goto out;
		}
		for (size_t i = 0; i < d->delta.n; i++)
			bytes += pdtt_value_total_bytes(&d->delta.e[i].val);
		c.span = pdtt_plan_sample(last, dated_now(d));
		while (c.span.end == c.span.start) { /* a sample needs a second of its own */
			sleep(1);
			c.span = pdtt_plan_sample(last, dated_now(d));
		}
		c.end_boot_ms = d->dated_boot_ms;
		c.rows = d->rows;
		c.n_rows = d->delta.n;
		c.reset_baseline = true;
		c.boot_id = d->boot_id;
		c.map_id = d->collector.map_id;
		rc = pdtt_store_commit(&d->store, &c, err, sizeof(err));
		if (rc) {
			pdtt_say("database %s: cannot store the counts of map layout %d: %s; its "
				 "pins stay and the next start stores them",
				 d->db_path, d->upgrade.layout, err);
			rc = PDTT_EXIT_DB;
			goto out;
		}
		d->last_end = c.span.end;
		pdtt_snapshot_clear(&d->committed); /* the new map starts from zero */
		d->reset_pending = false;
	} else {
		/* Stored before, by a start that stopped before the removal:
		 * the database is on the new map and keeps its baseline. */
		d->last_end = st->last_end;
	}
	rc = pdtt_upgrade_finish(&d->upgrade, err, sizeof(err));
	fprintf(stderr,
		"pdtt: upgraded from map layout %d: its links run this version's programs, the "
		"%llu bytes it counted since the last commit are stored, %s\n",
		d->upgrade.layout, (unsigned long long)bytes,
		rc ? "its pins could not all be removed" : "its pins are removed");
	if (rc) {
		pdtt_say("upgrade: %s; remove the directory by hand (its counts are stored)", err);
		rc = 0; /* the counts are safe: only the empty pins linger */
	}
out:
	pdtt_upgrade_close(&d->upgrade);
	pdtt_snapshot_free(&old);
	return rc;
}

/* Where the last commit left off, or a fresh start when the kernel's map is
 * not the one the stored baseline belongs to (reboot, stop, new layout). */
static int resume_history(struct pdtt_daemon *d)
{
	struct pdtt_store_state st;

	if (read_boot_id(d->boot_id, sizeof(d->boot_id))) {
		pdtt_say("boot id: cannot read /proc/sys/kernel/random/boot_id");
		return PDTT_EXIT_UNSUPPORTED;
	}
	if (pdtt_store_load(&d->store, &st, &d->committed)) {
		pdtt_say("database %s: cannot read the stored baseline", d->db_path);
		return PDTT_EXIT_DB;
	}
	/* In the same boot the last commit's time is trusted: a step of the
	 * wall clock while the daemon was down shows as one. */
	if (!strcmp(st.boot_id, d->boot_id) && st.last_end && st.last_end_boot_ms > 0)
		pdtt_clock_anchor(&d->clock, st.last_end * 1000, st.last_end_boot_ms);
	if (st.last_end) {
		struct timespec boot;

		clock_gettime(CLOCK_BOOTTIME, &boot);
		d->prune_base = st.last_end;
		d->prune_base_boot_ms = ms_of(&boot);
	}
	if (d->upgrade.layout)
		return take_over_layout(d, &st);
	if (!strcmp(st.boot_id, d->boot_id) && st.map_id == d->collector.map_id) {
		d->last_end = st.last_end;
		if (d->collector.reused)
			fprintf(stderr,
				"pdtt: resuming: traffic counted since %lld goes into the first "
				"interval\n",
				(long long)st.last_end);
		return 0;
	}
	/* The map's counters did not exist when the baseline was stored. */
	pdtt_snapshot_clear(&d->committed);
	d->reset_pending = true;
	/* a clock behind the stored end must not make rows overlap */
	d->last_end = dated_now(d) > st.last_end ? d->dated_now : st.last_end;
	if (st.boot_id[0])
		fprintf(stderr, "pdtt: %s since the last run: counters start from zero\n",
			strcmp(st.boot_id, d->boot_id) ? "the machine rebooted"
						       : "the kernel map is new");
	return 0;
}

static void free_daemon(struct pdtt_daemon *d)
{
	pdtt_metrics_close(d->metrics); /* its thread first: it reads nothing else */
	pdtt_collector_stop(&d->collector);
	pdtt_upgrade_close(&d->upgrade);
	pdtt_ifwatch_close(&d->ifwatch);
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	if (d->have_db)
		pdtt_store_close(&d->store);
	pdtt_writer_lock_release(&d->writer); /* after SQLite let go of the file */
	pdtt_logfile_close(&d->log);
	pdtt_snapshot_free(&d->prev);
	pdtt_snapshot_free(&d->cur);
	pdtt_snapshot_free(&d->delta);
	pdtt_snapshot_free(&d->committed);
	pdtt_snapshot_free(&d->retired);
	pdtt_snapshot_free(&d->view);
	pdtt_snapshot_free(&d->taken);
	pdtt_users_free(&d->users);
	pdtt_users_free(&d->names);
	pdtt_names_stop(&d->resolver);
	pdtt_quota_watch_free(&d->quota);
	pdtt_hooks_free(&d->hooks);
	free(d->quota_retry);
	pdtt_buf_free(&d->buf);
	free(d->rows);
	free(d->labels);
}

/* The zone recorded in the database wins: its hours, days and months are
 * cut in it.  A new database records this run's zone; a different --tz is
 * refused; without --tz a system zone that changed is only a warning. */
static int settle_zone(struct pdtt_daemon *d, const char *tz)
{
	const struct pdtt_zone_env *env = &pdtt_zone_host;
	char stored[256], zone[256], err[1024];

	if (tz)
		pdtt_zone_normalize(env, tz, zone, sizeof(zone));
	else
		pdtt_zone_system(env, zone, sizeof(zone));
	if (pdtt_store_get_timezone(&d->store, stored, sizeof(stored))) {
		pdtt_say("database '%s': cannot read the recorded time zone: %s", d->db_path,
			 sqlite3_errmsg(d->store.db));
		return PDTT_EXIT_DB;
	}
	if (!stored[0]) {
		/* the zone recorded is the one this run cuts in: glibc would cut
		 * a zone it cannot load (TZ=Mars/Olympus) in UTC */
		if (zone[0] && pdtt_zone_apply(env, zone, err, sizeof(err))) {
			pdtt_say("%s (the system's zone%s); set TZ or give --tz", err,
				 getenv("TZ") ? ", from TZ" : "");
			return PDTT_EXIT_USAGE;
		}
		if (pdtt_store_set_timezone(&d->store, zone)) {
			pdtt_say("database '%s': cannot record the time zone: %s; check that the "
				 "file "
				 "is writable",
				 d->db_path, sqlite3_errmsg(d->store.db));
			return PDTT_EXIT_DB;
		}
		if (!zone[0])
			pdtt_say("warning: time zone: the system's cannot be named (/etc/localtime "
				 "is no link into %s); the database %s records none until it can, "
				 "so give --tz",
				 env->zoneinfo, d->db_path);
		return 0;
	}
	/* a zone this machine cannot load would cut in UTC */
	if (pdtt_zone_use_recorded(env, stored, d->db_path, err, sizeof(err))) {
		pdtt_say("%s", err);
		return PDTT_EXIT_DB;
	}
	if (pdtt_zone_same(env, stored, zone))
		return 0;
	if (tz) {
		pdtt_say("--tz %s: the database %s records the time zone %s, and its hours, days "
			 "and months are cut in it; start without --tz to go on in %s, or give %s "
			 "a new database with -d (README, Time zone)",
			 tz, d->db_path, stored, stored, tz);
		return PDTT_EXIT_USAGE;
	}
	pdtt_say("warning: time zone: the system's is %s, the database %s records %s; hours, "
		 "days and months stay in %s (README, Time zone)",
		 zone[0] ? zone : "unknown", d->db_path, stored, stored);
	return 0;
}

/* systemd's READY=1: the programs are attached, the database is open and
 * the first read worked. */
static void ready(struct pdtt_daemon *d)
{
	char status[8400];

	snprintf(status, sizeof(status), "counting%s%s every %u s, log %s%s",
		 d->have_db ? ", history in " : "", d->have_db ? d->db_path : "", d->opts->interval,
		 d->opts->log_path, d->have_runas ? ", unprivileged" : "");
	pdtt_service_ready(&d->service, status);
}

/* A start that fails once the programs are attached: what this run pinned
 * goes, unless an upgrade took the old links over; then everything stays
 * pinned, and the next start finds both layouts and goes on. */
static void abandon_start(struct pdtt_daemon *d)
{
	if (d->upgrade.layout)
		pdtt_collector_stop(&d->collector);
	else
		pdtt_collector_abort(&d->collector);
}

static uid_t run_as_uid(const struct pdtt_daemon *d)
{
	return d->have_runas ? d->runas.uid : (uid_t)-1;
}

/* --user: once attached and pinned, nothing privileged is left to do.
 * Kernels that want CAP_BPF for every bpf() call (before 5.19, with
 * kernel.unprivileged_bpf_disabled) keep that one capability. */
static int drop_privileges(struct pdtt_daemon *d)
{
	char err[512];
	bool keep_bpf = false;
	int rc = pdtt_runas_probe_map(&d->runas, d->collector.stats_fd);

	if (rc == -EPERM) {
		keep_bpf = true;
		pdtt_say("privileges: this kernel needs CAP_BPF to read a map even through a "
			 "held descriptor (kernel.unprivileged_bpf_disabled before Linux 5.19): "
			 "user %s keeps CAP_BPF and no other capability",
			 d->runas.name);
	} else if (rc) {
		pdtt_say("privileges: cannot find out what user %s may do with the maps: %s; "
			 "the programs stay attached and pinned",
			 d->runas.name, strerror(-rc));
		return PDTT_EXIT_RUNTIME;
	}
	if (pdtt_runas_drop(&d->runas, keep_bpf, err, sizeof(err))) {
		pdtt_say("%s; the programs stay attached and pinned", err);
		return PDTT_EXIT_PRIVILEGE;
	}
	pdtt_say("privileges: running as %s (uid %ld) with %s; the programs stay attached "
		 "through the descriptors it holds",
		 d->runas.name, (long)d->runas.uid, keep_bpf ? "CAP_BPF alone" : "no capabilities");
	return 0;
}

int pdtt_daemon_run(const struct pdtt_options *opts)
{
	struct pdtt_daemon *d = calloc(1, sizeof(*d));
	struct pdtt_collector_config cfg = { 0 };
	enum pdtt_variant variant;
	bool whole_tree = true;
	char err[1024];
	int rc;

	if (!d) {
		pdtt_say("out of memory");
		return PDTT_EXIT_RUNTIME;
	}
	d->opts = opts;
	d->start_time = time(NULL);
	d->log.fd = -1;
	d->sig_fd = -1;
	d->writer.fd = -1;
	pdtt_quota_watch_init(&d->quota);
	pdtt_hooks_init(&d->hooks, opts->quota_exec, opts->quota_exec_timeout);
	d->ifwatch.fd = -1;
	d->upgrade.lock_fd = d->upgrade.stats_fd = -1;
	d->collector.stats_fd = d->collector.lost_fd = d->collector.lock_fd = -1;
	pdtt_service_init(&d->service);
	if (!pdtt_have_bpf_privileges()) {
		pdtt_say("privileges: loading BPF programs needs root (CAP_BPF, CAP_PERFMON and "
			 "CAP_NET_ADMIN); run it with sudo");
		rc = PDTT_EXIT_PRIVILEGE;
		goto out;
	}
	if (opts->user) {
		rc = pdtt_runas_resolve(&d->runas, opts->user, err, sizeof(err));
		if (rc) {
			pdtt_say("%s", err);
			goto out;
		}
		if (geteuid()) {
			pdtt_say("--user %s: switching users needs root, not only capabilities; "
				 "start it as root",
				 opts->user);
			rc = PDTT_EXIT_PRIVILEGE;
			goto out;
		}
		d->have_runas = true;
	}
	rc = resolve_ifaces(d);
	if (rc)
		goto out;
	if (pdtt_find_cgroup2_mount(d->cgroup_path, sizeof(d->cgroup_path), &whole_tree)) {
		pdtt_say("cgroup v2: no cgroup2 mount in /proc/self/mountinfo; mount it "
			 "(mount -t cgroup2 none /sys/fs/cgroup), check that the kernel supports "
			 "eBPF cgroup programs, and run in a network namespace with "
			 "'nsenter --net=/run/netns/NAME' rather than 'ip netns exec', which hides "
			 "it");
		rc = PDTT_EXIT_UNSUPPORTED;
		goto out;
	}
	if (!whole_tree)
		pdtt_say("cgroup v2: only a sub-tree is mounted at %s (cgroup namespace?); "
			 "traffic of processes outside it is not counted",
			 d->cgroup_path);
	if (pdtt_collector_probe(&variant)) {
		pdtt_say("PDTT_BPF_VARIANT '%s': unknown; use full, kctx or compat, or unset it",
			 getenv("PDTT_BPF_VARIANT"));
		rc = PDTT_EXIT_USAGE;
		goto out;
	}
	if (opts->tz && pdtt_zone_apply(&pdtt_zone_host, opts->tz, err, sizeof(err))) {
		pdtt_say("%s", err);
		rc = PDTT_EXIT_USAGE;
		goto out;
	}
	if (opts->quota_exec && access(opts->quota_exec, X_OK)) {
		pdtt_say("quota-exec '%s': %s; give an executable program", opts->quota_exec,
			 strerror(errno));
		rc = PDTT_EXIT_USAGE;
		goto out;
	}
	if (opts->quota_exec && d->have_runas &&
	    (rc = pdtt_runas_probe_access(&d->runas, opts->quota_exec, X_OK))) {
		pdtt_say("quota-exec '%s': user %s cannot run it (%s); hooks run as the --user "
			 "account: make it executable for %s",
			 opts->quota_exec, d->runas.name, strerror(-rc), d->runas.name);
		rc = PDTT_EXIT_USAGE;
		goto out;
	}
	rc = pdtt_logfile_open(&d->log, opts->log_path, run_as_uid(d), err, sizeof(err));
	if (!rc && d->have_runas)
		rc = pdtt_runas_take_file(&d->runas, d->log.fd, opts->log_path, false, false, err,
					  sizeof(err));
	if (rc == 1) {
		pdtt_say("warning: log file: %s", err);
		rc = 0;
	}
	if (rc) {
		pdtt_say("%s", err);
		rc = PDTT_EXIT_LOG;
		goto out;
	}
	if (opts->db_path) {
		snprintf(d->db_path, sizeof(d->db_path), "%s", opts->db_path);
		/* Before anything is written or attached: one daemon per database. */
		rc = pdtt_store_ensure_file(opts->db_path, err, sizeof(err));
		if (!rc)
			rc = pdtt_writer_lock_take(&d->writer, opts->db_path, run_as_uid(d), err,
						   sizeof(err));
		if (!rc)
			rc = pdtt_store_open(&d->store, opts->db_path, true, err, sizeof(err));
		/* The database, its -wal and -shm (open now) and, when it holds
		 * nothing else, its directory become the account's (1: it cannot
		 * make files beside it, which costs nothing while SQLite keeps
		 * its -wal and -shm open). */
		if (!rc && d->have_runas &&
		    pdtt_runas_take_file(&d->runas, d->writer.fd, opts->db_path, true, true, err,
					 sizeof(err)) < 0)
			rc = PDTT_EXIT_DB;
		/* SQLite stats the path at every write: every directory on the
		 * way must let the account through */
		if (!rc && d->have_runas &&
		    (rc = pdtt_runas_probe_access(&d->runas, opts->db_path, R_OK | W_OK))) {
			snprintf(err, sizeof(err),
				 "database '%s': user %s cannot reach it (%s); let %s search every "
				 "directory on the way, or give -d a path it can reach",
				 opts->db_path, d->runas.name, strerror(-rc), d->runas.name);
			rc = PDTT_EXIT_DB;
		}
		if (rc) {
			pdtt_say("%s", err);
			pdtt_store_close(&d->store); /* opened, or closed by its own failure */
			goto out;
		}
		d->have_db = true;
		rc = settle_zone(d, opts->tz);
		if (rc)
			goto out;
		char every[16];

		snprintf(every, sizeof(every), "%u", opts->interval);
		if (pdtt_store_set_meta(&d->store, "interval", every)) /* for 'check' */
			pdtt_say("database %s: cannot record the interval: %s; 'check' judges the "
				 "last commit's age by 10 s",
				 d->db_path, sqlite3_errmsg(d->store.db));
		pdtt_hooks_say_waiting(&d->hooks, d->store.db);
		snprintf(d->pin_dir, sizeof(d->pin_dir), "%s/%d", opts->pin_root,
			 PDTT_LAYOUT_VERSION);
		rc = pdtt_upgrade_find(&d->upgrade, opts->pin_root, err, sizeof(err));
		if (rc) {
			pdtt_say("%s", err);
			goto out;
		}
	}

	/* Before anything is attached, and as root: the password file, the
	 * port (also one below 1024) and the textfile's directory. */
	rc = pdtt_metrics_open(&d->metrics, opts, d->have_runas ? &d->runas : NULL, err,
			       sizeof(err));
	if (rc) {
		pdtt_say("%s", err);
		goto out;
	}
	/* per interface, the totals cost a write a row: kept only when asked */
	if (d->have_db &&
	    pdtt_store_interface_totals(&d->store, d->metrics && opts->metrics_per_iface, err,
					sizeof(err))) {
		pdtt_say("database '%s': cannot fill the per-interface totals: %s", d->db_path,
			 err);
		rc = PDTT_EXIT_DB;
		goto out;
	}

	libbpf_set_print(libbpf_print);
	cfg.cgroup_path = d->cgroup_path;
	cfg.all_ifaces = opts->all_ifaces;
	cfg.ifaces = d->ifaces;
	cfg.n_ifaces = d->n_ifaces;
	cfg.netns_cookie = pdtt_own_netns_cookie();
	cfg.max_entries = opts->max_entries;
	cfg.pin_dir = d->have_db ? d->pin_dir : NULL;
	cfg.old_pin_dir = d->upgrade.layout ? d->upgrade.dir : NULL;
	cfg.keep_old_owners = pdtt_upgrade_keeps_owners(&d->upgrade);
	if (variant != PDTT_VARIANT_COMPAT && !cfg.netns_cookie) {
		pdtt_say("network namespace: cannot read this namespace's cookie (SO_NETNS_COOKIE, "
			 "Linux 5.14+): %s",
			 strerror(errno));
		rc = PDTT_EXIT_UNSUPPORTED;
		goto out;
	}
	d->netns_cookie = variant == PDTT_VARIANT_COMPAT ? 0 : cfg.netns_cookie;
	if (pdtt_variant_caveat(variant))
		pdtt_say("warning: %s", pdtt_variant_caveat(variant));

	install_signals();
	d->sig_fd = signalfd(-1, &loop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sig_fd < 0) {
		pdtt_say("signals: signalfd: %s; the kernel needs signalfd (Linux 2.6.22+)",
			 strerror(errno));
		rc = PDTT_EXIT_RUNTIME;
		goto out;
	}
	rc = pdtt_collector_start(&d->collector, variant, &cfg, err, sizeof(err));
	if (rc) {
		pdtt_say("%s", err);
		goto out;
	}
	if (pdtt_collector_owner_caveat(&d->collector))
		pdtt_say("warning: %s", pdtt_collector_owner_caveat(&d->collector));
	if (d->collector.owners_renewed)
		pdtt_say("warning: upgrade: the sockets' owner records changed layout and start "
			 "anew; data that sockets had received but not yet read is not counted");
	d->idle_reads = pdtt_idle_reads(opts->idle_secs, opts->interval);
	d->lost.max_entries = d->collector.max_entries;
	d->lost.pinned = d->have_db;
	describe_table(d);
	if (d->have_db) {
		rc = resume_history(d);
		if (rc) {
			abandon_start(d);
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &d->last_prune);
		d->last_prune.tv_sec -= 3600; /* prune at start */
		prune_history(d, &(struct timespec){ d->last_prune.tv_sec + 3600, 0 });
	}
	if (d->have_runas) {
		rc = drop_privileges(d);
		if (rc) { /* still root unless the switch itself failed half-way */
			abandon_start(d);
			goto out;
		}
	}
	/* After install_signals: the thread keeps the loop's signals blocked.
	 * After the switch of user: no thread keeps root's capability sets. */
	rc = pdtt_names_start(&d->resolver);
	if (rc) {
		pdtt_say("user names: cannot start the lookup thread: %s; check the process and "
			 "memory limits (ulimit -u, systemd TasksMax)",
			 strerror(rc));
		rc = PDTT_EXIT_RUNTIME; /* the pins stay, as at a stop (free_daemon) */
		goto out;
	}
	if (d->have_db)
		ask_unnamed(d);
	d->console_tty = isatty(STDOUT_FILENO);
	d->console = opts->console;
	if (d->console == PDTT_CONSOLE_AUTO)
		d->console = d->console_tty ? PDTT_CONSOLE_TABLE : PDTT_CONSOLE_SUMMARY;
	describe_start(d);

	/* Counters that exist already are the baseline of the log's totals. */
	rc = pdtt_collector_read(&d->collector, &d->prev);
	if (rc) {
		pdtt_say("reading the kernel counters: %s; is the BPF map still there?",
			 strerror(-rc));
		pdtt_collector_abort(&d->collector);
		rc = PDTT_EXIT_RUNTIME;
	} else if (d->have_db && pdtt_snapshot_split_absent(&d->committed, &d->prev, &d->retired)) {
		pdtt_say("database %s: out of memory", d->db_path);
		pdtt_collector_abort(&d->collector);
		rc = PDTT_EXIT_RUNTIME;
	} else {
		/* A baseline whose key is gone from the map belongs to a key
		 * removed just before a crash: it goes with the first commit. */
		if (d->have_db) /* hooks queued by an earlier run start at once */
			pdtt_hooks_pump(&d->hooks, d->store.db,
					d->dated_now ? d->dated_now : time(NULL));
		/* a page before the first scrape; the thread after the switch of user */
		update_metrics(d, 0);
		rc = pdtt_metrics_start(d->metrics, err, sizeof(err));
		if (rc) {
			pdtt_say("%s", err);
		} else {
			ready(d);
			run_loop(d);
		}
	}
out:
	free_daemon(d);
	free(d);
	return rc;
}

int pdtt_stop(const struct pdtt_options *opts)
{
	char dir[4096], err[512];
	int rc = PDTT_EXIT_OK;
	DIR *root;
	struct dirent *e;

	/* nothing pinned needs no privileges to stay so (a package removed in
	 * a container) */
	if (access(opts->pin_root, F_OK) && errno == ENOENT) {
		fprintf(stderr, "pdtt: stopped: nothing is pinned in %s\n", opts->pin_root);
		return PDTT_EXIT_OK;
	}
	if (!pdtt_have_bpf_privileges()) {
		pdtt_say("privileges: removing pinned BPF objects needs root; run it with sudo");
		return PDTT_EXIT_PRIVILEGE;
	}
	/* This layout's pins, and those of any other layout (an upgrade or a
	 * downgrade half done): stop means nothing counts any more. */
	snprintf(dir, sizeof(dir), "%s/%d", opts->pin_root, PDTT_LAYOUT_VERSION);
	if (pdtt_collector_unpin(dir, err, sizeof(err))) {
		pdtt_say("stop: %s", err);
		rc = PDTT_EXIT_RUNTIME;
	}
	root = opendir(opts->pin_root);
	while (root && (e = readdir(root))) {
		int n = pdtt_layout_of(e->d_name);

		if (n < 0 || n == PDTT_LAYOUT_VERSION)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", opts->pin_root, e->d_name);
		if (pdtt_collector_unpin(dir, err, sizeof(err))) {
			pdtt_say("stop: %s", err);
			rc = PDTT_EXIT_RUNTIME;
		}
	}
	if (root)
		closedir(root);
	if (rc)
		return rc;
	rmdir(opts->pin_root); /* only when empty */
	fprintf(stderr,
		"pdtt: stopped: no pinned programs or maps left in %s; nothing is counted "
		"until the daemon starts again\n",
		opts->pin_root);
	return PDTT_EXIT_OK;
}
