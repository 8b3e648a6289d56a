/* Prometheus exposition: the listening socket, the HTTP thread, the page it
 * serves and the textfile.  The formats are metrics_format.c's. */
#define _GNU_SOURCE /* mkostemp */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define ZLIB_CONST /* next_in is const: the page is only read */
#include <zlib.h>

#include "cli.h"
#include "errmsg.h"
#include "metrics_auth.h"
#include "pdtt_exit.h"
#include "privileges.h"
#include "quota.h"
#include "sql_embedded.h"

struct pdtt_metrics {
	const struct pdtt_options *opts;
	struct pdtt_metrics_auth auth; /* empty with --metrics-public */
	int listen_fd;		       /* until the server owns it */
	struct MHD_Daemon *http;
	bool have_group;
	gid_t group;

	/* What the HTTP thread serves, swapped in under the lock. */
	pthread_mutex_t lock;
	struct pdtt_buf page[2]; /* indexed by enum pdtt_metrics_format */

	/* The rows, kept from commit to commit. */
	struct pdtt_metrics_user *users;
	size_t n_users;
	bool users_loaded;
	struct pdtt_metrics_quota *quotas;
	size_t n_quotas, cap_quotas;
	bool load_failing, textfile_failing;
};

static int open_listener(struct pdtt_metrics *m, const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	unsigned len;
	int one = 1, zero = 0, fd, bound;
	char why[256];

	if (pdtt_parse_listen(addr, &ss, &len, why, sizeof(why))) {
		snprintf(err, errlen, "metrics '%s': %s", addr, why);
		return PDTT_EXIT_USAGE;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && errno == EAFNOSUPPORT && addr[0] == '*') {
		/* '*' on a kernel without IPv6 (ipv6.disable=1): every IPv4 address */
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		uint16_t port = ((struct sockaddr_in6 *)&ss)->sin6_port;

		memset(&ss, 0, sizeof(ss));
		in->sin_family = AF_INET;
		in->sin_port = port;
		len = sizeof(*in);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		goto fail;
	/* a restart finds the port in TIME_WAIT */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero))))
		goto fail;
	bound = bind(fd, (struct sockaddr *)&ss, len);
	if (bound && errno == EADDRNOTAVAIL) {
		/* at boot (before network-pre.target) the address may not be
		 * there yet: bound anyway, and said, since a typo looks the same */
		if ((ss.ss_family == AF_INET &&
		     setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one))) ||
		    (ss.ss_family == AF_INET6 &&
		     setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one))))
			goto fail;
		bound = bind(fd, (struct sockaddr *)&ss, len);
		if (!bound)
			pdtt_say(
				"warning: metrics %s: no interface has that address yet; listening "
				"for when one does (a typo looks the same: nothing would connect)",
				addr);
	}
	if (bound || listen(fd, 16))
		goto fail;
	m->listen_fd = fd;
	return 0;
fail:
	snprintf(err, errlen, "metrics '%s': cannot listen: %s; %s", addr, strerror(errno),
		 errno == EADDRINUSE ? "another program has the port ('ss -ltnp' names it)"
		 : errno == EACCES   ? "ports below 1024 need CAP_NET_BIND_SERVICE, which the "
				       "unit does not give: use a port above 1023"
				     : "give an address of this machine");
	if (fd >= 0)
		close(fd);
	return PDTT_EXIT_RUNTIME;
}

static bool in_groups(const struct pdtt_runas *r, gid_t g)
{
	if (r->gid == g)
		return true;
	for (int i = 0; i < r->ngroups; i++)
		if (r->groups[i] == g)
			return true;
	return false;
}

/* The textfile's directory must take new files from the account that will
 * write them, and the account must be in the group it gives them. */
