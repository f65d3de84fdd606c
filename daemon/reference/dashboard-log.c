/* dashboard-log.c: the log endpoint's reply, from common/logline.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dashboard-log.h"
#include "statefile.h"

/* why(ERR): the reply's words for a log logline_read() refused. */
static const char *why(int err)
{
	switch (err) {
	case -ELOOP:
		return "the log is a symbolic link: not read";
	case -EINVAL:
		return "the log is not a regular file: not read";
	case -EPERM:
		return "the log belongs to another account: not read";
	case -EMLINK:
		return "the log has other links: not read";
	case -EFBIG:
		return "the log is larger than the script ever writes: not read";
	case -ENOMEM:
		return "out of memory";
	default:
		return "the log cannot be read";
	}
}

/* read_log(PATH, &BUF, &LEN): logline_read() of PATH's directory and name. */
static int read_log(const char *path, char **buf, size_t *len)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
	int dirfd, r;

	*buf = NULL;
	*len = 0;
	if (!dir)
		return -ENOMEM;
	dirfd = state_dir_open(dir);
	free(dir);
	if (dirfd < 0)
		return dirfd;
	r = logline_read(dirfd, slash ? slash + 1 : path, buf, len);
	close(dirfd);
	return r;
}

void dashboard_log_json(const char *path, size_t max, struct json_buf *b)
{
	const char *error = NULL;
	struct logline *lines = max ? calloc(max, sizeof *lines) : NULL, l;
	size_t len = 0, at = 0, n = 0, first = 0, i;
	long long skipped = 0;
	char *buf = NULL;
	int r = read_log(path, &buf, &len);

	json_raw(b, "{");
	json_key_string(b, "file", path);
	json_raw(b, ",\"events\":[");
	if (r < 0 && r != -ENOENT)
		error = why(r);
	else if (r == 0 && max && !lines)
		error = why(-ENOMEM);
	/* A ring of the last MAX good lines. */
	while (r == 0 && lines && (r = logline_next(buf, len, &at, &l)) >= 0) {
		if (r == 0) {
			skipped++;
		} else {
			lines[(first + n) % max] = l;
			if (n < max)
				n++;
			else
				first = (first + 1) % max;
		}
		r = 0;
	}
	for (i = 0; i < n; i++) {
		const struct logline *e = &lines[(first + i) % max];

		json_raw(b, i ? ",{" : "{");
		json_key_long(b, "time", e->epoch);
		json_raw(b, ",");
		json_key_long(b, "status", e->status);
		json_raw(b, ",\"event\":");
		json_text_n(b, e->payload, e->payload_len);
		json_raw(b, "}");
	}
	json_raw(b, "],");
	json_key_long(b, "skipped", skipped);
	if (error) {
		json_raw(b, ",");
		json_key_string(b, "error", error);
	}
	json_raw(b, "}");
	free(lines);
	free(buf);
}
