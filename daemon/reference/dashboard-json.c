/* dashboard-json.c: the dashboard's strings and members, on common/json. */
#include <stdio.h>
#include <string.h>

#include "dashboard-json.h"

void json_text_n(struct json_buf *b, const char *s, size_t n)
{
	(void)json_string(b, s, n, JSON_UNCUT, DASHBOARD_JSON_ESCAPES);
}

void json_text(struct json_buf *b, const char *s)
{
	json_text_n(b, s ? s : "", s ? strlen(s) : 0);
}

void json_key_string(struct json_buf *b, const char *key, const char *value)
{
	json_text(b, key);
	(void)json_raw(b, ":");
	json_text(b, value);
}

void json_key_bool(struct json_buf *b, const char *key, int value)
{
	json_text(b, key);
	(void)json_raw(b, value ? ":true" : ":false");
}

void json_key_long(struct json_buf *b, const char *key, long long value)
{
	char num[32];

	json_text(b, key);
	snprintf(num, sizeof num, ":%lld", value);
	(void)json_raw(b, num);
}
