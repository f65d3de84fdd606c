/* anonymous-statistics-state: what anonymous-statistics.sh cannot do safely
 * in sh.  Its state files, kept safe from the account that owns the state
 * directory (statefile.h) and consistent under any number of concurrent
 * runs:
 *
 *   DIR log STATUS          append "EPOCH STATUS PAYLOAD" (the payload on
 *                           stdin, one line of JSON) to the log, which keeps
 *                           the last LOG_KEEP events
 *   DIR fatal-claim SIG     exit 0 and record SIG when this FATAL was not
 *                           sent in the last 24 hours, exit 1 when it was
 *   DIR fatal-release SIG   forget SIG again (its send failed)
 *   DIR fatal-check SIG     exit 1 when SIG was sent in the last 24 hours,
 *                           else 0; writes nothing (--dry-run)
 *
 * and the facts helper's output, read within a bound (boundedrun.h) in one
 * process, where sh needs timeout(1) twice and head(1):
 *
 *   --facts SECONDS HELPER  print what HELPER printed, when it exited 0
 *                           within SECONDS having printed at most FACTS_CAP
 *                           bytes; else print nothing and exit 3
 *
 * Exit status: 0 done, 1 already sent (fatal-claim, fatal-check), 2 usage, 3 the state
 * could not be used (the script then sends without it).  Every step holds
 * the directory's lock but fatal-check, which only reads (every file is
 * replaced whole, by rename).  The lock is waited for LOCK_WAIT_MS, or with
 * -w MS until the calling script has run for MS milliseconds: the script's
 * one deadline, whatever the load (50 runs at once on two busy cores). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boundedrun.h"
#include "statefile.h"

#define LOG_NAME "anonymous-statistics.log"
#define FATAL_NAME "anonymous-statistics.fatal"
#define LOCK_NAME "anonymous-statistics.lock"
#define LOG_KEEP 100
#define FATAL_KEEP 50
#define FATAL_SECONDS 86400     /* a FATAL is sent once a day */
#define PAYLOAD_CAP (64 * 1024) /* the script's payloads are under 32 KiB */
#define LOG_CAP (1024 * 1024)   /* a larger log is started afresh */
#define FATAL_CAP (64 * 1024)
#define SIG_CAP 1024
#define FACTS_CAP 16384 /* sysinfo prints about 700 bytes */
#define FACTS_SECONDS_CAP 3.0
#define LOCK_WAIT_MS 150
#define WAIT_CAP_MS 3000
#define LATE_WAIT_MS 100

#define EXIT_SENT 1
#define EXIT_USAGE 2
#define EXIT_STATE 3

static const char *prog = "anonymous-statistics-state";

static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(-err));
	return EXIT_STATE;
}

static int usage(void)
{
	fprintf(stderr, "usage: %s [-w MS] DIR log STATUS <PAYLOAD\n"
			"       %s [-w MS] DIR fatal-claim|fatal-release|fatal-check SIGNATURE\n"
			"       %s --facts SECONDS HELPER\n",
		prog, prog, prog);
	return EXIT_USAGE;
}

/* parent_age_ms(): how long the calling process has run, from the start
 * time in /proc/PPID/stat (field 22, after the parenthesized name, which
 * may hold anything) and the uptime; -1 when either cannot be read. */
static long parent_age_ms(void)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	double up;
	long tick = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;
	int field;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)getppid());
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

/* wait_for(DEADLINE_MS): the lock wait that keeps the caller's deadline. */
static unsigned wait_for(long deadline_ms)
{
	long age;

	if (deadline_ms < 0)
		return LOCK_WAIT_MS;
	age = parent_age_ms();
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

static int log_event(int dirfd, const char *status)
{
	static char payload[PAYLOAD_CAP + 1];
	size_t plen = 0, olen, from, n;
	char *old, *out, head[48];
	int r = read_payload(payload, &plen);

	if (r < 0)
		return fail("payload", r);
	old = old_content(dirfd, LOG_NAME, LOG_CAP, &olen);
	from = old ? keep_last_lines(old, olen, LOG_KEEP - 1) : 0;
	if (old && olen > 0 && old[olen - 1] != '\n')
		from = olen; /* a torn last line: start afresh */
	n = (size_t)snprintf(head, sizeof head, "%lld %s ", (long long)time(NULL), status);
	out = malloc(olen - from + n + plen + 1);
	if (!out) {
		free(old);
		return fail("log", -ENOMEM);
	}
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

static const struct {
	const char *name;
	enum fatal_mode mode;
} fatal_commands[] = {
	{ "fatal-claim", CLAIM },
	{ "fatal-release", RELEASE },
	{ "fatal-check", CHECK },
};

static int run_facts(const char *seconds, char *helper)
{
	static char out[FACTS_CAP];
	char *argv[] = { helper, NULL }, *end;
	size_t len;
	double limit;
	int r;

	errno = 0;
	limit = strtod(seconds, &end);
	if (errno || end == seconds || *end || !(limit > 0 && limit <= FACTS_SECONDS_CAP))
		return usage();
	r = bounded_output(argv, (long)(limit * 1000), out, sizeof out, &len);
	if (r < 0)
		return fail(helper, r);
	if (fwrite(out, 1, len, stdout) != len || fflush(stdout) != 0)
		return fail("stdout", -EIO);
	return 0;
}

int main(int argc, char **argv)
{
	int dirfd, lock, status, fatal = -1;
	long deadline_ms = -1;

	if (argc == 4 && strcmp(argv[1], "--facts") == 0)
		return run_facts(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "-w") == 0) {
		char *end;

		errno = 0;
		deadline_ms = strtol(argv[2], &end, 10);
		if (errno || end == argv[2] || *end || deadline_ms < 0 || deadline_ms > WAIT_CAP_MS)
			return usage();
		argv += 2;
		argc -= 2;
	}
	if (argc != 4)
		return usage();
	for (size_t i = 0; i < sizeof fatal_commands / sizeof fatal_commands[0]; i++)
		if (strcmp(argv[2], fatal_commands[i].name) == 0)
			fatal = (int)i;
	if (fatal < 0 ? strcmp(argv[2], "log") != 0 || !valid_status(argv[3]) : !valid_signature(argv[3]))
		return usage();
	dirfd = state_dir_open(argv[1]);
	if (dirfd < 0)
		return fail(argv[1], dirfd);
	if (fatal >= 0 && fatal_commands[fatal].mode == CHECK) {
		status = fatal_records(dirfd, argv[3], CHECK);
		close(dirfd);
		return status;
	}
	lock = state_lock(dirfd, LOCK_NAME, wait_for(deadline_ms));
	if (lock < 0) {
		close(dirfd);
		return fail(LOCK_NAME, lock);
	}
	if (fatal < 0)
		status = log_event(dirfd, argv[3]);
	else
		status = fatal_records(dirfd, argv[3], fatal_commands[fatal].mode);
	close(lock);
	close(dirfd);
	return status;
}
