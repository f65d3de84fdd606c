/* logline.h: the one reader of the script's log, for every program that
 * shows it (the sender's log-print, which anonymous-statistics-ctl log
 * execs, and the dashboard's transparency panel): both accept exactly the
 * same files and the same lines.
 *
 * The log (STATE_DIR/anonymous-statistics.log, which the sender keeps)
 * holds "EPOCH STATUS PAYLOAD" lines.  It is opened only through
 * statefile.h (state_read_checked(): a regular file of ours, or of the
 * directory's owner, with one link, never through a symlink, never
 * blocking on a FIFO) and read whole up to LOGLINE_FILE_CAP, so a reader
 * costs at most the cap in time and memory, whatever the file holds.  A
 * line is shown only when it is exactly: EPOCH 1 to 11 digits, one space,
 * STATUS 3 digits from 100 to 599, one space, one valid JSON object (RFC
 * 8259, UTF-8 checked, nesting at most LOGLINE_DEPTH, numbers at most 40
 * bytes) whose top-level "event" (once) is a string of 1 to 32 of [A-Z_],
 * then nothing but JSON whitespace.  Every other line (an empty one, a torn
 * write) is malformed: a reader counts it and skips it. */
#ifndef COMMON_LOGLINE_H
#define COMMON_LOGLINE_H

#include <stddef.h>

#define LOGLINE_NAME "anonymous-statistics.log"
/* More than the sender ever leaves: it starts a log afresh past 1 MiB,
 * and one more event is at most 64 KiB and its head. */
#define LOGLINE_FILE_CAP (1024 * 1024 + 64 * 1024 + 64)
#define LOGLINE_DEPTH 64
#define LOGLINE_EVENT_MAX 32

struct logline {
	long long epoch;
	int status;
	const char *event; /* in the line; event_len bytes of [A-Z_] */
	size_t event_len;
	const char *payload; /* the JSON object and what follows it */
	size_t payload_len;
};

/* logline_parse(LINE, LEN, &OUT): 0 when LINE (without its '\n') is a
 * well-formed log line, with OUT filled in; -1 when it is not. */
int logline_parse(const char *line, size_t len, struct logline *out);

/* logline_next(BUF, LEN, &AT, &OUT): the line of BUF that starts at *AT,
 * which moves past it: 1 when it is well-formed (OUT filled in), 0 when it
 * is malformed, -1 when there is no line left. */
int logline_next(const char *buf, size_t len, size_t *at, struct logline *out);

/* logline_read(DIRFD, NAME, &BUF, &LEN): the log NAME of the state
 * directory DIRFD, whole, in a malloc'ed buffer (NUL after LEN bytes).
 * Returns 0, or a negative errno: -ENOENT (no log: no event sent yet),
 * -ELOOP (a symbolic link), -EINVAL (not a regular file), -EPERM
 * (another account's), -EMLINK (more than one link), -EFBIG (larger than
 * LOGLINE_FILE_CAP), -EACCES, -ENOMEM... */
int logline_read(int dirfd, const char *name, char **buf, size_t *len);

#endif