static int check_textfile(struct pdtt_metrics *m, const struct pdtt_runas *runas, char *err,
			  size_t errlen)
{
	const char *path = m->opts->metrics_textfile, *slash = strrchr(path, '/');
	char dir[4096];
	int rc;

	if (m->opts->metrics_group) {
		struct group *g = getgrnam(m->opts->metrics_group);

		if (!g) {
			snprintf(err, errlen,
				 "metrics-textfile-group '%s': no such group; 'getent group' lists "
				 "them",
				 m->opts->metrics_group);
			return PDTT_EXIT_USAGE;
		}
		m->group = g->gr_gid;
		m->have_group = true;
		if (runas && !in_groups(runas, m->group)) {
			snprintf(
				err, errlen,
				"metrics-textfile-group '%s': user %s is not in it, so cannot give "
				"its file that group; add it (usermod -aG %s %s)",
				m->opts->metrics_group, runas->name, m->opts->metrics_group,
				runas->name);
			return PDTT_EXIT_USAGE;
		}
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	rc = runas ? pdtt_runas_probe_access(runas, dir, W_OK | X_OK)
		   : (access(dir, W_OK | X_OK) ? -errno : 0);
	if (rc) {
		snprintf(err, errlen,
			 "metrics-textfile '%s': %s cannot make files in %s: %s; create it or "
			 "let it write there (under systemd: ReadWritePaths=%s in a drop-in)",
			 path, runas ? runas->name : "root", dir, strerror(-rc), dir);
		return PDTT_EXIT_USAGE;
	}
	return 0;
}

int pdtt_metrics_open(struct pdtt_metrics **out, const struct pdtt_options *o,
		      const struct pdtt_runas *runas, char *err, size_t errlen)
{
	struct pdtt_metrics *m;
	int rc = 0;

	*out = NULL;
	if (!o->metrics_listen && !o->metrics_textfile)
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "metrics: out of memory");
		return PDTT_EXIT_RUNTIME;
	}
	m->opts = o;
	m->listen_fd = -1;
	pthread_mutex_init(&m->lock, NULL);
	if (o->metrics_auth)
		rc = pdtt_metrics_auth_load(o->metrics_auth, runas ? runas->uid : (uid_t)-1,
					    &m->auth, err, errlen);
	if (!rc && o->metrics_textfile)
		rc = check_textfile(m, runas, err, errlen);
	if (!rc && o->metrics_listen)
		rc = open_listener(m, o->metrics_listen, err, errlen);
	if (rc) {
		pdtt_metrics_close(m);
		return rc;
	}
	if (o->metrics_listen && !runas)
		pdtt_say("warning: metrics: the HTTP server runs as root; --user (the package's "
			 "user = pdtt) runs it with no privileges");
	if (o->metrics_public)
		pdtt_say("warning: metrics: --metrics-public: every user's traffic is served at %s "
			 "to anyone who can connect (on a login node: every user); --metrics-auth "
			 "FILE asks for a password",
			 o->metrics_listen);
	*out = m;
	return 0;
}

void pdtt_metrics_set_quotas(struct pdtt_metrics *m, const struct pdtt_audit_row *rows, size_t n)
{
	if (!m)
		return;
	if (n > m->cap_quotas) {
		struct pdtt_metrics_quota *q = realloc(m->quotas, n * sizeof(*q));

		if (!q) {
			pdtt_say("metrics: out of memory for %zu quota gauges; the last ones stay",
				 n);
			return;
		}
		m->quotas = q;
		m->cap_quotas = n;
	}
	for (size_t i = 0; i < n; i++)
		m->quotas[i] = (struct pdtt_metrics_quota){ .uid = rows[i].uid,
							    .per = pdtt_per_name(rows[i].per),
							    .dir = pdtt_dir_name(rows[i].dir),
							    .limit = rows[i].limit,
							    .used = rows[i].used };
	m->n_quotas = n;
}

static void copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", s ? (const char *)s : "");
}

/* The users seen since `since`, with their lifetime totals; the rows stay
 * as they were when this fails. */
