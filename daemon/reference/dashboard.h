/* dashboard.h: the reference daemon's dashboard channel, an HTTP server on
 * loopback (libmicrohttpd, its own thread) serving the page from the web
 * directory, the registry "hello" (whether the page may load PostHog,
 * decided by libanonstats at each request) and the local log of sent
 * events, read-only.  It answers only requests that name it in their Host
 * header (dashboard-host.h): a page that reached it by DNS rebinding gets
 * 421 and nothing else.  Built without libmicrohttpd, dashboard-none.c stands
 * in and dashboard_start() says the dashboard is not in this build. */
#ifndef DASHBOARD_H
#define DASHBOARD_H

#include <stddef.h>

/* Compile-time defaults (configure's --with-webdir, --with-posthog-url
 * and --with-posthog-key); each has a daemon option. */
#ifndef WEBDIR
#define WEBDIR "/usr/share/anonymous-statistics/web"
#endif
#ifndef DASHBOARD_POSTHOG_HOST
#define DASHBOARD_POSTHOG_HOST "https://us.i.posthog.com"
#endif
#ifndef DASHBOARD_POSTHOG_KEY
#define DASHBOARD_POSTHOG_KEY ""
#endif

#define DASHBOARD_DEFAULT_ADDRESS "127.0.0.1"
#define DASHBOARD_DEFAULT_PORT 19999

struct dashboard_config {
	const char *address;      /* numeric IPv4 or IPv6 address to bind */
	unsigned port;            /* 0: any free port (dashboard_port() tells) */
	const char *web_dir;      /* the page, the module, posthog-js */
	const char *posthog_host; /* what the page gives posthog-js: an origin */
	const char *posthog_key;  /* "" : the page never loads PostHog */
	const char *log_path;     /* the script's log of sent events */
	/* Host names the dashboard answers besides its listen address and
	 * localhost (dashboard-host.h): what the operator reaches it under. */
	const char *const *allow_hosts;
	size_t n_allow_hosts;
};

/* Start serving; 0, or -1 with a message in ERR. */
int dashboard_start(const struct dashboard_config *cfg, char *err, size_t errlen);
/* The port it listens on, 0 when not running. */
unsigned dashboard_port(void);
/* Close every connection and stop its thread; bounded by the connection
 * timeout at worst, milliseconds in practice. */
void dashboard_stop(void);

/* Whether a PostHog host is one the page may be given: https://HOST[:PORT],
 * or http:// for loopback, nothing after the origin, no character a
 * header (the page's Content-Security-Policy) or JSON would need quoted. */
int dashboard_posthog_host_ok(const char *host);

#endif
