/* text.c: normalization of untrusted values (UTF-8, control bytes, trim, cap)
 * and JSON string quoting. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "xalloc.h"

#define REPLACEMENT 0xFFFDu

/* decode_utf8(s, n, &cp): length of the well-formed UTF-8 sequence at s (1-4),
 * its code point in *cp.  When the bytes at s are ill-formed, returns 0 and
 * puts in *cp the length of their "maximal subpart" (Unicode 15, section 3.9,
 * Table 3-7): the longest prefix that could start a well-formed sequence, at
 * least 1 byte.  Each maximal subpart becomes one U+FFFD, as Python and the
 * WHATWG decoder do.  No overlongs, no surrogates, nothing past U+10FFFF. */
static size_t decode_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0; /* no overlongs */
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90; /* no overlongs */
		else if (c == 0xF4)
			hi = 0x8F; /* nothing past U+10FFFF */
	} else {
		*cp = 1; /* C0, C1, F5..FF, or a lone continuation byte */
		return 0;
	}
	for (i = 1; i < len; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = (uint32_t)i; /* the maximal subpart ends here */
			return 0;
		}
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return len;
}

/* is_control(cp): characters a line-oriented reader must never see. */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
	       cp == 0x2028 || cp == 0x2029;
}

static size_t encode_utf8(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

char *text_normalize(const char *s, size_t n)
{
	const unsigned char *in = (const unsigned char *)s;
	char *out = xmalloc(TEXT_MAX + 1);
	size_t len = 0, i = 0;

	while (i < n) {
		uint32_t cp;
		char enc[4];
		size_t used = decode_utf8(in + i, n - i, &cp), elen;

		if (used == 0) {
			used = cp; /* the maximal subpart */
			cp = REPLACEMENT;
		}
		i += used;
		if (is_control(cp))
			cp = ' ';
		if (cp == ' ' && len == 0)
			continue; /* leading space */
		elen = encode_utf8(cp, enc);
		if (len + elen > TEXT_MAX)
			break; /* the cap; never split a character */
		memcpy(out + len, enc, elen);
		len += elen;
	}
	while (len > 0 && out[len - 1] == ' ')
		len--;
	out[len] = '\0';
	return out;
}

char *text_json_string(const char *s)
{
	size_t n = strlen(s), len = 0, i;
	char *out;

	if (n > (SIZE_MAX - 3) / 6)
		fatal("string too long for JSON");
	out = xmalloc(n * 6 + 3);
	out[len++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out[len++] = '\\';
			out[len++] = (char)c;
		} else if (c < 0x20 || c == 0x7F) {
			/* never present after text_normalize(); escaped all the same */
			snprintf(out + len, 7, "\\u%04x", c);
			len += 6;
		} else {
			out[len++] = (char)c;
		}
	}
	out[len++] = '"';
	out[len] = '\0';
	return out;
}
