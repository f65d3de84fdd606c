/* anonymous-statistics-sender: what anonymous-statistics.sh cannot do safely
 * in sh.  The script decides that an event is sent and cleans its fields,
 * then execs this (one process fewer, and its start is the script's):
 *
 *   send [-s DIR] [-c MS] [-w MS] [-F HELPER -T MS] -t MS -m KIND -u URL
 *        -- TRANSPORT... -- FIELDS...
 *       the event: claim it when it is a FATAL (below), build its JSON
 *       (event.h: FIELDS are KIND KEY VALUE triples; with -F, when the
 *       environment holds none of the facts, the names of the f field,
 *       they are the NAME=VALUE lines HELPER prints within MS milliseconds,
 *       at most FACTS_CAP bytes, else every fact is unknown), post it with
 *       TRANSPORT, the program and its policy options (transport.h adds
 *       the flags KIND's reading depends on, and URL), killed after -t MS;
 *       print the HTTP status; log the event in DIR when it was answered.
 *       Exit 0 (2xx, or a FATAL already sent), 5 (nothing delivered), 6
 *       (another status) or 7 (the event could not be built), the
 *       script's own statuses, with its messages.
 *   json [-s DIR] [-F HELPER -T MS] -- FIELDS...
 *       print the event's JSON (--dry-run); with -s, a FATAL already sent
 *       is not printed: it says so and exits 1.  Writes nothing.  Exit 7
 *       when the event could not be built or printed.
 *
 * A FATAL (FIELDS hold `s event FATAL`) is sent once a day: its signature
 * is "RESULT DATA", its `s action_result` and `s action_data` as the
 * script cleaned them, and send, in this one process, takes the lock
 * (waiting until the run is -c MS old), checks and claims the signature,
 * drops the lock, posts, takes the lock again (until the run is -w MS
 * old), logs the line, and forgets the claim when nothing was delivered.
 * The lock is not held across the POST: that would make every concurrent
 * event's log line wait behind a FATAL's POST (up to the transport's 1.8 s,
 * past the log's own deadline, so 50 STARTs beside it would lose lines),
 * and identical FATALs arriving meanwhile would give up on the lock at
 * their claim deadline and be sent unclaimed, twice.  The claim is the
 * record itself, made before the POST: an identical FATAL that comes
 * while it is in flight sees it and is not sent; a failed POST releases
 * it.  A run killed during the POST leaves its claim: that FATAL is then
 * not sent for a day, as when it was delivered and the answer lost.
 * A claim that cannot be made (a state directory that cannot be used, a
 * lock held past the deadline, a signature that is not one) sends the
 * event unclaimed: state never stops a send, and send says nothing of it.
 *
 * Its state files are kept safe from the account that owns the state
 * directory (statefile.h) and consistent under any number of concurrent
 * runs.  Two more commands:
 *
 *   DIR log STATUS          append "EPOCH STATUS PAYLOAD" (the payload on
 *                           stdin, one line of JSON) to the log, which keeps
 *                           the last LOG_KEEP to LOG_KEEP_MAX events
 *   DIR log-print [--json]  print the log for anonymous-statistics-ctl log,
 *                           which execs it (logprint.h: its messages and
 *                           statuses are the control command's)
 *
 * Exit status of log: 0 done, 2 usage, 3 the state could not be used.
 * Every write holds the directory's lock; a check only reads (every file
 * is replaced whole, by rename).  The lock is waited for LOCK_WAIT_MS, or
 * with -w MS until the calling script has run for MS milliseconds: the
 * script's one deadline, whatever the load (50 runs at once on two busy
 * cores). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boundedrun.h"
#include "logline.h"
#include "logprint.h"
#include "event.h"
#include "statefile.h"
#include "transport.h"

#define LOG_NAME LOGLINE_NAME /* its readers: logline.h */
#define FATAL_NAME "anonymous-statistics.fatal"
#define LOCK_NAME "anonymous-statistics.lock"
#define LOG_KEEP 100 /* the log holds the last LOG_KEEP to LOG_KEEP_MAX events */
#define LOG_KEEP_MAX 200
#define FATAL_KEEP 50
#define FATAL_SECONDS 86400     /* a FATAL is sent once a day */
#define PAYLOAD_CAP (64 * 1024) /* the script's payloads are under 32 KiB */
#define LOG_CAP (1024 * 1024)   /* a larger log is started afresh */
_Static_assert(LOG_CAP + PAYLOAD_CAP + 64 <= LOGLINE_FILE_CAP, "the log's readers read all the sender leaves");
#define FATAL_CAP (64 * 1024)
#define SIG_CAP 1024
#define FACTS_CAP 16384 /* sysinfo prints about 700 bytes */
#define FACTS_MS_CAP 3000
#define TRANSPORT_MS_CAP 3000
#define LOCK_WAIT_MS 150
#define WAIT_CAP_MS 3000
#define LATE_WAIT_MS 100

