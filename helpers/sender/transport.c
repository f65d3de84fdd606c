/* transport: see transport.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boundedrun.h"
#include "transport.h"

#define STATUS_LINE_PREFIX 64 /* bytes of each header line looked at */

/* Each kind's own flags: what transport_post() reads and feeds depends on
 * them, so they are not the template's to choose (or to forget). */
static const char *const curl_flags[] = { "-sS", "--data-binary", "@-", "-o", "/dev/null",
					  "-w", "%{http_code}", "--url", NULL };
static const char *const wget_flags[] = { "--server-response", "--post-file=/dev/stdin",
					  "--output-document=/dev/null", NULL };
static const char *const busybox_flags[] = { "-S", "--post-file", "/dev/stdin", "-O", "/dev/null", NULL };

int transport_kind_named(const char *name)
{
	static const char *const names[] = { "curl", "wget", "busybox" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

static int is_status(const char *s)
{
	return s[0] >= '1' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
	       s[2] <= '9';
}

/* curl's -w '%{http_code}': the whole of its output, three digits. */
struct curl_reply {
	char text[8];
	size_t len;
};

static int curl_sink(void *ctx, const char *data, size_t n)
{
	struct curl_reply *c = ctx;

	for (size_t i = 0; i < n && c->len < sizeof c->text; i++)
		c->text[c->len++] = data[i];
	return 0;
}

/* wget -S: the code of the first status line ("  HTTP/1.1 200 OK"), the
 * response's own; a header that looks like one comes after it.  Only the
 * start of each line is kept, so endless headers cost no memory. */
struct wget_reply {
	char line[STATUS_LINE_PREFIX + 1];
	size_t len;
	char status[4];
};

static void wget_line(struct wget_reply *w)
{
	const char *p = w->line;

	w->line[w->len] = '\0';
	w->len = 0;
	if (w->status[0] || strncmp(p, "  HTTP/", 7) != 0)
		return;
	p += 7;
	if (!strchr("0123456789.", *p) || *p == '\0')
		return;
	p += strspn(p, "0123456789.");
	if (*p++ != ' ' || strlen(p) < 3 || !is_status(p) || !strchr(" \r", p[3]))
		return;
	memcpy(w->status, p, 3);
	w->status[3] = '\0';
}

static int wget_sink(void *ctx, const char *data, size_t n)
{
	struct wget_reply *w = ctx;

	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n')
			wget_line(w);
		else if (w->len < STATUS_LINE_PREFIX)
			w->line[w->len++] = data[i];
	}
	return 0;
}

/* full_argv(POLICY, FLAGS, URL): POLICY..., FLAGS..., URL, NULL (the
 * strings themselves are not copied); NULL when out of memory. */
static char **full_argv(char *const policy[], const char *const flags[], const char *url)
{
	size_t np = 0, nf = 0;
	char **argv;

	while (policy[np])
		np++;
	while (flags[nf])
		nf++;
	argv = calloc(np + nf + 2, sizeof *argv);
	if (!argv)
		return NULL;
	memcpy(argv, policy, np * sizeof *argv);
	for (size_t i = 0; i < nf; i++)
		argv[np + i] = (char *)flags[i];
	argv[np + nf] = (char *)url;
	return argv;
}

int transport_post(char *const policy[], enum transport_kind kind, const char *url, const char *body,
		   long limit_ms, char status[4], int *ok)
{
	static const char *const *const flags[] = {
		[TRANSPORT_CURL] = curl_flags,
		[TRANSPORT_WGET] = wget_flags,
		[TRANSPORT_BUSYBOX] = busybox_flags,
	};
	char **argv;
	struct curl_reply curl = { .len = 0 };
	struct wget_reply wget = { .len = 0 };
	struct bounded_io io = { .from = STDERR_FILENO, .sink = wget_sink, .ctx = &wget };
	size_t blen = strlen(body);
	char *with_newline = NULL;
	int wstatus = 0, r;

	status[0] = '\0';
	*ok = 0;
	if (!policy[0] || (unsigned)kind > TRANSPORT_BUSYBOX)
		return -EINVAL;
	argv = full_argv(policy, flags[kind], url);
	if (!argv)
		return -ENOMEM;
	if (kind == TRANSPORT_WGET) {
		/* No newline: the body GNU wget always sent.  It reads it from
		 * a memfd (bounded_io.in_file), never from an argument. */
		io.in = body;
		io.in_len = blen;
		io.in_file = 1;
	} else {
		/* The body as a line, as the script always sent it. */
		with_newline = malloc(blen + 2);
		if (!with_newline) {
			free(argv);
			return -ENOMEM;
		}
		memcpy(with_newline, body, blen);
		memcpy(with_newline + blen, "\n", 2);
		io.in = with_newline;
		io.in_len = blen + 1;
	}
	if (kind == TRANSPORT_CURL) {
		io.from = STDOUT_FILENO;
		io.keep_stderr = 1; /* curl -sS says what went wrong */
		io.sink = curl_sink;
		io.ctx = &curl;
	}
	r = bounded_run(argv, limit_ms, &io, &wstatus);
	free(with_newline);
	free(argv);
	if (r < 0 && r != -ETIMEDOUT)
		return r;
	*ok = r == 0 && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
	if (kind == TRANSPORT_CURL) {
		if (curl.len == 3 && is_status(curl.text)) {
			memcpy(status, curl.text, 3);
			status[3] = '\0';
		}
	} else {
		if (wget.len > 0 && !wget.status[0])
			wget_line(&wget); /* a last line without its newline */
		memcpy(status, wget.status, 4);
	}
	return 0;
}
