/* Exit statuses of pdtt_xdp_user (documented in README.md). */
#ifndef PDTT_EXIT_H
#define PDTT_EXIT_H

enum pdtt_exit {
	PDTT_EXIT_OK = 0,
	PDTT_EXIT_RUNTIME = 1,	   /* BPF load/attach/read failed, or a later I/O error */
	PDTT_EXIT_USAGE = 2,	   /* bad or missing command-line option */
	PDTT_EXIT_NO_IFACE = 3,	   /* interface not found */
	PDTT_EXIT_LOG = 4,	   /* log file cannot be opened for append, or is refused */
	PDTT_EXIT_PRIVILEGE = 5,   /* not root / missing capabilities */
	PDTT_EXIT_UNSUPPORTED = 6, /* no cgroup v2 mount, or kernel lacks BPF support */
	PDTT_EXIT_DB = 7,	   /* database cannot be opened, is foreign, corrupt or newer */
};

#endif