static int load_users(struct pdtt_metrics *m, sqlite3 *db, int64_t since)
{
	bool per_if = m->opts->metrics_per_iface;
	struct pdtt_metrics_user *rows = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 0;
	int rc = sqlite3_prepare_v2(
		db, per_if ? pdtt_sql_metrics_users_by_interface : pdtt_sql_metrics_users, -1, &st,
		NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pdtt_metrics_user *u;
		int c = per_if ? 4 : 2;

		if (n == cap) {
			struct pdtt_metrics_user *g;

			cap = cap ? cap * 2 : (m->n_users > 32 ? m->n_users + 32 : 64);
			g = realloc(rows, cap * sizeof(*g));
			if (!g) {
				rc = SQLITE_NOMEM;
				break;
			}
			rows = g;
		}
		u = &rows[n++];
		memset(u, 0, sizeof(*u));
		u->uid = (uint32_t)sqlite3_column_int64(st, 0);
		copy_text(u->name, sizeof(u->name), st, 1);
		if (per_if) {
			copy_text(u->iface, sizeof(u->iface), st, 2);
			copy_text(u->netns, sizeof(u->netns), st, 3);
		}
		u->rx_bytes = (uint64_t)sqlite3_column_int64(st, c);
		u->rx_packets = (uint64_t)sqlite3_column_int64(st, c + 1);
		u->tx_bytes = (uint64_t)sqlite3_column_int64(st, c + 2);
		u->tx_packets = (uint64_t)sqlite3_column_int64(st, c + 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) { /* the last complete read stays */
		free(rows);
		return rc;
	}
	free(m->users);
	m->users = rows;
	m->n_users = n;
	return SQLITE_OK;
}

/* temp file beside it, then rename: node_exporter never reads half a file */
static int write_textfile(struct pdtt_metrics *m, const struct pdtt_buf *page)
{
	const char *path = m->opts->metrics_textfile;
	char tmp[4200];
	size_t off = 0;
	int fd, e = 0;

	/* a new file of a name no one can guess (O_EXCL): nothing planted in a
	 * shared directory (a FIFO, a link) is opened; not *.prom, so
	 * node_exporter skips it */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < page->len) {
		ssize_t w = write(fd, page->p + off, page->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : ENOSPC;
			break;
		}
		off += (size_t)w;
	}
	/* the unit's UMask=0077 would make it 0600 */
	if (!e && ((m->have_group && fchown(fd, (uid_t)-1, m->group)) || fchmod(fd, 0640) ||
		   fdatasync(fd)))
		e = errno;
	if (close(fd) && !e)
		e = errno;
	if (!e && rename(tmp, path))
		e = errno;
	if (e)
		unlink(tmp);
	return -e;
}

