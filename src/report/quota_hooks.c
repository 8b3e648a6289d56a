#include "quota_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "quota_cmd.h"
#include "sql_embedded.h"

void pdtt_hooks_init(struct pdtt_hooks *h, const char *program, unsigned timeout)
{
	memset(h, 0, sizeof(*h));
	h->program = program;
	h->timeout = timeout;
}

void pdtt_hooks_free(struct pdtt_hooks *h)
{
	free(h->done);
	h->done = NULL;
	h->n_done = h->cap_done = 0;
}

static int step_done(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int pdtt_hooks_queue(const struct pdtt_hooks *h, sqlite3 *db, const struct pdtt_hook_event *e)
{
	sqlite3_stmt *st;
	int rc;

	if (!h->program)
		return SQLITE_OK;
	rc = sqlite3_prepare_v2(db, pdtt_sql_queue_hook, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, e->uid);
	sqlite3_bind_text(st, 2, e->per, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, e->period_start);
	sqlite3_bind_text(st, 4, e->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)e->used);
	sqlite3_bind_int64(st, 6, (int64_t)e->limit);
	sqlite3_bind_text(st, 7, e->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, e->dir, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, e->at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void say_store(struct pdtt_hooks *h, sqlite3 *db, const char *what)
{
	h->store_failed = true;
	if (h->said_store)
		return;
	h->said_store = true;
	pdtt_say("quota hooks: %s: %s; the queue is kept and tried again at the next event or "
		 "interval",
		 what, sqlite3_errmsg(db));
}

static bool known(const struct pdtt_hooks *h, int64_t id)
{
	for (int i = 0; i < h->n_run; i++)
		if (h->run[i].event_id == id)
			return true;
	for (size_t i = 0; i < h->n_done; i++)
		if (h->done[i] == id)
			return true;
	return false;
}

/* false without memory: the caller keeps the slot and tries again */
static bool mark_done(struct pdtt_hooks *h, int64_t id)
{
	if (h->n_done == h->cap_done) {
		size_t cap = h->cap_done ? h->cap_done * 2 : 16;
		int64_t *d = realloc(h->done, cap * sizeof(*d));

		if (!d)
			return false;
		h->done = d;
		h->cap_done = cap;
	}
	h->done[h->n_done++] = id;
	return true;
}

static void forget_run(struct pdtt_hooks *h, int i)
{
	h->run[i] = h->run[--h->n_run];
}

static void say_exit(const struct pdtt_hooks *h, int i, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status))
		pdtt_say("quota hook %s (event %" PRId64 ") exited with status %d; it is not run "
			 "again (its own output, on the daemon's stderr, says why)",
			 h->program, h->run[i].event_id, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		pdtt_say("quota hook %s (event %" PRId64 ") was killed by signal %d; it is not "
			 "run again",
			 h->program, h->run[i].event_id, WTERMSIG(status));
}

static void kill_hook(const struct pdtt_hooks *h, int i, int *status)
{
	kill(-h->run[i].pid, SIGKILL);
	kill(h->run[i].pid, SIGKILL);
	while (waitpid(h->run[i].pid, status, 0) < 0 && errno == EINTR)
		;
}

static bool past(const struct timespec *now, const struct timespec *t)
{
	return now->tv_sec > t->tv_sec || (now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec);
}

/* A slot whose hook ended is freed once that is noted; without memory it
 * stays taken (pid 0: ended) and is noted at the next pump. */
static void finish(struct pdtt_hooks *h, int *i)
{
	if (mark_done(h, h->run[*i].event_id)) {
		h->run[*i] = h->run[--h->n_run];
		return;
	}
	h->run[*i].pid = 0;
	(*i)++;
}

/* Hooks that ended, and those past their timeout, are done. */
static void reap(struct pdtt_hooks *h)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (int i = 0; i < h->n_run;) {
		int status = 0;
		pid_t r = h->run[i].pid ? waitpid(h->run[i].pid, &status, WNOHANG) : -1;

		if (r == 0 && past(&now, &h->run[i].deadline)) {
			pdtt_say("quota hook %s (event %" PRId64 ", pid %d) still running after %u "
				 "s; killed, and not run again (a longer --quota-exec-timeout lets "
				 "it "
				 "finish)",
				 h->program, h->run[i].event_id, (int)h->run[i].pid, h->timeout);
			kill_hook(h, i, &status);
			finish(h, &i);
			continue;
		}
		if (r == 0) {
			i++;
			continue;
		}
		if (r > 0)
			say_exit(h, i, status);
		finish(h, &i);
	}
}

