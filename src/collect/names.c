#include "names.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define RETRY_FIRST_MS 5000
#define RETRY_MAX_MS ((int64_t)600000)	  /* 10 min */
#define REFRESH_MS ((int64_t)3600000)	  /* an hour */
#define MISS_GAP_NS (20L * 1000L * 1000L) /* at most 50 misses a second */

int64_t pdtt_name_retry_ms(bool found, uint32_t failures)
{
	int64_t ms = RETRY_FIRST_MS;

	if (found)
		return REFRESH_MS;
	for (uint32_t i = 1; i < failures && ms < RETRY_MAX_MS; i++)
		ms *= 2;
	return ms < RETRY_MAX_MS ? ms : RETRY_MAX_MS;
}

struct pdtt_name_entry {
	int64_t due_ms; /* CLOCK_MONOTONIC ms when it may be asked again */
	uint32_t uid;
	uint32_t failures; /* misses in a row */
	char name[PDTT_NAME_MAX];
	bool queued;  /* waiting for the thread */
	bool changed; /* a name appeared or changed since the last take */
};

struct pdtt_names {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* work for the thread (an untimed wait) */
	/* Written by the thread when the queue settles or it ends; the caller
	 * waits on it with poll.  Not a timed condition wait: under libfaketime
	 * (tests) that returned at once, and a stop that gave up too early
	 * left the thread reading a freed cache. */
	int settled_fd;
	pthread_t thread;
	struct pdtt_name_entry *e; /* sorted by uid */
	size_t n, cap;
	uint32_t *queue; /* uids to ask, oldest first */
	size_t q_head, q_len, q_cap;
	bool stop;
	bool busy;     /* a lookup runs */
	bool exited;   /* the thread has ended (stop waits for it) */
	bool orphaned; /* stop gave up waiting: the thread frees the cache */
};

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The entry for uid, inserted when absent; NULL only without memory.
 * Called with the lock held. */
static struct pdtt_name_entry *entry(struct pdtt_names *n, uint32_t uid)
{
	size_t lo = 0, hi = n->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (n->e[mid].uid == uid)
			return &n->e[mid];
		if (n->e[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (n->n == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 64;
		struct pdtt_name_entry *e = realloc(n->e, cap * sizeof(*e));

		if (!e)
			return NULL;
		n->e = e;
		n->cap = cap;
	}
	memmove(&n->e[lo + 1], &n->e[lo], (n->n - lo) * sizeof(*n->e));
	memset(&n->e[lo], 0, sizeof(*n->e));
	n->e[lo].uid = uid;
	n->n++;
	return &n->e[lo];
}

static bool enqueue(struct pdtt_names *n, uint32_t uid)
{
	if (n->q_len == n->q_cap) {
		size_t cap = n->q_cap ? n->q_cap * 2 : 64;
		uint32_t *q = malloc(cap * sizeof(*q));

		if (!q)
			return false;
		for (size_t i = 0; i < n->q_len; i++)
			q[i] = n->queue[(n->q_head + i) % n->q_cap];
		free(n->queue);
		n->queue = q;
		n->q_cap = cap;
		n->q_head = 0;
	}
	n->queue[(n->q_head + n->q_len) % n->q_cap] = uid;
	n->q_len++;
	return true;
}

/* 1 found, 0 no such user, -1 NSS failed (an outage: asked again later). */
static int look_up(uint32_t uid, char *out, size_t len)
{
	size_t cap = 4096;
	char *buf = NULL;
	int rc;

	for (;;) {
		struct passwd pw, *res = NULL;
		char *b = realloc(buf, cap);

		if (!b) {
			rc = -1;
			break;
		}
		buf = b;
		rc = getpwuid_r(uid, &pw, buf, cap, &res);
		if (rc == ERANGE && cap < (1 << 20)) {
			cap *= 2;
			continue;
		}
		if (!rc && res)
			snprintf(out, len, "%s", res->pw_name);
		rc = rc ? -1 : res ? 1 : 0;
		break;
	}
	free(buf);
	return rc;
}

static void free_cache(struct pdtt_names *n)
{
	pthread_cond_destroy(&n->wake);
	pthread_mutex_destroy(&n->lock);
	close(n->settled_fd);
	free(n->e);
	free(n->queue);
	free(n);
}

/* Wakes a caller in wait_until.  Called with the lock held. */
static void notify(struct pdtt_names *n)
{
	uint64_t one = 1;
	ssize_t r = write(n->settled_fd, &one, sizeof(one));

	(void)r; /* EAGAIN (a full counter) leaves it readable all the same */
}

/* Waits until done(n) holds, at most ms on the monotonic clock; returns
 * done(n).  The lock is not held while waiting. */
static bool wait_until(struct pdtt_names *n, bool (*done)(const struct pdtt_names *), int ms)
{
	int64_t until = mono_ms() + ms;

	for (;;) {
		uint64_t cnt;
		int64_t left;
		bool ok;
		int p;

		pthread_mutex_lock(&n->lock);
		ok = done(n);
		pthread_mutex_unlock(&n->lock);
		left = until - mono_ms();
		if (ok || left <= 0)
			return ok;
		p = poll(&(struct pollfd){ .fd = n->settled_fd, .events = POLLIN }, 1, (int)left);

		if (p > 0) {
			ssize_t r = read(n->settled_fd, &cnt, sizeof(cnt)); /* rearms it */

			(void)r;
		} else if (p < 0 && errno != EINTR) { /* ENOMEM: do not spin */
			nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
		}
	}
}

static bool has_exited(const struct pdtt_names *n)
{
	return n->exited;
}

static bool is_settled(const struct pdtt_names *n)
{
	return !n->q_len && !n->busy;
}

static void *resolver(void *arg)
{
	struct pdtt_names *n = arg;
	bool orphaned;

	pthread_mutex_lock(&n->lock);
	while (!n->stop) {
		char name[PDTT_NAME_MAX] = "";
		struct pdtt_name_entry *e;
		uint32_t uid;
		int found;

		if (!n->q_len) {
			pthread_cond_wait(&n->wake, &n->lock);
			continue;
		}
		uid = n->queue[n->q_head];
		n->q_head = (n->q_head + 1) % n->q_cap;
		n->q_len--;
		n->busy = true;
		pthread_mutex_unlock(&n->lock);
		found = look_up(uid, name, sizeof(name));
		pthread_mutex_lock(&n->lock);
		n->busy = false;
		e = entry(n, uid); /* present: entries are never removed */
		if (e) {
			e->queued = false;
			if (found > 0) {
				e->failures = 0;
				if (strcmp(e->name, name) != 0) {
					snprintf(e->name, sizeof(e->name), "%s", name);
					e->changed = true;
				}
			} else {
				/* a miss keeps a name seen before: the directory may be down */
				e->failures++;
			}
			e->due_ms = mono_ms() + pdtt_name_retry_ms(found > 0, e->failures);
		}
		if (!n->q_len)
			notify(n);
		if (found <= 0) { /* a directory that fails is not asked in a tight loop */
			pthread_mutex_unlock(&n->lock);
			nanosleep(&(struct timespec){ 0, MISS_GAP_NS }, NULL);
			pthread_mutex_lock(&n->lock);
		}
	}
	n->exited = true;
	orphaned = n->orphaned;
	notify(n);
	pthread_mutex_unlock(&n->lock);
	if (orphaned)
		free_cache(n);
	return NULL;
}

int pdtt_names_start(struct pdtt_names **out)
{
	struct pdtt_names *n = calloc(1, sizeof(*n));
	int rc;

	*out = NULL;
	if (!n)
		return ENOMEM;
	n->settled_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->settled_fd < 0) {
		rc = errno;
		free(n);
		return rc;
	}
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->wake, NULL);
	rc = pthread_create(&n->thread, NULL, resolver, n);
	if (rc) {
		free_cache(n);
		return rc;
	}
	*out = n;
	return 0;
}

