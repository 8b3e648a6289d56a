/* check's judgement (health.h). */
#include "health.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *pdtt_health_name(enum pdtt_health_status s)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

	return names[s];
}

void pdtt_health_age_limits(unsigned interval, int64_t *warn, int64_t *crit)
{
	*warn = 2 * (int64_t)interval + 90;
	*crit = 10 * (int64_t)interval + 300;
}

/* CRITICAL > WARNING > UNKNOWN (could not look) > OK, as monitoring
 * plugins combine their checks. */
static int rank(enum pdtt_health_status s)
{
	static const int r[] = { 0, 2, 3, 1 };

	return r[s];
}

static void add(struct pdtt_health *h, enum pdtt_health_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct pdtt_health *h, enum pdtt_health_status s, const char *fmt, ...)
{
	va_list ap;

	if (h->n >= PDTT_HEALTH_MAX_ITEMS)
		return;
	h->item[h->n].status = s;
	va_start(ap, fmt);
	vsnprintf(h->item[h->n].text, sizeof(h->item[h->n].text), fmt, ap);
	va_end(ap);
	h->n++;
	if (rank(s) > rank(h->status))
		h->status = s;
}

static void judge_commit(const struct pdtt_health_facts *f, struct pdtt_health *h)
{
	char every[32] = "";

	if (f->interval)
		snprintf(every, sizeof(every), " (interval %u s)", f->interval);
	if (!f->last_end) {
		h->commit_age = -1;
		add(h, PDTT_HEALTH_CRITICAL, "nothing was ever stored in %s", f->db_path);
		return;
	}
	h->commit_age = f->now > f->last_end ? f->now - f->last_end : 0;
	if (h->commit_age > h->crit_age)
		add(h, PDTT_HEALTH_CRITICAL, "last commit %" PRId64 " s ago%s, over %" PRId64 " s",
		    h->commit_age, every, h->crit_age);
	else if (h->commit_age > h->warn_age)
		add(h, PDTT_HEALTH_WARNING, "last commit %" PRId64 " s ago%s, over %" PRId64 " s",
		    h->commit_age, every, h->warn_age);
	else
		add(h, PDTT_HEALTH_OK, "last commit %" PRId64 " s ago%s", h->commit_age, every);
}

static void judge_table(const struct pdtt_health_facts *f, const struct pdtt_health_limits *l,
			struct pdtt_health *h)
{
	enum pdtt_health_status s = PDTT_HEALTH_OK;

	if (f->table_error) {
		add(h, PDTT_HEALTH_UNKNOWN, "kernel table: %s", f->table_error);
		return;
	}
	h->fill = f->max_entries ? 100.0 * (double)f->entries / (double)f->max_entries : 0;
	if (h->fill >= l->crit_fill)
		s = PDTT_HEALTH_CRITICAL;
	else if (h->fill >= l->warn_fill)
		s = PDTT_HEALTH_WARNING;
	add(h, s, "table %" PRIu64 " of %" PRIu64 " entries (%.1f%%)%s", f->entries, f->max_entries,
	    h->fill,
	    s == PDTT_HEALTH_OK
		    ? ""
		    : "; new users are not counted once it is full: raise --max-entries "
		      "or lower --idle-after");
}

void pdtt_health_judge(const struct pdtt_health_facts *f, const struct pdtt_health_limits *l,
		       struct pdtt_health *h)
{
	memset(h, 0, sizeof(*h));
	h->commit_age = -1;
	h->warn_age = l->warn_age;
	h->crit_age = l->crit_age;
	if (h->warn_age < 0 || h->crit_age < 0) {
		int64_t w, c;

		pdtt_health_age_limits(f->interval ? f->interval : 10, &w, &c);
		h->warn_age = h->warn_age < 0 ? w : h->warn_age;
		h->crit_age = h->crit_age < 0 ? c : h->crit_age;
	}
	if (f->holder_pid > 0)
		add(h, PDTT_HEALTH_OK, "daemon pid %ld holds %s", f->holder_pid, f->db_path);
	else if (f->holder_pid == -1)
		add(h, PDTT_HEALTH_OK, "a daemon in another PID namespace holds %s", f->db_path);
	else if (f->holder_pid == -2)
		add(h, PDTT_HEALTH_UNKNOWN, "cannot read /proc/locks to see who holds %s",
		    f->db_path);
	else
		add(h, PDTT_HEALTH_CRITICAL, "no daemon holds %s", f->db_path);
	if (f->pins_error)
		add(h, PDTT_HEALTH_UNKNOWN, "programs: %s", f->pins_error);
	else if (f->nothing_pinned)
		add(h, PDTT_HEALTH_CRITICAL,
		    "nothing is pinned: the programs are not attached (the daemon never ran, or "
		    "'stop' removed them)");
	else if (f->cgroup_missing[0])
		add(h, PDTT_HEALTH_CRITICAL, "program %s is not attached: nothing is counted there",
		    f->cgroup_missing);
	else if (f->links_attached < f->links_pinned)
		add(h, PDTT_HEALTH_WARNING, "%d of %d programs attached", f->links_attached,
		    f->links_pinned);
	else
		add(h, PDTT_HEALTH_OK, "%d programs attached", f->links_attached);
	judge_commit(f, h);
	if (!f->nothing_pinned) { /* else there is no table to look at */
		judge_table(f, l, h);
		if (!f->table_error && (f->lost_new_packets || f->lost_new_bytes))
			add(h, PDTT_HEALTH_WARNING,
			    "%" PRIu64 " packets (%" PRIu64 " bytes) not counted lately: the "
			    "table was full",
			    f->lost_new_packets, f->lost_new_bytes);
		else if (!f->table_error)
			add(h, PDTT_HEALTH_OK, "nothing lost lately");
	}
	if (f->store_error)
		add(h, PDTT_HEALTH_CRITICAL, "storing: %s", f->store_error);
}

