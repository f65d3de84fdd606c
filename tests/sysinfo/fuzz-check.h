/* fuzz-check.h: the promise every printed value keeps, checked on fuzzed
 * input: valid UTF-8, no control character, trimmed, at most TEXT_MAX bytes. */
#ifndef TESTS_SYSINFO_FUZZ_CHECK_H
#define TESTS_SYSINFO_FUZZ_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "text.h"

static void check_value(const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n, i = 0;

	if (v == NULL)
		return;
	n = strlen(v);
	if (n > TEXT_MAX || (n > 0 && (s[0] == ' ' || s[n - 1] == ' ')))
		abort();
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
			abort();
		}
		if (i + len > n)
			abort();
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				abort();
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			abort();
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
			abort();
		i += len;
	}
}

#endif
