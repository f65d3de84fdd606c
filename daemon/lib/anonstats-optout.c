/* anonstats-optout.c: whether an event is sent.  The opt-out switches
 * (DO_NOT_TRACK, DISABLE_TELEMETRY, the opt-out file) and the statistics
 * level file, looked up again at every event; one rule for every caller,
 * the crash handler included, so the lookup is async-signal-safe: the
 * files are looked at through statefile.h's async-signal-safe calls. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "anonstats-internal.h"
#include "statefile.h"

/* The configuration (anonstats-config.c owns it; read-only here). */
static struct anonstats_conf *const conf = &anonstats_conf;

/* The ACTIONs, as the script's ACTIONS table has them (the one list:
 * tests/script/actions.bats holds this table to it): the name, an alias
 * the script sends as that name, whether level crashes still sends it, and
 * whether it is vital (never refused for a full queue, never
 * rate-limited).  An ACTION that is not here is one the script refuses. */
static const struct action {
	const char *name, *alias;
	int crashes, vital;
} actions[] = {
	/* clang-format off */
	{ "START",               NULL,            0, 1 },
	{ "STOP",                "EXIT",          0, 1 },
	{ "FATAL",               NULL,            1, 1 },
	{ "CRASH",               NULL,            1, 1 },
	{ "INCOMPLETE_SHUTDOWN", NULL,            1, 1 },
	{ "META_START",          NULL,            0, 0 },
	{ "META",                NULL,            0, 0 },
	{ "CLOUD_DISABLED",      "ACLK_DISABLED", 0, 0 },
	{ "CLOUD_BUILD_FAIL",    NULL,            0, 0 },
	{ "CLOUD_CONNECT_FAIL",  NULL,            0, 0 },
	/* clang-format on */
};

static const struct action *action_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(name, actions[i].name) == 0 ||
		    (actions[i].alias && strcmp(name, actions[i].alias) == 0))
			return &actions[i];
	return NULL;
}

int anonstats_action_known(const char *action)
{
	return action_find(action) != NULL;
}

int anonstats_level_allows(enum anonstats_level level, const char *action)
{
	const struct action *a = action_find(action);

	switch (level) {
	case ANONSTATS_LEVEL_ALL:
		return 1;
	case ANONSTATS_LEVEL_CRASHES:
		return a && a->crashes;
	case ANONSTATS_LEVEL_OFF:
		break;
	}
	return 0;
}

int anonstats_action_is_vital(const char *action)
{
	const struct action *a = action_find(action);

	return a && a->vital;
}

/* The level words, in the file and in messages. */
static const char *const level_names[] = {
	[ANONSTATS_LEVEL_OFF] = "off",
	[ANONSTATS_LEVEL_CRASHES] = "crashes",
	[ANONSTATS_LEVEL_ALL] = "all",
};

const char *anonstats_level_string(enum anonstats_level level)
{
	return (unsigned)level < sizeof level_names / sizeof level_names[0] ? level_names[level]
									    : "off";
}

extern char **environ;

/* NAME set to a non-empty value?  Walks environ by hand: getenv() is not
 * async-signal-safe.  Any value counts, "0" and "false" too. */
static int env_set(const char *name)
{
	char **e;
	size_t k;

	for (e = environ; e && *e; e++) {
		for (k = 0; name[k] && (*e)[k] == name[k]; k++)
			;
		if (!name[k] && (*e)[k] == '=' && (*e)[k + 1] != '\0')
			return 1;
	}
	return 0;
}

/* The level in one file: ALL when it is absent; OFF with a reason for
 * anything that is not a readable regular file of root's or ours (with one
 * link, never through a symlink, never waited on) holding a known word. */
static enum anonstats_level read_level(const char *path, enum anonstats_why *why, int *err)
{
	char buf[ANONSTATS_LEVEL_MAX + 1];
	size_t len, i;
	int fd, r;

