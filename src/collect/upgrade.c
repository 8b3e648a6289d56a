#include "upgrade.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "pdtt.h"
#include "pdtt_exit.h"

/* The older layouts this build takes over: their stats map is pdtt_key ->
 * per-CPU struct pdtt_value_v1; owner_layout is their PDTT_OWNER_LAYOUT. */
static const struct {
	int layout, owner_layout;
} older_layouts[] = {
#if PDTT_LAYOUT_VERSION == 2
	{ 1, 1 },
#endif
	{ 0, 0 }, /* end: 0 never names a layout */
};

static int older_index(int layout)
{
	for (int i = 0; older_layouts[i].layout; i++)
		if (older_layouts[i].layout == layout)
			return i;
	return -1;
}

bool pdtt_upgrade_keeps_owners(const struct pdtt_upgrade *u)
{
	int i = older_index(u->layout);

	return i >= 0 && older_layouts[i].owner_layout == PDTT_OWNER_LAYOUT;
}

int pdtt_layout_of(const char *name)
{
	if (!*name || strspn(name, "0123456789") != strlen(name) || strlen(name) > 6)
		return -1;
	return atoi(name);
}

int pdtt_remove_pins(const char *dir, bool links_only, char *err, size_t errlen)
{
	int rc = 0;

	/* Links first: once they are gone no program writes the maps. */
	for (int pass = 0; pass < (links_only ? 1 : 2); pass++) {
		DIR *d = opendir(dir);
		struct dirent *e;

		if (!d) {
			if (errno == ENOENT)
				return 0;
			snprintf(err, errlen, "pin directory %s: %s", dir, strerror(errno));
			return PDTT_EXIT_RUNTIME;
		}
		while ((e = readdir(d))) {
			char path[4400];

			if (e->d_name[0] == '.' || (!strncmp(e->d_name, "link_", 5)) != !pass)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (unlink(path) && errno != ENOENT) {
				snprintf(err, errlen, "removing %s: %s", path, strerror(errno));
				rc = PDTT_EXIT_RUNTIME;
			}
		}
		closedir(d);
	}
	if (!rc && !links_only && rmdir(dir) && errno != ENOENT) {
		snprintf(err, errlen, "removing %s: %s (a subdirectory in it?)", dir,
			 strerror(errno));
		rc = PDTT_EXIT_RUNTIME;
	}
	return rc;
}

static int open_stats(struct pdtt_upgrade *u, char *err, size_t errlen)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	char path[4200];

	snprintf(path, sizeof(path), "%s/pdtt_stats", u->dir);
	u->stats_fd = bpf_obj_get(path);
	if (u->stats_fd < 0) {
		if (errno == ENOENT)
			return 0; /* only links or nothing left: nothing to read */
		snprintf(err, errlen, "pinned map %s: %s", path, strerror(errno));
		return PDTT_EXIT_RUNTIME;
	}
	if (bpf_obj_get_info_by_fd(u->stats_fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_PERCPU_HASH || info.key_size != sizeof(struct pdtt_key) ||
	    info.value_size != sizeof(struct pdtt_value_v1)) {
		snprintf(err, errlen,
			 "pinned map %s: not the stats map of layout %d; run 'pdtt_xdp_user stop' "
			 "to remove it (its uncommitted counts are lost)",
			 path, u->layout);
		return PDTT_EXIT_RUNTIME;
	}
	u->map_id = info.id;
	return 0;
}

