#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pdtt_exit.h"
#include "retention.h"
#include "names.h"
#include "sql_embedded.h"

static const char *const migrations[PDTT_SCHEMA_VERSION] = {
	pdtt_sql_001_base,	 pdtt_sql_002_rollups,	    pdtt_sql_003_usage_finest,
	pdtt_sql_004_quotas,	 pdtt_sql_005_window_index, pdtt_sql_006_integer_rollups,
	pdtt_sql_007_hook_queue, pdtt_sql_008_totals,
};

static const char *const stmt_sql[PDTT_ST_COUNT] = {
	[PDTT_ST_UPSERT_USER] = pdtt_sql_upsert_user,
	[PDTT_ST_UPSERT_INTERFACE] = pdtt_sql_upsert_interface,
	[PDTT_ST_INSERT_SAMPLE] = pdtt_sql_insert_sample,
	[PDTT_ST_UPSERT_BASELINE] = pdtt_sql_upsert_baseline,
	[PDTT_ST_LOAD_BASELINE] = pdtt_sql_load_baseline,
	[PDTT_ST_CLEAR_BASELINE] = pdtt_sql_clear_baseline,
	[PDTT_ST_GET_META] = pdtt_sql_get_meta,
	[PDTT_ST_SET_META] = pdtt_sql_set_meta,
	[PDTT_ST_PRUNE_SAMPLES] = pdtt_sql_prune_samples,
	[PDTT_ST_PRUNE_HOURS] = pdtt_sql_prune_hours,
	[PDTT_ST_PRUNE_DAYS] = pdtt_sql_prune_days,
	[PDTT_ST_PRUNE_MONTHS] = pdtt_sql_prune_months,
	[PDTT_ST_ROLL_SAMPLES] = pdtt_sql_roll_samples,
	[PDTT_ST_ROLL_HOURS] = pdtt_sql_roll_hours,
	[PDTT_ST_ROLL_DAYS] = pdtt_sql_roll_days,
	[PDTT_ST_NEXT_SAMPLE] = pdtt_sql_next_sample,
	[PDTT_ST_NEXT_HOUR] = pdtt_sql_next_hour,
	[PDTT_ST_NEXT_DAY] = pdtt_sql_next_day,
	[PDTT_ST_RAISE_META] = pdtt_sql_raise_meta,
	[PDTT_ST_DELETE_BASELINE] = pdtt_sql_delete_baseline,
	[PDTT_ST_LOWER_META] = pdtt_sql_lower_meta,
	[PDTT_ST_SET_USER_NAME] = pdtt_sql_set_user_name,
	[PDTT_ST_ADD_TOTALS] = pdtt_sql_add_totals,
};

