/* dashboard-none.c: the dashboard calls in a build without libmicrohttpd. */
#include <stdio.h>

#include "dashboard.h"

int dashboard_start(const struct dashboard_config *cfg, char *err, size_t errlen)
{
	(void)cfg;
	snprintf(err, errlen, "no dashboard in this build (configure found no libmicrohttpd)");
	return -1;
}

unsigned dashboard_port(void)
{
	return 0;
}

void dashboard_stop(void)
{
}

int dashboard_posthog_host_ok(const char *host)
{
	(void)host;
	return 1;
}
