/* The history database (SQLite): schema, migrations and the per-interval
 * commit.  All SQL text lives in sql/ and is compiled in. */
#ifndef PDTT_STORE_H
#define PDTT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "timebucket.h"

#define PDTT_DEFAULT_DB "/var/lib/pdtt/pdtt.db"
#define PDTT_SCHEMA_VERSION 8
#define PDTT_APPLICATION_ID 0x70647474 /* "pdtt" */

struct sqlite3;
struct sqlite3_stmt;

enum pdtt_stmt {
	PDTT_ST_UPSERT_USER,
	PDTT_ST_UPSERT_INTERFACE,
	PDTT_ST_INSERT_SAMPLE,
	PDTT_ST_UPSERT_BASELINE,
	PDTT_ST_LOAD_BASELINE,
	PDTT_ST_CLEAR_BASELINE,
	PDTT_ST_GET_META,
	PDTT_ST_SET_META,
	PDTT_ST_PRUNE_SAMPLES,
	PDTT_ST_PRUNE_HOURS,
	PDTT_ST_PRUNE_DAYS,
	PDTT_ST_PRUNE_MONTHS,
	PDTT_ST_ROLL_SAMPLES,
	PDTT_ST_ROLL_HOURS,
	PDTT_ST_ROLL_DAYS,
	PDTT_ST_NEXT_SAMPLE,
	PDTT_ST_NEXT_HOUR,
	PDTT_ST_NEXT_DAY,
	PDTT_ST_RAISE_META,
	PDTT_ST_DELETE_BASELINE,
	PDTT_ST_LOWER_META,
	PDTT_ST_SET_USER_NAME,
	PDTT_ST_ADD_TOTALS,
	PDTT_ST_COUNT,
};

struct pdtt_store {
	struct sqlite3 *db;
	struct sqlite3_stmt *st[PDTT_ST_COUNT];
	/* The per-row statements' parameter positions, found once at open:
	 * :start :end :uid :iface_id then the counters; :uid :netns_cookie
	 * :ifindex then the counters; the totals' :end :uid :iface_id and counters. */
	int sample_ix[8], baseline_ix[7], totals_ix[7];
	/* meta 'first_start' as stored (INT64_MAX: none yet).  A commit that
	 * starts earlier lowers it: a clock adopted back may date rows before
	 * the first commit. */
	int64_t first_start;
	bool interface_totals; /* each commit row also adds to table totals */
};

/* What the daemon needs to resume where the last commit left off. */
struct pdtt_store_state {
	char boot_id[64]; /* "" when never stored */
	uint64_t map_id;
	int64_t last_end;	  /* 0 when no sample was ever committed */
	int64_t last_end_boot_ms; /* CLOCK_BOOTTIME at last_end in boot boot_id; 0: unknown */
};

/* One (user, interface) row of a commit: the interval's delta and the
 * kernel's cumulative counters it brings the baseline to. */
struct pdtt_commit_row {
	struct pdtt_key key;
	struct pdtt_value delta;
	struct pdtt_value cumulative;
	const char *user_name; /* NULL when the uid has no passwd entry */
	const char *iface_name;
	const char *netns; /* "host" or "netns:<cookie>" */
	bool gone;	   /* the key is no longer in the kernel map: no baseline */
};

struct pdtt_commit {
	struct pdtt_span span;
	const struct pdtt_commit_row *rows;
	size_t n_rows;
	bool reset_baseline; /* the map was recreated: forget the old baseline */
	/* Keys removed from the kernel map: their baselines go first, so a key
	 * that came back starts from zero (rows then store its new counters). */
	const struct pdtt_snapshot *removed; /* their keys; NULL: none */
	const char *boot_id;
	uint64_t map_id;
	int64_t end_boot_ms; /* CLOCK_BOOTTIME when span.end was read; 0: unknown */
};

/* Opens (and with create, creates and migrates) the database.  A file that
 * is not a pdtt database, is corrupt, or has a newer schema is refused and
 * left untouched.  Returns a PDTT_EXIT_* status; message in err. */
int pdtt_store_open(struct pdtt_store *s, const char *path, bool create, char *err, size_t errlen);
/* Creates the empty file (and its directory, mode 0750) when missing, so
 * the daemon can lock it before opening it.  0, or PDTT_EXIT_DB. */
int pdtt_store_ensure_file(const char *path, char *err, size_t errlen);
void pdtt_store_close(struct pdtt_store *s);

int pdtt_store_load(struct pdtt_store *s, struct pdtt_store_state *st,
		    struct pdtt_snapshot *baseline);

/* Writes samples, users, interfaces, the baseline and meta in one
 * BEGIN IMMEDIATE transaction.  On failure nothing is written: the caller
 * keeps its baseline and the next commit carries the gap.  0 or an SQLite
 * error code; message in err. */
int pdtt_store_commit(struct pdtt_store *s, const struct pdtt_commit *c, char *err, size_t errlen);

/* Deletes what retention no longer keeps (cutoffs from pdtt_retention_cutoffs)
 * and gives the space back (incremental vacuum). */
struct pdtt_cutoffs;
int pdtt_store_prune(struct pdtt_store *s, const struct pdtt_cutoffs *c, char *err, size_t errlen);

/* Where the history begins, estimated from the stored rows (as exact as
 * retention left them); for files without meta 'first_start'.  0 or -1
 * when there is no data. */
int pdtt_store_history_start(struct sqlite3 *db, int64_t *t);

/* Records the time zone the daemon buckets in ("" for the system's), so
 * reports use the same one.  0 or an SQLite error code. */
int pdtt_store_set_timezone(struct pdtt_store *s, const char *tz);
/* One meta value (malloc'ed; NULL when absent), or as a number (absent:
 * dflt), for the readers (report, check). */
char *pdtt_store_meta(struct sqlite3 *db, const char *key);
int64_t pdtt_store_meta_int(struct sqlite3 *db, const char *key, int64_t dflt);
/* --metrics-per-interface: whether commits keep table totals (per user
 * and interface; meta 'interface_totals' says which).  Turned on, each row
 * is raised to the retained history's sum (never lowered); turned off, the
 * table stays as it is.  0 or an SQLite error code, message in err. */
int pdtt_store_interface_totals(struct pdtt_store *s, bool on, char *err, size_t errlen);
/* Sets one meta value outside a commit (the daemon's interval, for check). */
int pdtt_store_set_meta(struct pdtt_store *s, const char *key, const char *value);
/* Names found later for stored users, in one transaction; an SQLite error
 * code, nothing stored, on failure. */
struct pdtt_name_change;
int pdtt_store_set_user_names(struct pdtt_store *s, const struct pdtt_name_change *c, size_t n);
/* The recorded zone ("" when none was).  0 or an SQLite error code. */
int pdtt_store_get_timezone(struct pdtt_store *s, char *out, size_t len);

#endif
