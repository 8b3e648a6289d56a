/* Whether accounting is really happening ('check'): the facts check.c
 * gathers from /proc/locks, the pins, the kernel table and the database,
 * judged here against the limits.  Pure. */
#ifndef PDTT_HEALTH_H
#define PDTT_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Monitoring-plugin statuses, as check exits. */
enum pdtt_health_status {
	PDTT_HEALTH_OK = 0,
	PDTT_HEALTH_WARNING = 1,
	PDTT_HEALTH_CRITICAL = 2,
	PDTT_HEALTH_UNKNOWN = 3,
};

struct pdtt_health_facts {
	const char *db_path;
	/* the daemon holding the database's writer lock; 0 none, -1 one in a
	 * PID namespace we cannot see, -2 /proc/locks could not be read */
	long holder_pid;
	int64_t now;	   /* wall clock */
	int64_t last_end;  /* meta last_end; 0 never committed */
	unsigned interval; /* meta interval; 0 unknown */
	/* the programs: attached links among those pinned; cgroup_missing
	 * names an ingress/egress link that is gone or detached ("" none) */
	int links_attached, links_pinned;
	char cgroup_missing[64];
	bool nothing_pinned;	/* the pin directory is not there */
	const char *pins_error; /* the pins could not be read: why (NULL none) */
	/* the kernel table */
	uint64_t entries, max_entries;
	const char *table_error;
	/* lost since the last check (the kernel's counters minus the ones that
	 * check stored; the whole counters when the map is new to it) */
	uint64_t lost_packets, lost_bytes, lost_new_packets, lost_new_bytes;
	const char *store_error; /* the test write failed: why (NULL it worked) */
};

struct pdtt_health_limits {
	int64_t warn_age, crit_age;  /* seconds since the last commit; <0: from the interval */
	double warn_fill, crit_fill; /* percent of the table */
	int64_t lost_window;	     /* a loss warns this long after it was first seen */
};

/* What check keeps between runs (meta check_lost): the lost map's id, the
 * counters a loss is measured from, and when the loss beyond them was
 * first seen (0: none). */
struct pdtt_lost_mark {
	uint32_t map_id;
	uint64_t packets, bytes;
	int64_t seen;
};

/* Parses and formats the mark ("ID:PACKETS:BYTES:SEEN"); parse: 0 or -1. */
int pdtt_lost_mark_parse(const char *s, struct pdtt_lost_mark *m);
void pdtt_lost_mark_format(const struct pdtt_lost_mark *m, char *out, size_t len);

/* The loss to report now, and the mark to keep.  A loss keeps warning for
 * the window after it was first seen, whoever checks meanwhile (a
 * monitoring system's retries, a second monitor), then the mark moves up
 * to it; a new map (another id) starts from zero. */
void pdtt_lost_since(const struct pdtt_lost_mark *stored, uint32_t map_id, uint64_t packets,
		     uint64_t bytes, int64_t now, int64_t window, struct pdtt_lost_mark *next,
		     uint64_t *new_packets, uint64_t *new_bytes);

#define PDTT_HEALTH_MAX_ITEMS 8

struct pdtt_health_item {
	enum pdtt_health_status status;
	char text[256];
};

struct pdtt_health {
	enum pdtt_health_status status; /* the worst item's */
	struct pdtt_health_item item[PDTT_HEALTH_MAX_ITEMS];
	int n;
	int64_t commit_age; /* -1: nothing committed */
	int64_t warn_age, crit_age;
	double fill;
};

/* The limits on the commit's age when none is given: an interval can be
 * late by a clock step's 60 s hold and a slow commit, so two intervals
 * plus 90 s warn and ten plus 300 s are critical. */
void pdtt_health_age_limits(unsigned interval, int64_t *warn, int64_t *crit);
void pdtt_health_judge(const struct pdtt_health_facts *f, const struct pdtt_health_limits *l,
		       struct pdtt_health *h);
/* One line for a monitoring plugin: status, the items (problems first)
 * and the perfdata. */
void pdtt_health_nagios(const struct pdtt_health *h, const struct pdtt_health_facts *f,
			const struct pdtt_health_limits *l, char *out, size_t len);
const char *pdtt_health_name(enum pdtt_health_status s);

#endif
