/* logread.c: the one reader of the script's log (the rules are in
 * logread.h).  A strict, linear check of each line: a hostile file costs
 * one pass over at most the cap, never a copy per byte. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logread.h"
#include "statefile.h"

#define CTL "anonymous-statistics-ctl" /* log_print speaks for it */
#define EXIT_USAGE 2
#define EXIT_FAILED 4
#define EPOCH_DIGITS 11
#define NUMBER_MAX 40 /* the script sends none; a cap all the same */

struct cursor {
	const unsigned char *p, *end;
	const char *event; /* the top-level "event", once seen */
	size_t event_len;
};

static int value(struct cursor *c, int depth);

/* Blanks between tokens: spaces only.  The sender writes none, and a
 * carriage return or tab there would reach the terminal raw (--json prints
 * the payload as it is; only inside strings can a byte be escaped). */
static void ws(struct cursor *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
}

static int hex(unsigned char b)
{
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
}

/* A string; *raw, *n: its bytes between the quotes, *plain: no escape in
 * them.  UTF-8 is checked as Unicode 3.9 table 3-7 has it. */
static int string(struct cursor *c, const char **raw, size_t *n, int *plain)
{
	const unsigned char *start;

	if (c->p >= c->end || *c->p != '"')
		return -1;
	start = ++c->p;
	*plain = 1;
	while (c->p < c->end) {
		unsigned char b = *c->p, lo = 0x80, hi = 0xbf;
		int need, k;

		if (b == '"') {
			*raw = (const char *)start;
			*n = (size_t)(c->p - start);
			c->p++;
			return 0;
		}
		if (b < 0x20)
			return -1;
		if (b == '\\') {
			*plain = 0;
			if (c->end - c->p < 2)
				return -1;
			b = c->p[1];
			if (b == 'u') {
				if (c->end - c->p < 6 || !hex(c->p[2]) || !hex(c->p[3]) || !hex(c->p[4]) || !hex(c->p[5]))
					return -1;
				c->p += 6;
			} else if (b && strchr("\"\\/bfnrt", b)) {
				c->p += 2;
			} else {
				return -1;
			}
			continue;
		}
		if (b < 0x80) {
			c->p++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf)
			need = 1;
		else if (b == 0xe0)
			need = 2, lo = 0xa0;
		else if (b == 0xed)
			need = 2, hi = 0x9f;
		else if (b >= 0xe1 && b <= 0xef)
			need = 2;
		else if (b == 0xf0)
			need = 3, lo = 0x90;
		else if (b >= 0xf1 && b <= 0xf3)
			need = 3;
		else if (b == 0xf4)
			need = 3, hi = 0x8f;
		else
			return -1;
		if (c->end - c->p <= need)
			return -1;
		for (k = 1; k <= need; k++) {
			if (c->p[k] < lo || c->p[k] > hi)
				return -1;
			lo = 0x80;
			hi = 0xbf;
		}
		c->p += need + 1;
	}
	return -1;
}

static int digits(struct cursor *c)
{
	const unsigned char *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s ? 0 : -1;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?, at most NUMBER_MAX bytes. */
static int number(struct cursor *c)
{
	const unsigned char *s = c->p;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (c->p >= c->end || *c->p < '1' || *c->p > '9' || digits(c) < 0)
		return -1;
	if (c->p < c->end && *c->p == '.' && (c->p++, digits(c) < 0))
		return -1;
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '-' || *c->p == '+'))
			c->p++;
		if (digits(c) < 0)
			return -1;
	}
	return c->p - s <= NUMBER_MAX ? 0 : -1;
}

static int literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

/* An object or an array at nesting DEPTH (the line's object is 1); in the
 * line's object, "event" must be a string of [A-Z_], once. */
static int container(struct cursor *c, int depth)
{
	unsigned char close = *c->p == '{' ? '}' : ']';

	if (depth > LOGREAD_DEPTH)
		return -1;
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return 0;
	}
	for (;;) {
		ws(c);
		if (close == '}') {
			const char *key;
			size_t n;
			int plain;

			if (string(c, &key, &n, &plain) < 0)
				return -1;
			ws(c);
			if (c->p >= c->end || *c->p != ':')
				return -1;
			c->p++;
			ws(c);
			if (depth == 1 && plain && n == 5 && memcmp(key, "event", 5) == 0) {
				const char *ev;
				size_t len, i;

				if (c->event || string(c, &ev, &len, &plain) < 0 || !plain || len == 0 ||
				    len > LOGREAD_EVENT_MAX)
					return -1;
				for (i = 0; i < len; i++)
					if (!((ev[i] >= 'A' && ev[i] <= 'Z') || ev[i] == '_'))
						return -1;
				c->event = ev;
				c->event_len = len;
			} else if (value(c, depth) < 0) {
				return -1;
			}
		} else if (value(c, depth) < 0) {
			return -1;
		}
		ws(c);
		if (c->p >= c->end)
			return -1;
		if (*c->p == close) {
			c->p++;
			return 0;
		}
		if (*c->p++ != ',')
			return -1;
	}
}

static int value(struct cursor *c, int depth)
{
	const char *s;
	size_t n;
	int plain;

	ws(c);
	if (c->p >= c->end)
		return -1;
	switch (*c->p) {
	case '{':
	case '[':
		return container(c, depth + 1);
	case '"':
		return string(c, &s, &n, &plain);
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	default:
		return number(c);
	}
}

