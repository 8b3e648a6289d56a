/* 'pdtt_xdp_user check': is accounting really happening?  Monitoring-plugin
 * exit statuses (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
#ifndef PDTT_CHECK_H
#define PDTT_CHECK_H

int pdtt_check_main(int argc, char **argv);

#endif
