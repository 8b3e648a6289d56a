/* 'check': whether accounting is really happening, for cron and monitoring
 * plugins.  Gathers the facts (the writer lock in /proc/locks, the pinned
 * links and maps, the database's last commit) and lets health.c judge. */
#include "check.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "collector.h"
#include "config_file.h"
#include "errmsg.h"
#include "health.h"
#include "pdtt.h"
#include "sql_embedded.h"
#include "store.h"
#include "writer_lock.h"

/* snprintf that may cut a long path short (the message stays one line). */
static void put(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void put(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s check [-d FILE] [--pin-dir DIR] [--config FILE] [--nagios]\n"
		"                           [--warn-age SECS] [--crit-age SECS]\n"
		"                           [--warn-fill PCT] [--crit-fill PCT] [--lost-window "
		"SECS]\n"
		"\n"
		"Says whether accounting is really happening: a daemon holds the database,\n"
		"the programs are attached, the last commit is recent, nothing was lost since\n"
		"the last check, the kernel table is not nearly full, and storing works.\n"
		"Run it as root (it reads the pinned maps).\n"
		"\n"
		"  -d, --db FILE     the daemon's database (default: %s)\n"
		"      --pin-dir DIR where the daemon pins (default: %s)\n"
		"      --config FILE take db and pin-dir from the daemon's configuration file\n"
		"      --nagios      one line with perfdata, for Nagios, Icinga and the like\n"
		"      --warn-age, --crit-age SECS  the last commit's age (default: 2 and 10\n"
		"                    intervals plus 90 and 300 s)\n"
		"      --warn-fill, --crit-fill PCT  the table's fill (default: 80 and 95)\n"
		"      --lost-window SECS  how long a loss keeps warning, whoever checks\n"
		"                    meanwhile (default: 3600)\n"
		"\n"
		"Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (could not look).\n",
		pdtt_progname(), PDTT_DEFAULT_DB, PDTT_DEFAULT_PIN_ROOT);
}

/* The links pinned in dir: how many, how many still attached, and which
 * cgroup_skb link (every variant has both) is gone or detached. */
static void look_at_links(const char *dir, struct pdtt_health_facts *f, char *why, size_t len)
{
	char path[4200];
	size_t off = 0;

	if (access(dir, F_OK)) {
		if (errno == EACCES) {
			put(why, len, "cannot read %s: %s; run check as root", dir,
			    strerror(errno));
			f->pins_error = why;
		} else {
			f->nothing_pinned = true;
		}
		return;
	}
	for (int i = 0; i < PDTT_LINKS; i++) {
		bool cgroup;
		const char *pin = pdtt_collector_link_pin(i, &cgroup);
		struct bpf_link_info info;
		__u32 ilen = sizeof(info);
		bool attached;
		int fd;

		put(path, sizeof(path), "%s/%s", dir, pin);
		fd = bpf_obj_get(path);
		if (fd < 0 && errno == ENOENT) {
			if (cgroup && off < sizeof(f->cgroup_missing))
				off += (size_t)snprintf(f->cgroup_missing + off,
							sizeof(f->cgroup_missing) - off, "%s%s",
							off ? " and " : "", pin + strlen("link_"));
			continue;
		}
		if (fd < 0) {
			put(why, len, "cannot open the pin %s: %s%s", path, strerror(errno),
			    errno == EACCES || errno == EPERM ? "; run check as root" : "");
			f->pins_error = why;
			return;
		}
		memset(&info, 0, sizeof(info));
		attached = !bpf_obj_get_info_by_fd(fd, &info, &ilen) &&
			   (info.type != BPF_LINK_TYPE_CGROUP || info.cgroup.cgroup_id != 0);
		close(fd);
		f->links_pinned++;
		f->links_attached += attached;
		if (!attached && cgroup && off < sizeof(f->cgroup_missing))
			off += (size_t)snprintf(f->cgroup_missing + off,
						sizeof(f->cgroup_missing) - off, "%s%s",
						off ? " and " : "", pin + strlen("link_"));
	}
}

