/* dashboard-host.h: which Host headers the dashboard answers.
 *
 * A web page can reach a loopback server under a name of its own by DNS
 * rebinding: its browser then sends that name as the Host.  The dashboard
 * answers only requests naming it: its listen address (any address when it
 * listens on 0.0.0.0 or ::), "localhost", or a name the operator allowed,
 * with no port or its own port.  Names compare case-insensitively, and one
 * trailing dot is dropped ("localhost." is "localhost"), as browsers and
 * DNS treat them.  Anything else, a missing Host or one that is not a
 * well-formed host[:port], is refused. */
#ifndef DASHBOARD_HOST_H
#define DASHBOARD_HOST_H

#include <stddef.h>

#define DASHBOARD_HOST_NAME_MAX 253 /* a DNS name, without the trailing dot */

struct dashboard_hosts {
	char *listen; /* the listen address, canonical ("127.0.0.1", "[::1]") */
	int any_ip;   /* listening on 0.0.0.0 or ::: any address literal is ours */
	char **names; /* canonical names the operator allowed */
	size_t n_names;
};

/* Fill H for LISTEN (a numeric address) and the operator's NAMES; 0, or -1
 * with a message in ERR (a name that is no host name or address literal,
 * or out of memory). */
int dashboard_hosts_init(struct dashboard_hosts *h, const char *listen, const char *const *names,
			 size_t n_names, char *err, size_t errlen);
void dashboard_hosts_free(struct dashboard_hosts *h);

/* Whether NAME (a host name, an IPv4 address, or an IPv6 address with or
 * without brackets; no port) is one an operator may allow. */
int dashboard_host_name_ok(const char *name);

/* Whether a request whose Host header is HOST (NULL when it has none) is
 * for the dashboard listening on PORT. */
int dashboard_host_allowed(const struct dashboard_hosts *h, const char *host, unsigned port);

#endif
