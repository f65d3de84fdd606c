/* dashboard-log.c: read the tail of the script's log of sent events, as
 * the threat model asks of any file in the state directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dashboard-log.h"

/* The tail of PATH in a malloc'ed buffer, starting at a line; NULL with
 * *why set (a static string) or with *why NULL for a missing file. */
static char *read_tail(const char *path, size_t *len, const char **why)
{
	struct stat st;
	off_t from;
	size_t want, got = 0;
	char *buf, *nl;
	int fd;

	*why = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno != ENOENT)
			*why = errno == ELOOP ? "the log is a symbolic link: not read"
					      : "the log cannot be opened";
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "the log is not a regular file: not read";
		close(fd);
		return NULL;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || st.st_nlink != 1) {
		*why = "the log belongs to another account or has other links: not read";
		close(fd);
		return NULL;
	}
	from = st.st_size > DASHBOARD_LOG_TAIL ? st.st_size - DASHBOARD_LOG_TAIL : 0;
	want = (size_t)(st.st_size - from);
	buf = malloc(want + 1);
	if (!buf) {
		*why = "out of memory";
		close(fd);
		return NULL;
	}
	while (got < want) {
		ssize_t r = pread(fd, buf + got, want - got, from + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*why = "the log cannot be read";
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break; /* it shrank: the script started it afresh */
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	/* Started inside a line: drop what is left of it. */
	if (from > 0) {
		nl = memchr(buf, '\n', got);
		size_t skip = nl ? (size_t)(nl - buf) + 1 : got;
		memmove(buf, buf + skip, got - skip + 1);
		*len = got - skip;
	}
	return buf;
}

struct line {
	long long time;
	int status;
	const char *json;
	size_t json_len;
};

/* `EPOCH STATUS {...}`: EPOCH 1 to 11 digits, STATUS 100 to 599, one space
 * each, the rest an object (its well-formedness is the reader's to check:
 * it is handed on as text). */
static int parse_line(const char *s, size_t n, struct line *l)
{
	size_t i = 0, d;

	l->time = 0;
	for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
		l->time = l->time * 10 + (s[i] - '0');
	if (d < 1 || d > 11 || i >= n || s[i++] != ' ')
		return 0;
	if (n - i < 5 || s[i] < '1' || s[i] > '5' || s[i + 1] < '0' || s[i + 1] > '9' ||
	    s[i + 2] < '0' || s[i + 2] > '9' || s[i + 3] != ' ' || s[i + 4] != '{')
		return 0;
	l->status = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
	l->json = s + i + 4;
	l->json_len = n - i - 4;
	while (l->json_len && (l->json[l->json_len - 1] == '\r' || l->json[l->json_len - 1] == ' '))
		l->json_len--;
	return l->json_len >= 2 && l->json[l->json_len - 1] == '}';
}

void dashboard_log_json(const char *path, size_t max, struct json_buf *b)
{
	const char *why, *p, *end;
	struct line *lines;
	size_t len = 0, n = 0, first = 0, i;
	long long skipped = 0;
	char *buf = read_tail(path, &len, &why);

	json_raw(b, "{");
	json_key_string(b, "file", path);
	json_raw(b, ",\"events\":[");
	lines = max ? calloc(max, sizeof *lines) : NULL;
	if (buf && lines) {
		/* A ring of the last MAX good lines. */
		for (p = buf, end = buf + len; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
			struct line l;

			if (ll == 0) {
				/* an empty line: nothing to count */
			} else if (memchr(p, '\0', ll) || !parse_line(p, ll, &l)) {
				skipped++;
			} else {
				lines[(first + n) % max] = l;
				if (n < max)
					n++;
				else
					first = (first + 1) % max;
			}
			p += ll + 1;
		}
		for (i = 0; i < n; i++) {
			const struct line *l = &lines[(first + i) % max];

			json_raw(b, i ? ",{" : "{");
			json_key_long(b, "time", l->time);
			json_raw(b, ",");
			json_key_long(b, "status", l->status);
			json_raw(b, ",\"event\":");
			json_text_n(b, l->json, l->json_len);
			json_raw(b, "}");
		}
	} else if (buf && !lines) {
		why = "out of memory";
	}
	json_raw(b, "],");
	json_key_long(b, "skipped", skipped);
	if (why) {
		json_raw(b, ",");
		json_key_string(b, "error", why);
	}
	json_raw(b, "}");
	free(lines);
	free(buf);
}
