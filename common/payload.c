/* payload: see payload.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"

void payload_free(struct payload *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int put(struct payload *b, const char *s, size_t n)
{
	if (b->failed)
		return -ENOMEM;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;

		while (cap < b->len + n + 1 && cap <= ((size_t)-1) / 2)
			cap *= 2;
		p = cap < b->len + n + 1 ? NULL : realloc(b->data, cap);
		if (!p) {
			payload_free(b);
			b->failed = 1;
			return -ENOMEM;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

#define PUTS(b, lit) put((b), (lit), sizeof(lit) - 1)

/* The continuation bytes a UTF-8 lead byte needs, and the range its first
 * continuation byte must fall in (the later ones are 0x80-0xbf): what rules
 * out overlong forms, surrogates and code points above U+10FFFF. */
static int utf8_lead(unsigned char b, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (b >= 0xc2 && b <= 0xdf)
		return 1;
	if (b == 0xe0)
		return *lo = 0xa0, 2;
	if (b == 0xed)
		return *hi = 0x9f, 2;
	if (b >= 0xe1 && b <= 0xef)
		return 2;
	if (b == 0xf0)
		return *lo = 0x90, 3;
	if (b >= 0xf1 && b <= 0xf3)
		return 3;
	if (b == 0xf4)
		return *hi = 0x8f, 3;
	return 0; /* a continuation byte, 0xc0, 0xc1 or 0xf5-0xff: never a lead */
}

/* The bytes JSON escapes by name. */
static const char *const escape_named[0x80] = {
	['"'] = "\\\"",
	['\\'] = "\\\\",
	['\n'] = "\\n",
	['\r'] = "\\r",
	['\t'] = "\\t",
	['\b'] = "\\b",
	['\f'] = "\\f",
};

int payload_string(struct payload *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t count = 0;
	int r = PUTS(b, "\"");

	while (r == 0 && *p && count < PAYLOAD_MAX_CHARS) {
		unsigned char c = *p, lo, hi;
		int need, good;
		char esc[8];

		count++;
		if (c < 0x80) {
			const char *named = escape_named[c];

			if (named)
				r = put(b, named, strlen(named));
			else if (c < 0x20 || c == 0x7f)
				r = put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", c));
			else
				r = put(b, (const char *)p, 1);
			p++;
			continue;
		}
		need = utf8_lead(c, &lo, &hi);
		for (good = 0; good < need; good++) {
			unsigned char next = p[good + 1]; /* the NUL ends a truncated one */

			if (next < lo || next > hi)
				break;
			lo = 0x80;
			hi = 0xbf;
		}
		if (need > 0 && good == need)
			r = put(b, (const char *)p, (size_t)need + 1);
		else
			r = PUTS(b, "\\ufffd");
		p += 1 + good;
	}
	return r ? r : PUTS(b, "\"");
}

/* iso8601(NOW): YYYY-MM-DDTHH:MM:SSZ. */
static int put_time(struct payload *b, time_t now)
{
	struct tm tm;
	char when[32];

	if (!gmtime_r(&now, &tm) || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return payload_string(b, "unknown");
	return payload_string(b, when);
}

static int put_variable(struct payload *b, const char *value)
{
	return payload_string(b, value && *value ? value : "unknown");
}

/* The f kind: one member per name of the blank-separated LIST. */
static int put_facts(struct payload *b, const char *list, const char **sep,
		     const char *(*lookup)(void *, const char *), void *ctx)
{
	static const char blanks[] = " \t\n";
	int r = 0;

	for (list += strspn(list, blanks); r == 0 && *list; list += strspn(list, blanks)) {
		size_t n = strcspn(list, blanks);
		char *name = strndup(list, n), *key = strndup(list + (n > 8 ? 8 : n), n > 8 ? n - 8 : 0);

		if (!name || !key) {
			free(name);
			free(key);
			payload_free(b);
			b->failed = 1;
			return -ENOMEM;
		}
		for (char *k = key; *k; k++)
			if (*k >= 'A' && *k <= 'Z')
				*k = (char)(*k - 'A' + 'a');
		r = put(b, *sep, strlen(*sep));
		if (r == 0)
			r = payload_string(b, key);
		if (r == 0)
			r = PUTS(b, ":");
		if (r == 0)
			r = put_variable(b, lookup(ctx, name));
		*sep = ",";
		free(name);
		free(key);
		list += n;
	}
	return r;
}

int payload_object(struct payload *b, int n, char *const triples[],
		   const char *(*lookup)(void *ctx, const char *name), void *ctx, time_t now)
{
	const char *sep = "";
	int r = PUTS(b, "{");

	for (int i = 0; r == 0 && i + 2 < n; i += 3) {
		const char *kind = triples[i], *key = triples[i + 1], *value = triples[i + 2];

		if (strcmp(kind, "}") == 0) {
			r = PUTS(b, "}");
			sep = ",";
			continue;
		}
		if (strcmp(kind, "f") == 0) {
			r = put_facts(b, value, &sep, lookup, ctx);
			continue;
		}
		r = put(b, sep, strlen(sep));
		if (r == 0)
			r = payload_string(b, key);
		if (r == 0)
			r = PUTS(b, ":");
		if (r)
			break;
		if (strcmp(kind, "{") == 0) {
			r = PUTS(b, "{");
			sep = "";
			continue;
		}
		if (strcmp(kind, "l") == 0)
			r = strcmp(value, "true") == 0 ? PUTS(b, "true") : PUTS(b, "false");
		else if (strcmp(kind, "t") == 0)
			r = put_time(b, now);
		else if (strcmp(kind, "e") == 0)
			r = put_variable(b, lookup(ctx, value));
		else
			r = payload_string(b, value);
		sep = ",";
	}
	return r ? r : PUTS(b, "}");
}
