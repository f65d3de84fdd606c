/* unit-dashboard.c: the dashboard's JSON quoting and its reader of the log
 * of sent events, against hostile bytes and hostile files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dashboard-json.h"
#include "dashboard-log.h"
#include "../helpers/tap.h"

static char dir[] = "/tmp/unit-dashboard.XXXXXX";

static char *quoted(const char *s, size_t n)
{
	static char out[4096];
	struct json_buf b;

	json_init(&b);
	json_text_n(&b, s, n);
	snprintf(out, sizeof out, "%s", b.failed ? "(failed)" : b.data);
	json_free(&b);
	return out;
}

#define Q(lit) quoted(lit, sizeof lit - 1)

static void test_quoting(void)
{
	is_str(Q("plain"), "\"plain\"", "plain ASCII is copied");
	is_str(Q("a\"b\\c"), "\"a\\\"b\\\\c\"", "quote and backslash are escaped");
	is_str(Q("a\nb\tc\x01\x7f"), "\"a\\nb\\tc\\u0001\\u007f\"",
	       "C0 controls and DEL become escapes (\\n and \\t by name)");
	is_str(Q("a\0b"), "\"a\\u0000b\"", "a NUL byte is escaped, not an end");
	is_str(Q("<script>&"), "\"\\u003cscript\\u003e\\u0026\"", "<, > and & are escaped");
	is_str(Q("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	       "well-formed UTF-8 is copied");
	is_str(Q("\xc2\x85"), "\"\\u0085\"", "a C1 control is escaped");
	is_str(Q("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\"", "U+2028 and U+2029 are escaped");
	is_str(Q("\xff\xc0\xaf"), "\"\\ufffd\\ufffd\\ufffd\"", "invalid bytes and overlongs become U+FFFD");
	is_str(Q("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"", "a surrogate becomes U+FFFD");
	is_str(Q("\xe2\x82"), "\"\\ufffd\"", "a cut sequence at the end becomes one U+FFFD (its maximal subpart)");
}

static void put_file(const char *name, const char *data, size_t n)
{
	char path[256];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n || close(fd) < 0) {
		perror(path);
		exit(1);
	}
}

/* The log endpoint's reply for NAME in the test directory, MAX events. */
static char *log_reply(const char *name, size_t max)
{
	char path[256];
	static char *out;
	struct json_buf b;

	free(out);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	json_init(&b);
	dashboard_log_json(path, max, &b);
	out = strdup(b.failed ? "(failed)" : strstr(b.data, "\"events\""));
	json_free(&b);
	return out;
}

static void test_log(void)
{
	char path[256], target[256];
	char *big;
	size_t n;

	is_str(log_reply("missing.log", 5), "\"events\":[],\"skipped\":0}",
	       "a missing log: no events, no error");

	{
		static const char good[] = "1700000000 200 {\"event\":\"START\"}\n"
					   "1700000001 500 {\"event\":\"STOP\"}\n";
		put_file("good.log", good, sizeof good - 1);
	}
	is_str(log_reply("good.log", 5),
	       "\"events\":[{\"time\":1700000000,\"status\":200,\"event\":\"{\\\"event\\\":\\\"START\\\"}\"},"
	       "{\"time\":1700000001,\"status\":500,\"event\":\"{\\\"event\\\":\\\"STOP\\\"}\"}],\"skipped\":0}",
	       "well-formed lines come back in order, the JSON as a string");
	is_str(log_reply("good.log", 1),
	       "\"events\":[{\"time\":1700000001,\"status\":500,\"event\":\"{\\\"event\\\":\\\"STOP\\\"}\"}],"
	       "\"skipped\":0}",
	       "only the last MAX lines");

	{
		/* Every line the log's one reader (common/logline.h) refuses, the
		 * sender's log-print refuses too: an empty line and an object with
		 * no "event" included. */
		static const char bad[] = "x 200 {}\n"
					  "123456789012 200 {}\n"
					  "1 99 {}\n"
					  "1 600 {}\n"
					  "1 200 [1]\n"
					  "1 200 {\n"
					  "1  200 {}\n"
					  "1 200 {\"a\":\0}\n"
					  "\n"
					  "2 204 {\"b\":\"<\x01\xff\"}\n"
					  "1 200 {}\n"
					  "2 204 {\"event\":\"E\",\"b\":\"<\xc2\x85\xe2\x80\xa8&\"}";
		put_file("bad.log", bad, sizeof bad - 1);
	}
	is_str(log_reply("bad.log", 5),
	       "\"events\":[{\"time\":2,\"status\":204,\"event\":"
	       "\"{\\\"event\\\":\\\"E\\\",\\\"b\\\":\\\"\\u003c\\u0085\\u2028\\u0026\\\"}\"}],"
	       "\"skipped\":11}",
	       "malformed lines are counted and skipped; what could drive a terminal or pass for markup is escaped");

	/* A log larger than the 64 KiB the panel once read from its end: read
	 * whole, as log-print reads it; one over the cap: not read. */
	n = 70000;
	big = malloc(LOGLINE_FILE_CAP + 2);
	if (!big)
		exit(1);
	memset(big, 'x', LOGLINE_FILE_CAP + 2);
	{
		static const char head[] = "1 200 {\"event\":\"BIG\",\"x\":\"";
		memcpy(big, head, sizeof head - 1);
	}
	strcpy(big + n, "\"}\n3 200 {\"event\":\"LAST\"}\n");
	put_file("big.log", big, strlen(big));
	is_str(log_reply("big.log", 1),
	       "\"events\":[{\"time\":3,\"status\":200,\"event\":\"{\\\"event\\\":\\\"LAST\\\"}\"}],\"skipped\":0}",
	       "a large log: the last MAX lines");
	ok(strstr(log_reply("big.log", 5), "BIG") != NULL, "a large log is read whole, its first line too");
	memset(big, '\n', LOGLINE_FILE_CAP + 1);
	put_file("big.log", big, LOGLINE_FILE_CAP + 1);
	ok(strstr(log_reply("big.log", 5), "larger than the script ever writes") != NULL,
	   "a log over the cap is not read");
	free(big);

	snprintf(target, sizeof target, "%s/good.log", dir);
	snprintf(path, sizeof path, "%s/link.log", dir);
	ok(symlink(target, path) == 0, "symlink made");
	ok(strstr(log_reply("link.log", 5), "symbolic link: not read") != NULL,
	   "a symbolic link is not followed");

	snprintf(path, sizeof path, "%s/fifo.log", dir);
	ok(mkfifo(path, 0600) == 0, "FIFO made");
	ok(strstr(log_reply("fifo.log", 5), "not a regular file") != NULL,
	   "a FIFO is not read, and the open does not block");

	snprintf(path, sizeof path, "%s/hard.log", dir);
	ok(link(target, path) == 0, "hard link made");
	ok(strstr(log_reply("hard.log", 5), "other links: not read") != NULL,
	   "a file with a second link is not read");

	snprintf(path, sizeof path, "%s/dir.log", dir);
	ok(mkdir(path, 0700) == 0, "directory made");
	ok(strstr(log_reply("dir.log", 5), "\"error\"") != NULL, "a directory is not read");

	if (geteuid() == 0) {
		snprintf(path, sizeof path, "%s/other.log", dir);
		put_file("other.log", "1 200 {}\n", 9);
		ok(chown(path, 65534, 65534) == 0, "chown to nobody");
		ok(strstr(log_reply("other.log", 5), "another account") != NULL,
		   "another account's file is not read");
	} else {
		printf("ok %d - # SKIP another account's file: not root\n", ++tap_count);
	}
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_quoting();
	test_log();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return done_testing();
}
