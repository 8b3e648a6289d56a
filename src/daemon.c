/* Daemon shell: checks, attach, the per-interval loop and its outputs.
 * The arithmetic lives in snapshot.c / user_totals.c / report_format.c. */
#include "daemon.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "pdtt_exit.h"
#include "report_format.h"
#include "sysenv.h"
#include "user_totals.h"

struct pdtt_daemon {
	const struct pdtt_options *opts;
	struct pdtt_collector collector;
	struct pdtt_iface_sel ifaces[PDTT_MAX_IFACES];
	char cgroup_path[4096];
	int log_fd;
	bool console_tty;
	struct pdtt_snapshot prev, cur, delta;
	struct pdtt_user_table users;
	struct pdtt_lost_info lost;
	uint64_t lost_warned_packets;
	struct pdtt_buf buf;
	struct timespec last_tick;
	bool read_failing;
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reopen_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { 0 };

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: the sleep must wake up */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void err_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err_line(const char *fmt, ...)
{
	va_list ap;

	fputs("pdtt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void resolve_names(struct pdtt_user_table *t)
{
	char buf[16384];

	for (size_t i = 0; i < t->n; i++) {
		struct pdtt_user_stat *u = &t->u[i];
		struct passwd pw, *res = NULL;

		if (u->name_looked_up)
			continue;
		u->name_looked_up = true;
		if (!getpwuid_r(u->uid, &pw, buf, sizeof(buf), &res) && res)
			snprintf(u->name, sizeof(u->name), "%s", res->pw_name);
	}
}

static double seconds_since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Reads the kernel's counters and folds the change into the totals.  On a
 * read failure the baseline stays, so the next good read carries the gap. */
static void collect(struct pdtt_daemon *d)
{
	int rc = pdtt_collector_read(&d->collector, &d->cur);

	pdtt_users_begin_interval(&d->users);
	if (!rc)
		rc = pdtt_snapshot_diff(&d->prev, &d->cur, &d->delta);
	if (!rc)
		rc = pdtt_users_add_deltas(&d->users, &d->delta);
	if (rc) {
		if (!d->read_failing)
			err_line("reading the kernel counters: %s; the next interval will include "
				 "this one's traffic",
				 strerror(-rc));
		d->read_failing = true;
		return;
	}
	d->read_failing = false;
	pdtt_snapshot_swap(&d->prev, &d->cur);
	resolve_names(&d->users);
	if (!pdtt_collector_read_lost(&d->collector, &d->lost) &&
	    d->lost.packets > d->lost_warned_packets) {
		char warn[256];

		pdtt_format_lost(&d->lost, warn, sizeof(warn));
		err_line("%s", warn);
		d->lost_warned_packets = d->lost.packets;
	}
}

static void report(struct pdtt_daemon *d)
{
	const struct pdtt_user_stat **sorted =
		calloc(d->users.n + 1, sizeof(const struct pdtt_user_stat *));
	struct timespec now;
	struct tm tm;
	time_t wall = time(NULL);
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &now);
	localtime_r(&wall, &tm);
	if (!sorted) {
		err_line("report: out of memory; the next interval retries");
		return;
	}
	pdtt_users_by_busiest(&d->users, sorted);

	pdtt_buf_reset(&d->buf);
	pdtt_format_log_block(&d->buf, &tm, sorted, d->users.n, &d->lost);
	/* One write per block: O_APPEND keeps blocks whole. */
	rc = d->buf.oom ? -ENOMEM : write_all(d->log_fd, d->buf.p, d->buf.len);
	if (rc)
		err_line("log %s: %s; totals are kept and the next report includes them",
			 d->opts->log_path, strerror(-rc));

	pdtt_buf_reset(&d->buf);
	if (d->console_tty) {
		pdtt_buf_printf(&d->buf, "\033[H\033[2J");
		pdtt_format_console_table(&d->buf, &tm, seconds_since(&d->last_tick, &now), sorted,
					  d->users.n, &d->lost);
	} else {
		pdtt_format_console_lines(&d->buf, &tm, sorted, d->users.n, &d->lost);
	}
	if (!d->buf.oom) {
		fwrite(d->buf.p, 1, d->buf.len, stdout);
		fflush(stdout);
	}
	d->last_tick = now;
	free(sorted);
}

static void reopen_log(struct pdtt_daemon *d)
{
	int fd = open_log(d->opts->log_path);

	if (fd < 0) {
		err_line("log %s: reopen failed: %s; still writing to the old file",
			 d->opts->log_path, strerror(errno));
		return;
	}
	close(d->log_fd);
	d->log_fd = fd;
}

static void timespec_add(struct timespec *t, unsigned secs)
{
	t->tv_sec += secs;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void run_loop(struct pdtt_daemon *d)
{
	struct timespec next, now;

	clock_gettime(CLOCK_MONOTONIC, &next);
	d->last_tick = next;
	timespec_add(&next, d->opts->interval);
	while (!stop_requested) {
		int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);

		if (reopen_requested) {
			reopen_requested = 0;
			reopen_log(d);
		}
		if (rc == EINTR)
			continue;
		collect(d);
		report(d);
		timespec_add(&next, d->opts->interval);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (before(&next, &now)) { /* fell behind (suspend, stall): skip, don't burst */
			next = now;
			timespec_add(&next, d->opts->interval);
		}
	}
	/* Final statistics, as the original tool promises on Ctrl+C. */
	collect(d);
	report(d);
}

static int resolve_ifaces(struct pdtt_daemon *d)
{
	for (int i = 0; i < d->opts->n_ifaces; i++) {
		unsigned idx = if_nametoindex(d->opts->ifaces[i]);

		if (!idx) {
			err_line("interface '%s': not found in this network namespace; "
				 "'ip link show' lists the interfaces",
				 d->opts->ifaces[i]);
			return PDTT_EXIT_NO_IFACE;
		}
		snprintf(d->ifaces[i].name, sizeof(d->ifaces[i].name), "%s", d->opts->ifaces[i]);
		d->ifaces[i].ifindex = idx;
	}
	return 0;
}

static void describe_start(const struct pdtt_daemon *d)
{
	char what[PDTT_MAX_IFACES * 24] = "";
	size_t off = 0;

	if (d->opts->all_ifaces)
		snprintf(what, sizeof(what), "all interfaces in all network namespaces");
	for (int i = 0; i < d->opts->n_ifaces && off < sizeof(what); i++)
		off += (size_t)snprintf(what + off, sizeof(what) - off, "%s%s", i ? ", " : "",
					d->ifaces[i].name);
	fprintf(stderr,
		"pdtt: tracking %s (BPF variant %s, cgroup %s); log %s every %u s; Ctrl+C to "
		"stop\n",
		what, pdtt_variant_name(d->collector.variant), d->cgroup_path, d->opts->log_path,
		d->opts->interval);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !getenv("PDTT_DEBUG")))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int pdtt_daemon_run(const struct pdtt_options *opts)
{
	struct pdtt_daemon d = { .opts = opts, .log_fd = -1 };
	struct pdtt_collector_config cfg = { 0 };
	enum pdtt_variant variant;
	bool whole_tree = true;
	char err[512];
	int rc;

	if (!pdtt_have_bpf_privileges()) {
		err_line("privileges: loading BPF programs needs root (CAP_BPF, CAP_PERFMON and "
			 "CAP_NET_ADMIN); run it with sudo");
		return PDTT_EXIT_PRIVILEGE;
	}
	rc = resolve_ifaces(&d);
	if (rc)
		return rc;
	if (pdtt_find_cgroup2_mount(d.cgroup_path, sizeof(d.cgroup_path), &whole_tree)) {
		err_line("cgroup v2: no cgroup2 mount in /proc/self/mountinfo; mount it "
			 "(mount -t cgroup2 none /sys/fs/cgroup), check that the kernel supports "
			 "eBPF cgroup programs, and run in a network namespace with "
			 "'nsenter --net=/run/netns/NAME' rather than 'ip netns exec', which hides "
			 "it");
		return PDTT_EXIT_UNSUPPORTED;
	}
	if (!whole_tree)
		err_line("cgroup v2: only a sub-tree is mounted at %s (cgroup namespace?); "
			 "traffic of processes outside it is not counted",
			 d.cgroup_path);
	if (pdtt_collector_probe(&variant)) {
		err_line("PDTT_BPF_VARIANT '%s': unknown; use full, kctx or compat, or unset it",
			 getenv("PDTT_BPF_VARIANT"));
		return PDTT_EXIT_USAGE;
	}
	d.log_fd = open_log(opts->log_path);
	if (d.log_fd < 0) {
		err_line("log file '%s': %s; choose a writable path with -l", opts->log_path,
			 strerror(errno));
		return PDTT_EXIT_LOG;
	}

	libbpf_set_print(libbpf_print);
	cfg.cgroup_path = d.cgroup_path;
	cfg.all_ifaces = opts->all_ifaces;
	cfg.ifaces = d.ifaces;
	cfg.n_ifaces = opts->n_ifaces;
	cfg.netns_cookie = pdtt_own_netns_cookie();
	cfg.max_entries = opts->max_entries;
	d.lost.max_entries = opts->max_entries;
	if (variant != PDTT_VARIANT_COMPAT && !cfg.netns_cookie) {
		err_line("network namespace: cannot read this namespace's cookie (SO_NETNS_COOKIE, "
			 "Linux 5.14+): %s",
			 strerror(errno));
		close(d.log_fd);
		return PDTT_EXIT_UNSUPPORTED;
	}
	if (pdtt_variant_caveat(variant))
		err_line("warning: %s", pdtt_variant_caveat(variant));

	install_signals();
	rc = pdtt_collector_start(&d.collector, variant, &cfg, err, sizeof(err));
	if (rc) {
		err_line("%s", err);
		close(d.log_fd);
		return rc;
	}
	d.console_tty = isatty(STDOUT_FILENO);
	describe_start(&d);

	/* Counters that exist already (none for a fresh map) are the baseline. */
	if (pdtt_collector_read(&d.collector, &d.prev)) {
		err_line("reading the kernel counters: %s", strerror(errno));
		rc = PDTT_EXIT_RUNTIME;
	} else {
		run_loop(&d);
	}

	pdtt_collector_stop(&d.collector);
	close(d.log_fd);
	pdtt_snapshot_free(&d.prev);
	pdtt_snapshot_free(&d.cur);
	pdtt_snapshot_free(&d.delta);
	pdtt_users_free(&d.users);
	pdtt_buf_free(&d.buf);
	return rc;
}
