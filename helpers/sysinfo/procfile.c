/* procfile.c: parsers for /proc/PID/environ and "Key : value" proc files. */
#include <string.h>

#include "procfile.h"

const char *environ_get(const char *buf, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key), i = 0;

	while (i < len) {
		const char *entry = buf + i;
		const char *nul = memchr(entry, '\0', len - i);
		size_t elen = nul ? (size_t)(nul - entry) : len - i;

		if (elen > klen && memcmp(entry, key, klen) == 0 && entry[klen] == '=') {
			*vlen = elen - klen - 1;
			return entry + klen + 1;
		}
		i += elen + 1;
	}
	return NULL;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

const char *procfile_field(const char *buf, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key), i = 0;

	while (i < len) {
		const char *line = buf + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t llen = nl ? (size_t)(nl - line) : len - i;
		size_t j = klen;

		if (llen >= klen && memcmp(line, key, klen) == 0) {
			while (j < llen && is_blank(line[j]))
				j++;
			if (j < llen && line[j] == ':') {
				size_t end = llen;

				j++;
				while (j < end && is_blank(line[j]))
					j++;
				while (end > j && is_blank(line[end - 1]))
					end--;
				*vlen = end - j;
				return line + j;
			}
		}
		i += llen + 1;
	}
	return NULL;
}