	*why = WHY_LEVEL_FILE;
	*err = 0;
	fd = state_open_trusted(AT_FDCWD, path);
	if (fd == -ENOENT || fd == -ENOTDIR) {
		*why = WHY_DEFAULT;
		return ANONSTATS_LEVEL_ALL;
	}
	if (fd == -ELOOP || fd == -EINVAL) {
		*why = WHY_LEVEL_NOT_REGULAR; /* a symlink, a directory, a FIFO */
		return ANONSTATS_LEVEL_OFF;
	}
	if (fd == -EPERM || fd == -EMLINK) {
		*why = WHY_LEVEL_NOT_TRUSTED;
		return ANONSTATS_LEVEL_OFF;
	}
	if (fd < 0) {
		*why = WHY_LEVEL_ERROR;
		*err = -fd;
		return ANONSTATS_LEVEL_OFF;
	}
	/* One byte more than allowed tells "too large". */
	r = state_read_fd(fd, buf, sizeof buf, &len);
	close(fd);
	if (r == -EFBIG) {
		*why = WHY_LEVEL_TOO_LARGE;
		return ANONSTATS_LEVEL_OFF;
	}
	if (r < 0) {
		*why = WHY_LEVEL_ERROR;
		*err = -r;
		return ANONSTATS_LEVEL_OFF;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (len == strlen(level_names[i]) && memcmp(buf, level_names[i], len) == 0)
			return (enum anonstats_level)i;
	}
	*why = WHY_LEVEL_UNKNOWN;
	return ANONSTATS_LEVEL_OFF;
}

void anonstats_decide(struct anonstats_decision *d)
{
	size_t i;

	d->level = ANONSTATS_LEVEL_ALL;
	d->why = WHY_DEFAULT;
	d->path = 0;
	d->err = 0;
	if (env_set("DO_NOT_TRACK")) {
		d->level = ANONSTATS_LEVEL_OFF;
		d->why = WHY_DO_NOT_TRACK;
		return;
	}
	if (env_set("DISABLE_TELEMETRY")) {
		d->level = ANONSTATS_LEVEL_OFF;
		d->why = WHY_DISABLE_TELEMETRY;
		return;
	}
	/* Anything by the opt-out name counts, a dangling link too; only a
	 * clear ENOENT or ENOTDIR means "not there". */
	for (i = 0; i < conf->n_config_paths; i++) {
		int there = state_exists(AT_FDCWD, conf->opt_out_paths[i]);
		if (there != 0) {
			d->level = ANONSTATS_LEVEL_OFF;
			d->err = there < 0 ? -there : 0;
			d->why = there < 0 ? WHY_OPT_OUT_ERROR : WHY_OPT_OUT_FILE;
			d->path = (int)i;
			return;
		}
	}
	/* The stricter of the level files. */
	for (i = 0; i < conf->n_config_paths; i++) {
		enum anonstats_why why;
		int err;
		enum anonstats_level l = read_level(conf->level_paths[i], &why, &err);
		if (why != WHY_DEFAULT && l <= d->level) {
			d->level = l;
			d->why = why;
			d->err = err;
			d->path = (int)i;
		}
	}
}

/* ---- the public status calls -------------------------------------------- */

static enum anonstats_status status_of(const struct anonstats_decision *d)
{
	switch (d->why) {
	case WHY_DO_NOT_TRACK:
		return ANONSTATS_DISABLED_DO_NOT_TRACK;
	case WHY_DISABLE_TELEMETRY:
		return ANONSTATS_DISABLED_DISABLE_TELEMETRY;
	case WHY_OPT_OUT_FILE:
	case WHY_OPT_OUT_ERROR:
		return ANONSTATS_DISABLED_OPT_OUT_FILE;
	default:
		return d->level == ANONSTATS_LEVEL_OFF ? ANONSTATS_DISABLED_LEVEL : ANONSTATS_ENABLED;
	}
}

static int initialized(void)
{
	return anonstats_conf_loaded();
}

enum anonstats_status anonstats_status(void)
{
	struct anonstats_decision d;

	if (!initialized())
		return ANONSTATS_DISABLED_NOT_INITIALIZED;
	anonstats_decide(&d);
	return status_of(&d);
}