/* The queue never waits for a busy database: a held lock (a long quota set,
 * an admin's sqlite3) makes these fail at once and they are tried again at
 * the next pump, so the loop's intervals stay on time. */
static void no_wait(sqlite3 *db, bool on)
{
	sqlite3_busy_timeout(db, on ? 0 : 1000);
}

/* Deletes the queue rows of finished hooks in one transaction; on failure
 * they all stay listed for the next pump. */
static void store_done(struct pdtt_hooks *h, sqlite3 *db)
{
	int rc;

	if (!h->n_done)
		return;
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < h->n_done; i++)
		rc = step_done(db, pdtt_sql_done_hook, h->done[i], 0);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		h->n_done = 0;
		return;
	}
	say_store(h, db, "cannot mark hooks as run");
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* fork + execve, never a shell: details as arguments and environment. */
static pid_t spawn(const struct pdtt_hooks *h, char *const args[11])
{
	static const char *const keys[] = { "PDTT_QUOTA_STATE", "PDTT_UID",   "PDTT_USER",
					    "PDTT_USED",	"PDTT_LIMIT", "PDTT_PERIOD",
					    "PDTT_PER",		"PDTT_DIR",   "PDTT_EVENT_ID",
					    "PDTT_EVENT_RUN" };
	char env[10][160], *envp[12], *argv[11];
	pid_t pid;

	for (int i = 0; i < 10; i++) {
		snprintf(env[i], sizeof(env[i]), "%s=%s", keys[i], args[i + 1]);
		envp[i] = env[i];
	}
	envp[10] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	envp[11] = NULL;
	/* args[10] is the run number: in the environment only */
	for (int i = 0; i < 10; i++)
		argv[i] = args[i];
	argv[10] = NULL;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		sigset_t none;

		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (null > STDIN_FILENO) {
			dup2(null, STDIN_FILENO);
			close(null); /* the hook gets stdin, not a stray descriptor */
		}
		execve(h->program, argv, envp);
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

static void start_one(struct pdtt_hooks *h, sqlite3 *db, sqlite3_stmt *row, int64_t now)
{
	int64_t id = sqlite3_column_int64(row, 0);
	uint32_t uid = (uint32_t)sqlite3_column_int64(row, 1);
	char s_uid[16], s_used[24], s_lim[24], s_id[24], s_run[24];
	char *name;
	pid_t pid;

	if (step_done(db, pdtt_sql_start_hook, now, id) != SQLITE_OK) {
		say_store(h, db, "cannot record a hook's start");
		return;
	}
	snprintf(s_uid, sizeof(s_uid), "%" PRIu32, uid);
	snprintf(s_used, sizeof(s_used), "%" PRId64, (int64_t)sqlite3_column_int64(row, 3));
	snprintf(s_lim, sizeof(s_lim), "%" PRId64, (int64_t)sqlite3_column_int64(row, 4));
	snprintf(s_id, sizeof(s_id), "%" PRId64, id);
	snprintf(s_run, sizeof(s_run), "%" PRId64, (int64_t)sqlite3_column_int64(row, 8) + 1);
	name = pdtt_user_name(db, uid);
	{
		char *args[11] = { (char *)h->program,
				   (char *)sqlite3_column_text(row, 2),
				   s_uid,
				   name ? name : s_uid,
				   s_used,
				   s_lim,
				   (char *)sqlite3_column_text(row, 5),
				   (char *)sqlite3_column_text(row, 6),
				   (char *)sqlite3_column_text(row, 7),
				   s_id,
				   s_run };

		pid = spawn(h, args);
	}
	free(name);
	if (pid < 0) {
		pdtt_say("quota hook %s (event %" PRId64 "): fork: %s; it stays queued", h->program,
			 id, strerror(errno));
		return;
	}
	h->run[h->n_run].pid = pid;
	h->run[h->n_run].event_id = id;
	clock_gettime(CLOCK_MONOTONIC, &h->run[h->n_run].deadline);
	h->run[h->n_run].deadline.tv_sec += h->timeout;
	h->n_run++;
}

void pdtt_hooks_pump(struct pdtt_hooks *h, sqlite3 *db, int64_t now)
{
	sqlite3_stmt *st;

	h->store_failed = false;
	reap(h);
	no_wait(db, true);
	store_done(h, db);
	/* a stopping daemon starts nothing it would have to cut short */
	if (!h->program || h->stopping || h->n_run == PDTT_HOOK_SLOTS) {
		no_wait(db, false);
		return;
	}
	if (sqlite3_prepare_v2(db, pdtt_sql_next_hooks, -1, &st, NULL) != SQLITE_OK) {
		say_store(h, db, "cannot read the queue");
		no_wait(db, false);
		return;
	}
	/* the running and the done-but-unstored are listed too: skip them */
	sqlite3_bind_int64(st, 1, (int64_t)PDTT_HOOK_SLOTS + (int64_t)h->n_done);
	while (h->n_run < PDTT_HOOK_SLOTS && !h->store_failed && sqlite3_step(st) == SQLITE_ROW) {
		if (!known(h, sqlite3_column_int64(st, 0)))
			start_one(h, db, st, now);
	}
	sqlite3_finalize(st);
	no_wait(db, false);
	if (!h->store_failed)
		h->said_store = false; /* the next outage is said again */
}

void pdtt_hooks_stopping(struct pdtt_hooks *h)
{
	h->stopping = true;
}

void pdtt_hooks_stop(struct pdtt_hooks *h, sqlite3 *db)
{
	struct timespec now, until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 5;
	while (h->n_run) {
		reap(h);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!h->n_run || past(&now, &until))
			break;
		nanosleep(&(struct timespec){ 0, 50L * 1000 * 1000 }, NULL);
	}
	for (int i = h->n_run - 1; i >= 0; i--) {
		int status = 0;

		if (!h->run[i].pid)
			continue; /* ended; noted below if memory allows */
		kill_hook(h, i, &status);
		/* one that ended on its own just before the kill ran to its end */
		if (WIFEXITED(status)) {
			say_exit(h, i, status);
			if (mark_done(h, h->run[i].event_id)) {
				forget_run(h, i);
				continue;
			}
		}
		pdtt_say("quota hook %s (event %" PRId64 ", pid %d) cut short by the stop; it "
			 "runs again at the next start with the same PDTT_EVENT_ID",
			 h->program, h->run[i].event_id, (int)h->run[i].pid);
		forget_run(h, i);
	}
	for (int i = 0; i < h->n_run;) /* ended while memory was short */
		finish(h, &i);
	no_wait(db, true);
	store_done(h, db);
	no_wait(db, false);
}

void pdtt_hooks_say_waiting(const struct pdtt_hooks *h, sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t n = 0, cut = 0;

	if (sqlite3_prepare_v2(db, pdtt_sql_count_hooks, -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		cut = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (!n)
		return;
	if (h->program)
		pdtt_say("quota hooks: %" PRId64 " queued from before (%" PRId64 " of them cut "
			 "short, run again with the same PDTT_EVENT_ID); they run now",
			 n, cut);
	else
		pdtt_say("quota hooks: %" PRId64 " queued, waiting for a daemon with --quota-exec",
			 n);
}
