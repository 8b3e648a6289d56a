/* Interfaces followed by name for the daemon's whole life: rtnetlink link
 * events (RTM_NEWLINK / RTM_DELLINK, renames) turn the names given with -i
 * into the ifindexes the programs filter on.  The parser and the name table
 * are pure; the socket is at the edge (pdtt_ifwatch_open/read). */
#ifndef PDTT_IFWATCH_H
#define PDTT_IFWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDTT_IFWATCH_NAME 16

struct pdtt_link_event {
	bool gone; /* RTM_DELLINK */
	uint32_t ifindex;
	char name[PDTT_IFWATCH_NAME];
};

/* Calls cb for each RTM_NEWLINK / RTM_DELLINK message in a netlink buffer;
 * other messages are skipped.  Returns -1 on a malformed buffer. */
int pdtt_parse_link_events(const void *buf, size_t len,
			   void (*cb)(const struct pdtt_link_event *ev, void *arg), void *arg);

/* A watched name and the ifindex it has now (0: absent). */
struct pdtt_watched {
	char name[PDTT_IFWATCH_NAME];
	uint32_t ifindex;
};

/* What an event changes: the ifindex to stop counting and the one to
 * start counting (0: none), for the watched entry at index 'which'. */
struct pdtt_watch_change {
	int which;
	uint32_t stop, start;
	const char *why; /* "appeared", "disappeared", "renamed away", "recreated" */
};

/* Applies one event to the table; returns the number of changes written
 * (0..2: a rename can take an ifindex from one watched name to another). */
int pdtt_watch_apply(struct pdtt_watched *w, int n, const struct pdtt_link_event *ev,
		     struct pdtt_watch_change out[2]);

#define PDTT_IFWATCH_MAX 64

/* The watch: the socket and the watched names. */
struct pdtt_ifwatch {
	int fd; /* -1 when nothing is watched (-i all) */
	struct pdtt_watched names[PDTT_IFWATCH_MAX];
	int n;
	/* ifindexes that left a watched name lately, with that name: the rows
	 * of their last interval are still stored under it */
	struct pdtt_watched departed[16];
	unsigned n_departed;
};

/* The watched name ifindex has, or had until lately; NULL if none. */
const char *pdtt_ifwatch_name(const struct pdtt_ifwatch *w, uint32_t ifindex);

/* Subscribes to link events first, then looks the names up, so no change
 * falls between the two.  A name that does not exist is an error (its
 * index in *missing) unless allow_missing.  -errno on failure. */
int pdtt_ifwatch_start(struct pdtt_ifwatch *w, const char (*names)[PDTT_IFWATCH_NAME], int n,
		       bool allow_missing, int *missing);

/* Reads the pending events and calls cb for each change.  After an
 * overrun (ENOBUFS) it looks every name up again.  0 or -errno. */
int pdtt_ifwatch_read(struct pdtt_ifwatch *w,
		      void (*cb)(const struct pdtt_watch_change *ch, const struct pdtt_watched *w,
				 void *arg),
		      void *arg);

void pdtt_ifwatch_close(struct pdtt_ifwatch *w);

#endif
