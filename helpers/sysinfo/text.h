/* text.h: make untrusted bytes safe for a line-oriented reader (and so for
 * JSON, which common/json.h writes). */
#ifndef HELPERS_TEXT_H
#define HELPERS_TEXT_H

#include <stddef.h>

/* The longest value sysinfo prints, in bytes (never cutting a UTF-8 character). */
#define TEXT_MAX 256

/*
 * text_normalize(s, n): a new string (free it) holding the n bytes at s made
 * safe: each maximal ill-formed UTF-8 subpart (bad or overlong sequences,
 * surrogates, > U+10FFFF) becomes one U+FFFD, as Python's decoder does;
 * control characters (C0, DEL, C1, U+2028, U+2029) become a space; leading
 * and trailing spaces are trimmed; the result is cut to at most TEXT_MAX
 * bytes at a character boundary.  NUL bytes in the input are ordinary
 * control bytes.  The result may be "".
 */
char *text_normalize(const char *s, size_t n);

#endif
