/* logline.c: the one reader of the script's log (the rules are in
 * logline.h).  A strict, linear check of each line: a hostile file costs
 * one pass over at most the cap, never a copy per byte. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "logline.h"
#include "statefile.h"

#define EPOCH_DIGITS 11
#define NUMBER_MAX 40 /* the script sends none; a cap all the same */

struct cursor {
	const unsigned char *p, *end;
	const char *event; /* the top-level "event", once seen */
	size_t event_len;
};

static int value(struct cursor *c, int depth);

/* Blanks between tokens: spaces only.  The sender writes none, and a
 * carriage return or tab there would reach the terminal raw (log-print
 * --json prints the payload as it is; only inside strings can a byte be
 * escaped). */
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
 * them.  UTF-8 is checked by common/json.h's utf8_step(). */
static int string(struct cursor *c, const char **raw, size_t *n, int *plain)
{
	const unsigned char *start;

	if (c->p >= c->end || *c->p != '"')
		return -1;
	start = ++c->p;
	*plain = 1;
	while (c->p < c->end) {
		unsigned char b = *c->p;
		uint32_t cp;

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
		c->p += utf8_step(c->p, (size_t)(c->end - c->p), &cp);
		if (cp == UTF8_ILL_FORMED)
			return -1;
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

	if (depth > LOGLINE_DEPTH)
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
				    len > LOGLINE_EVENT_MAX)
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

int logline_parse(const char *line, size_t len, struct logline *out)
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

int logline_next(const char *buf, size_t len, size_t *at, struct logline *out)
{
	const char *line = buf + *at, *nl;
	size_t n;

	if (*at >= len)
		return -1;
	nl = memchr(line, '\n', len - *at);
	n = nl ? (size_t)(nl - line) : len - *at;
	*at += n + (nl != NULL);
	return logline_parse(line, n, out) == 0;
}

int logline_read(int dirfd, const char *name, char **buf, size_t *len)
{
	struct stat st;

	*buf = NULL;
	*len = 0;
	/* A missing log reads as no log (state_read_checked() would read it as
	 * empty), a link or a directory gets its own answer; what the name holds
	 * when it is opened is what state_read_checked() decides on. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return state_read_checked(dirfd, name, LOGLINE_FILE_CAP, buf, len);
}
