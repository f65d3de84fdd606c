/* dashboard-host.c: which Host headers the dashboard answers (see
 * dashboard-host.h).  Every name is brought to one canonical form before it
 * is compared: lower case without the trailing dot for a name, inet_ntop's
 * text for an address ("[...]" around an IPv6 one). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard-host.h"

/* "[" + INET6_ADDRSTRLEN + "]", or a name and its dot. */
#define CANON_MAX (DASHBOARD_HOST_NAME_MAX + 2)

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* The canonical form of the N bytes at S (a name, an IPv4 address, or an
 * IPv6 address in brackets, or without them when BARE_V6) in OUT, which
 * holds CANON_MAX + 1 bytes; *IS_IP says whether it is an address.  0, or
 * -1 when S is none of these. */
static int canonical(const char *s, size_t n, int bare_v6, char out[CANON_MAX + 1], int *is_ip)
{
	char buf[CANON_MAX + 1];
	unsigned char addr[sizeof(struct in6_addr)];
	size_t i;

	*is_ip = 0;
	if (n == 0 || n > CANON_MAX)
		return -1;
	if (s[0] == '[' || (bare_v6 && memchr(s, ':', n))) {
		if (s[0] == '[') {
			if (n < 3 || s[n - 1] != ']')
				return -1;
			s++;
			n -= 2;
		}
		if (n >= INET6_ADDRSTRLEN)
			return -1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (inet_pton(AF_INET6, buf, addr) != 1 ||
		    !inet_ntop(AF_INET6, addr, buf, INET6_ADDRSTRLEN))
			return -1;
		*is_ip = 1;
		return snprintf(out, CANON_MAX + 1, "[%s]", buf) < CANON_MAX + 1 ? 0 : -1;
	}
	for (i = 0; i < n; i++) {
		if (!name_char(s[i]))
			return -1;
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	}
	if (out[n - 1] == '.')
		n--; /* the root's dot: "localhost." is "localhost" */
	out[n] = '\0';
	if (n == 0 || n > DASHBOARD_HOST_NAME_MAX || out[0] == '.' || out[n - 1] == '.' ||
	    strstr(out, ".."))
		return -1;
	if (inet_pton(AF_INET, out, addr) == 1) {
		if (!inet_ntop(AF_INET, addr, buf, sizeof buf))
			return -1;
		strcpy(out, buf); /* INET_ADDRSTRLEN at most */
		*is_ip = 1;
	}
	return 0;
}

int dashboard_host_name_ok(const char *name)
{
	char out[CANON_MAX + 1];
	int is_ip;

	return canonical(name, strlen(name), 1, out, &is_ip) == 0;
}

void dashboard_hosts_free(struct dashboard_hosts *h)
{
	size_t i;

	free(h->listen);
	for (i = 0; i < h->n_names; i++)
		free(h->names[i]);
	free(h->names);
	memset(h, 0, sizeof *h);
}

int dashboard_hosts_init(struct dashboard_hosts *h, const char *listen, const char *const *names,
			 size_t n_names, char *err, size_t errlen)
{
	char out[CANON_MAX + 1];
	int is_ip;
	size_t i;

	memset(h, 0, sizeof *h);
	if (canonical(listen, strlen(listen), 1, out, &is_ip) < 0 || !is_ip) {
		snprintf(err, errlen, "not a numeric IP address: %s", listen);
		return -1;
	}
	h->any_ip = strcmp(out, "0.0.0.0") == 0 || strcmp(out, "[::]") == 0;
	h->listen = strdup(out);
	h->names = n_names ? calloc(n_names, sizeof *h->names) : NULL;
	if (!h->listen || (n_names && !h->names)) {
		dashboard_hosts_free(h);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n_names; i++) {
		if (canonical(names[i], strlen(names[i]), 1, out, &is_ip) < 0) {
			snprintf(err, errlen, "not a host name or address: %s", names[i]);
			dashboard_hosts_free(h);
			return -1;
		}
		h->names[i] = strdup(out);
		if (!h->names[i]) {
			dashboard_hosts_free(h);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		h->n_names = i + 1;
	}
	return 0;
}

/* The port after the host: "" or ":" and 1 to 5 digits naming PORT. */
static int port_ok(const char *s, unsigned port)
{
	unsigned long v = 0;
	size_t i;

	if (*s == '\0')
		return 1;
	if (*s++ != ':')
		return 0;
	for (i = 0; s[i]; i++) {
		if (i == 5 || s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return i > 0 && v == port;
}

int dashboard_host_allowed(const struct dashboard_hosts *h, const char *host, unsigned port)
{
	char out[CANON_MAX + 1];
	const char *end;
	size_t i;
	int is_ip;

	if (!host)
		return 0;
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return 0;
		end++;
	} else {
		end = host + strcspn(host, ":");
	}
	if (!port_ok(end, port) || canonical(host, (size_t)(end - host), 0, out, &is_ip) < 0)
		return 0;
	if (strcmp(out, "localhost") == 0 || (h->listen && strcmp(out, h->listen) == 0) ||
	    (is_ip && h->any_ip))
		return 1;
	for (i = 0; i < h->n_names; i++)
		if (strcmp(out, h->names[i]) == 0)
			return 1;
	return 0;
}
