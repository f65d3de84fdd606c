/* fuzz-parser.c: the libFuzzer driver of every parser and encoder whose
 * oracle fits in a few lines.  Built once per target with
 * -DFUZZ_TARGET=NAME (tests/fuzz/fuzz.mk): the input goes to fuzz_NAME(),
 * which feeds it to one parser and checks what comes back.  A new target is
 * one function here and one word in FUZZ_PARSER_TARGETS. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envfile.h"
#include "fuzz-check.h"
#include "json.h"
#include "logline.h"
#include "procfile.h"
#include "statefile.h"
#include "text.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=NAME (osrelease, lsbrelease, environ, ...)"
#endif

/* Only the chosen target is called; the others are compiled all the same,
 * so that every build checks every target's code. */
#define TARGET_FN(name) __attribute__((unused)) static void fuzz_##name(const char *buf, size_t size)

static void check_os_info(struct os_info *info)
{
	check_value(info->name);
	check_value(info->id);
	check_value(info->id_like);
	check_value(info->version);
	check_value(info->version_id);
	os_info_free(info);
}

/* os-release(5) through envfile_parse(). */
TARGET_FN(osrelease)
{
	struct os_info info = { 0 };

	osrelease_parse(buf, size, &info);
	check_os_info(&info);
}

/* lsb-release: the same parser, another mapping (the id in lower case). */
TARGET_FN(lsbrelease)
{
	struct os_info info = { 0 };

	lsbrelease_parse(buf, size, &info);
	if (info.id != NULL)
		for (const char *c = info.id; *c; c++)
			require(!(*c >= 'A' && *c <= 'Z'));
	check_os_info(&info);
}

/* /proc/PID/environ: the value lies inside the input, right after "KEY=",
 * and holds no NUL; normalized, it keeps the printed-value promise. */
TARGET_FN(environ)
{
	static const char *const keys[] = {
		"container",
		"KUBERNETES_SERVICE_HOST",
		"KUBERNETES_SERVICE_PORT",
		"",
	};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t n = 0, klen = strlen(keys[i]);
		const char *v = environ_get(buf, size, keys[i], &n);
		char *norm;

		if (v == NULL)
			continue;
		require(v >= buf + klen + 1 && v + n <= buf + size && v[-1] == '=');
		require(memcmp(v - klen - 1, keys[i], klen) == 0);
		require(v - klen - 1 == buf || *(v - klen - 2) == '\0');
		require(memchr(v, '\0', n) == NULL);
		norm = text_normalize(v, n);
		check_value(norm);
		free(norm);
	}
}

/* "Key : value" files (/proc/cpuinfo, /proc/self/status, /proc/sysinfo):
 * one line's value, inside the input, blanks trimmed. */