#define EXIT_SENT 1
#define EXIT_USAGE 2
#define EXIT_STATE 3
#define EXIT_NETWORK 5 /* the script's EX_NETWORK, EX_HTTP and EX_BUILD */
#define EXIT_HTTP 6
#define EXIT_BUILD 7

#define SCRIPT "anonymous-statistics.sh" /* send speaks for it */

static const char *prog = "anonymous-statistics-sender";
static int quiet; /* send and json: a state file they cannot use is silent */

static int fail(const char *what, int err)
{
	if (!quiet)
		fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(-err));
	return EXIT_STATE;
}

static int usage(void)
{
	fprintf(stderr, "usage: %s [-w MS] DIR log STATUS <PAYLOAD\n"
			"       %s DIR log-print [--json]\n"
			"       %s json [-s DIR] [-F HELPER -T MS] -- FIELDS...\n"
			"       %s send [-s DIR] [-c MS] [-w MS] [-F HELPER -T MS] -t MS -m KIND -u URL\n"
			"            -- TRANSPORT... -- FIELDS...\n",
		prog, prog, prog, prog);
	return EXIT_USAGE;
}

/* age_ms(PID): how long the process PID has run, from the start
 * time in /proc/PID/stat (field 22, after the parenthesized name, which
 * may hold anything) and the uptime; -1 when either cannot be read. */
static long age_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	double up;
	long tick = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;
	int field;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] == '\0' || tick <= 0)
		return -1;
	/* p + 2 is field 3 (state); field 22 is 19 fields further. */
	for (p += 2, field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return -1;
	f = fopen("/proc/uptime", "re");
	if (!f)
		return -1;
	if (fscanf(f, "%lf", &up) != 1) {
		fclose(f);
		return -1;
	}
	fclose(f);
	up = up * 1000.0 - (double)start * 1000.0 / (double)tick;
	return up < 0 ? 0 : (long)up;
}

/* wait_for(DEADLINE_MS, RUN): the lock wait that keeps the deadline of the
 * script's run: the process RUN (our parent, or ourselves once exec'd). */
static unsigned wait_for(long deadline_ms, pid_t run)
{
	long age;

	if (deadline_ms < 0)
		return LOCK_WAIT_MS;
	age = age_ms(run);
	if (age < 0)
		return LOCK_WAIT_MS;
	/* A run already late only because the machine starves it still gets a
	 * short wait: a lost log line would be silent, a late run is not. */
	return age + LATE_WAIT_MS >= deadline_ms ? LATE_WAIT_MS : (unsigned)(deadline_ms - age);
}

/* A FATAL's signature is the script's cleaned result and data: a few
 * printable tokens, never a newline that could forge a record. */
static int valid_signature(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SIG_CAP)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789_.:+- ") == n;
}

static int valid_status(const char *s)
{
	return strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' &&
	       strspn(s, "0123456789") == 3;
}

/* read_payload(BUF): stdin, one non-empty JSON line without NUL bytes. */
static int read_payload(char *buf, size_t *len)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(STDIN_FILENO, buf + n, PAYLOAD_CAP + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > PAYLOAD_CAP)
			return -EFBIG;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n < 2 || buf[0] != '{' || buf[n - 1] != '}' ||
	    memchr(buf, '\n', n) || memchr(buf, '\0', n))
		return -EINVAL;
	*len = n;
	return 0;
}

/* old_content(): what NAME holds, or nothing when it cannot be ours (a link,
 * a FIFO, the other account's file, too large): renaming our new file over
 * it replaces whatever was planted there. */
static char *old_content(int dirfd, const char *name, size_t cap, size_t *len)
{
	char *buf;

	if (state_read(dirfd, name, cap, &buf, len) == 0)
		return buf;
	*len = 0;
	return NULL;
}

/* log_event(): one more line.  The log is appended to until it holds
 * LOG_KEEP_MAX lines, then rewritten with the last LOG_KEEP: a rename per
 * LOG_KEEP events, not one per event (it costs more than the rest of the
 * event's own work).  A log that is not a regular file of ours, holds a
 * torn last line or is too large is replaced. */
