/* unit-optout: whether an event is sent (anonstats-optout.c): the opt-out
 * switches, the opt-out file and the level file.  TAP on stdout. */
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

static void test_opt_out(void)
{
	static const char *const vars[] = { "DO_NOT_TRACK", "DISABLE_TELEMETRY" };
	static const char *const values[] = { "1", "0", "false", " " };
	size_t i, k;
	int all = 1;

	set_mode("ok");
	clear_calls();
	for (i = 0; i < 2; i++) {
		for (k = 0; k < sizeof values / sizeof values[0]; k++) {
			setenv(vars[i], values[k], 1);
			if (anonstats_start() != ANONSTATS_OPTED_OUT ||
			    anonstats_status() != (i == 0 ? ANONSTATS_DISABLED_DO_NOT_TRACK
							  : ANONSTATS_DISABLED_DISABLE_TELEMETRY))
				all = 0;
			unsetenv(vars[i]);
		}
	}
	ok(all, "DO_NOT_TRACK and DISABLE_TELEMETRY opt out with any non-empty value, 0 included");
	is_str(anonstats_status_string(ANONSTATS_DISABLED_DO_NOT_TRACK), "disabled by DO_NOT_TRACK",
	       "the status names the variable");
	setenv("DO_NOT_TRACK", "", 1);
	ok(anonstats_status() == ANONSTATS_ENABLED, "an empty DO_NOT_TRACK does not opt out");
	unsetenv("DO_NOT_TRACK");

	mkdir(path("config"), 0755);
	write_file(path("config/" ANONSTATS_OPT_OUT_FILE), "");
	ok(anonstats_status() == ANONSTATS_DISABLED_OPT_OUT_FILE, "the opt-out file opts out");
	ok(anonstats_start() == ANONSTATS_OPTED_OUT && anonstats_cloud_disabled() == ANONSTATS_OPTED_OUT,
	   "and is checked at every event");
	unlink(path("config/" ANONSTATS_OPT_OUT_FILE));
	ok(symlink("/nonexistent", path("config/" ANONSTATS_OPT_OUT_FILE)) == 0 &&
		   anonstats_status() == ANONSTATS_DISABLED_OPT_OUT_FILE,
	   "a dangling symlink as the opt-out file opts out too");
	unlink(path("config/" ANONSTATS_OPT_OUT_FILE));
	usleep(50000);
	ok(calls() == 0, "opted out: the script was never executed");
	ok(anonstats_status() == ANONSTATS_ENABLED, "removing the file takes effect at once");
}

