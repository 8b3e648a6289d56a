/* The BPF side of the daemon: variant probing, load, attach, map reads. */
#ifndef PDTT_COLLECTOR_H
#define PDTT_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report_format.h"
#include "snapshot.h"

enum pdtt_variant {
	PDTT_VARIANT_FULL,   /* 6.15+ */
	PDTT_VARIANT_KCTX,   /* 6.2+ */
	PDTT_VARIANT_COMPAT, /* older */
	PDTT_VARIANT_COUNT,
};

struct pdtt_iface_sel {
	char name[16];
	uint32_t ifindex;
};

struct pdtt_collector_config {
	const char *cgroup_path;
	bool all_ifaces;
	const struct pdtt_iface_sel *ifaces;
	int n_ifaces;
	uint64_t netns_cookie; /* the daemon's own netns */
	unsigned max_entries;  /* 0: the default for the possible CPUs */
	/* NULL: links die with the daemon.  Else maps and links are pinned
	 * there (reused when present), so the kernel keeps counting while the
	 * daemon is stopped; 'pdtt_xdp_user stop' removes them. */
	const char *pin_dir;
	/* An older layout's pin directory (src/upgrade.c), or NULL: its links
	 * get this run's programs and move to pin_dir, its owner records are
	 * kept when their layout did not change; its maps stay for the caller. */
	const char *old_pin_dir;
	bool keep_old_owners; /* its owner records mean what this layout's do */
};

/* Links: the two cgroup_skb programs, then the owner programs. */
#define PDTT_LINKS 8

struct pdtt_collector {
	enum pdtt_variant variant;
	void *skel;
	struct bpf_object *obj;
	struct bpf_link *links[PDTT_LINKS];
	bool owners;		/* the owner programs run (see bpf/pdtt.bpf.c) */
	char owner_caveat[512]; /* what counts less exactly for privilege-dropping servers */
	int stats_fd, lost_fd;
	int ncpus;
	void *percpu_buf;      /* scratch for one per-CPU value */
	uint32_t map_id;       /* kernel id of the stats map: a new id means new counters */
	unsigned max_entries;  /* the stats map's real size (a pinned map keeps its own) */
	uint64_t filter_netns; /* the netns cookie the interface filter keys on */
	bool reused;	       /* pinned maps and links of an earlier run were taken over */
	int lock_fd;	       /* flock on the pin directory: one daemon per pin set */
	unsigned pinned_now;   /* bits: links (0-7) and maps (8-) this run pinned */
	bool no_batch;	       /* the kernel lacks batch lookups: read key by key */
	bool sized_by_admin;   /* --max-entries was given */
	bool owners_renewed;   /* an upgrade could not keep the old owner records */
	bool took_over;	       /* an older layout's link runs this run's programs */
};

/* Picks the variant for this kernel; PDTT_BPF_VARIANT=full|kctx|compat in the
 * environment overrides the probe (used by the tests). -EINVAL on a bad value. */
int pdtt_collector_probe(enum pdtt_variant *out);
const char *pdtt_variant_name(enum pdtt_variant v);
/* One line describing what the variant guarantees less than "full", or NULL. */
const char *pdtt_variant_caveat(enum pdtt_variant v);

/* One line saying which users are counted less exactly than "the user on
 * whose behalf a task last sent or received" on this kernel, or NULL. */
const char *pdtt_collector_owner_caveat(const struct pdtt_collector *c);

/* Open, configure, load, attach.  On failure nothing stays attached; returns
 * a PDTT_EXIT_* status and a message in err. */
int pdtt_collector_start(struct pdtt_collector *c, enum pdtt_variant v,
			 const struct pdtt_collector_config *cfg, char *err, size_t errlen);
/* Reads the cumulative counters into s (sorted). 0 or -errno. */
int pdtt_collector_read(struct pdtt_collector *c, struct pdtt_snapshot *s);
/* Reads and removes one key in a single step (BPF_MAP_LOOKUP_AND_DELETE_ELEM,
 * Linux 5.14+): final holds every count up to its removal.  0, -ENOENT when
 * the key is not there, or -errno (-EOPNOTSUPP, -EINVAL: the kernel lacks it). */
int pdtt_collector_take(struct pdtt_collector *c, const struct pdtt_key *k,
			struct pdtt_value *final);
/* Puts a key taken with pdtt_collector_take back, its counters on one CPU;
 * -EEXIST when the key is there again (nothing is changed then). */
int pdtt_collector_put_back(struct pdtt_collector *c, const struct pdtt_key *k,
			    const struct pdtt_value *v);
/* Starts (on) or stops counting the daemon's own interface ifindex. 0 or -errno. */
int pdtt_collector_filter(struct pdtt_collector *c, uint32_t ifindex, bool on);
/* Reads the lost-count totals. 0 or -errno. */
int pdtt_collector_read_lost(struct pdtt_collector *c, struct pdtt_lost_info *lost);
/* Detaches (unless pinned) and frees everything. Safe on a zeroed or
 * half-started collector. */
void pdtt_collector_stop(struct pdtt_collector *c);

/* Stops after a failure that follows a successful start: also removes
 * whatever this run pinned, so nothing stays attached. */
void pdtt_collector_abort(struct pdtt_collector *c);

/* The pin (file name in the pin directory) of link i < PDTT_LINKS; *cgroup:
 * one of the two cgroup_skb links, which every variant attaches. */
const char *pdtt_collector_link_pin(int i, bool *cgroup);

/* Removes the pinned links and maps under pin_dir for good; the programs
 * detach once no daemon holds them.  Returns a PDTT_EXIT_* status. */
int pdtt_collector_unpin(const char *pin_dir, char *err, size_t errlen);

#endif
