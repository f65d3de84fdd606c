/* fuzz-check.h: the promise every printed value keeps, checked on fuzzed
 * input: valid UTF-8, no control character, trimmed, at most TEXT_MAX bytes.
 * value_ok() says whether n bytes keep it; check_value() aborts when a
 * string does not (libFuzzer reports the abort as a crash). */
#ifndef TESTS_FUZZ_FUZZ_CHECK_H
#define TESTS_FUZZ_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* require(cond): an oracle's assertion; its failure is the fuzzer's crash. */
#define require(cond)                                                                             \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "%s:%d: oracle failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                  \
		}                                                                                 \
	} while (0)

static inline int value_ok(const char *v, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0;

	if (n > TEXT_MAX || (n > 0 && (s[0] == ' ' || s[n - 1] == ' ')))
		return 0;
	while (i < n) {
		unsigned cp, len;

		if (s[i] < 0x80) {
			cp = s[i];
			len = 1;
		} else if ((s[i] & 0xE0) == 0xC0) {
			cp = s[i] & 0x1F;
			len = 2;
		} else if ((s[i] & 0xF0) == 0xE0) {
			cp = s[i] & 0x0F;
			len = 3;
		} else if ((s[i] & 0xF8) == 0xF0) {
			cp = s[i] & 0x07;
			len = 4;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
			return 0;
		i += len;
	}
	return 1;
}

/* NULL is "no value", which is allowed. */
static inline void check_value(const char *v)
{
	require(v == NULL || value_ok(v, strlen(v)));
}

#endif
