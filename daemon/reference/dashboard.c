/* dashboard.c: the dashboard's HTTP server (libmicrohttpd).
 *
 * One internal thread polls every connection; nothing it does blocks on a
 * client (an idle one is dropped at the connection timeout, a slow one at
 * the deadlines of dashboard-deadline.c) or on the statistics (the status lookup is a few stat() calls of the library).
 * Only GET and HEAD are answered: no request changes anything, and only
 * for a Host that names the dashboard (dashboard-host.h), so that a page
 * which rebound its own name to 127.0.0.1 reads nothing.  Paths are
 * decoded here, not by libmicrohttpd, so that an encoded NUL, dot or slash
 * is seen for what it is, and files are opened one component at a time
 * below the web directory without following any link. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "anonstats.h"
#include "dashboard-deadline.h"
#include "dashboard-host.h"
#include "dashboard-json.h"
#include "dashboard-log.h"
#include "dashboard.h"

#define CONNECTION_LIMIT 256    /* at once (at most 32 without their header yet) */
#define CONNECTION_TIMEOUT_S 5  /* idle clients are dropped after it */
#define CONNECTION_MEMORY 32768 /* request line and headers must fit: 431 beyond */
#define PATH_MAX_LEN 256        /* longer paths are refused (414) */
#define PATH_DEPTH_MAX 8
#define LOG_EVENTS 20 /* the last events the panel shows */

/* The running server and what it answers with (dashboard_start() sets it). */
static struct {
	struct MHD_Daemon *mhd;
	int web_fd;
	char *posthog_host;
	char *posthog_key;
	char *log_path;
	char *csp;
	struct dashboard_hosts hosts;
} dash = { .web_fd = -1 };

/* The file types served, by name ending: a table, as everything else
 * (application/octet-stream, which a browser never runs). */
static const struct {
	const char *suffix;
	const char *type;
} content_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ "LICENSE", "text/plain; charset=utf-8" },
};

static const char *content_type(const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof content_types / sizeof content_types[0]; i++) {
		size_t k = strlen(content_types[i].suffix);
		if (n >= k && strcmp(name + n - k, content_types[i].suffix) == 0)
			return content_types[i].type;
	}
	return "application/octet-stream";
}

int dashboard_posthog_host_ok(const char *host)
{
	const char *p;
	size_t i;

	if (strncmp(host, "https://", 8) == 0)
		p = host + 8;
	else if (strncmp(host, "http://127.", 11) == 0 || strncmp(host, "http://localhost", 16) == 0 ||
		 strncmp(host, "http://[::1]", 12) == 0)
		p = host + 7;
	else
		return 0;
	if (!*p || strlen(p) > 253)
		return 0;
	for (i = 0; p[i]; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return 0;
	}
	return 1;
}

/* ---- responses ----------------------------------------------------------- */

static void common_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	common_headers(r);
	MHD_add_response_header(r, "Content-Type", type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8", text, strlen(text));
}

static enum MHD_Result reply_json(struct MHD_Connection *c, struct json_buf *b)
{
	enum MHD_Result rc;

	if (b->failed)
		rc = reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	else
		rc = reply(c, MHD_HTTP_OK, "application/json", b->data, b->len);
	json_free(b);
	return rc;
}

/* ---- the API ------------------------------------------------------------- */

/* Why statistics are on or off, in a few words for the page: the
 * library's reason names the files that decided, which are the agent's
 * business, not the page's ("anonstats-daemon --status" tells them). */
static const char *short_reason(const struct anonstats_status_details *d, int configured)
{
	if (d->status != ANONSTATS_ENABLED)
		return anonstats_status_string(d->status);
	if (!configured)
		return "enabled, but not configured: nothing is sent";
	return d->level == ANONSTATS_LEVEL_CRASHES ? "enabled for crashes only (level crashes)"
						   : "enabled (level all)";
}

/* The registry "hello": anonymous_statistics is true only when every event
 * is sent (level all, and a key to send with: the script's "not
 * configured" is the agent's answer too): the dashboard is no crash report.  It carries what
 * the page uses and no more: the level and a short reason for the panel,
 * and only when the page may load PostHog, the machine GUID, the PostHog
 * host and key it needs for that. */
static enum MHD_Result hello(struct MHD_Connection *c)
{
	struct anonstats_status_details d;
	const char *guid = anonstats_machine_guid();
	struct json_buf b;
	int on, configured;

	anonstats_status_details(&d);
	configured = anonstats_configured(NULL);
	on = d.enabled && d.status == ANONSTATS_ENABLED && d.level == ANONSTATS_LEVEL_ALL && configured;
	json_init(&b);
	json_raw(&b, "{");
	json_key_string(&b, "action", "hello");
	json_raw(&b, ",");
	json_key_string(&b, "status", "ok");
	json_raw(&b, ",");
	json_key_bool(&b, "anonymous_statistics", on);
	json_raw(&b, ",");
	json_key_string(&b, "anonymous_statistics_level", anonstats_level_string(d.level));
	json_raw(&b, ",");
	json_key_string(&b, "anonymous_statistics_reason", short_reason(&d, configured));
	if (on) {
		json_raw(&b, ",");
		json_key_string(&b, "machine_guid", guid ? guid : "");
		json_raw(&b, ",");
		json_key_string(&b, "posthog_host", dash.posthog_host);
		json_raw(&b, ",");
		json_key_string(&b, "posthog_key", dash.posthog_key);
	}
	json_raw(&b, "}");
	return reply_json(c, &b);
}