static int log_event(int dirfd, const char *status, const char *payload, size_t plen)
{
	size_t olen, from = 0, n, lines = 0;
	char *old, *out, head[48];
	int r;

	old = old_content(dirfd, LOG_NAME, LOG_CAP, &olen);
	for (size_t i = 0; old && i < olen; i++)
		lines += old[i] == '\n';
	n = (size_t)snprintf(head, sizeof head, "%lld %s ", (long long)time(NULL), status);
	out = malloc(olen + n + plen + 1);
	if (!out) {
		free(old);
		return fail("log", -ENOMEM);
	}
	if (old && olen > 0 && old[olen - 1] == '\n' && lines < LOG_KEEP_MAX) {
		memcpy(out, head, n);
		memcpy(out + n, payload, plen);
		out[n + plen] = '\n';
		r = state_append(dirfd, LOG_NAME, out, n + plen + 1);
		if (r == 0) {
			free(out);
			free(old);
			return 0;
		}
	}
	if (old)
		from = keep_last_lines(old, olen, LOG_KEEP - 1);
	if (old && olen > 0 && old[olen - 1] != '\n')
		from = olen; /* a torn last line: start afresh */
	if (old)
		memcpy(out, old + from, olen - from);
	memcpy(out + olen - from, head, n);
	memcpy(out + olen - from + n, payload, plen);
	out[olen - from + n + plen] = '\n';
	r = state_replace(dirfd, LOG_NAME, out, olen - from + n + plen + 1);
	free(out);
	free(old);
	return r < 0 ? fail(LOG_NAME, r) : 0;
}

enum fatal_mode {
	CLAIM,
	RELEASE,
	CHECK
};

/* fatal_records(): rewrite the FATAL records, keeping those of the last 24
 * hours other than SIG; to CLAIM, fail with EXIT_SENT when SIG is among them,
 * else add SIG as sent now; to CHECK, only say whether it is among them. */
static int fatal_records(int dirfd, const char *sig, enum fatal_mode mode)
{
	size_t olen, n = 0, siglen = strlen(sig);
	char *old = old_content(dirfd, FATAL_NAME, FATAL_CAP, &olen);
	char *out = malloc(olen + siglen + 32);
	char *line, *next;
	long long now = (long long)time(NULL);
	size_t kept = 0, from;
	int r;

	if (!out) {
		free(old);
		return fail("fatal", -ENOMEM);
	}
	for (line = old; line && *line; line = next) {
		char *end;
		long long when;

		next = strchr(line, '\n');
		if (!next)
			break; /* a torn last line is dropped */
		*next++ = '\0';
		errno = 0;
		when = strtoll(line, &end, 10);
		if (errno || end == line || *end != ' ' || when > now || now - when >= FATAL_SECONDS)
			continue;
		if (strcmp(end + 1, sig) == 0) {
			if (mode != RELEASE) {
				free(old);
				free(out);
				return EXIT_SENT;
			}
			continue;
		}
		n += (size_t)sprintf(out + n, "%s\n", line);
		kept++;
	}
	free(old);
	if (mode == CHECK) {
		free(out);
		return 0;
	}
	/* The oldest records go first when the file is full. */
	from = kept >= FATAL_KEEP ? keep_last_lines(out, n, FATAL_KEEP - 1) : 0;
	memmove(out, out + from, n - from);
	n -= from;
	if (mode == CLAIM)
		n += (size_t)sprintf(out + n, "%lld %s\n", now, sig);
	r = state_replace(dirfd, FATAL_NAME, out, n);
	free(out);
	return r < 0 ? fail(FATAL_NAME, r) : 0;
}

/* fatal_state(DIR, SIG, MODE, DEADLINE_MS): MODE on the FATAL records in
 * DIR, holding its lock (waited for until this run is DEADLINE_MS old) but
 * to CHECK, which only reads.  0, EXIT_SENT, EXIT_USAGE (SIG is not a
 * signature) or EXIT_STATE (DIR, the lock or the file could not be used). */
