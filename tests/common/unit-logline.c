/* unit-logline.c: the log's one reader (logline.h), which the sender's
 * log-print and the dashboard both use: the lines it accepts and refuses,
 * the walk over a file, and the files it refuses to read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logline.h"
#include "statefile.h"
#include "../helpers/tap.h"

static char dir[] = "/tmp/unit-logline.XXXXXX";

#define S(lit) lit, sizeof lit - 1

static const struct {
	const char *line;
	size_t len;
	int good;
	const char *what;
} lines[] = {
	{ S("1700000000 200 {\"event\":\"START\"}"), 1, "a plain event" },
	{ S("1 599 {\"a\":[1,-2.5e3,true,null,{}],\"event\":\"FATAL_X\"}  "), 1, "any JSON, trailing spaces" },
	{ S("1 200 {\"event\":\"START\"} \t\r"), 0, "a tab or CR between or after tokens: never printed raw" },
	{ S("1 200 {\"event\":\"E\",\"s\":\"\xc2\x85\xe2\x80\xa8\\u0001\"}"), 1, "C1, U+2028 and escapes in a string" },
	{ S(""), 0, "an empty line" },
	{ S("1 200 {}"), 0, "no event" },
	{ S("1 200 {\"event\":\"start\"}"), 0, "an event not of [A-Z_]" },
	{ S("1 200 {\"event\":\"A\",\"event\":\"B\"}"), 0, "two events" },
	{ S("1 200 {\"x\":{\"event\":\"A\"}}"), 0, "an event below the top" },
	{ S("123456789012 200 {\"event\":\"A\"}"), 0, "an epoch of 12 digits" },
	{ S("1 600 {\"event\":\"A\"}"), 0, "a status past 599" },
	{ S("1  200 {\"event\":\"A\"}"), 0, "two spaces" },
	{ S("1 200 {\"event\":\"A\"} x"), 0, "something after the object" },
	{ S("1 200 {\"event\":\"A\",\"s\":\"\x01\"}"), 0, "a raw control byte in a string" },
	{ S("1 200 {\"event\":\"A\",\"s\":\"\xff\"}"), 0, "ill-formed UTF-8" },
	{ S("1 200 {\"event\":\"A\",\"s\":\"\xe2\x82\"}"), 0, "a cut UTF-8 sequence" },
	{ S("1 200 {\"event\":\"A\",\"s\":\"\xed\xa0\x80\"}"), 0, "a surrogate" },
	{ S("1 200 {\"event\":\"A\",\"s\":\0}"), 0, "a NUL" },
	{ S("1 200 {\"event\":\"A\""), 0, "a torn line" },
};

static void put(const char *name, const char *data, size_t n)
{
	char path[256];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n || close(fd) < 0) {
		perror(path);
		exit(99);
	}
}

static void test_walk(void)
{
	static const char log[] = "1 200 {\"event\":\"A\"}\n\nbad\n2 500 {\"event\":\"B\"}";
	struct logline l;
	size_t at = 0;
	int r[5];

	for (int i = 0; i < 5; i++)
		r[i] = logline_next(log, sizeof log - 1, &at, &l);
	ok(r[0] == 1 && r[1] == 0 && r[2] == 0 && r[3] == 1 && r[4] == -1,
	   "good, empty, bad, a last line without a newline, then the end (%d %d %d %d %d)", r[0], r[1], r[2],
	   r[3], r[4]);
	ok(l.epoch == 2 && l.status == 500 && l.event_len == 1 && l.event[0] == 'B' &&
		   l.payload_len == strlen("{\"event\":\"B\"}"),
	   "the last line's fields");
}

static void test_read(void)
{
	char path[256], target[256], *buf = NULL;
	size_t len = 0;
	int dirfd = state_dir_open(dir);
	static char big[LOGLINE_FILE_CAP + 1];

	ok(logline_read(dirfd, "missing.log", &buf, &len) == -ENOENT, "a missing log: -ENOENT");
	put("good.log", "1 200 {\"event\":\"A\"}\n", 20);
	ok(logline_read(dirfd, "good.log", &buf, &len) == 0 && len == 20 && buf[len] == '\0', "a log of ours is read");
	free(buf);
	snprintf(target, sizeof target, "%s/good.log", dir);
	snprintf(path, sizeof path, "%s/link.log", dir);
	ok(symlink(target, path) == 0 && logline_read(dirfd, "link.log", &buf, &len) == -ELOOP, "a link: -ELOOP");
	snprintf(path, sizeof path, "%s/fifo.log", dir);
	ok(mkfifo(path, 0600) == 0 && logline_read(dirfd, "fifo.log", &buf, &len) == -EINVAL,
	   "a FIFO: -EINVAL, without blocking");
	snprintf(path, sizeof path, "%s/hard.log", dir);
	ok(link(target, path) == 0 && logline_read(dirfd, "hard.log", &buf, &len) == -EMLINK, "two links: -EMLINK");
	memset(big, '\n', sizeof big);
	put("big.log", big, LOGLINE_FILE_CAP);
	ok(logline_read(dirfd, "big.log", &buf, &len) == 0 && len == LOGLINE_FILE_CAP, "a log at the cap is read");
	free(buf);
	put("big.log", big, sizeof big);
	ok(logline_read(dirfd, "big.log", &buf, &len) == -EFBIG, "one byte more: -EFBIG");
	close(dirfd);
}

int main(void)
{
	char cmd[300];

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct logline l;

		ok((logline_parse(lines[i].line, lines[i].len, &l) == 0) == lines[i].good, "%s: %s", lines[i].what,
		   lines[i].good ? "shown" : "refused");
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	test_walk();
	test_read();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return done_testing();
}
