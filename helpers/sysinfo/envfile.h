/* envfile.h: the os-release(5) / lsb-release parser.  Shell-like syntax, no
 * shell: nothing is ever expanded, substituted or executed. */
#ifndef HELPERS_ENVFILE_H
#define HELPERS_ENVFILE_H

#include <stddef.h>

/* Called for each well-formed KEY=VALUE line, in file order, with the value
 * unquoted and unescaped (raw bytes: it may hold NUL or invalid UTF-8). */
typedef void (*envfile_cb)(void *ctx, const char *key, size_t keylen,
			   const char *value, size_t valuelen);

/*
 * envfile_parse(buf, len, cb, ctx): parse len bytes of an env file.
 * - Lines end at "\n", "\r\n" or "\r"; the last may lack an end.
 * - Blank lines and lines whose first non-blank is '#' are skipped.
 * - KEY is [A-Za-z_][A-Za-z0-9_]*; blanks may surround KEY and '='.
 * - VALUE: '...' is literal; in "..." a backslash escapes " \ ` $ and is kept
 *   before anything else; unquoted, a backslash escapes the next character,
 *   and a '#' after a blank starts a comment.  Adjacent parts join; unquoted
 *   blanks inside the value are kept (real files break the spec that way),
 *   trailing unquoted blanks are dropped.
 * - A line with no '=', a bad key, or a quote not closed on the same line is
 *   ignored as a whole: it can never swallow the lines after it.
 */
void envfile_parse(const char *buf, size_t len, envfile_cb cb, void *ctx);

/* The OS facts sysinfo prints.  Each is normalized (see text.h), or NULL when
 * the file lacks it or its value is empty. */
struct os_info {
	char *name;
	char *id;
	char *id_like;
	char *version;
	char *version_id;
};

/* os-release: NAME, ID, ID_LIKE, VERSION, VERSION_ID; the last one wins. */
void osrelease_parse(const char *buf, size_t len, struct os_info *out);

/* lsb-release: NAME from DISTRIB_ID, ID from DISTRIB_ID in lower case (the
 * os-release convention), VERSION and VERSION_ID from DISTRIB_RELEASE. */
void lsbrelease_parse(const char *buf, size_t len, struct os_info *out);

/* os_info_has_any(info): 1 when at least one field is known. */
int os_info_has_any(const struct os_info *info);

void os_info_free(struct os_info *info);

#endif