static int exec(struct pdtt_store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

static int64_t pragma_int(struct pdtt_store *s, const char *sql, int *rc)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	*rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (*rc != SQLITE_OK)
		return 0;
	*rc = sqlite3_step(st);
	if (*rc == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		*rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return v;
}

/* The directory (0750) and an empty file (0640) before SQLite opens it, in
 * those modes whatever the umask (systemd's UMask=0077 would make the file
 * 0600 and lock out the group that may read it).  SQLite gives its -wal
 * and -shm files the database file's mode. */
static int create_file(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (!mkdir(dir, 0750)) {
			/* by descriptor: the path may have been swapped for a link */
			int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (dfd < 0 || fchmod(dfd, 0750)) {
				snprintf(err, errlen,
					 "database directory '%s': chmod: %s; check who else can "
					 "write "
					 "its parent",
					 dir, strerror(errno));
				if (dfd >= 0)
					close(dfd);
				return -1;
			}
			close(dfd);
		} else if (errno != EEXIST) {
			snprintf(err, errlen,
				 "database directory '%s': %s; create it or choose another path "
				 "with -d",
				 dir, strerror(errno));
			return -1;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd >= 0 && fchmod(fd, 0640)) {
		snprintf(err, errlen, "database '%s': chmod: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "database '%s': %s; choose a writable path with -d", path,
			 strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* A non-empty file must start with SQLite's magic; anything else is left alone. */
static int check_magic(const char *path, char *err, size_t errlen)
{
	char head[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not hang it */
	struct stat sb;
	ssize_t n;

	if (fd < 0)
		return 0; /* SQLite reports it */
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		snprintf(err, errlen,
			 "database '%s': not a regular file; choose another path with -d", path);
		return -1;
	}
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n > 0 && (n < 16 || memcmp(head, "SQLite format 3", 16) != 0)) {
		snprintf(err, errlen,
			 "database '%s': not an SQLite database (corrupt or another file); "
			 "it is left untouched, choose another path with -d",
			 path);
		return -1;
	}
	return 0;
}

static int migrate(struct pdtt_store *s, int64_t from, char *err, size_t errlen)
{
	char sql[128];
	int rc;

	rc = exec(s, "BEGIN IMMEDIATE");
	for (int64_t v = from; rc == SQLITE_OK && v < PDTT_SCHEMA_VERSION; v++)
		rc = exec(s, migrations[v]);
	if (rc == SQLITE_OK) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d;",
			 PDTT_SCHEMA_VERSION, PDTT_APPLICATION_ID);
		rc = exec(s, sql);
	}
	if (rc == SQLITE_OK && from == 0)
		rc = exec(
			s,
			"INSERT INTO meta (key, value) VALUES ('created', strftime('%s', 'now'))");
	if (rc == SQLITE_OK)
		rc = exec(s, "COMMIT");
	if (rc != SQLITE_OK) {
		snprintf(err, errlen,
			 "database: migrating schema %lld to %d failed: %s; nothing was changed",
			 (long long)from, PDTT_SCHEMA_VERSION, sqlite3_errmsg(s->db));
		exec(s, "ROLLBACK");
		return -1;
	}
	return 0;
}

static int put_meta_int(struct pdtt_store *s, enum pdtt_stmt which, const char *key, int64_t v);

int pdtt_store_history_start(struct sqlite3 *db, int64_t *t)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db, pdtt_sql_history_start, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*t = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* 'first_start' for a file written before the mark was kept.  Advisory:
 * without it, reports only say less about what the history covers. */
static void seed_first_start(struct pdtt_store *s)
{
	sqlite3_stmt *st;
	int64_t t;

	s->first_start = INT64_MAX;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'first_start'", -1, &st,
			       NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		s->first_start = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (s->first_start != INT64_MAX || pdtt_store_history_start(s->db, &t))
		return;
	if (put_meta_int(s, PDTT_ST_LOWER_META, "first_start", t) == SQLITE_OK)
		s->first_start = t;
}

int pdtt_store_open(struct pdtt_store *s, const char *path, bool create, char *err, size_t errlen)
{
	int flags = create ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
	int64_t app, version, tables;
	struct stat stt;
	int rc;

	memset(s, 0, sizeof(*s));
	s->first_start = INT64_MAX; /* until seed_first_start reads it */
	if (stat(path, &stt)) {
		if (!create || errno != ENOENT) {
			snprintf(err, errlen, "database '%s': %s%s", path, strerror(errno),
				 create ? "" : "; is the daemon running with this -d?");
			return PDTT_EXIT_DB;
		}
		if (create_file(path, err, errlen))
			return PDTT_EXIT_DB;
	} else if (check_magic(path, err, errlen)) {
		return PDTT_EXIT_DB;
	}
	rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "database '%s': %s", path,
			 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	/* The daemon's account may write the file that root opens here (every
	 * start, report, quota): no function with side effects runs from the
	 * schema (a view or trigger planted in it). */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	sqlite3_busy_timeout(s->db, 1000);
	/* The schema's REFERENCES document it; they are not enforced, as the
	 * commit writes a row's user and interface first, in the same
	 * transaction, and checking would cost two lookups per sample. */
	exec(s, "PRAGMA foreign_keys = OFF");
	/* Truncate the WAL after checkpoints instead of keeping its peak size. */
	exec(s, "PRAGMA journal_size_limit = 16777216");

	app = pragma_int(s, "PRAGMA application_id", &rc);
	if (rc == SQLITE_OK)
		version = pragma_int(s, "PRAGMA user_version", &rc);
	if (rc == SQLITE_OK)
		tables = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &rc);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "database '%s': unreadable (%s); it is left untouched", path,
			 sqlite3_errmsg(s->db));
		goto fail;
	}
	if (app != PDTT_APPLICATION_ID && (app != 0 || version != 0 || tables != 0)) {
		snprintf(err, errlen,
			 "database '%s': not a pdtt database (another application's file); "
			 "it is left untouched, choose another path with -d",
			 path);
		goto fail;
	}
	if (version > PDTT_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "database '%s': schema version %lld is newer than this pdtt understands "
			 "(%d); "
			 "upgrade pdtt",
			 path, (long long)version, PDTT_SCHEMA_VERSION);
		goto fail;
	}
	if (create) {
		/* Only takes effect on an empty file, before anything is written. */
		if (tables == 0)
			exec(s, "PRAGMA auto_vacuum = INCREMENTAL");
		if (exec(s, "PRAGMA journal_mode = WAL") != SQLITE_OK) {
			snprintf(err, errlen, "database '%s': cannot enable WAL: %s", path,
				 sqlite3_errmsg(s->db));
			goto fail;
		}
		if (version < PDTT_SCHEMA_VERSION && migrate(s, version, err, errlen))
			goto fail;
	} else if (version < PDTT_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "database '%s': schema version %lld is older than %d; start the daemon "
			 "once to migrate it",
			 path, (long long)version, PDTT_SCHEMA_VERSION);
		goto fail;
	}
	for (int i = 0; create && i < PDTT_ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			snprintf(err, errlen, "database '%s': preparing statement %d: %s", path, i,
				 sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	if (create) {
		static const char *const sample[] = { ":start",	   ":end",	 ":uid",
						      ":iface_id", ":rx_bytes",	 ":rx_packets",
						      ":tx_bytes", ":tx_packets" };
		static const char *const base[] = { ":uid",	  ":netns_cookie", ":ifindex",
						    ":rx_bytes",  ":rx_packets",   ":tx_bytes",
						    ":tx_packets" };

		for (int i = 0; i < 8; i++)
			s->sample_ix[i] = sqlite3_bind_parameter_index(s->st[PDTT_ST_INSERT_SAMPLE],
								       sample[i]);
		for (int i = 0; i < 7; i++)
			s->baseline_ix[i] = sqlite3_bind_parameter_index(
				s->st[PDTT_ST_UPSERT_BASELINE], base[i]);
		for (int i = 0; i < 7; i++) /* the sample's but its start */
			s->totals_ix[i] = sqlite3_bind_parameter_index(s->st[PDTT_ST_ADD_TOTALS],
								       sample[i + 1]);
		seed_first_start(s);
	}
	return 0;
fail:
	pdtt_store_close(s);
	return PDTT_EXIT_DB;
}

int pdtt_store_ensure_file(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (!lstat(path, &st))
		return 0;
	if (errno != ENOENT) {
		snprintf(err, errlen, "database '%s': %s; choose another path with -d", path,
			 strerror(errno));
		return PDTT_EXIT_DB;
	}
	return create_file(path, err, errlen) ? PDTT_EXIT_DB : 0;
}

void pdtt_store_close(struct pdtt_store *s)
{
	for (int i = 0; i < PDTT_ST_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	sqlite3_close(s->db);
	s->db = NULL;
}

static void bind_i64(sqlite3_stmt *st, const char *name, int64_t v)
{
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name), v);
}