static int fatal_state(const char *dir, const char *sig, enum fatal_mode mode, long deadline_ms)
{
	int dirfd, lock, status;

	if (!valid_signature(sig))
		return EXIT_USAGE;
	dirfd = state_dir_open(dir);
	if (dirfd < 0)
		return fail(dir, dirfd);
	if (mode == CHECK) {
		status = fatal_records(dirfd, sig, CHECK);
		close(dirfd);
		return status;
	}
	lock = state_lock(dirfd, LOCK_NAME, wait_for(deadline_ms, getpid()));
	if (lock < 0) {
		close(dirfd);
		return fail(LOCK_NAME, lock);
	}
	status = fatal_records(dirfd, sig, mode);
	close(lock);
	close(dirfd);
	return status;
}

/* fatal_signature(FIELDS, N): for a FATAL (`s event FATAL` outside any
 * object), "RESULT DATA" from its `s action_result` and `s action_data`
 * (in the properties object), as the script cleaned them: what makes two
 * FATALs the same.  NULL for another event, or when one is missing. */
static char *fatal_signature(char *const fields[], int n)
{
	const char *result = NULL, *data = NULL;
	int depth = 0, fatal = 0;
	char *sig;
	size_t rlen, dlen;

	for (int i = 0; i + 2 < n; i += 3) {
		const char *kind = fields[i], *key = fields[i + 1], *value = fields[i + 2];

		if (strcmp(kind, "{") == 0)
			depth++;
		else if (strcmp(kind, "}") == 0)
			depth--;
		else if (strcmp(kind, "s") != 0)
			continue;
		else if (depth == 0 && strcmp(key, "event") == 0)
			fatal = strcmp(value, "FATAL") == 0;
		else if (depth == 1 && strcmp(key, "action_result") == 0)
			result = value;
		else if (depth == 1 && strcmp(key, "action_data") == 0)
			data = value;
	}
	if (!fatal || !result || !data)
		return NULL;
	rlen = strlen(result);
	dlen = strlen(data);
	sig = malloc(rlen + dlen + 2);
	if (!sig)
		return NULL;
	memcpy(sig, result, rlen);
	sig[rlen] = ' ';
	memcpy(sig + rlen + 1, data, dlen + 1);
	return sig;
}

/* ---- The event ------------------------------------------------------- */

/* The facts: the environment's, or the facts helper's lines. */
struct facts {
	const char *names; /* the f field's list */
	char *lines;       /* the helper's output, split in NAME=VALUE strings */
	size_t len;
};

/* in_list(LIST, NAME, N): is the N bytes at NAME a word of LIST? */
static int in_list(const char *list, const char *name, size_t n)
{
	static const char blanks[] = " \t\n";

	for (list += strspn(list, blanks); *list; list += strspn(list, blanks)) {
		size_t w = strcspn(list, blanks);

		if (w == n && memcmp(list, name, n) == 0)
			return 1;
		list += w;
	}
	return 0;
}

static const char *fact_value(void *ctx, const char *name)
{
	struct facts *f = ctx;
	const char *found = NULL;
	size_t n = strlen(name);

	if (f->lines && in_list(f->names, name, n)) {
		/* The last line naming it wins, as when sh exported each. */
		for (const char *p = f->lines; p < f->lines + f->len; p += strlen(p) + 1)
			if (strncmp(p, name, n) == 0 && p[n] == '=')
				found = p + n + 1;
		return found;
	}
	return getenv(name);
}

static int any_in_environment(const char *list)
{
	static const char blanks[] = " \t\n";
	char name[256];

	for (list += strspn(list, blanks); *list; list += strspn(list, blanks)) {
		size_t w = strcspn(list, blanks);

		if (w < sizeof name) {
			memcpy(name, list, w);
			name[w] = '\0';
			if (getenv(name))
				return 1;
		}
		list += w;
	}
	return 0;
}

/* facts_from(HELPER, LIMIT_MS, F): run the facts helper when the caller
 * passed no fact; a helper that fails, is late or prints too much leaves
 * every fact unknown. */
static void facts_from(char *helper, long limit_ms, struct facts *f)
{
	static char out[FACTS_CAP + 1];
	char *argv[] = { helper, NULL };
	size_t len;

	if (!helper || !f->names || any_in_environment(f->names))
		return;
	if (bounded_output(argv, limit_ms, out, FACTS_CAP, &len) < 0) {
		f->lines = out; /* none: every fact unknown */
		f->len = 0;
		return;
	}
	for (size_t i = 0; i < len; i++)
		if (out[i] == '\n')
			out[i] = '\0';
	out[len] = '\0';
	f->lines = out;
	f->len = len + 1;
}

struct event_options {
	const char *dir, *url;
	char *facts_helper;
	char *claim; /* the signature of the FATAL this run claimed */
	long claim_ms, deadline_ms, facts_ms, transport_ms;
	int kind;
};

