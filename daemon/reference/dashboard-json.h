/* dashboard-json.h: the dashboard's JSON replies, built in common/json.h's
 * buffer by its one string writer.
 *
 * Strings come from files another account may write (the log of sent
 * events) and from paths: every string is written with both of
 * json_string()'s options (C1 controls, U+2028/9 and <>& escaped too), so
 * that a reply is one valid JSON document that can neither drive a
 * terminal nor pass for markup; ill-formed UTF-8 becomes U+FFFD. */
#ifndef DASHBOARD_JSON_H
#define DASHBOARD_JSON_H

#include <stddef.h>

#include "json.h"

#define DASHBOARD_JSON_ESCAPES (JSON_ESCAPE_C1 | JSON_ESCAPE_HTML)

/* N bytes at S, or the C string S (NULL as ""), as one quoted string. */
void json_text_n(struct json_buf *b, const char *s, size_t n);
void json_text(struct json_buf *b, const char *s);
/* "KEY": then a value: a string, a boolean, an integer. */
void json_key_string(struct json_buf *b, const char *key, const char *value);
void json_key_bool(struct json_buf *b, const char *key, int value);
void json_key_long(struct json_buf *b, const char *key, long long value);

#endif
