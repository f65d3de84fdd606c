/* text.c: normalization of untrusted values (UTF-8, control bytes, trim,
 * cap), on common/json.h's UTF-8 decoder. */
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "text.h"
#include "xalloc.h"

/* is_control(cp): characters a line-oriented reader must never see. */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
	       cp == 0x2028 || cp == 0x2029;
}

char *text_normalize(const char *s, size_t n)
{
	const unsigned char *in = (const unsigned char *)s;
	char *out = xmalloc(TEXT_MAX + 1);
	size_t len = 0, i = 0;

	while (i < n) {
		uint32_t cp;
		size_t used = utf8_step(in + i, n - i, &cp), elen = used;
		const char *enc = s + i; /* a well-formed character: its own bytes */

		i += used;
		if (cp == UTF8_ILL_FORMED) {
			enc = "\xEF\xBF\xBD"; /* U+FFFD for the maximal subpart */
			elen = 3;
		} else if (is_control(cp)) {
			enc = " ";
			elen = 1;
		}
		if (*enc == ' ' && len == 0)
			continue; /* leading space */
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
