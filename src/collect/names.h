/* The daemon's user names.  NSS (getpwuid_r: files, SSSD, LDAP) is asked
 * by a thread of its own, one uid at a time and at most 50 a second, so a
 * slow or absent directory never delays a commit.  A uid without a name
 * is asked again later (5 s, then twice as long each time up to 10 min,
 * and at most 50 misses a second), a name found is refreshed hourly, and a
 * name that appears or changes is handed back (pdtt_names_take_changed)
 * for the users table. */
#ifndef PDTT_NAMES_H
#define PDTT_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user_totals.h" /* PDTT_NAME_MAX */

/* When to ask NSS about a uid again, in ms after an answer: found, or the
 * failures-th miss (1, 2, ...; a miss is "no such user" or an error). */
int64_t pdtt_name_retry_ms(bool found, uint32_t failures);

struct pdtt_name_change {
	uint32_t uid;
	char name[PDTT_NAME_MAX];
};

/* Opaque: the thread may outlive pdtt_names_stop (a lookup that hangs) and
 * then owns the cache, so it lives on the heap, never in the caller. */
struct pdtt_names;

/* 0 and *out, or an errno when the cache or its thread cannot start.
 * The other calls take NULL (no cache) and then do nothing. */
int pdtt_names_start(struct pdtt_names **out);
/* Ends the thread, waiting 2 s at most (the monotonic clock) for a lookup
 * in progress; a lookup still running then frees the cache when it ends.
 * Sets *n to NULL. */
void pdtt_names_stop(struct pdtt_names **n);

/* Copies uid's name into out ("" while none is known) and asks NSS when it
 * is due.  Never waits for NSS. */
void pdtt_names_get(struct pdtt_names *n, uint32_t uid, char *out, size_t len);

/* Waits until the lookups asked for so far are answered, at most ms: a
 * name from local files is then in the same interval's log block, while a
 * slow directory costs the block (never the commit) ms at most. */
void pdtt_names_settle(struct pdtt_names *n, int ms);

/* The names that appeared or changed since the last call; *out is
 * malloc'ed (free it), NULL when there are none. */
size_t pdtt_names_take_changed(struct pdtt_names *n, struct pdtt_name_change **out);

/* Hands changes back that could not be stored: taken again next time. */
void pdtt_names_untake(struct pdtt_names *n, const struct pdtt_name_change *c, size_t k);

#endif