static int parse_ms(const char *s, long cap, long *ms)
{
	char *end;

	errno = 0;
	*ms = strtol(s, &end, 10);
	return !errno && end != s && !*end && *ms >= 0 && *ms <= cap;
}

/* printable(S): S cut to 40 bytes, unusual bytes as '?', for messages. */
static void say_url(const char *what, const char *url)
{
	char shown[41];
	size_t i;

	for (i = 0; i < 40 && url[i]; i++)
		shown[i] = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789_.:/=+-",
				  url[i])
				   ? url[i]
				   : '?';
	shown[i] = '\0';
	fprintf(stderr, "%s: %s %s\n", SCRIPT, what, shown);
}

/* after_send(): log the answered event; forget the claim of one that was
 * not delivered.  Silent: without its state the send still counts. */
static void after_send(const struct event_options *o, const char *status, int delivered,
		       const struct json_buf *json)
{
	int dirfd, lock, release = !delivered && o->claim;

	if (!o->dir || (!status[0] && !release))
		return;
	dirfd = state_dir_open(o->dir);
	if (dirfd < 0)
		return;
	lock = state_lock(dirfd, LOCK_NAME, wait_for(o->deadline_ms, getpid()));
	if (lock >= 0) {
		if (status[0])
			(void)log_event(dirfd, status, json->data, json->len);
		if (release)
			(void)fatal_records(dirfd, o->claim, RELEASE);
		close(lock);
	}
	close(dirfd);
}

static int post(const struct event_options *o, char **transport, const struct json_buf *json)
{
	char status[4];
	int ok, r, delivered;

	r = transport_post(transport, (enum transport_kind)o->kind, o->url, json->data, o->transport_ms,
			   status, &ok);
	if (r < 0)
		fprintf(stderr, "%s: %s: %s\n", SCRIPT, transport[0], strerror(-r));
	/* An answer counts even from a transport that then failed, unless it
	 * claimed success: a 200 cut short is no delivery. */
	if (r < 0 || !status[0] || (!ok && status[0] < '3')) {
		say_url("network failure: nothing delivered to", o->url);
		after_send(o, "", 0, json);
		return EXIT_NETWORK;
	}
	/* For the caller to read; a stdout that cannot take it (closed, full,
	 * its reader gone) changes neither the log nor the exit status: they
	 * follow the delivery. */
	if (printf("%s\n", status) < 0 || fflush(stdout) != 0)
		clearerr(stdout);
	delivered = status[0] == '2';
	after_send(o, status, delivered, json);
	if (!delivered) {
		fprintf(stderr, "%s: the endpoint answered HTTP %s\n", SCRIPT, status);
		return EXIT_HTTP;
	}
	return 0;
}

/* claim(O, FIELDS, N, SEND): for a FATAL, 0 when it is to be sent (claimed
 * in O->claim when send could), EXIT_SENT when it was sent in the last 24
 * hours (said for the script).  json only checks, and writes nothing. */
static int claim(struct event_options *o, char *const fields[], int n, int send)
{
	char *sig;
	int r;

	if (!o->dir)
		return 0;
	sig = fatal_signature(fields, n);
	if (!sig)
		return 0;
	r = fatal_state(o->dir, sig, send ? CLAIM : CHECK, o->claim_ms);
	if (r == EXIT_SENT) {
		fprintf(stderr, "%s: this FATAL was already sent in the last 24 hours: not sent again\n", SCRIPT);
		free(sig);
		return EXIT_SENT;
	}
	if (r == 0 && send)
		o->claim = sig;
	else
		free(sig);
	return 0;
}

/* standard_fds(): descriptors 0 to 2 open, on /dev/null when our caller
 * closed them (`>&-`): else the first pipe, memfd or state file we open
 * would become our standard output, and the status go there. */
static int standard_fds(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		null = open("/dev/null", O_RDWR); /* the lowest free: fd itself */
		if (null < 0)
			return -errno;
		if (null != fd) {
			close(null);
			return -EBADF;
		}
	}
	return 0;
}