TARGET_FN(cpuinfo)
{
	static const char *const keys[] = { "vendor_id", "TracerPid", "VM00 Control Program", "" };

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t n = 0;
		const char *v = procfile_field(buf, size, keys[i], &n);
		char *norm;

		if (v == NULL)
			continue;
		require(v >= buf && v + n <= buf + size && memchr(v, '\n', n) == NULL);
		require(n == 0 || (v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' && v[n - 1] != '\t'));
		norm = text_normalize(v, n);
		check_value(norm);
		free(norm);
	}
}

/* json_unquote(j, &len): the bytes the JSON string j stands for (free it),
 * or NULL when j is no JSON string of the kind sysinfo writes
 * (json_string() without options, on valid UTF-8 or raw bytes that are):
 * quotes, \" \\ \b \f \n \r \t and \u00XX escapes only, no raw control
 * byte. */
static char *json_unquote(const char *j, size_t *len)
{
	static const char named[] = "\"\\bfnrt", meant[] = "\"\\\b\f\n\r\t";
	size_t n = strlen(j), o = 0;
	char *out;

	if (n < 2 || j[0] != '"' || j[n - 1] != '"')
		return NULL;
	out = malloc(n);
	require(out != NULL);
	for (size_t i = 1; i < n - 1; i++) {
		unsigned char c = (unsigned char)j[i];
		const char *e;

		if (c < 0x20 || c == '"' || c == 0x7F) {
			free(out);
			return NULL;
		}
		if (c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		e = i + 1 < n - 1 ? strchr(named, j[i + 1]) : NULL;
		if (e && *e) {
			out[o++] = meant[e - named];
			i++;
		} else if (j[i + 1] == 'u' && n - 1 - i > 5 && strncmp(j + i + 2, "00", 2) == 0) {
			char hex[3] = { j[i + 4], j[i + 5], '\0' };

			out[o++] = (char)strtol(hex, NULL, 16);
			i += 5;
		} else {
			free(out);
			return NULL;
		}
	}
	*len = o;
	return out;
}

/* json_round_trip(s): sysinfo's JSON string of s (common/json.h, no
 * options) decodes back to s exactly. */
static void json_round_trip(const char *s)
{
	struct json_buf b = { NULL, 0, 0, 0 };
	char *back;
	size_t len = 0;

	require(json_string(&b, s, strlen(s), JSON_UNCUT, 0) == 0);
	back = json_unquote(b.data, &len);
	require(back != NULL);
	require(len == strlen(s) && memcmp(back, s, len) == 0);
	free(back);
	json_free(&b);
}

static long utf8_next(const unsigned char *s, size_t len, size_t *at);

/* utf8_valid(S): the C string S is well-formed UTF-8 (the oracle's own
 * decoder, utf8_next() below). */
static int utf8_valid(const char *s)
{
	size_t len = strlen(s), at = 0;

	while (at < len)
		if (utf8_next((const unsigned char *)s, len, &at) < 0)
			return 0;
	return 1;
}

/* The normalizer and sysinfo's JSON encoder: the printed-value promise;
 * normalizing twice changes nothing; a value that already keeps the promise
 * is kept byte for byte; the JSON string decodes back to the value, and to
 * any C string of well-formed UTF-8 (raw control bytes included). */
TARGET_FN(text)
{
	char *norm = text_normalize(buf, size), *again, *raw;

	check_value(norm);
	again = text_normalize(norm, strlen(norm));
	require(strcmp(again, norm) == 0);
	if (memchr(buf, '\0', size) == NULL && value_ok(buf, size))
		require(strlen(norm) == size && memcmp(norm, buf, size) == 0);
	json_round_trip(norm);
	raw = malloc(size + 1);
	require(raw != NULL);
	memcpy(raw, buf, size);
	raw[size] = '\0';
	if (utf8_valid(raw))
		json_round_trip(raw);
	free(raw);
	free(again);
	free(norm);
}

/* keep_last_lines() of the state helper's log and FATAL records, against a
 * model: the first byte is KEEP, the rest the file; the answer is where the
 * last KEEP lines start (a final line without '\n' counts), 0 when the file
 * has no more than KEEP lines, LEN when KEEP is 0. */
TARGET_FN(lastlines)
{
	size_t keep, len, lines = 1, want, i, at = 0;

	if (size == 0)
		return;
	keep = (unsigned char)buf[0];
	buf++;
	len = size - 1;
	for (i = 0; i + 1 < len; i++)
		lines += buf[i] == '\n';
	if (keep == 0) {
		want = len;
	} else if (lines <= keep) {
		want = 0;
	} else {
		/* the start of line number lines - keep (0-based) */
		for (i = 0, at = 0; i < lines - keep; at++)
			if (buf[at] == '\n')
				i++;
		want = at;
	}
	require(keep_last_lines(buf, len, keep) == want);
}

/* utf8_next(S, LEN, &AT): the code point of the well-formed UTF-8 sequence
 * at S[AT] (AT moves past it), or -1: the oracle's own strict decoder. */
static long utf8_next(const unsigned char *s, size_t len, size_t *at)
{
	unsigned char c = s[*at];
	size_t need;
	long cp;

	if (c < 0x80)
		return (*at)++, c;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3, cp = c & 0x07;
	else
		return -1;
	if (*at + need >= len)
		return -1;
	for (size_t k = 1; k <= need; k++) {
		if ((s[*at + k] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[*at + k] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*at += need + 1;
	return cp;
}

/* put_utf8(OUT, CP): CP as UTF-8 at OUT; its length. */
static size_t put_utf8(char *out, long cp)
{
	if (cp < 0x80)
		return out[0] = (char)cp, 1;
	if (cp < 0x800)
		return out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f)), 2;
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* escaped_only(CP, FLAGS): CP is one json_string() must write as \u. */
static int escaped_only(long cp, unsigned flags)
{
	return cp < 0x20 || cp == 0x7f ||
	       ((flags & JSON_ESCAPE_HTML) && (cp == '<' || cp == '>' || cp == '&')) ||
	       ((flags & JSON_ESCAPE_C1) && ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029));
}

/* The one JSON string writer (common/json.h's json_string(), which the
 * event, sysinfo --json and the dashboard use).  The first byte chooses the
 * options (its 2 low bits: JSON_ESCAPE_C1, JSON_ESCAPE_HTML) and the cut
 * (the other 6 bits K: none when 0, else 3K characters, around the event's
 * 128); the rest is the string, NUL bytes and all.  The output is a quoted
 * string of well-formed UTF-8 with no raw control byte, no bare quote and
 * nothing raw that the options escape; a \u escape is U+FFFD or a character
 * the rules escape; at most the cut in characters once decoded; an input
 * that is well-formed UTF-8 of no more characters decodes back to itself. */
TARGET_FN(json)
{
	struct json_buf b = { NULL, 0, 0, 0 };
	const unsigned char *o;
	char *back;
	size_t n, at, chars = 0, blen = 0, in_chars = 0, in_len, replaced = 0, max;
	unsigned flags;
	int in_ok = 1;

	if (size == 0)
		return;
	flags = (unsigned char)buf[0] & 3u;
	max = (unsigned char)buf[0] >> 2 ? (size_t)((unsigned char)buf[0] >> 2) * 3 : JSON_UNCUT;
	buf++;
	in_len = size - 1;
	require(json_string(&b, buf, in_len, max, flags) == 0);
	o = (const unsigned char *)b.data;
	n = b.len;
	require(n >= 2 && o[0] == '"' && o[n - 1] == '"');
	back = malloc(n * 4 + 1);
	require(back != NULL);
	for (at = 1; at < n - 1; chars++) {
		size_t from = at;
		long cp;

		require(o[at] >= 0x20 && o[at] != 0x7f && o[at] != '"');
		if (o[at] == '\\') {
			static const char named[] = "\"\\bfnrt", meant[] = "\"\\\b\f\n\r\t";
			const char *e = o[at + 1] ? strchr(named, o[at + 1]) : NULL;

			if (e) {
				back[blen++] = meant[e - named];
				at += 2;
				continue;
			}
			require(o[at + 1] == 'u' && at + 6 <= n - 1);
			cp = strtol((const char[]){ (char)o[at + 2], (char)o[at + 3], (char)o[at + 4], (char)o[at + 5], 0 }, NULL, 16);
			require(cp == 0xfffd || escaped_only(cp, flags));
			if (cp == 0xfffd)
				replaced++;
			else
				blen += put_utf8(back + blen, cp);
			at += 6;
			continue;
		}
		cp = utf8_next(o, n - 1, &at);
		require(cp >= 0 && !escaped_only(cp, flags));
		memcpy(back + blen, o + from, at - from);
		blen += at - from;
	}
	require(chars <= max);
	for (at = 0; in_ok && at < in_len; in_chars++)
		in_ok = utf8_next((const unsigned char *)buf, in_len, &at) >= 0;
	if (in_ok && in_chars <= max)
		require(replaced == 0 && blen == in_len && memcmp(back, buf, in_len) == 0);
	free(back);
	json_free(&b);
}

/* The log's one reader (common/logline.h): the input is a log file.  Every
 * line logline_next() shows is one logline_parse() accepts, and keeps the
 * documented shape: EPOCH of 1 to 11 digits, STATUS 100 to 599, an event
 * of 1 to 32 of [A-Z_] inside the line, a payload that starts with '{',
 * ends the line and is well-formed UTF-8 with no control byte but JSON
 * whitespace; the walk covers the input once and ends. */
TARGET_FN(logline)
{
	struct logline l;
	size_t at = 0, last = 0, lines = 0;
	int r;

	while ((r = logline_next(buf, size, &at, &l)) >= 0) {
		const char *line = buf + last;
		size_t len = at - last - (at <= size && at > last && buf[at - 1] == '\n'), i = 0;

		require(at > last || size == 0);
		lines++;
		if (r == 1) {
			require(logline_parse(line, len, &l) == 0);
			require(l.epoch >= 0 && l.epoch <= 99999999999LL && l.status >= 100 && l.status <= 599);
			require(l.event > line && l.event + l.event_len < line + len);
			require(l.event_len >= 1 && l.event_len <= LOGLINE_EVENT_MAX);
			for (i = 0; i < l.event_len; i++)
				require((l.event[i] >= 'A' && l.event[i] <= 'Z') || l.event[i] == '_');
			require(l.payload > line && *l.payload == '{' && l.payload + l.payload_len == line + len);
			for (i = 0; i < l.payload_len;) {
				long cp = utf8_next((const unsigned char *)l.payload, l.payload_len, &i);

				require(cp >= 0x20 || cp == ' ' || cp == '\t' || cp == '\r');
			}
		} else {
			require(logline_parse(line, len, &l) < 0);
		}
		last = at;
	}
	require(at >= size && lines <= size + 1);
}

#define CALL_(name) fuzz_##name
#define CALL(name) CALL_(name)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CALL(FUZZ_TARGET)
	((const char *)data, size);
	return 0;
}
