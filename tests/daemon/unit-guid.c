/* unit-guid: the machine GUID file (anonstats-guid.c), and what another
 * account can plant in its place.  TAP on stdout. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit-helpers.h"
#include "../helpers/tap.h"

static void test_uuid(void)
{
	char a[37], b[37];

	ok(anonstats_uuid_generate(a) == 0 && anonstats_uuid_generate(b) == 0, "UUIDs generated");
	ok(anonstats_uuid_valid(a) && strlen(a) == 36, "a generated UUID is well formed: %s", a);
	ok(a[14] == '4' && strchr("89ab", a[19]), "version 4, RFC 4122 variant");
	ok(strcmp(a, b) != 0, "two UUIDs differ");
	ok(!anonstats_uuid_valid("not-a-uuid"), "garbage is no UUID");
	ok(!anonstats_uuid_valid("0123456789abcdef0123456789abcdef0123"), "no dashes, no UUID");
	ok(!anonstats_uuid_valid("01234567-89ab-cdef-0123-456789abcdeg"), "a non-hex digit");
}

static void test_guid_file(void)
{
	char *g1 = NULL, *g2 = NULL, *g3 = NULL;
	struct stat st;
	size_t len;

	ok(anonstats_guid_load(path("state"), &g1) == 0 && g1, "the GUID is created on first run");
	ok(stat(path("state/" ANONSTATS_GUID_FILE), &st) == 0 && (st.st_mode & 07777) == 0600,
	   "the GUID file has mode 0600");
	ok(anonstats_guid_load(path("state"), &g2) == 0 && g1 && g2 && strcmp(g1, g2) == 0,
	   "the second run reads the same GUID");
	write_file(path("state/" ANONSTATS_GUID_FILE), "$(touch canary)\n");
	ok(anonstats_guid_load(path("state"), &g3) == 0 && g3 && anonstats_uuid_valid(g3),
	   "an invalid GUID file is replaced by a fresh UUID");
	const char *s = read_file(path("state/" ANONSTATS_GUID_FILE), &len);
	ok(s && len == 37 && g3 && strncmp(s, g3, 36) == 0, "and written back");
	free(g1);
	free(g2);
	free(g3);
	ok(anonstats_guid_load(path("no/such/parent"), &g1) == -1 && errno == ENOENT,
	   "a state dir that cannot be created is an error");
}

static const char *bounded_state_dir;

/* In a child: anonstats_guid_load() of bounded_state_dir, which SIGALRM
 * ends after 3 s; exits 0 loaded, 1 failed. */
static void guid_load_child(void)
{
	char *g = NULL;

	alarm(3);
	_exit(anonstats_guid_load(bounded_state_dir, &g) == 0 && g ? 0 : 1);
}

/* Its wait status (0 loaded, 1 failed, or the signal that ended it). */
static int guid_load_bounded(const char *state_dir)
{
	bounded_state_dir = state_dir;
	return in_child(guid_load_child, NULL);
}

/* What another account could plant as machine-guid in a state directory
 * it owns: a FIFO (blocked init forever), a hard link to a file outside
 * (its mode was changed to 0600). */
static void test_guid_planted(void)
{
	const char *guid = path("state/" ANONSTATS_GUID_FILE);
	const char *outside = path("outside-guid");
	struct stat st, st2;
	int rc;

	unlink(guid);
	ok(mkfifo(guid, 0666) == 0, "a FIFO planted as machine-guid");
	rc = guid_load_bounded(path("state"));
	ok(rc == 0, "the GUID is still loaded, without blocking on the FIFO (status %d)", rc);
	ok(lstat(guid, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600,
	   "the FIFO was replaced by a regular file, mode 0600");

	unlink(guid);
	write_file(outside, "01234567-89ab-4cde-8f01-23456789abcd\n");
	chmod(outside, 0666);
	ok(link(outside, guid) == 0, "a file from outside hard-linked as machine-guid");
	rc = guid_load_bounded(path("state"));
	ok(rc == 0, "the GUID is loaded (status %d)", rc);
	rc = stat(outside, &st);
	ok(rc == 0 && (st.st_mode & 07777) == 0666, "the outside file keeps its mode (%o)",
	   (unsigned)(st.st_mode & 07777));
	rc = stat(guid, &st2);
	ok(rc == 0 && st2.st_ino != st.st_ino && st2.st_nlink == 1 && (st2.st_mode & 07777) == 0600,
	   "machine-guid is now a file of its own, mode 0600");
	unlink(outside);
}

int main(void)
{
	unit_setup();
	test_uuid();
	test_guid_file();
	test_guid_planted();
	unit_teardown();
	return done_testing();
}