/* event(ARGC, ARGV, SEND): the json and send commands. */
static int event(int argc, char **argv, int send)
{
	struct event_options o = { .claim_ms = -1, .deadline_ms = -1, .facts_ms = 500, .transport_ms = -1, .kind = -1 };
	struct facts facts = { NULL, NULL, 0 };
	struct json_buf json = { NULL, 0, 0, 0 };
	char **transport = NULL, **fields;
	int c, nfields, status;

	quiet = 1;
	if (standard_fds() < 0)
		return EXIT_BUILD;
	opterr = 0;
	while ((c = getopt(argc, argv, send ? "+s:c:w:F:T:t:m:u:" : "+s:F:T:")) != -1) {
		switch (c) {
		case 's':
			o.dir = optarg;
			break;
		case 'u':
			o.url = optarg;
			break;
		case 'F':
			o.facts_helper = optarg;
			break;
		case 'm':
			o.kind = transport_kind_named(optarg);
			break;
		case 'c':
			if (!parse_ms(optarg, WAIT_CAP_MS, &o.claim_ms))
				return usage();
			break;
		case 'w':
			if (!parse_ms(optarg, WAIT_CAP_MS, &o.deadline_ms))
				return usage();
			break;
		case 'T':
			if (!parse_ms(optarg, FACTS_MS_CAP, &o.facts_ms))
				return usage();
			break;
		case 't':
			if (!parse_ms(optarg, TRANSPORT_MS_CAP, &o.transport_ms))
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (optind == 0 || strcmp(argv[optind - 1], "--") != 0)
		return usage(); /* the fields come after "--" */
	fields = argv + optind;
	if (send) {
		/* TRANSPORT... -- FIELDS... */
		int n = 0;

		while (fields[n] && strcmp(fields[n], "--") != 0)
			n++;
		if (n == 0 || !fields[n] || o.kind < 0 || o.transport_ms < 0 || !o.url)
			return usage();
		transport = calloc((size_t)n + 1, sizeof *transport);
		if (!transport) {
			fprintf(stderr, "%s: could not build the event: %s\n", SCRIPT, strerror(ENOMEM));
			return EXIT_BUILD;
		}
		memcpy(transport, fields, (size_t)n * sizeof *transport);
		fields += n + 1;
	}
	for (nfields = 0; fields[nfields]; nfields++)
		;
	/* Before the facts helper: its bound comes after the claim's in the
	 * run's budget, and a FATAL already sent costs no more process. */
	status = claim(&o, fields, nfields, send);
	if (status != 0) {
		free(transport);
		return send ? 0 : status; /* already sent: send's work is done */
	}
	for (int i = 0; i + 2 < nfields; i += 3)
		if (strcmp(fields[i], "f") == 0)
			facts.names = fields[i + 2];
	facts_from(o.facts_helper, o.facts_ms, &facts);
	if (payload_object(&json, nfields, fields, fact_value, &facts, time(NULL)) < 0) {
		fprintf(stderr, "%s: could not build the event: %s\n", SCRIPT, strerror(ENOMEM));
		status = EXIT_BUILD;
		if (send)
			after_send(&o, "", 0, &json); /* forget the claim */
	} else if (!send) {
		status = printf("%s\n", json.data) < 0 || fflush(stdout) != 0 ? EXIT_BUILD : 0;
	} else {
		status = post(&o, transport, &json);
	}
	json_free(&json);
	free(transport);
	free(o.claim);
	return status;
}

int main(int argc, char **argv)
{
	static char payload[PAYLOAD_CAP + 1];
	int dirfd, lock, status, r;
	long deadline_ms = -1;
	size_t plen = 0;

	if (argc >= 2 && strcmp(argv[1], "json") == 0)
		return event(argc - 1, argv + 1, 0);
	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		return event(argc - 1, argv + 1, 1);
	if ((argc == 3 || argc == 4) && strcmp(argv[2], "log-print") == 0)
		return log_print(argv[1], argc == 4 ? argv[3] : NULL);
	if (argc == 6 && strcmp(argv[1], "-w") == 0) {
		if (!parse_ms(argv[2], WAIT_CAP_MS, &deadline_ms))
			return usage();
		argv += 2;
		argc -= 2;
	}
	if (argc != 4 || strcmp(argv[2], "log") != 0 || !valid_status(argv[3]))
		return usage();
	dirfd = state_dir_open(argv[1]);
	if (dirfd < 0)
		return fail(argv[1], dirfd);
	lock = state_lock(dirfd, LOCK_NAME, wait_for(deadline_ms, getppid()));
	if (lock < 0) {
		close(dirfd);
		return fail(LOCK_NAME, lock);
	}
	r = read_payload(payload, &plen);
	status = r < 0 ? fail("payload", r) : log_event(dirfd, argv[3], payload, plen);
	close(lock);
	close(dirfd);
	return status;
}
