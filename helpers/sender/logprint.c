/* logprint.c: anonymous-statistics-ctl's `log` (logprint.h), on the log's
 * one reader, common/logline.h. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logline.h"
#include "logprint.h"
#include "statefile.h"

#define CTL "anonymous-statistics-ctl" /* log_print speaks for it */
#define EXIT_USAGE 2
#define EXIT_FAILED 4

/* ISO 8601 in UTC by the proleptic Gregorian calendar (days from civil,
 * as H. Hinnant gives it), for any EPOCH of 11 digits: not time_t's range. */
static void utc(long long t, char out[128])
{
	long long d = t / 86400, s = t % 86400, z = d + 719468;
	long long era = z / 146097, doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153, day = doy - (153 * mp + 2) / 5 + 1;
	long long m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	(void)snprintf(out, 128, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", y, m, day, s / 3600,
		       s % 3600 / 60, s % 60);
}

/* The payload as logged, DEL and the C1 controls (U+0080-U+009F, which a
 * valid JSON string may hold raw) written as \u escapes: they can stand
 * only inside strings, so the JSON stays the same. */
static void print_payload(const char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b == 0x7f || (b == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
				  (unsigned char)s[i + 1] <= 0x9f)) {
			fwrite(s + from, 1, i - from, stdout);
			printf("\\u%04x", b == 0x7f ? 0x7f : (unsigned char)s[i + 1]);
			i += b == 0xc2;
			from = i + 1;
		}
	}
	fwrite(s + from, 1, n - from, stdout);
	putchar('\n');
}

static const char *user_name(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw && pw->pw_name ? pw->pw_name : "this account";
}

/* refused(PATH, ERR): why the log is not read; the exit status. */
static int refused(const char *path, int err)
{
	switch (err) {
	case -ELOOP:
		fprintf(stderr, CTL ": %s is a symbolic link (the script never makes one): not read\n", path);
		break;
	case -EINVAL:
		fprintf(stderr, CTL ": %s is not a regular file: not read\n", path);
		break;
	case -EACCES:
		fprintf(stderr, CTL ": %s cannot be read by %s\n", path, user_name());
		break;
	case -EPERM:
		fprintf(stderr,
			CTL ": %s belongs to another account than %s and the state directory's owner: not read\n",
			path, user_name());
		break;
	case -EMLINK:
		fprintf(stderr, CTL ": %s has more than one link (the script never makes one): not read\n", path);
		break;
	case -EFBIG:
		fprintf(stderr, CTL ": %s is larger than %d bytes, more than the script ever writes: not read\n", path,
			LOGLINE_FILE_CAP);
		break;
	default:
		fprintf(stderr, CTL ": cannot read %s: %s\n", path, strerror(-err));
	}
	return EXIT_FAILED;
}

int log_print(const char *dir, const char *option)
{
	size_t plen = strlen(dir) + sizeof LOGLINE_NAME + 1, len = 0, at = 0;
	unsigned long good = 0, bad = 0;
	char *path, *buf = NULL;
	int json = 0, dirfd, r;
	struct logline l;

	if (option && strcmp(option, "--json") != 0) {
		fprintf(stderr, CTL ": log takes only --json\n");
		return EXIT_USAGE;
	}
	json = option != NULL;
	path = malloc(plen);
	if (!path) {
		fprintf(stderr, CTL ": out of memory\n");
		return EXIT_FAILED;
	}
	(void)snprintf(path, plen, "%s/%s", dir, LOGLINE_NAME);
	dirfd = state_dir_open(dir);
	r = dirfd < 0 ? dirfd : logline_read(dirfd, LOGLINE_NAME, &buf, &len);
	if (dirfd >= 0)
		close(dirfd);
	if (r == -ENOENT) {
		if (!json)
			printf("no event sent yet: %s does not exist\n", path);
		free(path);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
	}
	if (dirfd < 0) {
		fprintf(stderr, CTL ": cannot open the state directory %s: %s\n", dir, strerror(-dirfd));
		free(path);
		return EXIT_FAILED;
	}
	if (r < 0) {
		r = refused(path, r);
		free(path);
		return r;
	}
	free(path);
	if (!json)
		printf("%-20s  %-20s  %s\n", "time (UTC)", "event", "HTTP");
	while ((r = logline_next(buf, len, &at, &l)) >= 0) {
		if (r == 0) {
			bad++;
		} else if (json) {
			print_payload(l.payload, l.payload_len);
			good++;
		} else {
			char when[128];
			utc(l.epoch, when);
			printf("%-20s  %-20.*s  %03d\n", when, (int)l.event_len, l.event, l.status);
			good++;
		}
	}
	free(buf);
	if (bad)
		fprintf(stderr, CTL ": %lu malformed line%s skipped\n", bad, bad == 1 ? "" : "s");
	if (!good && !json)
		printf("(no event in the log)\n");
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, CTL ": cannot write the log out: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	return 0;
}
