/* json.h: the one growing buffer, UTF-8 decoder and JSON string writer that
 * every program's JSON goes through (the event, sysinfo --json, the
 * dashboard's replies).
 *
 * json_string() works on bytes, and its rules are the project's one rule
 * for a JSON string made of untrusted bytes:
 *   - '"' and '\' are escaped; \b \f \n \r \t by name; the other control
 *     bytes 0x00-0x1f and DEL as \u00XX: they survive exactly;
 *   - well-formed UTF-8 is kept; an ill-formed sequence (stray
 *     continuation, overlong, surrogate, above U+10FFFF, truncated) becomes
 *     \ufffd, one per maximal subpart (Unicode 3.9, as Python and browsers
 *     decode: utf8_step());
 *   - with JSON_ESCAPE_C1, the C1 controls U+0080-U+009F and U+2028/U+2029
 *     are written as \u escapes too, so that no string can drive a terminal
 *     or end a line of older JavaScript (the same JSON string);
 *   - with JSON_ESCAPE_HTML, '<', '>' and '&' as \u003c \u003e \u0026, so
 *     that no reader takes a reply for markup (the same JSON string);
 *   - at most MAX_CHARS characters are kept, counted after the rules above
 *     (an escape or a U+FFFD is one character); JSON_UNCUT keeps them all.
 * The event keeps C1 and U+2028/9 as their UTF-8 (docs/payload.md, the
 * property fuzzer); sysinfo never has them (text_normalize()); the
 * dashboard asks for both options. */
#ifndef COMMON_JSON_H
#define COMMON_JSON_H

#include <stddef.h>
#include <stdint.h>

struct json_buf {
	char *data; /* NUL-terminated (NULL while empty) */
	size_t len, cap;
	int failed; /* an allocation failed: data is freed, every call fails */
};

void json_init(struct json_buf *b);
/* json_free(B): free the data; B is empty (and no longer failed). */
void json_free(struct json_buf *b);
/* json_put(B, S, N), json_raw(B, S): append N bytes, a C string, as they
 * are (punctuation, keys and numbers built by the caller).  0 or -ENOMEM
 * (B is then freed and stays failed). */
int json_put(struct json_buf *b, const char *s, size_t n);
int json_raw(struct json_buf *b, const char *s);

/* utf8_step(S, N, &CP): what starts the N (> 0) bytes at S: a well-formed
 * UTF-8 character (1 to 4 bytes, *CP its code point), or an ill-formed
 * maximal subpart (1 to 3 bytes, *CP UTF8_ILL_FORMED): the longest prefix
 * that could start a well-formed sequence, at least one byte (Unicode 15,
 * section 3.9, table 3-7).  No overlongs, no surrogates, nothing past
 * U+10FFFF.  Returns the bytes it took. */
#define UTF8_ILL_FORMED 0x110000u
size_t utf8_step(const unsigned char *s, size_t n, uint32_t *cp);

#define JSON_ESCAPE_C1 1u
#define JSON_ESCAPE_HTML 2u
#define JSON_UNCUT ((size_t)-1)

/* json_string(B, S, N, MAX_CHARS, FLAGS): append the N bytes at S as one
 * quoted JSON string, by the rules above.  0 or -ENOMEM. */
int json_string(struct json_buf *b, const char *s, size_t n, size_t max_chars, unsigned flags);

#endif
