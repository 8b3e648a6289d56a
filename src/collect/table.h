/* Sizing the kernel's per-user table and deciding when its keys are idle:
 * pure arithmetic, unit-tested. */
#ifndef PDTT_TABLE_H
#define PDTT_TABLE_H

#include <stdint.h>

/* The default size aims at this much kernel memory at most, within the
 * bounds below: per-CPU values grow with every possible CPU. */
#define PDTT_TABLE_BUDGET (64ull << 20)
#define PDTT_TABLE_MIN_DEFAULT 4096u
#define PDTT_TABLE_MAX_DEFAULT 65536u

/* Default idle time before a key is removed, and the fewest intervals. */
#define PDTT_DEFAULT_IDLE_SECS 3600u
#define PDTT_MIN_IDLE_INTERVALS 3u

/* Bytes of kernel memory a preallocated per-CPU hash map of this many
 * entries takes, roughly: per-CPU values for every possible CPU, the key and
 * the hash element (about 72 bytes), and buckets rounded up to a power of 2. */
uint64_t pdtt_table_cost(uint64_t entries, int ncpus);

/* The default number of entries for ncpus possible CPUs: as many as fit
 * PDTT_TABLE_BUDGET, a multiple of 1024 within the bounds above. */
unsigned pdtt_table_default_entries(int ncpus);

/* Reads in a row that must find a key unchanged before it is removed: the
 * idle time in whole intervals, rounded up.  0 for idle_secs 0 (never). */
unsigned pdtt_idle_reads(unsigned idle_secs, unsigned interval);

#endif