static void test_level(void)
{
	struct anonstats_status_details sd;
	char level[4300];
	int en;

	snprintf(level, sizeof level, "%s", path("config/" ANONSTATS_LEVEL_FILE));
	set_mode("ok");
	mkdir(path("config"), 0755);
	unlink(level);
	clear_calls();
	init_lib(2000, 0, "unit");
	en = anonstats_status_details(&sd);
	ok(en == 1 && sd.enabled && sd.level == ANONSTATS_LEVEL_ALL && sd.status == ANONSTATS_ENABLED,
	   "no level file: enabled, level all");
	ok(strstr(sd.reason, "the default: no file") != NULL, "reason: %s", sd.reason);
	is_str(anonstats_level_string(ANONSTATS_LEVEL_CRASHES), "crashes", "level names");

	write_file(level, "crashes\n");
	en = anonstats_status_details(&sd);
	ok(en == 1 && sd.level == ANONSTATS_LEVEL_CRASHES && anonstats_status() == ANONSTATS_ENABLED,
	   "level crashes: enabled, for crashes");
	ok(strstr(sd.reason, "crashes") && strstr(sd.reason, level), "reason names the file: %s",
	   sd.reason);
	ok(anonstats_send("CLOUD_DISABLED", NULL, NULL) == ANONSTATS_OPTED_OUT &&
		   anonstats_send("START", NULL, NULL) == ANONSTATS_OPTED_OUT &&
		   anonstats_send("META", NULL, NULL) == ANONSTATS_OPTED_OUT &&
		   anonstats_cloud_connect_fail(NULL, 0) == ANONSTATS_OPTED_OUT,
	   "level crashes: other events are dropped (ANONSTATS_OPTED_OUT)");
	ok(anonstats_send("CRASH", NULL, NULL) == ANONSTATS_SENT &&
		   anonstats_send("INCOMPLETE_SHUTDOWN", NULL, NULL) == ANONSTATS_SENT &&
		   anonstats_send("FATAL", "a:b", "f:x.c:1") == ANONSTATS_SENT,
	   "level crashes: FATAL, CRASH and INCOMPLETE_SHUTDOWN are sent");
	wait_calls(3, 5000);
	wait_idle(5000);
	usleep(50000);
	ok(calls() == 3 && runs_of("CRASH") == 1 && runs_of("FATAL") == 1,
	   "the dropped events never spawned the script (%d runs)", calls());

	{
		static const struct {
			const char *content;
			const char *reason;
		} off[] = {
			{ "off\n", "level off" },
			{ "off", "level off" },
			{ "bogus\n", "something other than off, crashes or all" },
			{ "all\n\n", "something other than off, crashes or all" },
			{ "ALL\n", "something other than off, crashes or all" },
			{ " all\n", "something other than off, crashes or all" },
			{ "all                                                              \n",
			  "larger than 64" },
		};
		size_t i;
		int all_off = 1;
		for (i = 0; i < sizeof off / sizeof off[0]; i++) {
			write_file(level, off[i].content);
			en = anonstats_status_details(&sd);
			if (en || sd.level != ANONSTATS_LEVEL_OFF ||
			    anonstats_status() != ANONSTATS_DISABLED_LEVEL ||
			    !strstr(sd.reason, off[i].reason) ||
			    anonstats_send("CRASH", NULL, NULL) != ANONSTATS_OPTED_OUT) {
				all_off = 0;
				printf("# %zu: '%s': %s\n", i, off[i].content, sd.reason);
			}
		}
		ok(all_off, "off, unknown words, a second newline, upper case, blanks, 65 bytes: level off, with the reason");
	}
	write_file(level, "all");
	ok(anonstats_status_details(&sd) && sd.level == ANONSTATS_LEVEL_ALL, "'all' without newline: all");
	unlink(level);
	mkdir(level, 0755);
	ok(!anonstats_status_details(&sd) && strstr(sd.reason, "not a regular file"),
	   "a directory as level file: off (%s)", sd.reason);
	rmdir(level);
	write_file(path("level-target"), "all\n");
	ok(symlink(path("level-target"), level) == 0 && !anonstats_status_details(&sd) &&
		   strstr(sd.reason, "not a regular file"),
	   "a symlink as level file: off (%s)", sd.reason);
	unlink(level);
	unlink(path("level-target"));
	mkfifo(level, 0666);
	ok(!anonstats_status_details(&sd), "a FIFO as level file: off, and no hang");
	unlink(level);
	/* A level file the administrator did not write: another account's,
	 * or a second name of a file elsewhere. */
	write_file(level, "all\n");
	if (geteuid() == 0) {
		ok(chown(level, 65534, 65534) == 0 && !anonstats_status_details(&sd) &&
			   strstr(sd.reason, "not root's or ours"),
		   "another account's level file saying all: off (%s)", sd.reason);
	} else {
		ok(1, "# SKIP another account's level file needs root to plant");
	}
	unlink(level);
	write_file(path("level-target"), "all\n");
	ok(link(path("level-target"), level) == 0 && !anonstats_status_details(&sd) &&
		   strstr(sd.reason, "not root's or ours"),
	   "a hard link as level file: off (%s)", sd.reason);
	unlink(level);
	unlink(path("level-target"));
	ok(anonstats_status_details(&sd) && sd.level == ANONSTATS_LEVEL_ALL, "removed: all again, at once");

	/* The opt-out wins over any level, and says why. */
	write_file(level, "all\n");
	setenv("DISABLE_TELEMETRY", "no", 1);
	ok(!anonstats_status_details(&sd) && sd.status == ANONSTATS_DISABLED_DISABLE_TELEMETRY &&
		   strstr(sd.reason, "DISABLE_TELEMETRY"),
	   "DISABLE_TELEMETRY wins over level all (%s)", sd.reason);
	unsetenv("DISABLE_TELEMETRY");
	unlink(level);
	anonstats_free();
	ok(!anonstats_status_details(&sd) && sd.status == ANONSTATS_DISABLED_NOT_INITIALIZED,
	   "before init: disabled, not initialized");
}

int main(void)
{
	unit_setup();
	init_lib(0, 0, "unit");
	test_opt_out();
	anonstats_free();
	test_level();
	unit_teardown();
	return done_testing();
}