void pdtt_metrics_update(struct pdtt_metrics *m, sqlite3 *db, const struct pdtt_metrics_health *h,
			 bool committed, int64_t now)
{
	struct pdtt_buf fresh[2];
	struct pdtt_metrics_view v;
	int rc;

	if (!m)
		return;
	if (committed || !m->users_loaded || m->load_failing) {
		rc = load_users(m, db, now - (int64_t)m->opts->metrics_active_secs);
		if (rc != SQLITE_OK && !m->load_failing)
			pdtt_say("metrics: cannot read the totals from the database: %s; the last "
				 "figures are served until it works",
				 rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
		else if (rc == SQLITE_OK && m->load_failing)
			pdtt_say("metrics: reading the totals again");
		m->load_failing = rc != SQLITE_OK;
		m->users_loaded |= rc == SQLITE_OK;
	}
	v = (struct pdtt_metrics_view){ .users = m->users,
					.n_users = m->n_users,
					.per_interface = m->opts->metrics_per_iface,
					.quotas = m->quotas,
					.n_quotas = m->n_quotas,
					.health = h };
	for (int f = 0; f < 2; f++) {
		pdtt_buf_init(&fresh[f]);
		pdtt_metrics_render(&fresh[f], &v, (enum pdtt_metrics_format)f);
	}
	if (fresh[0].oom || fresh[1].oom) {
		pdtt_say("metrics: out of memory; the last page is served");
		for (int f = 0; f < 2; f++)
			pdtt_buf_free(&fresh[f]);
		return;
	}
	if (m->opts->metrics_textfile) {
		rc = write_textfile(m, &fresh[PDTT_METRICS_TEXT]);
		if (rc && !m->textfile_failing)
			pdtt_say("metrics-textfile %s: %s; the last complete file stays, retried "
				 "every interval",
				 m->opts->metrics_textfile, strerror(-rc));
		else if (!rc && m->textfile_failing)
			pdtt_say("metrics-textfile %s: written again", m->opts->metrics_textfile);
		m->textfile_failing = rc != 0;
	}
	pthread_mutex_lock(&m->lock);
	for (int f = 0; f < 2; f++) {
		struct pdtt_buf old = m->page[f];

		m->page[f] = fresh[f];
		fresh[f] = old;
	}
	pthread_mutex_unlock(&m->lock);
	for (int f = 0; f < 2; f++)
		pdtt_buf_free(&fresh[f]);
}

/* gzip, as Prometheus asks for it (a page of thousands of users shrinks
 * tenfold); NULL when it cannot. */
static char *gzip_page(const char *p, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	uLong cap;
	char *out;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, (uLong)len);
	out = malloc(cap);
	if (out) {
		z.next_in = (const Bytef *)p;
		z.avail_in = (uInt)len;
		z.next_out = (Bytef *)out;
		z.avail_out = (uInt)cap;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
			free(out);
			out = NULL;
		} else {
			*out_len = z.total_out;
		}
	}
	deflateEnd(&z);
	return out;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static bool authorized(struct pdtt_metrics *m, struct MHD_Connection *c)
{
	char *pass = NULL, *user;
	bool ok;

	if (m->opts->metrics_public)
		return true;
	user = MHD_basic_auth_get_username_password(c, &pass);
	ok = pdtt_metrics_auth_check(&m->auth, user, pass);
	if (pass) {
		memset(pass, 0, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	return ok;
}

static enum MHD_Result serve_page(struct pdtt_metrics *m, struct MHD_Connection *c)
{
	enum pdtt_metrics_format f = pdtt_metrics_negotiate(
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	bool gz = pdtt_metrics_wants_gzip(
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *page, *zipped = NULL;
	size_t len, zlen = 0;

	/* a copy under the lock, the rest outside it: the loop's swap never
	 * waits for a compression or a slow client */
	pthread_mutex_lock(&m->lock);
	len = m->page[f].len;
	page = malloc(len + 1);
	if (page)
		memcpy(page, m->page[f].p ? m->page[f].p : "", len);
	pthread_mutex_unlock(&m->lock);
	if (!page)
		return MHD_NO;
	if (gz)
		zipped = gzip_page(page, len, &zlen);
	if (zipped) {
		free(page);
		page = zipped;
		len = zlen;
	}
	r = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, pdtt_metrics_content_type(f));
	if (zipped)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	static int seen;
	struct pdtt_metrics *m = cls;

	(void)version;
	(void)upload;
	if (!*state) { /* the headers only; a body (none expected) comes after */
		*state = &seen;
		return MHD_YES;
	}
	if (*upload_len) {
		*upload_len = 0; /* a body is read and ignored */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     "only GET and HEAD\n");
	if (!authorized(m, c)) {
		struct MHD_Response *r = MHD_create_response_from_buffer(
			13, (void *)"unauthorized\n", MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret;

		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/plain; charset=utf-8");
		ret = MHD_queue_basic_auth_fail_response(c, "pdtt", r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!strcmp(url, "/metrics"))
		return serve_page(m, c);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8",
			     "pdtt: per-user traffic metrics at /metrics\n");
	return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
		     "not found; the metrics are at /metrics\n");
}

/* libmicrohttpd's complaints (a connection limit reached, a broken
 * client): at most one a minute, with how many were left out, so clients
 * cannot flood the journal.  Called from the server's thread only. */
static void http_log(void *cls, const char *fmt, va_list ap)
{
	static time_t last;
	static unsigned long quiet;
	time_t now = time(NULL);
	char msg[512];
	size_t n;

	(void)cls;
	if (last && now - last < 60) {
		quiet++;
		return;
	}
	if (quiet)
		pdtt_say("metrics: %lu more messages of the HTTP server in the last minute", quiet);
	last = now;
	quiet = 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	pdtt_say("metrics: %s", msg);
}

int pdtt_metrics_start(struct pdtt_metrics *m, char *err, size_t errlen)
{
	if (!m || m->listen_fd < 0)
		return 0;
	m->http = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG, 0, NULL, NULL,
		handle, m, MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL, /* first: all its words */
		MHD_OPTION_LISTEN_SOCKET, m->listen_fd,
		/* a scraper keeps one connection; a local user opening many
		 * must not starve it for long */
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)16, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	if (!m->http) {
		snprintf(err, errlen,
			 "metrics %s: cannot start the HTTP server (libmicrohttpd); check the "
			 "process and memory limits (ulimit -u, systemd TasksMax)",
			 m->opts->metrics_listen);
		return PDTT_EXIT_RUNTIME;
	}
	m->listen_fd = -1; /* the server's now: MHD_stop_daemon closes it */
	return 0;
}

void pdtt_metrics_close(struct pdtt_metrics *m)
{
	if (!m)
		return;
	if (m->http)
		MHD_stop_daemon(m->http);
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	pdtt_metrics_auth_free(&m->auth);
	for (int f = 0; f < 2; f++)
		pdtt_buf_free(&m->page[f]);
	pthread_mutex_destroy(&m->lock);
	free(m->users);
	free(m->quotas);
	free(m);
}
