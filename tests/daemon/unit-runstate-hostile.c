/* The run-state file against the state directory's owner and against a
 * second live process, where the outcome turns on a race or a failed
 * write: the test takes the losing side itself, by defining renameat(),
 * rename() and pwrite() (the library, linked into this program, calls
 * these; the real calls are made as system calls). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anonstats-internal.h"
#include "../helpers/tap.h"

static char dir[PATH_MAX], held[PATH_MAX + 16], file[PATH_MAX + 40];
static int steal_next_tmp; /* the owner renames our temporary file away first */
static int fail_pwrite;    /* in-place writes fail with this errno */

/* The real rename, past the two defined here. */
static int real_renameat(int olddir, const char *from, int newdir, const char *to)
{
	return (int)syscall(SYS_renameat2, olddir, from, newdir, to, 0);
}

int renameat(int olddir, const char *from, int newdir, const char *to)
{
	if (steal_next_tmp && strstr(from, ".anonstats.run-state.")) {
		steal_next_tmp = 0;
		if (real_renameat(olddir, from, AT_FDCWD, held) < 0)
			return -1;
	}
	return real_renameat(olddir, from, newdir, to);
}

int rename(const char *from, const char *to)
{
	return renameat(AT_FDCWD, from, AT_FDCWD, to);
}

static ssize_t pwrite_or_fail(int fd, const void *buf, size_t n, off_t at)
{
	if (fail_pwrite) {
		errno = fail_pwrite;
		return -1;
	}
	return syscall(SYS_pwrite64, fd, buf, n, at);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t at)
{
	return pwrite_or_fail(fd, buf, n, at);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at)
{
	return pwrite_or_fail(fd, buf, n, at);
}

static void quiet(enum anonstats_log_level level, const char *msg, void *data)
{
	(void)level;
	(void)data;
	printf("# %s\n", msg);
}

static void load(void)
{
	struct anonstats_config cfg = {
		.script = "/nonexistent/anonymous-statistics.sh",
		.config_dir = dir,
		.state_dir = dir,
		.version = "1.2.3",
		.log = quiet,
	};

	if (anonstats_conf_load(&cfg) < 0 || anonstats_runstate_init() < 0) {
		printf("Bail out! cannot load the configuration: %s\n", strerror(errno));
		exit(1);
	}
}

static void unload(void)
{
	anonstats_runstate_free();
	anonstats_conf_free();
}

/* What another process's START finds: the previous run's state it would
 * report (a child, so that it is not this run's owner). */
static enum anonstats_run next_start_finds(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit((int)anonstats_runstate_begin(1));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return (enum anonstats_run) - 1;
	return (enum anonstats_run)WEXITSTATUS(status);
}

static int file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)st.st_size : -1;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/unit-runstate.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(held, sizeof held, "%s/held", dir);
	snprintf(file, sizeof file, "%s/%s", dir, ANONSTATS_RUNSTATE_FILE);

	/* The owner takes our temporary "running" file before our rename,
	 * to put it at the name after a clean run. */
	load();
	steal_next_tmp = 1;
	ok(anonstats_runstate_begin(1) == RUN_UNKNOWN, "a first start finds nothing to report");
	ok(file_size(held) == 0, "the file renamed away from under START is left empty (%d bytes)",
	   file_size(held));
	ok(rename(held, file) == 0, "the owner puts it at the name");
	ok(next_start_finds() == RUN_UNKNOWN, "the next start reports no crash from it");
	unload();

	/* Two live processes with one state directory: the second START
	 * does not take the first run, still alive, for a dead one. */
	(void)unlink(file);
	load();
	ok(anonstats_runstate_begin(1) == RUN_UNKNOWN, "the first process starts");
	ok(next_start_finds() == RUN_UNKNOWN,
	   "a second process's START reports no crash of the first, which is alive");
	unload();

	/* The clean mark cannot be written (ENOSPC on a copy-on-write file
	 * system the owner filled): "running" must not stay behind. */
	(void)unlink(file);
	load();
	ok(anonstats_runstate_begin(1) == RUN_UNKNOWN, "a run starts");
	fail_pwrite = ENOSPC;
	anonstats_runstate_mark(RUN_CLEAN);
	fail_pwrite = 0;
	unload(); /* the process ends: its lock goes */
	load();
	ok(next_start_finds() == RUN_UNKNOWN,
	   "after a clean stop whose mark failed, the next start reports no crash");
	unload();

	/* And a run that really died is still reported. */
	(void)unlink(file);
	load();
	{
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			(void)anonstats_runstate_begin(1);
			_exit(0); /* dies without a mark */
		}
		ok(pid > 0 && waitpid(pid, &status, 0) == pid, "a run starts and dies");
	}
	ok(next_start_finds() == RUN_RUNNING, "the next start reports it (running)");
	unload();

	(void)unlink(file);
	(void)unlink(held);
	(void)rmdir(dir);
	return done_testing();
}