const char *anonstats_status_string(enum anonstats_status status)
{
	switch (status) {
	case ANONSTATS_ENABLED:
		return "enabled";
	case ANONSTATS_DISABLED_DO_NOT_TRACK:
		return "disabled by DO_NOT_TRACK";
	case ANONSTATS_DISABLED_DISABLE_TELEMETRY:
		return "disabled by DISABLE_TELEMETRY";
	case ANONSTATS_DISABLED_OPT_OUT_FILE:
		return "disabled by the opt-out file " ANONSTATS_OPT_OUT_FILE;
	case ANONSTATS_DISABLED_NOT_INITIALIZED:
		return "disabled: not initialized";
	case ANONSTATS_DISABLED_LEVEL:
		return "disabled by the statistics level";
	}
	return "disabled: unknown";
}

int anonstats_status_details(struct anonstats_status_details *out)
{
	struct anonstats_decision d;
	const char *path;

	memset(out, 0, sizeof *out);
	if (!initialized()) {
		out->status = ANONSTATS_DISABLED_NOT_INITIALIZED;
		out->level = ANONSTATS_LEVEL_OFF;
		snprintf(out->reason, sizeof out->reason, "disabled: not initialized");
		return 0;
	}
	anonstats_decide(&d);
	out->status = status_of(&d);
	out->level = d.level;
	out->enabled = d.level != ANONSTATS_LEVEL_OFF;
	path = d.why == WHY_OPT_OUT_FILE || d.why == WHY_OPT_OUT_ERROR ? conf->opt_out_paths[d.path]
								       : conf->level_paths[d.path];
	switch (d.why) {
	case WHY_DEFAULT:
		snprintf(out->reason, sizeof out->reason, "enabled (level all: no level file)");
		break;
	case WHY_LEVEL_FILE:
		if (d.level == ANONSTATS_LEVEL_ALL)
			snprintf(out->reason, sizeof out->reason, "enabled (level all, from %s)", path);
		else if (d.level == ANONSTATS_LEVEL_CRASHES)
			snprintf(out->reason, sizeof out->reason,
				 "enabled for crashes only (level crashes, from %s): only FATAL, "
				 "CRASH and INCOMPLETE_SHUTDOWN are sent",
				 path);
		else
			snprintf(out->reason, sizeof out->reason, "disabled by level off in %s", path);
		break;
	case WHY_DO_NOT_TRACK:
	case WHY_DISABLE_TELEMETRY:
		snprintf(out->reason, sizeof out->reason, "%s (any non-empty value opts out)",
			 anonstats_status_string(out->status));
		break;
	case WHY_OPT_OUT_FILE:
		snprintf(out->reason, sizeof out->reason, "disabled by the opt-out file %s", path);
		break;
	case WHY_OPT_OUT_ERROR:
		snprintf(out->reason, sizeof out->reason,
			 "disabled: the opt-out file %s cannot be checked (%s), which counts as "
			 "opted out",
			 path, strerror(d.err));
		break;
	case WHY_LEVEL_ERROR:
		snprintf(out->reason, sizeof out->reason,
			 "disabled: the level file %s cannot be read (%s), which counts as level off",
			 path, strerror(d.err));
		break;
	case WHY_LEVEL_NOT_REGULAR:
	case WHY_LEVEL_NOT_TRUSTED:
		snprintf(out->reason, sizeof out->reason,
			 "disabled: the level file %s %s, which counts as level off", path,
			 d.why == WHY_LEVEL_NOT_REGULAR
				 ? "is not a regular file"
				 : "is not root's or ours alone (another owner, or other links)");
		break;
	case WHY_LEVEL_TOO_LARGE:
		snprintf(out->reason, sizeof out->reason,
			 "disabled: the level file %s is larger than %d bytes, which counts as level "
			 "off",
			 path, ANONSTATS_LEVEL_MAX);
		break;
	case WHY_LEVEL_UNKNOWN:
		snprintf(out->reason, sizeof out->reason,
			 "disabled: the level file %s holds no known level (off, crashes, all), "
			 "which counts as level off",
			 path);
		break;
	}
	return out->enabled;
}