static void bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no rows (or one, into *id) and resets it. */
static int run(sqlite3_stmt *st, int64_t *id)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		if (id)
			*id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Binds every parameter by its cached position, runs, resets. */
static int run_bound(sqlite3_stmt *st, const int *ix, const int64_t *v, int n)
{
	int rc;

	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(st, ix[i], v[i]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int get_meta(struct pdtt_store *s, const char *key, char *out, size_t len)
{
	sqlite3_stmt *st = s->st[PDTT_ST_GET_META];
	int rc;

	out[0] = '\0';
	bind_text(st, ":key", key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);

		snprintf(out, len, "%s", v ? (const char *)v : "");
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* One meta row through SET_META, RAISE_META or LOWER_META. */
static int put_meta(struct pdtt_store *s, enum pdtt_stmt which, const char *key, const char *value)
{
	sqlite3_stmt *st = s->st[which];

	bind_text(st, ":key", key);
	bind_text(st, ":value", value);
	return run(st, NULL);
}

static int put_meta_int(struct pdtt_store *s, enum pdtt_stmt which, const char *key, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	return put_meta(s, which, key, num);
}

static int set_meta(struct pdtt_store *s, const char *key, const char *value)
{
	return put_meta(s, PDTT_ST_SET_META, key, value);
}

char *pdtt_store_meta(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, pdtt_sql_get_meta, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

int64_t pdtt_store_meta_int(sqlite3 *db, const char *key, int64_t dflt)
{
	char *v = pdtt_store_meta(db, key);
	int64_t n = v ? strtoll(v, NULL, 10) : dflt;

	free(v);
	return n;
}

int pdtt_store_interface_totals(struct pdtt_store *s, bool on, char *err, size_t errlen)
{
	char had[8];
	int rc = get_meta(s, "interface_totals", had, sizeof(had));
	bool kept = !strcmp(had, "1");

	/* Kept and wanted, or neither: nothing to do.  Turned off, the table
	 * stays as it is (only the flag changes).  Turned on, each row becomes
	 * the history's sum, or stays what it was when that is more: the
	 * history holds what was committed while it was off, unless retention
	 * dropped months meanwhile, and an exported counter never goes down. */
	if (rc == SQLITE_OK && kept == on) {
		s->interface_totals = on;
		return 0;
	}
	if (rc == SQLITE_OK)
		rc = exec(s, "BEGIN IMMEDIATE");
	if (rc == SQLITE_OK && on)
		rc = exec(s, pdtt_sql_fill_totals);
	if (rc == SQLITE_OK)
		rc = set_meta(s, "interface_totals", on ? "1" : "0");
	if (rc == SQLITE_OK)
		rc = exec(s, "COMMIT");
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		if (!sqlite3_get_autocommit(s->db))
			exec(s, "ROLLBACK");
		return rc;
	}
	s->interface_totals = on;
	return 0;
}

int pdtt_store_set_meta(struct pdtt_store *s, const char *key, const char *value)
{
	return set_meta(s, key, value) == SQLITE_OK ? 0 : -1;
}

int pdtt_store_load(struct pdtt_store *s, struct pdtt_store_state *out,
		    struct pdtt_snapshot *baseline)
{
	sqlite3_stmt *st = s->st[PDTT_ST_LOAD_BASELINE];
	char v[64] = "";
	int rc;

	memset(out, 0, sizeof(*out));
	rc = get_meta(s, "boot_id", out->boot_id, sizeof(out->boot_id));
	if (rc == SQLITE_OK)
		rc = get_meta(s, "map_id", v, sizeof(v));
	out->map_id = strtoull(v, NULL, 10);
	if (rc == SQLITE_OK)
		rc = get_meta(s, "last_end", v, sizeof(v));
	out->last_end = strtoll(v, NULL, 10);
	if (rc == SQLITE_OK)
		rc = get_meta(s, "last_end_boot", v, sizeof(v));
	{
		/* "END:BOOT_MS", trusted only for the same last_end (an older
		 * pdtt may have written last_end alone since). */
		long long end = 0, boot = 0;

		if (sscanf(v, "%lld:%lld", &end, &boot) == 2 && end == out->last_end)
			out->last_end_boot_ms = boot;
	}
	if (rc != SQLITE_OK)
		return rc;

	pdtt_snapshot_clear(baseline);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pdtt_key k = {
			.uid = (__u32)sqlite3_column_int64(st, 0),
			.netns_cookie = (__u64)sqlite3_column_int64(st, 1),
			.ifindex = (__u32)sqlite3_column_int64(st, 2),
		};
		struct pdtt_value val = {
			.rx_bytes = (__u64)sqlite3_column_int64(st, 3),
			.rx_packets = (__u64)sqlite3_column_int64(st, 4),
			.tx_bytes = (__u64)sqlite3_column_int64(st, 5),
			.tx_packets = (__u64)sqlite3_column_int64(st, 6),
		};

		if (pdtt_snapshot_append(baseline, &k, &val)) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	pdtt_snapshot_sort(baseline);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Within one commit: users and interfaces are upserted once each, not once
 * per row (rows come sorted by uid; a machine has few interfaces). */
struct commit_ctx {
	int64_t last_uid;
	struct {
		const char *name, *netns;
		int64_t id;
	} ifaces[32];
	int n_ifaces;
};

static int iface_id_of(struct pdtt_store *s, struct commit_ctx *x, const struct pdtt_commit *c,
		       const struct pdtt_commit_row *r, int64_t *id)
{
	sqlite3_stmt *st = s->st[PDTT_ST_UPSERT_INTERFACE];
	int rc;

	for (int i = 0; i < x->n_ifaces; i++)
		if (!strcmp(x->ifaces[i].name, r->iface_name) &&
		    !strcmp(x->ifaces[i].netns, r->netns)) {
			*id = x->ifaces[i].id;
			return SQLITE_OK;
		}
	bind_text(st, ":name", r->iface_name);
	bind_text(st, ":netns", r->netns);
	bind_i64(st, ":seen", c->span.end);
	rc = run(st, id);
	if (rc == SQLITE_OK && x->n_ifaces < (int)(sizeof(x->ifaces) / sizeof(x->ifaces[0]))) {
		x->ifaces[x->n_ifaces].name = r->iface_name;
		x->ifaces[x->n_ifaces].netns = r->netns;
		x->ifaces[x->n_ifaces++].id = *id;
	}
	return rc;
}

/* Row i of the commit; the first of a uid's rows (they are sorted by uid)
 * also writes its users row, with what all of them add to its totals. */
static int commit_row(struct pdtt_store *s, struct commit_ctx *x, const struct pdtt_commit *c,
		      size_t i)
{
	const struct pdtt_commit_row *r = &c->rows[i];
	sqlite3_stmt *st;
	int64_t iface_id = 0;
	int rc;

	if (x->last_uid != r->key.uid) {
		struct pdtt_value sum = { 0 };

		for (size_t j = i; j < c->n_rows && c->rows[j].key.uid == r->key.uid; j++)
			pdtt_value_add(&sum, &c->rows[j].delta);
		st = s->st[PDTT_ST_UPSERT_USER];
		bind_i64(st, ":uid", r->key.uid);
		bind_text(st, ":name", r->user_name);
		bind_i64(st, ":seen", c->span.end);
		bind_i64(st, ":rx_bytes", (int64_t)sum.rx_bytes);
		bind_i64(st, ":rx_packets", (int64_t)sum.rx_packets);
		bind_i64(st, ":tx_bytes", (int64_t)sum.tx_bytes);
		bind_i64(st, ":tx_packets", (int64_t)sum.tx_packets);
		rc = run(st, NULL);
		if (rc)
			return rc;
		x->last_uid = r->key.uid;
	}
	rc = iface_id_of(s, x, c, r, &iface_id);
	if (rc)
		return rc;

	/* The two statements of every row bind by position: all their
	 * parameters, every time, so nothing needs clearing either. */
	{
		const int64_t v[8] = { c->span.start,
				       c->span.end,
				       r->key.uid,
				       iface_id,
				       (int64_t)r->delta.rx_bytes,
				       (int64_t)r->delta.rx_packets,
				       (int64_t)r->delta.tx_bytes,
				       (int64_t)r->delta.tx_packets };

		rc = run_bound(s->st[PDTT_ST_INSERT_SAMPLE], s->sample_ix, v, 8);
		if (!rc && s->interface_totals) /* --metrics-per-interface: the same numbers */
			rc = run_bound(s->st[PDTT_ST_ADD_TOTALS], s->totals_ix, v + 1, 7);
		if (rc)
			return rc;
	}

	if (r->gone)
		return SQLITE_OK;
	{
		const int64_t v[7] = { r->key.uid,
				       (int64_t)r->key.netns_cookie,
				       r->key.ifindex,
				       (int64_t)r->cumulative.rx_bytes,
				       (int64_t)r->cumulative.rx_packets,
				       (int64_t)r->cumulative.tx_bytes,
				       (int64_t)r->cumulative.tx_packets };

		return run_bound(s->st[PDTT_ST_UPSERT_BASELINE], s->baseline_ix, v, 7);
	}
}

int pdtt_store_commit(struct pdtt_store *s, const struct pdtt_commit *c, char *err, size_t errlen)
{
	struct commit_ctx x = { .last_uid = -1 };
	char num[32], boot_num[48];
	int rc;

	/* The samples and the baseline only: rollups are made by retention. */
	rc = exec(s, "BEGIN IMMEDIATE");
	if (rc == SQLITE_OK && c->reset_baseline)
		rc = run(s->st[PDTT_ST_CLEAR_BASELINE], NULL);
	for (size_t i = 0; rc == SQLITE_OK && c->removed && i < c->removed->n; i++) {
		const struct pdtt_key *k = &c->removed->e[i].key;
		sqlite3_stmt *st = s->st[PDTT_ST_DELETE_BASELINE];

		bind_i64(st, ":uid", k->uid);
		bind_i64(st, ":netns_cookie", (int64_t)k->netns_cookie);
		bind_i64(st, ":ifindex", k->ifindex);
		rc = run(st, NULL);
	}
	for (size_t i = 0; rc == SQLITE_OK && i < c->n_rows; i++)
		rc = commit_row(s, &x, c, i);
	if (rc == SQLITE_OK)
		rc = set_meta(s, "boot_id", c->boot_id);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)c->map_id);
	snprintf(boot_num, sizeof(boot_num), "%lld:%lld", (long long)c->span.end,
		 (long long)c->end_boot_ms);
	if (rc == SQLITE_OK)
		rc = set_meta(s, "map_id", num);
	if (rc == SQLITE_OK)
		rc = put_meta_int(s, PDTT_ST_SET_META, "last_end", c->span.end);
	if (rc == SQLITE_OK)
		rc = put_meta(s, PDTT_ST_SET_META, "last_end_boot", boot_num);
	if (rc == SQLITE_OK && c->span.start < s->first_start)
		rc = put_meta_int(s, PDTT_ST_LOWER_META, "first_start", c->span.start);
	if (rc == SQLITE_OK)
		rc = exec(s, "COMMIT");
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		if (!sqlite3_get_autocommit(s->db))
			exec(s, "ROLLBACK");
	} else if (c->span.start < s->first_start) {
		s->first_start = c->span.start;
	}
	return rc;
}

/* The first row of a table at or after a time (NULL: none), through a
 * NEXT_* statement. */
static int next_row(struct pdtt_store *s, enum pdtt_stmt which, int64_t after, int64_t *t,
		    bool *found)
{
	sqlite3_stmt *st = s->st[which];
	int rc;

	bind_i64(st, ":after", after);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
	if (*found)
		*t = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* One step of retention: the finer rows before the cutoff are added to the
 * bucket of resolution res that holds their time (a sample's is its last
 * second, period_end - 1) by ROLL_*, then deleted by PRUNE_*, and meta
 * 'pruned_<name>_before' records the cutoff the report planner reads.  Only
 * buckets with rows are visited (NEXT_*).  Each roll covers the times
 * [max(bucket, after), min(bucket end, cutoff)), so every row before the
 * cutoff is rolled exactly once and the prune deletes exactly those, even
 * where a zone's calendar makes buckets odd (a cutoff inside a bucket, a
 * day the C library cannot step). */
static int roll_up(struct pdtt_store *s, const char *name, enum pdtt_res res, enum pdtt_stmt next,
		   enum pdtt_stmt roll, enum pdtt_stmt prune, int64_t cutoff)
{
	bool samples = next == PDTT_ST_NEXT_SAMPLE, found;
	int64_t after = INT64_MIN, t = 0;
	char key[48];
	int rc = SQLITE_OK;

	if (cutoff == INT64_MIN)
		return SQLITE_OK;
	for (;;) {
		int64_t time, bucket, to;

		rc = next_row(s, next, after, &t, &found);
		if (rc || !found)
			break;
		time = samples ? t - 1 : t;
		if (time >= cutoff)
			break;
		bucket = pdtt_bucket_start(res, time);
		to = pdtt_bucket_next(res, bucket);
		if (bucket > time || to <= time) { /* no calendar step: the row keeps its time */
			bucket = time;
			to = time + 1;
		}
		if (to > cutoff)
			to = cutoff;
		bind_i64(s->st[roll], ":bucket", bucket);
		bind_i64(s->st[roll], ":from", bucket > after ? bucket : after);
		bind_i64(s->st[roll], ":to", to);
		rc = run(s->st[roll], NULL);
		if (rc)
			break;
		after = to; /* samples: period_end > to; rollups: bucket_start >= to */
	}
	if (rc == SQLITE_OK) {
		bind_i64(s->st[prune], ":cutoff", cutoff);
		rc = run(s->st[prune], NULL);
	}
	if (rc == SQLITE_OK) {
		snprintf(key, sizeof(key), "pruned_%s_before", name);
		rc = put_meta_int(s, PDTT_ST_RAISE_META, key, cutoff);
	}
	return rc;
}

/* Months are the coarsest resolution: past their cutoff, traffic is gone. */
static int prune_months(struct pdtt_store *s, int64_t cutoff)
{
	int rc;

	if (cutoff == INT64_MIN)
		return SQLITE_OK;
	bind_i64(s->st[PDTT_ST_PRUNE_MONTHS], ":cutoff", cutoff);
	rc = run(s->st[PDTT_ST_PRUNE_MONTHS], NULL);
	return rc ? rc : put_meta_int(s, PDTT_ST_RAISE_META, "pruned_monthly_before", cutoff);
}

int pdtt_store_set_timezone(struct pdtt_store *s, const char *tz)
{
	return set_meta(s, "timezone", tz ? tz : "");
}

int pdtt_store_set_user_names(struct pdtt_store *s, const struct pdtt_name_change *c, size_t n)
{
	sqlite3_stmt *st = s->st[PDTT_ST_SET_USER_NAME];
	int rc = exec(s, "BEGIN IMMEDIATE");

	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		bind_i64(st, ":uid", c[i].uid);
		bind_text(st, ":name", c[i].name);
		rc = run(st, NULL);
	}
	if (rc == SQLITE_OK)
		rc = exec(s, "COMMIT");
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int pdtt_store_get_timezone(struct pdtt_store *s, char *out, size_t len)
{
	return get_meta(s, "timezone", out, len);
}

int pdtt_store_prune(struct pdtt_store *s, const struct pdtt_cutoffs *c, char *err, size_t errlen)
{
	int rc = exec(s, "BEGIN IMMEDIATE");

	/* Finest first, so what samples give to hours can move on to days. */
	if (rc == SQLITE_OK)
		rc = roll_up(s, "samples", PDTT_RES_HOUR, PDTT_ST_NEXT_SAMPLE, PDTT_ST_ROLL_SAMPLES,
			     PDTT_ST_PRUNE_SAMPLES, c->samples);
	if (rc == SQLITE_OK)
		rc = roll_up(s, "hourly", PDTT_RES_DAY, PDTT_ST_NEXT_HOUR, PDTT_ST_ROLL_HOURS,
			     PDTT_ST_PRUNE_HOURS, c->hourly);
	if (rc == SQLITE_OK)
		rc = roll_up(s, "daily", PDTT_RES_MONTH, PDTT_ST_NEXT_DAY, PDTT_ST_ROLL_DAYS,
			     PDTT_ST_PRUNE_DAYS, c->daily);
	if (rc == SQLITE_OK)
		rc = prune_months(s, c->monthly);
	if (rc == SQLITE_OK)
		rc = exec(s, "COMMIT");
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		if (!sqlite3_get_autocommit(s->db))
			exec(s, "ROLLBACK");
		return rc;
	}
	/* Give freed pages back to the file system. */
	exec(s, "PRAGMA incremental_vacuum");
	return SQLITE_OK;
}
