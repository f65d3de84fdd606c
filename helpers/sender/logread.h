/* logread.h: the one reader of the script's log, for
 * anonymous-statistics-ctl log.
 *
 * The log (STATE_DIR/anonymous-statistics.log) holds "EPOCH STATUS PAYLOAD"
 * lines.  It is opened only through statefile.h (a regular file of ours
 * with one link, never through a symlink, never blocking on a FIFO) and
 * read whole up to a cap, so a run costs at most the cap in time and
 * memory, whatever the file holds.  A line is shown only when it is
 * exactly: EPOCH 1 to 11 digits, one space, STATUS 3 digits from 100 to
 * 599, one space, one valid JSON object (RFC 8259, UTF-8 checked, nesting
 * at most LOGREAD_DEPTH, numbers at most 40 bytes) whose top-level "event"
 * (once) is a string of 1 to 32 of [A-Z_], then nothing but JSON
 * whitespace.  Every other line (a torn write included) is counted. */
#ifndef HELPERS_LOGREAD_H
#define HELPERS_LOGREAD_H

#include <stddef.h>
#include <stdio.h>

#define LOGREAD_DEPTH 64
#define LOGREAD_EVENT_MAX 32

struct logread_line {
	long long epoch;
	int status;
	const char *event; /* in the line; event_len bytes of [A-Z_] */
	size_t event_len;
	const char *payload; /* the JSON object and what follows it */
	size_t payload_len;
};

/* logread_parse(LINE, LEN, &OUT): 0 when LINE (without its '\n') is a
 * well-formed log line, with OUT filled in; -1 when it is not. */
int logread_parse(const char *line, size_t len, struct logread_line *out);

/* log_print(DIR, NAME, CAP, OPTION): anonymous-statistics-ctl's `log`,
 * which execs it: print the log DIR/NAME (read up to CAP bytes; a larger
 * file is refused) as a table of time (UTC), event and HTTP status, or with
 * OPTION "--json" the payloads as logged, one a line, with DEL and the C1
 * controls written as \u escapes so that a payload cannot drive the
 * terminal.  Speaks for the control command: its messages, and its exit
 * statuses (0; 2 usage; 4 the log cannot be read). */
int log_print(const char *dir, const char *name, size_t cap, const char *option);

#endif
