#ifndef PDTT_VERSION_H
#define PDTT_VERSION_H
#define PDTT_VERSION "0.1.0"
#endif
