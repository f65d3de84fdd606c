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
 * or NULL when j is no JSON string of the kind text_json_string() writes:
 * quotes, \" \\ and \u00XX escapes only, no raw control byte. */
static char *json_unquote(const char *j, size_t *len)
{
	size_t n = strlen(j), o = 0;
	char *out;

	if (n < 2 || j[0] != '"' || j[n - 1] != '"')
		return NULL;
	out = malloc(n);
	require(out != NULL);
	for (size_t i = 1; i < n - 1; i++) {
		unsigned char c = (unsigned char)j[i];

		if (c < 0x20 || c == '"' || c == 0x7F) {
			free(out);
			return NULL;
		}
		if (c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		if (j[i + 1] == '"' || j[i + 1] == '\\') {
			out[o++] = j[++i];
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

/* json_round_trip(s): text_json_string(s) decodes back to s exactly. */
static void json_round_trip(const char *s)
{
	char *j = text_json_string(s), *back;
	size_t len = 0;

	back = json_unquote(j, &len);
	require(back != NULL);
	require(len == strlen(s) && memcmp(back, s, len) == 0);
	free(back);
	free(j);
}

/* The normalizer and sysinfo's JSON encoder: the printed-value promise;
 * normalizing twice changes nothing; a value that already keeps the promise
 * is kept byte for byte; the JSON string decodes back to the value, and to
 * any C string (raw control bytes included). */
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

#define CALL_(name) fuzz_##name
#define CALL(name) CALL_(name)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CALL(FUZZ_TARGET)
	((const char *)data, size);
	return 0;
}
