/* envfile.c: a line-oriented parser for os-release(5) and lsb-release files.
 * Own implementation of the syntax os-release(5) describes; it interprets
 * quotes and backslashes and nothing else. */
#include <stdlib.h>
#include <string.h>

#include "envfile.h"
#include "text.h"
#include "xalloc.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_key_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_key_char(char c)
{
	return is_key_start(c) || (c >= '0' && c <= '9');
}

/* parse_value(p, end, out, &outlen): unquote the value in [p, end) into out
 * (room for end - p bytes); after_blank: a blank came just before p.
 * Returns 0, or -1 when a quote is left open. */
static int parse_value(const char *p, const char *end, int after_blank, char *out, size_t *outlen)
{
	size_t n = 0, keep = 0; /* keep: length that trailing-blank trimming may not cut */

	while (p < end) {
		char c = *p++;

		if (c == '\'') {
			while (p < end && *p != '\'')
				out[n++] = *p++;
			if (p == end)
				return -1;
			p++;
			keep = n;
			after_blank = 0;
		} else if (c == '"') {
			for (;;) {
				if (p == end)
					return -1;
				c = *p++;
				if (c == '"')
					break;
				if (c == '\\') {
					if (p == end)
						return -1;
					if (*p == '"' || *p == '\\' || *p == '`' || *p == '$')
						c = *p++;
					else
						out[n++] = '\\', c = *p++;
				}
				out[n++] = c;
			}
			keep = n;
			after_blank = 0;
		} else if (c == '\\') {
			if (p < end) {
				out[n++] = *p++;
				keep = n;
			}
			after_blank = 0;
		} else if (c == '#' && after_blank) {
			break; /* a comment after the value */
		} else {
			out[n++] = c;
			after_blank = is_blank(c);
			if (!after_blank)
				keep = n;
		}
	}
	while (n > keep && is_blank(out[n - 1]))
		n--;
	*outlen = n;
	return 0;
}

static void parse_line(const char *p, const char *end, char *scratch, envfile_cb cb, void *ctx)
{
	const char *key;
	size_t keylen, vlen;
	int blank = 0;

	while (p < end && is_blank(*p))
		p++;
	if (p == end || *p == '#' || !is_key_start(*p))
		return;
	key = p;
	while (p < end && is_key_char(*p))
		p++;
	keylen = (size_t)(p - key);
	while (p < end && is_blank(*p))
		p++;
	if (p == end || *p != '=')
		return;
	p++;
	while (p < end && is_blank(*p))
		p++, blank = 1;
	if (parse_value(p, end, blank, scratch, &vlen) < 0)
		return;
	cb(ctx, key, keylen, scratch, vlen);
}

void envfile_parse(const char *buf, size_t len, envfile_cb cb, void *ctx)
{
	const char *p = buf, *end = buf + len;
	char *scratch = xmalloc(len + 1);

	while (p < end) {
		const char *eol = p;

		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		parse_line(p, eol, scratch, cb, ctx);
		if (eol < end && *eol == '\r' && eol + 1 < end && eol[1] == '\n')
			eol++;
		p = eol < end ? eol + 1 : end;
	}
	free(scratch);
}

/* ---- os-release and lsb-release -------------------------------------- */

static int key_is(const char *key, size_t keylen, const char *want)
{
	return strlen(want) == keylen && memcmp(key, want, keylen) == 0;
}

/* set_field(&field, value, n): replace field with the normalized value, or
 * NULL when it normalizes to nothing (an empty value is no value). */
static void set_field(char **field, const char *value, size_t n)
{
	char *v = text_normalize(value, n);

	free(*field);
	if (*v == '\0') {
		free(v);
		v = NULL;
	}
	*field = v;
}

static void osrelease_cb(void *ctx, const char *key, size_t keylen, const char *value, size_t n)
{
	struct os_info *info = ctx;

	if (key_is(key, keylen, "NAME"))
		set_field(&info->name, value, n);
	else if (key_is(key, keylen, "ID"))
		set_field(&info->id, value, n);
	else if (key_is(key, keylen, "ID_LIKE"))
		set_field(&info->id_like, value, n);
	else if (key_is(key, keylen, "VERSION"))
		set_field(&info->version, value, n);
	else if (key_is(key, keylen, "VERSION_ID"))
		set_field(&info->version_id, value, n);
}

void osrelease_parse(const char *buf, size_t len, struct os_info *out)
{
	envfile_parse(buf, len, osrelease_cb, out);
}

static void lsbrelease_cb(void *ctx, const char *key, size_t keylen, const char *value, size_t n)
{
	struct os_info *info = ctx;

	if (key_is(key, keylen, "DISTRIB_ID")) {
		set_field(&info->name, value, n);
		set_field(&info->id, value, n);
		if (info->id != NULL) {
			for (char *c = info->id; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
		}
	} else if (key_is(key, keylen, "DISTRIB_RELEASE")) {
		set_field(&info->version, value, n);
		set_field(&info->version_id, value, n);
	}
}

void lsbrelease_parse(const char *buf, size_t len, struct os_info *out)
{
	envfile_parse(buf, len, lsbrelease_cb, out);
}

int os_info_has_any(const struct os_info *info)
{
	return info->name || info->id || info->id_like || info->version || info->version_id;
}

void os_info_free(struct os_info *info)
{
	free(info->name);
	free(info->id);
	free(info->id_like);
	free(info->version);
	free(info->version_id);
	memset(info, 0, sizeof *info);
}
