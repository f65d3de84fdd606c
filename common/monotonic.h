/* monotonic_ms(): milliseconds of a monotonic clock, for deadlines that
 * oversleeping, or the wall clock being set, cannot stretch. */
#ifndef MONOTONIC_H
#define MONOTONIC_H

#include <time.h>

static inline long long monotonic_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#endif
