/* anonstats-optout.c: whether an event is sent.  The opt-out switches
 * (DO_NOT_TRACK, DISABLE_TELEMETRY, the opt-out file) and the statistics
 * level file, looked up again at every event; one rule for every caller,
 * the crash handler included, so the lookup is async-signal-safe: the
 * files are looked at through statefile.h's async-signal-safe calls. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
 * link, never through a symlink, never waited on) holding a known word.
 * The reasons are the script's (level_in in anonymous-statistics.sh):
 * a path that cannot be checked, not a regular file, unreadable, larger
 * than 64 bytes, another word; the owner and link rule is the library's. */
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
	if (fd < 0) {
		/* Not opened: could the path itself be looked at?  A loop or an
		 * unsearchable directory on the way is "cannot be checked",
		 * as the script's walk says; a symlink at the end is not. */
		r = state_exists(AT_FDCWD, path);
		if (r < 0) {
			*why = WHY_LEVEL_UNCHECKED;
			*err = -r;
		} else if (fd == -ELOOP || fd == -EINVAL) {
			*why = WHY_LEVEL_NOT_REGULAR; /* a symlink, a directory, a FIFO */
		} else if (fd == -EPERM || fd == -EMLINK) {
			*why = WHY_LEVEL_NOT_TRUSTED;
		} else {
			*why = WHY_LEVEL_ERROR;
			*err = -fd;
		}
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

/* The level of the level files in P: the stricter, the first on a tie;
 * WHY_DEFAULT (all) when there is none. */
static void level_of(const struct anonstats_paths *p, struct anonstats_decision *d)
{
	size_t i;

	d->level = ANONSTATS_LEVEL_ALL;
	d->why = WHY_DEFAULT;
	d->path = 0;
	d->err = 0;
	for (i = 0; i < p->n; i++) {
		enum anonstats_why why;
		int err;
		enum anonstats_level l = read_level(p->level[i], &why, &err);
		if (why != WHY_DEFAULT && (d->why == WHY_DEFAULT || l < d->level)) {
			d->level = l;
			d->why = why;
			d->err = err;
			d->path = (int)i;
		}
	}
}

/* The opt-out file at PATH: 0 when it is not there, else WHY_OPT_OUT_FILE
 * or WHY_OPT_OUT_ERROR.  Anything by that name counts, a dangling link
 * too; only a clear ENOENT or ENOTDIR means "not there". */
static int opt_out_at(const char *path, int *err)
{
	int there = state_exists(AT_FDCWD, path);

	*err = there < 0 ? -there : 0;
	return there == 0 ? 0 : there < 0 ? WHY_OPT_OUT_ERROR
					  : WHY_OPT_OUT_FILE;
}

void anonstats_decide_in(const struct anonstats_paths *p, struct anonstats_decision *d)
{
	size_t i;

	d->level = ANONSTATS_LEVEL_OFF;
	d->path = 0;
	d->err = 0;
	if (env_set("DO_NOT_TRACK")) {
		d->why = WHY_DO_NOT_TRACK;
		return;
	}
	if (env_set("DISABLE_TELEMETRY")) {
		d->why = WHY_DISABLE_TELEMETRY;
		return;
	}
	for (i = 0; i < p->n; i++) {
		int why = opt_out_at(p->opt_out[i], &d->err);
		if (why) {
			d->why = (enum anonstats_why)why;
			d->path = (int)i;
			return;
		}
	}
	level_of(p, d);
}

void anonstats_decide(struct anonstats_decision *d)
{
	anonstats_decide_in(&conf->paths, d);
}

/* ---- the wording, the script's --status --------------------------------- */

/* What --status says: these strings are the script's, word for word
 * (tests/hardening/truth.bats runs one table of cases through both). */
#define CANNOT_CHECK "cannot be checked (a directory on its path cannot be searched, or a link does not resolve)"
#define ONLY_CRASHES ": only FATAL, CRASH and INCOMPLETE_SHUTDOWN are sent"
#define FROM_USER_DIR " (from NETDATA_USER_CONFIG_DIR)"

#ifndef ANONSTATS_TELEMETRY
#define ANONSTATS_TELEMETRY "yes"
#endif
#ifndef ANONSTATS_POSTHOG_KEY
#define ANONSTATS_POSTHOG_KEY ""
#endif

/* A bounded appender: the text is cut, never overrun. */
struct text {
	char *buf;
	size_t size, len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		t->buf[t->len] = '\0';
	else
		t->len = (size_t)n < t->size - t->len ? t->len + (size_t)n : t->size - 1;
}

/* Why the level is what it is: the script's LEVEL_REASON. */
static void level_reason(struct text *t, const struct anonstats_paths *p, const struct anonstats_decision *lv)
{
	const char *path = p->level[lv->path];

	switch (lv->why) {
	case WHY_DEFAULT:
		put(t, "the default: no file %s", p->level[0]);
		if (p->n > 1)
			put(t, " nor %s", p->level[1]);
		return;
	case WHY_LEVEL_FILE:
		put(t, "file %s", path);
		return;
	case WHY_LEVEL_UNCHECKED:
		put(t, "file %s " CANNOT_CHECK ": counts as off", path);
		return;
	case WHY_LEVEL_NOT_REGULAR:
		put(t, "file %s is not a regular file: counts as off", path);
		return;
	case WHY_LEVEL_NOT_TRUSTED:
		put(t, "file %s is not root's or ours alone (another owner, or other links): counts as off", path);
		return;
	case WHY_LEVEL_TOO_LARGE:
		put(t, "file %s is larger than %d bytes: counts as off", path, ANONSTATS_LEVEL_MAX);
		return;
	case WHY_LEVEL_UNKNOWN:
		put(t, "file %s holds something other than off, crashes or all: counts as off", path);
		return;
	default: /* WHY_LEVEL_ERROR */
		put(t, "file %s cannot be read: counts as off", path);
		return;
	}
}

/* One mechanism that keeps statistics off, as a "decided by:" line says. */
static void off_reason(struct text *t, const struct anonstats_paths *p, const struct anonstats_decision *d)
{
	switch (d->why) {
	case WHY_DO_NOT_TRACK:
	case WHY_DISABLE_TELEMETRY:
		put(t, "environment variable %s is set (any non-empty value opts out)",
		    d->why == WHY_DO_NOT_TRACK ? "DO_NOT_TRACK" : "DISABLE_TELEMETRY");
		return;
	case WHY_OPT_OUT_FILE:
	case WHY_OPT_OUT_ERROR:
		put(t, "file %s", p->opt_out[d->path]);
		if (d->why == WHY_OPT_OUT_ERROR)
			put(t, " " CANNOT_CHECK ": an error counts as opted out");
		else if (d->path == 0 && strcmp(ANONSTATS_TELEMETRY, "no") == 0)
			put(t, " (installed by the build's --disable-telemetry)");
		if (d->path == 1)
			put(t, FROM_USER_DIR);
		return;
	default:
		put(t, "level off: ");
		level_reason(t, p, d);
		return;
	}
}

int anonstats_configured(const char **why)
{
	const char *key = getenv("ANONYMOUS_STATISTICS_KEY");
	const char *w = NULL;

	if (!key || !*key)
		key = ANONSTATS_POSTHOG_KEY;
	if (!*key)
		w = "no PostHog key (build without --with-posthog-key, ANONYMOUS_STATISTICS_KEY unset)";
	else if (key[strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")])
		w = "the PostHog key may hold only letters, digits, _ and - (64 at most)";
	else if (strlen(key) > 64)
		w = "the PostHog key is longer than 64 bytes";
	if (why)
		*why = w;
	return w == NULL;
}

/* The script's --status lines but the endpoint and the log: the answer,
 * every mechanism that keeps statistics off (or why nothing can be sent),
 * the level.  Returns 1 when the level lets some events through. */
static int status_lines(struct text *t, const struct anonstats_paths *p)
{
	struct anonstats_decision d, lv;
	const char *why;
	size_t i;
	int off = 0;

	level_of(p, &lv);
	if (env_set("DO_NOT_TRACK") || env_set("DISABLE_TELEMETRY"))
		off = 1;
	for (i = 0; i < p->n && !off; i++)
		off = opt_out_at(p->opt_out[i], &d.err) != 0;
	if (!off && lv.level != ANONSTATS_LEVEL_OFF) {
		if (anonstats_configured(&why))
			put(t, "anonymous statistics: enabled\n");
		else
			put(t, "anonymous statistics: enabled, but not configured: nothing is sent\nreason: %s\n", why);
	} else {
		put(t, "anonymous statistics: disabled\n");
		d.path = 0;
		d.err = 0;
		for (i = 0; i < 2; i++) {
			d.why = i == 0 ? WHY_DO_NOT_TRACK : WHY_DISABLE_TELEMETRY;
			if (env_set(i == 0 ? "DO_NOT_TRACK" : "DISABLE_TELEMETRY")) {
				put(t, "decided by: ");
				off_reason(t, p, &d);
				put(t, "\n");
			}
		}
		for (i = 0; i < p->n; i++) {
			int w = opt_out_at(p->opt_out[i], &d.err);
			if (w) {
				d.why = (enum anonstats_why)w;
				d.path = (int)i;
				put(t, "decided by: ");
				off_reason(t, p, &d);
				put(t, "\n");
			}
		}
		if (lv.level == ANONSTATS_LEVEL_OFF) {
			put(t, "decided by: ");
			off_reason(t, p, &lv);
			put(t, "\n");
		}
	}
	put(t, "level: %s (", anonstats_level_string(lv.level));
	level_reason(t, p, &lv);
	put(t, ")%s\n", lv.level == ANONSTATS_LEVEL_CRASHES ? ONLY_CRASHES : "");
	return !off && lv.level != ANONSTATS_LEVEL_OFF;
}

int anonstats_status_text(const struct anonstats_config *config, char *buf, size_t size)
{
	struct anonstats_paths p;
	struct text t = { buf, size, 0 };
	const char *dir = config && config->config_dir && *config->config_dir ? config->config_dir : CONFIGDIR;
	int on;

	if (!buf || size == 0) {
		errno = EINVAL;
		return -1;
	}
	buf[0] = '\0';
	if (anonstats_paths_load(&p, dir) < 0)
		return -1;
	on = status_lines(&t, &p);
	anonstats_paths_free(&p);
	return on;
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

/* The reason is the first "decided by:" line of --status when statistics
 * are off, else its "level:" line. */
int anonstats_status_details(struct anonstats_status_details *out)
{
	struct anonstats_decision d;
	struct text t = { out->reason, sizeof out->reason, 0 };

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
	if (out->enabled) {
		put(&t, "level %s (", anonstats_level_string(d.level));
		level_reason(&t, &conf->paths, &d);
		put(&t, ")%s", d.level == ANONSTATS_LEVEL_CRASHES ? ONLY_CRASHES : "");
	} else {
		off_reason(&t, &conf->paths, &d);
	}
	return out->enabled;
}