void pdtt_health_nagios(const struct pdtt_health *h, const struct pdtt_health_facts *f,
			const struct pdtt_health_limits *l, char *out, size_t len)
{
	size_t n = 0;
	bool first = true;

#define PUT(...)                                                                \
	do {                                                                    \
		int w_ = snprintf(out + n, n < len ? len - n : 0, __VA_ARGS__); \
		n += w_ > 0 ? (size_t)w_ : 0;                                   \
	} while (0)
	PUT("PDTT %s - ", pdtt_health_name(h->status));
	/* problems first, worst first; then the rest */
	for (int pass = 3; pass >= 0; pass--)
		for (int i = 0; i < h->n; i++) {
			if (rank(h->item[i].status) != pass)
				continue;
			PUT("%s%s", first ? "" : "; ", h->item[i].text);
			first = false;
		}
	PUT(" |");
	if (h->commit_age >= 0)
		PUT(" commit_age=%" PRId64 "s;%" PRId64 ";%" PRId64 ";0", h->commit_age,
		    h->warn_age, h->crit_age);
	if (!f->table_error && !f->nothing_pinned) {
		PUT(" table_fill=%.2f%%;%g;%g;0;100", h->fill, l->warn_fill, l->crit_fill);
		PUT(" table_entries=%" PRIu64 ";;;0;%" PRIu64, f->entries, f->max_entries);
		PUT(" lost_packets=%" PRIu64 "c lost_bytes=%" PRIu64 "c", f->lost_packets,
		    f->lost_bytes);
	}
#undef PUT
	if (n >= len && len)
		out[len - 1] = '\0';
}

int pdtt_lost_mark_parse(const char *s, struct pdtt_lost_mark *m)
{
	unsigned long long id, p, b;
	long long seen;
	char end;

	if (!s || sscanf(s, "%llu:%llu:%llu:%lld%c", &id, &p, &b, &seen, &end) != 4 ||
	    id > UINT32_MAX)
		return -1;
	*m = (struct pdtt_lost_mark){ (uint32_t)id, p, b, seen };
	return 0;
}

void pdtt_lost_mark_format(const struct pdtt_lost_mark *m, char *out, size_t len)
{
	snprintf(out, len, "%" PRIu32 ":%" PRIu64 ":%" PRIu64 ":%" PRId64, m->map_id, m->packets,
		 m->bytes, m->seen);
}

void pdtt_lost_since(const struct pdtt_lost_mark *stored, uint32_t map_id, uint64_t packets,
		     uint64_t bytes, int64_t now, int64_t window, struct pdtt_lost_mark *next,
		     uint64_t *new_packets, uint64_t *new_bytes)
{
	struct pdtt_lost_mark m = { map_id, 0, 0, 0 };

	if (stored && stored->map_id == map_id && stored->packets <= packets &&
	    stored->bytes <= bytes)
		m = *stored;
	*new_packets = packets - m.packets;
	*new_bytes = bytes - m.bytes;
	if (!*new_packets && !*new_bytes)
		m.seen = 0;
	else if (!m.seen)
		m.seen = now;
	else if (now - m.seen >= window) {
		/* reported for a whole window: from now on measured from here */
		m.packets = packets;
		m.bytes = bytes;
		m.seen = 0;
		*new_packets = *new_bytes = 0;
	}
	*next = m;
}