/* The kernel table's entries and size, its id, and the lost counters. */
static void look_at_maps(const char *dir, struct pdtt_health_facts *f, uint32_t *map_id, char *why,
			 size_t len)
{
	char path[4200];
	struct bpf_map_info info;
	__u32 ilen = sizeof(info);
	int ncpus = libbpf_num_possible_cpus(), fd;
	struct pdtt_lost *lost = NULL;
	struct pdtt_key k, next;
	__u32 zero = 0;

	put(path, sizeof(path), "%s/pdtt_stats", dir);
	fd = bpf_obj_get(path);
	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		put(why, len, "cannot open %s: %s%s", path, strerror(errno),
		    errno == EACCES || errno == EPERM ? "; run check as root" : "");
		f->table_error = why;
		if (fd >= 0)
			close(fd);
		return;
	}
	f->max_entries = info.max_entries;
	for (int more = !bpf_map_get_next_key(fd, NULL, &next); more;) {
		f->entries++;
		k = next;
		more = !bpf_map_get_next_key(fd, &k, &next);
	}
	close(fd);

	put(path, sizeof(path), "%s/pdtt_lost", dir);
	fd = bpf_obj_get(path);
	lost = ncpus > 0 ? calloc((size_t)ncpus, sizeof(*lost)) : NULL;
	memset(&info, 0, sizeof(info));
	ilen = sizeof(info);
	if (fd < 0 || !lost || bpf_map_lookup_elem(fd, &zero, lost) ||
	    bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		put(why, len, "cannot read %s: %s", path, strerror(errno));
		f->table_error = why;
	} else {
		*map_id = info.id; /* the lost counters' own map: a new one starts at 0 */
		for (int i = 0; i < ncpus; i++) {
			f->lost_packets += lost[i].packets;
			f->lost_bytes += lost[i].bytes;
		}
	}
	free(lost);
	if (fd >= 0)
		close(fd);
}

static int put_meta(sqlite3 *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, pdtt_sql_set_meta, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Storing works: a write transaction on the database, which also keeps
 * the lost mark for the next check (health.h).  NULL, or why it failed. */
static const char *try_store(const char *path, const char *lost, char *why, size_t len)
{
	sqlite3 *db = NULL;
	char now[32];
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);

	put(now, sizeof(now), "%lld", (long long)time(NULL));
	if (rc == SQLITE_OK) {
		sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = put_meta(db, "check_at", now);
	if (rc == SQLITE_OK && lost)
		rc = put_meta(db, "check_lost", lost);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		put(why, len, "a test write to %s failed: %s", path,
		    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db); /* an open transaction is rolled back */
	return rc == SQLITE_OK ? NULL : why;
}

static int parse_secs(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v > 10LL * 365 * 86400)
		return -1;
	*out = v;
	return 0;
}

static int parse_pct(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || strspn(s, "0123456789.") != strlen(s))
		return -1;
	v = strtod(s, &end);
	if (*end || v < 0 || v > 100)
		return -1;
	*out = v;
	return 0;
}

