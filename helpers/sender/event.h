/* event.h: the event's JSON, built from the script's field list (the
 * sender's alone: the library hands the script its fields, it never writes
 * the event).
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
 * Every key and string goes through payload_string(): common/json.h's
 * json_string() without its options (C1 controls and U+2028/9 stay the
 * UTF-8 they were), cut at PAYLOAD_MAX_CHARS characters. */
#ifndef HELPERS_EVENT_H
#define HELPERS_EVENT_H

#include <time.h>

#include "json.h"

#ifndef PAYLOAD_MAX_CHARS /* tests/fuzz builds a mutant with 127 */
#define PAYLOAD_MAX_CHARS 128
#endif

/* payload_string(B, S): append the C string S, escaped, cut and quoted.
 * Returns 0, or -ENOMEM (B is then freed and stays failed). */
int payload_string(struct json_buf *b, const char *s);

/* payload_object(B, N, TRIPLES, LOOKUP, CTX, NOW): append the object the N
 * words of TRIPLES describe; LOOKUP(CTX, NAME) gives a variable's value or
 * NULL; NOW is the time for kind t.  Returns 0 or -ENOMEM. */
int payload_object(struct json_buf *b, int n, char *const triples[],
		   const char *(*lookup)(void *ctx, const char *name), void *ctx, time_t now);

#endif
