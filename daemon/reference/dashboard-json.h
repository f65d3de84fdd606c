/* dashboard-json.h: the dashboard's JSON replies, built in a growing buffer.
 *
 * Strings come from files another account may write (the log of sent
 * events) and from paths: every byte that could end a string, break the
 * document or drive a terminal is escaped, and ill-formed UTF-8 becomes
 * U+FFFD, so a reply is always one valid JSON document. */
#ifndef DASHBOARD_JSON_H
#define DASHBOARD_JSON_H

#include <stddef.h>

struct json_buf {
	char *data; /* NUL-terminated while ok */
	size_t len;
	size_t cap;
	int failed; /* out of memory once: every later call is a no-op */
};

void json_init(struct json_buf *b);
void json_free(struct json_buf *b);
/* Raw text, as it is (keys, punctuation, numbers built by the caller). */
void json_raw(struct json_buf *b, const char *s);
/* N bytes at S as one quoted JSON string. */
void json_string_n(struct json_buf *b, const char *s, size_t n);
void json_string(struct json_buf *b, const char *s);
/* "KEY": then a value: a string, a boolean, an integer. */
void json_key_string(struct json_buf *b, const char *key, const char *value);
void json_key_bool(struct json_buf *b, const char *key, int value);
void json_key_long(struct json_buf *b, const char *key, long long value);

#endif
