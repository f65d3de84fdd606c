/* dashboard-json.c: a growing buffer and one JSON string quoting routine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard-json.h"

void json_init(struct json_buf *b)
{
	memset(b, 0, sizeof *b);
}

void json_free(struct json_buf *b)
{
	free(b->data);
	json_init(b);
}

static void put(struct json_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1) {
			if (cap > SIZE_MAX / 2) {
				b->failed = 1;
				return;
			}
			cap *= 2;
		}
		p = realloc(b->data, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void json_raw(struct json_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Length of the well-formed UTF-8 sequence at s (2-4 bytes), or 0
 * (overlongs, surrogates and code points past U+10FFFF are ill-formed). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len, i;

	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xBF;
	}
	/* U+2028 and U+2029 end a line in older JavaScript: escaped below. */
	if (len == 3 && c == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9))
		return 0;
	return len;
}

void json_string_n(struct json_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	char esc[8];

	put(b, "\"", 1);
	while (i < n) {
		unsigned char c = s[i];
		size_t run = i;

		/* The plain ASCII run, in one copy. */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7F && s[run] != '"' && s[run] != '\\' &&
		       s[run] != '<' && s[run] != '>' && s[run] != '&')
			run++;
		if (run > i) {
			put(b, str + i, run - i);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
			i++;
		} else if (c < 0x80) {
			/* Controls, DEL, and <>& (never markup, whoever reads it). */
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put(b, esc, 6);
			i++;
		} else {
			size_t len = utf8_len(s + i, n - i);

			if (len == 2 && c == 0xC2 && s[i + 1] < 0xA0) {
				/* A C1 control: well-formed, escaped all the same. */
				snprintf(esc, sizeof esc, "\\u%04x", s[i + 1]);
				put(b, esc, 6);
				i += 2;
			} else if (len) {
				put(b, str + i, len);
				i += len;
			} else if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x80 &&
				   (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
				snprintf(esc, sizeof esc, "\\u%04x", s[i + 2] == 0xA8 ? 0x2028 : 0x2029);
				put(b, esc, 6);
				i += 3;
			} else {
				/* One ill-formed byte: U+FFFD. */
				put(b, "\\ufffd", 6);
				i++;
			}
		}
	}
	put(b, "\"", 1);
}

void json_string(struct json_buf *b, const char *s)
{
	json_string_n(b, s ? s : "", s ? strlen(s) : 0);
}

void json_key_string(struct json_buf *b, const char *key, const char *value)
{
	json_string(b, key);
	put(b, ":", 1);
	json_string(b, value);
}

void json_key_bool(struct json_buf *b, const char *key, int value)
{
	json_string(b, key);
	json_raw(b, value ? ":true" : ":false");
}

void json_key_long(struct json_buf *b, const char *key, long long value)
{
	char num[32];

	json_string(b, key);
	snprintf(num, sizeof num, ":%lld", value);
	json_raw(b, num);
}