int pdtt_check_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "nagios", no_argument, NULL, 'n' },
		{ "warn-age", required_argument, NULL, 'a' },
		{ "crit-age", required_argument, NULL, 'A' },
		{ "warn-fill", required_argument, NULL, 'f' },
		{ "crit-fill", required_argument, NULL, 'F' },
		{ "lost-window", required_argument, NULL, 'w' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = PDTT_DEFAULT_DB, *pin_root = PDTT_DEFAULT_PIN_ROOT, *conf = NULL;
	char db_buf[4096] = "", pin_buf[4096] = "";
	bool db_given = false, pin_given = false;
	struct pdtt_health_limits lim = { -1, -1, 80, 95, 3600 };
	struct pdtt_health_facts f = { 0 };
	struct pdtt_health h;
	struct pdtt_store s = { 0 };
	char err[1024], pins_why[512], table_why[512], store_why[512], dir[4200], lost[96];
	char line[2048];
	char *stored_lost;
	uint32_t map_id = 0;
	bool nagios = false;
	pid_t pid;
	int c, held;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case 'd':
			db_path = optarg;
			db_given = true;
			break;
		case 'p':
			pin_root = optarg;
			pin_given = true;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'n':
			nagios = true;
			break;
		case 'a':
			bad = parse_secs(optarg, &lim.warn_age);
			break;
		case 'A':
			bad = parse_secs(optarg, &lim.crit_age);
			break;
		case 'f':
			bad = parse_pct(optarg, &lim.warn_fill);
			break;
		case 'F':
			bad = parse_pct(optarg, &lim.crit_fill);
			break;
		case 'w':
			bad = parse_secs(optarg, &lim.lost_window);
			break;
		case 'h':
			usage(stdout);
			return PDTT_HEALTH_OK;
		default:
			pdtt_say("check: %s: unknown option or missing value; see check --help",
				 argv[optind - 1]);
			return PDTT_HEALTH_UNKNOWN;
		}
		if (bad) {
			bool secs = c == 'a' || c == 'A' || c == 'w';

			pdtt_say("check: %s '%s': not a number of %s; see check --help",
				 argv[optind - 1], optarg,
				 secs ? "seconds" : "percent from 0 to 100");
			return PDTT_HEALTH_UNKNOWN;
		}
	}
	if (optind < argc) {
		pdtt_say("check: '%s': unexpected argument; see check --help", argv[optind]);
		return PDTT_HEALTH_UNKNOWN;
	}
	if (conf) { /* the whole file is checked, even when -d and --pin-dir win */
		if (pdtt_config_paths(conf, db_given ? NULL : db_buf, sizeof(db_buf),
				      pin_given ? NULL : pin_buf, sizeof(pin_buf), err,
				      sizeof(err))) {
			printf("PDTT UNKNOWN - %s\n", err); /* as the monitor shows it */
			return PDTT_HEALTH_UNKNOWN;
		}
		db_path = db_given ? db_path : db_buf;
		pin_root = pin_given ? pin_root : pin_buf;
	}

	if (pdtt_store_open(&s, db_path, false, err, sizeof(err))) {
		printf("PDTT UNKNOWN - %s\n", err);
		return PDTT_HEALTH_UNKNOWN;
	}
	f.db_path = db_path;
	f.now = (int64_t)time(NULL);
	f.last_end = pdtt_store_meta_int(s.db, "last_end", 0);
	f.interval = (unsigned)pdtt_store_meta_int(s.db, "interval", 0);
	stored_lost = pdtt_store_meta(s.db, "check_lost");
	pdtt_store_close(&s);

	held = pdtt_writer_lock_holder(db_path, &pid);
	f.holder_pid = held > 0 ? (pid ? (long)pid : -1) : held < 0 ? -2 : 0;
	put(dir, sizeof(dir), "%s/%d", pin_root, PDTT_LAYOUT_VERSION);
	look_at_links(dir, &f, pins_why, sizeof(pins_why));
	if (!f.nothing_pinned && !f.pins_error)
		look_at_maps(dir, &f, &map_id, table_why, sizeof(table_why));
	else
		f.table_error = f.pins_error ? f.pins_error : "nothing is pinned";
	if (!f.table_error) {
		struct pdtt_lost_mark old, next;

		pdtt_lost_since(pdtt_lost_mark_parse(stored_lost, &old) ? NULL : &old, map_id,
				f.lost_packets, f.lost_bytes, f.now, lim.lost_window, &next,
				&f.lost_new_packets, &f.lost_new_bytes);
		pdtt_lost_mark_format(&next, lost, sizeof(lost));
	}
	free(stored_lost);
	f.store_error =
		try_store(db_path, f.table_error ? NULL : lost, store_why, sizeof(store_why));

	pdtt_health_judge(&f, &lim, &h);
	if (nagios) {
		pdtt_health_nagios(&h, &f, &lim, line, sizeof(line));
		printf("%s\n", line);
	} else {
		for (int i = 0; i < h.n; i++)
			printf("%-8s %s\n", pdtt_health_name(h.item[i].status), h.item[i].text);
		printf("%s\n", pdtt_health_name(h.status));
	}
	return h.status;
}
