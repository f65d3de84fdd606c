/* json.c: see json.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void json_init(struct json_buf *b)
{
	memset(b, 0, sizeof *b);
}

void json_free(struct json_buf *b)
{
	free(b->data);
	json_init(b);
}

static int fail(struct json_buf *b)
{
	json_free(b);
	b->failed = 1;
	return -ENOMEM;
}

int json_put(struct json_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return -ENOMEM;
	if (n >= (size_t)-1 - b->len)
		return fail(b);
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;

		while (cap < b->len + n + 1 && cap <= ((size_t)-1) / 2)
			cap *= 2;
		p = cap < b->len + n + 1 ? NULL : realloc(b->data, cap);
		if (!p)
			return fail(b);
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int json_raw(struct json_buf *b, const char *s)
{
	return json_put(b, s, strlen(s));
}

size_t utf8_step(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* no overlongs */
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* no overlongs */
		else if (c == 0xf4)
			hi = 0x8f; /* nothing past U+10FFFF */
	} else {
		*cp = UTF8_ILL_FORMED; /* a continuation byte, C0, C1, F5-FF */
		return 1;
	}
	for (i = 1; i < len; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = UTF8_ILL_FORMED;
			return i; /* the maximal subpart ends here */
		}
		v = (v << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return len;
}

/* The characters JSON escapes by name. */
static const char *const escape_named[0x80] = {
	['"'] = "\\\"",
	['\\'] = "\\\\",
	['\n'] = "\\n",
	['\r'] = "\\r",
	['\t'] = "\\t",
	['\b'] = "\\b",
	['\f'] = "\\f",
};

static int put_u(struct json_buf *b, uint32_t cp)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', hex[cp >> 12 & 15], hex[cp >> 8 & 15], hex[cp >> 4 & 15], hex[cp & 15] };

	return json_put(b, esc, sizeof esc);
}

/* put_char(B, S, N, CP, FLAGS): the character CP, whose N bytes are at S. */
static int put_char(struct json_buf *b, const char *s, size_t n, uint32_t cp, unsigned flags)
{
	if (cp == UTF8_ILL_FORMED)
		return put_u(b, 0xfffd);
	if (cp < 0x80 && escape_named[cp])
		return json_raw(b, escape_named[cp]);
	if (cp < 0x20 || cp == 0x7f)
		return put_u(b, cp);
	if ((flags & JSON_ESCAPE_HTML) && (cp == '<' || cp == '>' || cp == '&'))
		return put_u(b, cp);
	if ((flags & JSON_ESCAPE_C1) && ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029))
		return put_u(b, cp);
	return json_put(b, s, n);
}

int json_string(struct json_buf *b, const char *str, size_t n, size_t max_chars, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, chars = 0;
	int r = json_put(b, "\"", 1);

	while (r == 0 && i < n && chars < max_chars) {
		uint32_t cp;
		size_t used = utf8_step(s + i, n - i, &cp);

		r = put_char(b, str + i, used, cp, flags);
		i += used;
		chars++;
	}
	return r ? r : json_put(b, "\"", 1);
}