static enum MHD_Result sent_log(struct MHD_Connection *c)
{
	struct json_buf b;

	json_init(&b);
	dashboard_log_json(dash.log_path, LOG_EVENTS, &b);
	return reply_json(c, &b);
}

/* ---- static files -------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the raw PATH into OUT (percent escapes), and accept it only when
 * every segment is made of [A-Za-z0-9._-] and starts with none of "._-"
 * after decoding: no "..", no hidden file, no NUL, no backslash, no empty
 * segment.  0, or an HTTP status. */
static unsigned decode_path(const char *raw, char *out, size_t cap)
{
	size_t n = 0, seglen = 0, depth = 0;

	if (raw[0] != '/')
		return MHD_HTTP_BAD_REQUEST;
	for (const char *p = raw + 1;; p++) {
		int ch = (unsigned char)*p;

		if (ch == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			if (lo < 0)
				return MHD_HTTP_BAD_REQUEST;
			ch = hi * 16 + lo;
			if (ch == 0 || ch == '/')
				return MHD_HTTP_NOT_FOUND; /* an encoded NUL or slash */
			p += 2;
		} else if (ch == '\0' || ch == '/') {
			if (seglen == 0 && !(ch == '\0' && n == 0))
				return MHD_HTTP_NOT_FOUND;
			if (ch == '\0')
				break;
			if (++depth > PATH_DEPTH_MAX)
				return MHD_HTTP_NOT_FOUND;
			seglen = 0;
			if (n + 1 >= cap)
				return MHD_HTTP_URI_TOO_LONG;
			out[n++] = '/';
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '.' || ch == '_' || ch == '-'))
			return MHD_HTTP_NOT_FOUND;
		if (seglen == 0 && (ch == '.' || ch == '_' || ch == '-'))
			return MHD_HTTP_NOT_FOUND;
		if (n + 1 >= cap)
			return MHD_HTTP_URI_TOO_LONG;
		out[n++] = (char)ch;
		seglen++;
	}
	if (n == 0) {
		if (cap <= strlen("index.html"))
			return MHD_HTTP_URI_TOO_LONG;
		strcpy(out, "index.html");
		return 0;
	}
	out[n] = '\0';
	return 0;
}

/* Open REL (checked by decode_path) below the web directory, every
 * component without following a link; a regular file's descriptor, or -1. */
static int open_below(char *rel, struct stat *st)
{
	int dir = dash.web_fd, fd = -1;
	char *seg = rel, *slash;

	for (;;) {
		slash = strchr(seg, '/');
		if (slash)
			*slash = '\0';
		fd = openat(dir, seg,
			    (slash ? O_DIRECTORY | O_PATH : O_RDONLY | O_NONBLOCK | O_NOCTTY) | O_NOFOLLOW |
				    O_CLOEXEC);
		if (dir != dash.web_fd)
			close(dir);
		if (slash)
			*slash = '/';
		if (fd < 0 || !slash)
			break;
		dir = fd;
		seg = slash + 1;
	}
	if (fd >= 0 && (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static enum MHD_Result static_file(struct MHD_Connection *c, const char *url)
{
	char rel[PATH_MAX_LEN + 1];
	struct MHD_Response *r;
	struct stat st;
	enum MHD_Result rc;
	unsigned bad;
	int fd;

	if (strlen(url) > PATH_MAX_LEN)
		return reply_text(c, MHD_HTTP_URI_TOO_LONG, "path too long\n");
	bad = decode_path(url, rel, sizeof rel);
	if (bad)
		return reply_text(c, bad, bad == MHD_HTTP_NOT_FOUND ? "not found\n" : "bad path\n");
	fd = open_below(rel, &st);
	if (fd < 0)
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	r = MHD_create_response_from_fd((uint64_t)st.st_size, fd); /* owns fd now */
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	common_headers(r);
	MHD_add_response_header(r, "Content-Type", content_type(rel));
	if (strcmp(content_type(rel), content_types[0].type) == 0 && dash.csp)
		MHD_add_response_header(r, "Content-Security-Policy", dash.csp);
	rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

/* ---- deadlines ----------------------------------------------------------- */

static struct deadline_conn *conn_deadline(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i ? i->socket_context : NULL;
}

/* Every connection is tracked from its accept to its close. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *i =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		*socket_context = i ? deadline_add(i->connect_fd) : NULL;
		/* Without a deadline, no service: still in the server's thread,
		 * the descriptor is the connection's. */
		if (i && !*socket_context)
			(void)shutdown(i->connect_fd, SHUT_RDWR);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		deadline_remove(*socket_context);
		*socket_context = NULL;
	}
}

/* An answer went out: the connection's next request starts its deadlines. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)con_cls;
	(void)toe;
	deadline_answered(conn_deadline(c));
}

/* ---- the request handler ------------------------------------------------- */

static enum MHD_Result count_host(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
		++*(unsigned *)cls;
	return MHD_YES;
}

/* Whether the request names the dashboard: one Host header, allowed for
 * the port this connection came in on. */
static int for_us(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
	const union MHD_DaemonInfo *di;
	unsigned hosts = 0;

	if (!ci || !(di = MHD_get_daemon_info(ci->daemon, MHD_DAEMON_INFO_BIND_PORT)))
		return 0;
	if (MHD_get_connection_values(c, MHD_HEADER_KIND, count_host, &hosts) < 0 || hosts != 1)
		return 0;
	return dashboard_host_allowed(
		&dash.hosts, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST), di->port);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)version;
	(void)upload_data;
	(void)con_cls;
	deadline_header_done(conn_deadline(c));
	if (!for_us(c)) {
		*upload_data_size = 0;
		return reply_text(c, MHD_HTTP_MISDIRECTED_REQUEST,
				  "misdirected request: not a host name of this dashboard\n");
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		*upload_data_size = 0;
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	}
	if (strcmp(url, "/api/v1/registry") == 0) {
		const char *action = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "action");
		if (action && strcmp(action, "hello") == 0)
			return hello(c);
		return reply_text(c, MHD_HTTP_BAD_REQUEST, "only action=hello\n");
	}
	if (strcmp(url, "/api/v1/anonymous-statistics/log") == 0)
		return sent_log(c);
	if (strncmp(url, "/api/", 5) == 0)
		return reply_text(c, MHD_HTTP_NOT_FOUND, "no such endpoint\n");
	return static_file(c, url);
}

