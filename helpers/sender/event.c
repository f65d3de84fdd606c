/* event.c: the event's JSON object (see event.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

#define PUTS(b, lit) json_put((b), (lit), sizeof(lit) - 1)

int payload_string(struct json_buf *b, const char *s)
{
	return json_string(b, s, strlen(s), PAYLOAD_MAX_CHARS, 0);
}

/* iso8601(NOW): YYYY-MM-DDTHH:MM:SSZ. */
static int put_time(struct json_buf *b, time_t now)
{
	struct tm tm;
	char when[32];

	if (!gmtime_r(&now, &tm) || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return payload_string(b, "unknown");
	return payload_string(b, when);
}

static int put_variable(struct json_buf *b, const char *value)
{
	return payload_string(b, value && *value ? value : "unknown");
}

/* The f kind: one member per name of the blank-separated LIST. */
static int put_facts(struct json_buf *b, const char *list, const char **sep,
		     const char *(*lookup)(void *, const char *), void *ctx)
{
	static const char blanks[] = " \t\n";
	int r = 0;

	for (list += strspn(list, blanks); r == 0 && *list; list += strspn(list, blanks)) {
		size_t n = strcspn(list, blanks);
		char *name = strndup(list, n), *key = strndup(list + (n > 8 ? 8 : n), n > 8 ? n - 8 : 0);

		if (!name || !key) {
			free(name);
			free(key);
			json_free(b);
			b->failed = 1;
			return -ENOMEM;
		}
		for (char *k = key; *k; k++)
			if (*k >= 'A' && *k <= 'Z')
				*k = (char)(*k - 'A' + 'a');
		r = json_raw(b, *sep);
		if (r == 0)
			r = payload_string(b, key);
		if (r == 0)
			r = PUTS(b, ":");
		if (r == 0)
			r = put_variable(b, lookup(ctx, name));
		*sep = ",";
		free(name);
		free(key);
		list += n;
	}
	return r;
}

int payload_object(struct json_buf *b, int n, char *const triples[],
		   const char *(*lookup)(void *ctx, const char *name), void *ctx, time_t now)
{
	const char *sep = "";
	int r = PUTS(b, "{");

	for (int i = 0; r == 0 && i + 2 < n; i += 3) {
		const char *kind = triples[i], *key = triples[i + 1], *value = triples[i + 2];

		if (strcmp(kind, "}") == 0) {
			r = PUTS(b, "}");
			sep = ",";
			continue;
		}
		if (strcmp(kind, "f") == 0) {
			r = put_facts(b, value, &sep, lookup, ctx);
			continue;
		}
		r = json_raw(b, sep);
		if (r == 0)
			r = payload_string(b, key);
		if (r == 0)
			r = PUTS(b, ":");
		if (r)
			break;
		if (strcmp(kind, "{") == 0) {
			r = PUTS(b, "{");
			sep = "";
			continue;
		}
		if (strcmp(kind, "l") == 0)
			r = strcmp(value, "true") == 0 ? PUTS(b, "true") : PUTS(b, "false");
		else if (strcmp(kind, "t") == 0)
			r = put_time(b, now);
		else if (strcmp(kind, "e") == 0)
			r = put_variable(b, lookup(ctx, value));
		else
			r = payload_string(b, value);
		sep = ",";
	}
	return r ? r : PUTS(b, "}");
}
