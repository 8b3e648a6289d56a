/* The tracker daemon: the original pdtt_xdp_user loop. */
#ifndef PDTT_DAEMON_H
#define PDTT_DAEMON_H

#include "cli.h"

/* Runs until SIGINT/SIGTERM; returns a PDTT_EXIT_* status. */
int pdtt_daemon_run(const struct pdtt_options *opts);
/* 'pdtt_xdp_user stop': removes the pinned programs and maps. */
int pdtt_stop(const struct pdtt_options *opts);

#endif
