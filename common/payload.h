/* payload.h: the event's JSON, built from the script's field list.
 *
 * The script lists the fields of its event as triples KIND KEY VALUE
 * (docs/payload.md); payload_object() turns them into one JSON object on one
 * line.  Kinds:
 *   s  the string VALUE
 *   e  the string in the variable named VALUE (LOOKUP); "unknown" when it is
 *      unset or empty
 *   f  one such string for each name in the blank-separated list VALUE,
 *      keyed by the name without its first 8 bytes (NETDATA_), in lower
 *      case; KEY is not sent
 *   l  a literal: true when VALUE is "true", else false
 *   t  the time now, ISO 8601 in UTC
 *   {  open an object named KEY;  }  close it (KEY and VALUE unused)
 * Any other kind is taken as s.  A last incomplete triple is ignored.
 *
 * Every key and string goes through payload_string(), the one escaping
 * routine.  It works on bytes:
 *   - '"' and '\' are escaped; \b \f \n \r \t by name; the other control
 *     bytes 0x01-0x1f and 0x7f as \u00XX: they survive exactly;
 *   - well-formed UTF-8 is kept; an ill-formed sequence (stray
 *     continuation, overlong, surrogate, above U+10FFFF, truncated) becomes
 *     U+FFFD, one per maximal subpart (Unicode 3.9, as Python and browsers
 *     decode);
 *   - at most PAYLOAD_MAX_CHARS characters are kept, counted after the two
 *     rules above. */
#ifndef HELPERS_PAYLOAD_H
#define HELPERS_PAYLOAD_H

#include <stddef.h>
#include <time.h>

#ifndef PAYLOAD_MAX_CHARS /* tests/fuzz builds a mutant with 127 */
#define PAYLOAD_MAX_CHARS 128
#endif

struct payload {
	char *data; /* NUL-terminated (NULL while empty) */
	size_t len, cap;
	int failed; /* an allocation failed: data is freed, every call fails */
};

/* payload_string(B, S): append S, escaped and quoted.  Returns 0, or -ENOMEM
 * (B is then freed and stays failed). */
int payload_string(struct payload *b, const char *s);

/* payload_object(B, N, TRIPLES, LOOKUP, CTX, NOW): append the object the N
 * words of TRIPLES describe; LOOKUP(CTX, NAME) gives a variable's value or
 * NULL; NOW is the time for kind t.  Returns 0 or -ENOMEM. */
int payload_object(struct payload *b, int n, char *const triples[],
		   const char *(*lookup)(void *ctx, const char *name), void *ctx, time_t now);

void payload_free(struct payload *b);

#endif
