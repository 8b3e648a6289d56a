/* Command-line parsing for the daemon: pure, no I/O besides the returned text. */
#ifndef PDTT_CLI_H
#define PDTT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "retention.h"
#include <stddef.h>

#define PDTT_DEFAULT_LOG "/var/log/pdtt_stats.log"
#define PDTT_DEFAULT_INTERVAL 10u
#define PDTT_MAX_INTERVAL 86400u
#define PDTT_MAX_IFACES 64
#define PDTT_IFNAME_MAX 16 /* IFNAMSIZ */
#define PDTT_MIN_MAX_ENTRIES 1u
#define PDTT_MAX_MAX_ENTRIES (1u << 24)

#define PDTT_DEFAULT_PIN_ROOT "/sys/fs/bpf/pdtt"
#define PDTT_USER_NAME_MAX 64

enum pdtt_action {
	PDTT_ACTION_RUN,
	PDTT_ACTION_HELP,
	PDTT_ACTION_VERSION,
	PDTT_ACTION_STOP, /* 'stop': remove the pinned programs and maps for good */
};

/* What the console shows each interval (--console). */
enum pdtt_console {
	PDTT_CONSOLE_AUTO,    /* table on a terminal, else summary */
	PDTT_CONSOLE_TABLE,   /* the busiest users that fit the screen, and a total */
	PDTT_CONSOLE_SUMMARY, /* one key=value line */
	PDTT_CONSOLE_USERS,   /* a line per user that changed, then the summary */
	PDTT_CONSOLE_OFF,
};

struct pdtt_options {
	enum pdtt_action action;
	char ifaces[PDTT_MAX_IFACES][PDTT_IFNAME_MAX];
	int n_ifaces;
	bool all_ifaces;    /* -i all */
	bool allow_missing; /* --allow-missing: -i names may appear later */
	const char *log_path;
	unsigned interval;    /* seconds */
	unsigned max_entries; /* 0: sized for the possible CPUs (pdtt_table_default_entries) */
	unsigned idle_secs;   /* --idle-after: remove keys unchanged this long; 0 never */
	const char *db_path;  /* NULL with --no-db */
	const char *tz;	      /* --tz; NULL: the system's local zone */
	const char *pin_root;
	struct pdtt_retention retention;
	const char *quota_exec;	     /* --quota-exec PROGRAM, or NULL */
	unsigned quota_exec_timeout; /* seconds before a hook is killed */
	enum pdtt_console console;
	const char *user; /* --user: the account to switch to once attached; NULL stays root */
	const char *help_topic; /* with PDTT_ACTION_HELP: "stop", or NULL for the main help */
	/* Prometheus (metrics.c): --metrics ADDR:PORT and its access, or a
	 * textfile for node_exporter; both need the database */
	const char *metrics_listen;   /* NULL: no HTTP server */
	const char *metrics_auth;     /* USER:PASSWORD file for basic auth */
	bool metrics_public;	      /* serve without a password (warned at start) */
	const char *metrics_textfile; /* NULL: none */
	const char *metrics_group;    /* the textfile's group; NULL: the daemon's */
	unsigned metrics_active_secs; /* users seen within this long are exported */
	bool metrics_per_iface;	      /* counters per interface too */
};

#define PDTT_DEFAULT_METRICS_ACTIVE (35u * 86400)

/* --metrics ADDR:PORT: 127.0.0.1:9977, [::1]:9977, or *:9977 (every address,
 * IPv6 and IPv4).  Pure; 0, or -1 with the reason (no "pdtt: ") in err. */
struct sockaddr_storage;
int pdtt_parse_listen(const char *s, struct sockaddr_storage *ss, unsigned *sslen, char *err,
		      size_t errlen);

/* The defaults, before any file or command line. */
void pdtt_options_defaults(struct pdtt_options *opts);

/* The FILE of the last --config FILE in argv, or NULL: the caller reads it
 * and hands its text to pdtt_parse_options. */
const char *pdtt_config_arg(int argc, char **argv);

/* Parses the configuration file's text (when conf_text is not NULL; named
 * conf_name in messages), then argv (the daemon's options, or 'stop
 * [--pin-dir DIR] [--config FILE]') over it, into *opts.  The text is
 * modified in place and *opts points into it and into argv.  Returns 0 on
 * success; otherwise a PDTT_EXIT_* status and a one-line message (without the
 * "pdtt: " prefix; "FILE:LINE: " first for the file's) in err. */
int pdtt_parse_options(int argc, char **argv, char *conf_text, const char *conf_name,
		       struct pdtt_options *opts, char *err, size_t errlen);

/* The configuration file's text alone over the defaults (for the commands
 * that take only the database or the pin directory from it). */
int pdtt_config_parse(char *text, const char *name, struct pdtt_options *opts, char *err,
		      size_t errlen);

/* The usage texts: the main one (every command), and stop's. */
void pdtt_usage(FILE *out, const char *prog);
void pdtt_stop_usage(FILE *out, const char *prog);

#endif