int logread_parse(const char *line, size_t len, struct logread_line *out)
{
	const char *p = line, *end = line + len;
	struct cursor c;
	long long epoch = 0;
	int n = 0;

	while (p < end && *p >= '0' && *p <= '9' && n < EPOCH_DIGITS + 1) {
		epoch = epoch * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || n > EPOCH_DIGITS || end - p < 6 || p[0] != ' ' || p[1] < '1' || p[1] > '5' ||
	    p[2] < '0' || p[2] > '9' || p[3] < '0' || p[3] > '9' || p[4] != ' ' || p[5] != '{')
		return -1;
	out->epoch = epoch;
	out->status = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	p += 5;
	c.p = (const unsigned char *)p;
	c.end = (const unsigned char *)end;
	c.event = NULL;
	c.event_len = 0;
	if (container(&c, 1) < 0)
		return -1;
	ws(&c);
	if (c.p != c.end || !c.event)
		return -1;
	out->event = c.event;
	out->event_len = c.event_len;
	out->payload = p;
	out->payload_len = (size_t)(end - p);
	return 0;
}

/* ISO 8601 in UTC by the proleptic Gregorian calendar (days from civil,
 * as H. Hinnant gives it), for any EPOCH of 11 digits: not time_t's range. */
static void utc(long long t, char out[128])
{
	long long d = t / 86400, s = t % 86400, z = d + 719468;
	long long era = z / 146097, doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153, day = doy - (153 * mp + 2) / 5 + 1;
	long long m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	(void)snprintf(out, 128, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", y, m, day, s / 3600,
		       s % 3600 / 60, s % 60);
}

/* The payload as logged, DEL and the C1 controls (U+0080-U+009F, which a
 * valid JSON string may hold raw) written as \u escapes: they can stand
 * only inside strings, so the JSON stays the same. */
static void print_payload(const char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b == 0x7f || (b == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
				  (unsigned char)s[i + 1] <= 0x9f)) {
			fwrite(s + from, 1, i - from, stdout);
			printf("\\u%04x", b == 0x7f ? 0x7f : (unsigned char)s[i + 1]);
			i += b == 0xc2;
			from = i + 1;
		}
	}
	fwrite(s + from, 1, n - from, stdout);
	putchar('\n');
}

static const char *user_name(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw && pw->pw_name ? pw->pw_name : "this account";
}

/* refused(PATH, ERR, CAP): why the log is not read; the exit status. */
static int refused(const char *path, int err, size_t cap)
{
	switch (err) {
	case -ELOOP:
		fprintf(stderr, CTL ": %s is a symbolic link (the script never makes one): not read\n", path);
		break;
	case -EINVAL:
		fprintf(stderr, CTL ": %s is not a regular file: not read\n", path);
		break;
	case -EACCES:
		fprintf(stderr, CTL ": %s cannot be read by %s\n", path, user_name());
		break;
	case -EPERM:
		fprintf(stderr,
			CTL ": %s belongs to another account than %s and the state directory's owner: not read\n",
			path, user_name());
		break;
	case -EMLINK:
		fprintf(stderr, CTL ": %s has more than one link (the script never makes one): not read\n", path);
		break;
	case -EFBIG:
		fprintf(stderr, CTL ": %s is larger than %zu bytes, more than the script ever writes: not read\n", path,
			cap);
		break;
	default:
		fprintf(stderr, CTL ": cannot read %s: %s\n", path, strerror(-err));
	}
	return EXIT_FAILED;
}

int log_print(const char *dir, const char *name, size_t cap, const char *option)
{
	size_t plen = strlen(dir) + strlen(name) + 2, len = 0, at;
	unsigned long good = 0, bad = 0;
	char *path, *buf = NULL;
	int json = 0, dirfd, r;
	struct stat st;

	if (option && strcmp(option, "--json") != 0) {
		fprintf(stderr, CTL ": log takes only --json\n");
		return EXIT_USAGE;
	}
	json = option != NULL;
	path = malloc(plen);
	if (!path) {
		fprintf(stderr, CTL ": out of memory\n");
		return EXIT_FAILED;
	}
	(void)snprintf(path, plen, "%s/%s", dir, name);
	dirfd = state_dir_open(dir);
	if (dirfd >= 0 && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		r = -errno;
	else if (dirfd >= 0)
		r = S_ISLNK(st.st_mode) ? -ELOOP : S_ISREG(st.st_mode) ? 0
								       : -EINVAL;
	else
		r = dirfd == -ENOENT ? -ENOENT : 0;
	if (r == -ENOENT) {
		if (!json)
			printf("no event sent yet: %s does not exist\n", path);
		free(path);
		if (dirfd >= 0)
			close(dirfd);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
	}
	if (dirfd < 0) {
		fprintf(stderr, CTL ": cannot open the state directory %s: %s\n", dir, strerror(-dirfd));
		free(path);
		return EXIT_FAILED;
	}
	/* What the name holds now is what state_read_checked() decides on: it opens
	 * it itself (O_NOFOLLOW | O_NONBLOCK) and checks the descriptor. */
	if (r == 0)
		r = state_read_checked(dirfd, name, cap, &buf, &len);
	close(dirfd);
	if (r < 0) {
		r = refused(path, r, cap);
		free(path);
		return r;
	}
	free(path);
	if (!json)
		printf("%-20s  %-20s  %s\n", "time (UTC)", "event", "HTTP");
	for (at = 0; at < len;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;
		struct logread_line l;

		if (logread_parse(buf + at, n, &l) < 0) {
			bad++;
		} else if (json) {
			print_payload(l.payload, l.payload_len);
			good++;
		} else {
			char when[128];
			utc(l.epoch, when);
			printf("%-20s  %-20.*s  %03d\n", when, (int)l.event_len, l.event, l.status);
			good++;
		}
		at += n + (nl != NULL);
	}
	free(buf);
	if (bad)
		fprintf(stderr, CTL ": %lu malformed line%s skipped\n", bad, bad == 1 ? "" : "s");
	if (!good && !json)
		printf("(no event in the log)\n");
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, CTL ": cannot write the log out: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	return 0;
}
