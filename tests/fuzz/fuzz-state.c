/* fuzz-state.c: libFuzzer target for the record keeping of the state helper
 * (helpers/sender/anonymous-statistics-sender.c): the FATAL records that
 * its send claims and releases, and json checks (fatal_state(), called
 * here as send and json call it, with the signature they make of a FATAL's
 * fields), and the event log that `log` trims and appends to.
 *
 * The helper is compiled in here whole, its main() renamed, its clock fixed
 * (NOW) and its messages sent to /dev/null.  The input is
 *   MODE ARG '\n' PAYLOAD '\n' OLD
 * MODE one byte (its value mod 4: claim, release, check, log); ARG the
 * signature (or the log's status); PAYLOAD what `log` reads on stdin; OLD the
 * file as it was (anonymous-statistics.fatal, or .log).  It runs in a
 * scratch state directory, and the exit status and the file afterwards
 * must be what a model of the documented rules says:
 *   - FATAL: a record is "WHEN SIG\n" with WHEN in the last 24 hours; other
 *     lines, and a last line without '\n', are dropped; a signature already
 *     recorded makes claim and check exit 1 and change nothing; release
 *     drops it; claim adds "NOW SIG"; at most 50 records, the newest.
 *   - log: "NOW STATUS PAYLOAD\n" after the old log while it holds fewer
 *     than 200 lines, else after its last 99; an old log whose last line is
 *     torn starts afresh; a payload that is not one "{...}"
 *     line, or a bad status, changes nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz-check.h"
#include "fuzz-tree.h"
#include "statefile.h"

#define NOW 1700000000LL

static time_t fuzz_clock(time_t *t)
{
	if (t)
		*t = (time_t)NOW;
	return (time_t)NOW;
}

static FILE *fuzz_quiet;

int state_main(int argc, char **argv);

#define main state_main
#define time(t) fuzz_clock(t)
#undef stderr
#define stderr fuzz_quiet
#include "anonymous-statistics-sender.c"
#undef stderr
#define stderr stderr
#undef time
#undef main

struct bytes {
	char *data;
	size_t len;
};

static void append(struct bytes *b, const char *data, size_t len)
{
	b->data = realloc(b->data, b->len + len + 1);
	require(b->data != NULL);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static int model_signature_ok(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      strchr("_.:+- ", c) != NULL))
			return 0;
	}
	return n > 0 && n <= 1024;
}

/* model_fatal(): the exit status, and in *out the new file (NULL: as it was). */
static int model_fatal(int mode, const char *sig, const char *old, size_t olen, struct bytes *out)
{
	const char *line = old, *end = old + strnlen(old, olen); /* a NUL ends the records */
	const char *kept[FATAL_KEEP * 200];
	size_t kept_len[FATAL_KEEP * 200], n = 0, first;
	char head[64];

	if (!model_signature_ok(sig))
		return EXIT_USAGE;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		char *num_end, *copy;
		long long when;
		int ok;

		if (nl == NULL)
			break; /* torn */
		copy = strndup(line, (size_t)(nl - line));
		require(copy != NULL);
		errno = 0;
		when = strtoll(copy, &num_end, 10);
		ok = errno == 0 && num_end != copy && *num_end == ' ' && when <= NOW &&
		     NOW - when < FATAL_SECONDS;
		if (ok && strcmp(num_end + 1, sig) == 0) {
			free(copy);
			if (mode != RELEASE)
				return EXIT_SENT;
		} else {
			free(copy);
			if (ok) {
				require(n < sizeof kept / sizeof kept[0]);
				kept[n] = line;
				kept_len[n++] = (size_t)(nl - line) + 1;
			}
		}
		line = nl + 1;
	}
	if (mode == CHECK)
		return 0;
	out->data = malloc(1);
	require(out->data != NULL);
	out->data[0] = '\0';
	first = n >= FATAL_KEEP ? n - (FATAL_KEEP - 1) : 0;
	for (size_t i = first; i < n; i++)
		append(out, kept[i], kept_len[i]);
	if (mode == CLAIM) {
		snprintf(head, sizeof head, "%lld ", NOW);
		append(out, head, strlen(head));
		append(out, sig, strlen(sig));
		append(out, "\n", 1);
	}
	return 0;
}

static int model_log(const char *status, const char *payload, size_t plen, const char *old, size_t olen,
		     struct bytes *out)
{
	size_t from = 0, lines = 0;
	char head[64];

