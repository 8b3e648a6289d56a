/* Taking over the pins of an older map layout (bpf/pdtt.h): the new programs
 * swap in through its links (collector.c), then its stats map's final
 * counters are read and committed once (daemon.c), and only then are its
 * pins removed.  Every step can be repeated: a start that stops half-way
 * leaves what the next start needs. */
#ifndef PDTT_UPGRADE_H
#define PDTT_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct pdtt_upgrade {
	int layout;	/* the older layout pinned under the root; 0: none */
	char dir[4096]; /* its pin directory */
	int lock_fd;	/* flock on it: no daemon of that layout runs */
	int stats_fd;	/* its stats map; -1 when it has none left */
	uint32_t map_id;
};

/* The layout a pin directory's name stands for ("1"), or -1. */
int pdtt_layout_of(const char *name);

/* Removes the pins in dir, links first (once they are gone no program
 * writes the maps), then, unless links_only, the maps and dir itself.
 * Nothing there is fine.  A PDTT_EXIT_* status; message in err. */
int pdtt_remove_pins(const char *dir, bool links_only, char *err, size_t errlen);

/* Looks for another layout's pin directory under root and locks it.  None
 * is 0 with u->layout 0.  A newer or unknown layout, or one a daemon still
 * runs on, is refused: a PDTT_EXIT_* status and a message in err. */
int pdtt_upgrade_find(struct pdtt_upgrade *u, const char *root, char *err, size_t errlen);

/* Whether the old layout's socket owner records mean what this one's do, so
 * the new programs can keep them (PDTT_OWNER_LAYOUT). */
bool pdtt_upgrade_keeps_owners(const struct pdtt_upgrade *u);

/* Removes the old layout's remaining link pins, then returns the old stats
 * map's counters once no program adds to them any more
 * (two reads in a row agree), sorted.  0 or -errno. */
int pdtt_upgrade_read(struct pdtt_upgrade *u, int ncpus, struct pdtt_snapshot *final);

/* Removes the old layout's pins and directory.  A PDTT_EXIT_* status. */
int pdtt_upgrade_finish(struct pdtt_upgrade *u, char *err, size_t errlen);

void pdtt_upgrade_close(struct pdtt_upgrade *u);

#endif
