#include "table.h"

#include <linux/types.h>

#include "pdtt.h"

uint64_t pdtt_table_cost(uint64_t entries, int ncpus)
{
	uint64_t per_entry =
		(uint64_t)sizeof(struct pdtt_value) * (uint64_t)(ncpus > 0 ? ncpus : 1) +
		sizeof(struct pdtt_key) + 72;
	uint64_t buckets = 1;

	while (buckets < entries)
		buckets <<= 1;
	return per_entry * entries + 16 * buckets;
}

unsigned pdtt_table_default_entries(int ncpus)
{
	uint64_t lo = PDTT_TABLE_MIN_DEFAULT, hi = PDTT_TABLE_MAX_DEFAULT;

	/* The largest multiple of 1024 whose cost fits the budget. */
	while (lo < hi) {
		uint64_t mid = (lo + hi + 1024) / 2 / 1024 * 1024;

		if (pdtt_table_cost(mid, ncpus) <= PDTT_TABLE_BUDGET)
			lo = mid;
		else
			hi = mid - 1024;
	}
	return (unsigned)lo;
}

unsigned pdtt_idle_reads(unsigned idle_secs, unsigned interval)
{
	if (!idle_secs || !interval)
		return 0;
	return idle_secs / interval + (idle_secs % interval != 0);
}