	if (!(strlen(status) == 3 && status[0] >= '1' && status[0] <= '5' &&
	      strspn(status, "0123456789") == 3))
		return EXIT_USAGE;
	if (plen < 2 || payload[0] != '{' || payload[plen - 1] != '}' || memchr(payload, '\0', plen))
		return EXIT_STATE;
	for (size_t at = 0; at < olen; at++)
		lines += old[at] == '\n';
	if (olen > 0 && old[olen - 1] != '\n') {
		from = olen; /* torn: afresh */
	} else if (lines >= LOG_KEEP_MAX) {
		lines = 0;
		/* the last 99 lines: where the 99th '\n' from the end (not the
		 * final one) is followed by a line */
		for (size_t at = olen; at > 0 && from == 0; at--)
			if (at != olen && old[at - 1] == '\n' && ++lines == LOG_KEEP - 1)
				from = at;
	}
	out->data = malloc(1);
	require(out->data != NULL);
	out->len = 0;
	append(out, old + from, olen - from);
	snprintf(head, sizeof head, "%lld %s ", NOW, status);
	append(out, head, strlen(head));
	append(out, payload, plen);
	append(out, "\n", 1);
	return 0;
}

/* fatal_sig(ARG): the signature send makes of a FATAL whose cleaned result
 * and data are ARG's words before and after its first space; it must be
 * ARG again.  An ARG without a space is used as it is. */
static const char *fatal_sig(const char *arg)
{
	static char *sig;
	const char *space = strchr(arg, ' ');
	char *result, *fields[21];
	int n = 0;

	free(sig);
	sig = NULL;
	if (space == NULL)
		return arg;
	result = strndup(arg, (size_t)(space - arg));
	require(result != NULL);
#define FIELD(k, key, value) (fields[n++] = (char *)(k), fields[n++] = (char *)(key), fields[n++] = (char *)(value))
	FIELD("s", "event", "FATAL");
	FIELD("{", "properties", "");
	FIELD("s", "event", "START"); /* not the event's: inside an object */
	FIELD("s", "action_result", result);
	FIELD("s", "action_data", space + 1);
	FIELD("}", "", "");
	FIELD("s", "action_data", "not the property");
#undef FIELD
	sig = fatal_signature(fields, n);
	require(sig != NULL && strcmp(sig, arg) == 0);
	free(result);
	return sig;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum fatal_mode modes[] = { CLAIM, RELEASE, CHECK };
	const char *p = (const char *)data, *end = p + size, *nl1, *nl2, *name;
	char *arg, *argv[5], dir[sizeof tree_dir];
	struct bytes want = { NULL, 0 };
	char *after = NULL;
	size_t alen = 0;
	int mode, dirfd, in, saved, r, w;

	if (size < 1)
		return 0;
	if (fuzz_quiet == NULL)
		require((fuzz_quiet = fopen("/dev/null", "w")) != NULL);
	mode = (unsigned char)p[0] % 4;
	p++;
	nl1 = memchr(p, '\n', (size_t)(end - p));
	if (nl1 == NULL)
		return 0;
	nl2 = memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1));
	if (nl2 == NULL)
		return 0;
	arg = strndup(p, (size_t)(nl1 - p));
	require(arg != NULL);
	name = mode == 3 ? LOG_NAME : FATAL_NAME;

	dirfd = tree_open();
	tree_write(dirfd, name, nl2 + 1, (size_t)(end - nl2 - 1));
	tree_write(dirfd, "stdin", nl1 + 1, (size_t)(nl2 - nl1)); /* with its '\n' */
	in = openat(dirfd, "stdin", O_RDONLY | O_CLOEXEC);
	require(in >= 0);
	saved = dup(STDIN_FILENO);
	require(saved >= 0 && dup2(in, STDIN_FILENO) == STDIN_FILENO);
	close(in);

	snprintf(dir, sizeof dir, "%s", tree_dir);
	if (mode == 3) {
		argv[0] = (char *)"anonymous-statistics-sender";
		argv[1] = dir;
		argv[2] = (char *)"log";
		argv[3] = arg;
		argv[4] = NULL;
		r = state_main(4, argv);
	} else {
		r = fatal_state(dir, fatal_sig(arg), modes[mode], -1);
	}
	require(dup2(saved, STDIN_FILENO) == STDIN_FILENO);
	close(saved);
	require(state_read(dirfd, name, 1 << 20, &after, &alen) == 0);
	require(close(dirfd) == 0);

	if (mode == 3)
		w = model_log(arg, nl1 + 1, (size_t)(nl2 - nl1 - 1), nl2 + 1, (size_t)(end - nl2 - 1), &want);
	else
		w = model_fatal(mode == 0 ? CLAIM : mode == 1 ? RELEASE
							      : CHECK,
				arg, nl2 + 1,
				(size_t)(end - nl2 - 1), &want);
	require(r == w);
	if (want.data == NULL) { /* unchanged */
		require(alen == (size_t)(end - nl2 - 1) && memcmp(after, nl2 + 1, alen) == 0);
	} else {
		require(alen == want.len && memcmp(after, want.data, alen) == 0);
	}
	free(want.data);
	free(after);
	free(arg);
	return 0;
}