void pdtt_names_stop(struct pdtt_names **np)
{
	struct pdtt_names *n = *np;
	bool done;

	if (!n)
		return;
	*np = NULL;
	pthread_mutex_lock(&n->lock);
	n->stop = true;
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
	/* a lookup in progress ends with NSS's own timeout; one that hangs
	 * (a directory that never answers) must not hold up the exit */
	wait_until(n, has_exited, 2000);
	pthread_mutex_lock(&n->lock);
	done = n->exited;
	n->orphaned = !done;
	if (!done) /* under the lock: once it is released the thread may free n */
		pthread_detach(n->thread);
	pthread_mutex_unlock(&n->lock);
	if (!done)
		return; /* it frees the cache when its lookup ends */
	pthread_join(n->thread, NULL);
	free_cache(n);
}

void pdtt_names_get(struct pdtt_names *n, uint32_t uid, char *out, size_t len)
{
	struct pdtt_name_entry *e;

	out[0] = '\0';
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	e = entry(n, uid);
	if (e) {
		snprintf(out, len, "%s", e->name);
		if (!e->queued && mono_ms() >= e->due_ms && enqueue(n, uid)) {
			e->queued = true;
			pthread_cond_signal(&n->wake);
		}
	}
	pthread_mutex_unlock(&n->lock);
}

void pdtt_names_settle(struct pdtt_names *n, int ms)
{
	if (n)
		wait_until(n, is_settled, ms);
}

size_t pdtt_names_take_changed(struct pdtt_names *n, struct pdtt_name_change **out)
{
	size_t k = 0, cnt = 0;

	*out = NULL;
	if (!n)
		return 0;
	pthread_mutex_lock(&n->lock);
	for (size_t i = 0; i < n->n; i++)
		cnt += n->e[i].changed;
	if (cnt && (*out = malloc(cnt * sizeof(**out)))) {
		for (size_t i = 0; i < n->n; i++) {
			if (!n->e[i].changed)
				continue;
			n->e[i].changed = false;
			(*out)[k].uid = n->e[i].uid;
			snprintf((*out)[k].name, sizeof((*out)[k].name), "%s", n->e[i].name);
			k++;
		}
	}
	pthread_mutex_unlock(&n->lock);
	return k;
}

void pdtt_names_untake(struct pdtt_names *n, const struct pdtt_name_change *c, size_t k)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	for (size_t i = 0; i < k; i++) {
		struct pdtt_name_entry *e = entry(n, c[i].uid);

		if (e)
			e->changed = true;
	}
	pthread_mutex_unlock(&n->lock);
}