/* Leave the path as the client sent it: decode_path() decodes it. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* ---- start and stop ------------------------------------------------------ */

static void forget(void)
{
	if (dash.web_fd >= 0)
		close(dash.web_fd);
	dash.web_fd = -1;
	free(dash.posthog_host);
	free(dash.posthog_key);
	free(dash.log_path);
	free(dash.csp);
	dash.posthog_host = dash.posthog_key = dash.log_path = dash.csp = NULL;
	dashboard_hosts_free(&dash.hosts);
}

int dashboard_start(const struct dashboard_config *cfg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD;
	size_t csp_len;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, cfg->address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)cfg->port);
	} else if (inet_pton(AF_INET6, cfg->address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)cfg->port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "not a numeric IP address: %s", cfg->address);
		return -1;
	}
	if (!dashboard_posthog_host_ok(cfg->posthog_host)) {
		snprintf(err, errlen, "not a PostHog host the page may use: %s", cfg->posthog_host);
		return -1;
	}
	if (dashboard_hosts_init(&dash.hosts, cfg->address, cfg->allow_hosts, cfg->n_allow_hosts, err,
				 errlen) < 0)
		return -1;
	dash.web_fd = open(cfg->web_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dash.web_fd < 0) {
		snprintf(err, errlen, "cannot open the web directory %s: %s", cfg->web_dir,
			 strerror(errno));
		forget();
		return -1;
	}
	dash.posthog_host = strdup(cfg->posthog_host);
	dash.posthog_key = strdup(cfg->posthog_key);
	dash.log_path = strdup(cfg->log_path);
	/* The page talks to the daemon and to the PostHog host, nothing else. */
	csp_len = strlen(cfg->posthog_host) + 200;
	dash.csp = malloc(csp_len);
	if (!dash.posthog_host || !dash.posthog_key || !dash.log_path || !dash.csp) {
		forget();
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(dash.csp, csp_len,
		 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
		 "connect-src 'self' %s; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		 cfg->posthog_host);
	if (deadline_start(CONNECTION_LIMIT) < 0) {
		snprintf(err, errlen, "cannot start the deadline thread: %s", strerror(errno));
		forget();
		return -1;
	}
	dash.mhd = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, handle, NULL,
				    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
				    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
				    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
				    MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
				    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
				    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				    MHD_OPTION_END);
	if (!dash.mhd) {
		snprintf(err, errlen, "cannot listen on %s port %u: %s", cfg->address, cfg->port,
			 errno ? strerror(errno) : "libmicrohttpd refused");
		deadline_stop();
		forget();
		return -1;
	}
	return 0;
}

unsigned dashboard_port(void)
{
	const union MHD_DaemonInfo *i;

	if (!dash.mhd)
		return 0;
	i = MHD_get_daemon_info(dash.mhd, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : 0;
}

void dashboard_stop(void)
{
	deadline_stop();
	if (dash.mhd)
		MHD_stop_daemon(dash.mhd);
	dash.mhd = NULL;
	forget();
}