int pdtt_upgrade_find(struct pdtt_upgrade *u, const char *root, char *err, size_t errlen)
{
	DIR *d = opendir(root);
	struct dirent *e;
	int rc = 0;

	memset(u, 0, sizeof(*u));
	u->lock_fd = u->stats_fd = -1;
	if (!d)
		return 0; /* no root yet: a first start */
	while (!rc && (e = readdir(d))) {
		int n = pdtt_layout_of(e->d_name);

		if (n < 0 || n == PDTT_LAYOUT_VERSION)
			continue;
		if (older_index(n) < 0 || u->layout) {
			snprintf(err, errlen,
				 "pin directory %s/%s: pins of map layout %d, which this pdtt "
				 "(layout %d) cannot take over; start the version that made them, "
				 "or "
				 "run 'pdtt_xdp_user stop' to remove every pin (their uncommitted "
				 "counts are lost)",
				 root, e->d_name, n, PDTT_LAYOUT_VERSION);
			rc = PDTT_EXIT_RUNTIME;
			break;
		}
		u->layout = n;
		snprintf(u->dir, sizeof(u->dir), "%s/%s", root, e->d_name);
	}
	closedir(d);
	if (rc || !u->layout)
		return rc;
	u->lock_fd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->lock_fd < 0 || flock(u->lock_fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen,
			 "pin directory %s: %s; a pdtt daemon of layout %d still runs on it: stop "
			 "it "
			 "(SIGTERM), then start this one",
			 u->dir, strerror(errno), u->layout);
		return PDTT_EXIT_RUNTIME;
	}
	return open_stats(u, err, errlen);
}

static int read_once(int fd, int ncpus, struct pdtt_value_v1 *buf, struct pdtt_snapshot *s)
{
	struct pdtt_key key, next;
	void *prev = NULL;

	pdtt_snapshot_clear(s);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct pdtt_value sum = { 0 };

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, buf)) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		for (int i = 0; i < ncpus; i++) {
			sum.rx_bytes += buf[i].rx_bytes;
			sum.rx_packets += buf[i].rx_packets;
			sum.tx_bytes += buf[i].tx_bytes;
			sum.tx_packets += buf[i].tx_packets;
		}
		if (pdtt_snapshot_append(s, &key, &sum))
			return -ENOMEM;
	}
	if (errno != ENOENT)
		return -errno;
	pdtt_snapshot_sort(s);
	return 0;
}

static bool same(const struct pdtt_snapshot *a, const struct pdtt_snapshot *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (pdtt_key_cmp(&a->e[i].key, &b->e[i].key) ||
		    memcmp(&a->e[i].val, &b->e[i].val, sizeof(a->e[i].val)) != 0)
			return false;
	return true;
}

int pdtt_upgrade_read(struct pdtt_upgrade *u, int ncpus, struct pdtt_snapshot *final)
{
	struct pdtt_value_v1 *buf = calloc((size_t)ncpus, sizeof(*buf));
	struct pdtt_snapshot again;
	bool still = false;
	char err[512];
	int rc = 0;

	pdtt_snapshot_init(&again);
	pdtt_snapshot_clear(final);
	if (!buf)
		return -ENOMEM;
	/* Links of the old layout that the collector did not know (it moved or
	 * removed those it knows) must not go on counting into a map read once. */
	if (pdtt_remove_pins(u->dir, true, err, sizeof(err))) {
		fprintf(stderr, "pdtt: upgrade: %s\n", err);
		rc = -EBUSY;
	}
	if (!rc && u->stats_fd >= 0)
		rc = read_once(u->stats_fd, ncpus, buf, final);
	/* Programs that were running when their link moved on finish within
	 * an RCU grace period: wait until the counters stand still. */
	for (int i = 0; !rc && u->stats_fd >= 0 && i < 100; i++) {
		nanosleep(&(struct timespec){ 0, 50000000L }, NULL);
		rc = read_once(u->stats_fd, ncpus, buf, &again);
		if (!rc && (still = same(final, &again)))
			break;
		if (!rc)
			pdtt_snapshot_swap(final, &again);
	}
	if (!rc && u->stats_fd >= 0 && !still)
		fprintf(stderr,
			"pdtt: warning: upgrade: the counters of map layout %d still moved after 5 "
			"s "
			"without its links; what they count from now on is not stored\n",
			u->layout);
	pdtt_snapshot_free(&again);
	free(buf);
	return rc;
}

int pdtt_upgrade_finish(struct pdtt_upgrade *u, char *err, size_t errlen)
{
	return u->layout ? pdtt_remove_pins(u->dir, false, err, errlen) : 0;
}

void pdtt_upgrade_close(struct pdtt_upgrade *u)
{
	if (u->stats_fd >= 0)
		close(u->stats_fd);
	if (u->lock_fd >= 0)
		close(u->lock_fd);
	u->stats_fd = u->lock_fd = -1;
}
