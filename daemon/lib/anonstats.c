/* anonstats.c: the public event API: init, the send calls, stop and free.
 * Each call decides (opt-out, level) and hands the event to the helper
 * thread's queue; STOP and free wait for it within their bound. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anonstats-internal.h"

/* The configuration (anonstats-config.c owns it; read-only here). */
static struct anonstats_conf *const conf = &anonstats_conf;

/* Owner: this file. */
static atomic_int initialized;

int anonstats_init(const struct anonstats_config *cfg)
{
	static const struct anonstats_config defaults;
	char *guid = NULL;
	int e;

	if (atomic_load(&initialized)) {
		errno = EALREADY;
		return -1;
	}
	if (!cfg)
		cfg = &defaults;
	if (anonstats_conf_load(cfg) < 0)
		return -1;
	if (cfg->machine_guid && *cfg->machine_guid) {
		guid = strdup(cfg->machine_guid);
		if (!guid)
			errno = ENOMEM;
	} else if (anonstats_guid_load(conf->state_dir, &guid) < 0) {
		e = errno;
		anonstats_log(ANONSTATS_LOG_ERROR, "cannot read or create the machine GUID in %s: %s",
			      conf->state_dir, strerror(e));
		errno = e;
		guid = NULL;
	}
	if (!guid || anonstats_conf_set_guid(guid) < 0) {
		e = errno ? errno : ENOMEM;
		anonstats_conf_free();
		errno = e;
		return -1;
	}
	if (anonstats_runstate_init() < 0 || anonstats_helper_open() < 0) {
		e = errno;
		anonstats_runstate_free();
		anonstats_conf_free();
		errno = e;
		return -1;
	}
	atomic_store(&initialized, 1);
	return 0;
}

const char *anonstats_machine_guid(void)
{
	return atomic_load(&initialized) ? conf->guid : NULL;
}

/* Sent at this level?  If not, say why (debug) and return 0. */
static int allowed(const char *action, enum anonstats_level *level)
{
	struct anonstats_decision d;

	anonstats_decide(&d);
	if (level)
		*level = d.level;
	if (anonstats_level_allows(d.level, action))
		return 1;
	if (d.level == ANONSTATS_LEVEL_CRASHES)
		anonstats_log(ANONSTATS_LOG_DEBUG, "%s not sent: level crashes", action);
	else
		anonstats_log(ANONSTATS_LOG_DEBUG, "%s not sent: %s", action,
			      anonstats_status_string(anonstats_status()));
	return 0;
}

int anonstats_send(const char *action, const char *result, const char *data)
{
	if (!action || !*action || !atomic_load(&initialized)) {
		errno = EINVAL;
		return -1;
	}
	/* The script would refuse it (a usage error): not worth a process,
	 * nor a place in the queue, its merging or its rate limit. */
	if (!anonstats_action_known(action)) {
		anonstats_log(ANONSTATS_LOG_WARNING, "%.48s not sent: not an ACTION the script takes",
			      action);
		errno = EINVAL;
		return -1;
	}
	if (!allowed(action, NULL))
		return ANONSTATS_OPTED_OUT;
	return anonstats_helper_queue(action, result, data, 0);
}

/* The run state is begun whatever the level: at level crashes START is
 * not sent but a crash of this run still is; opted out, the run is marked
 * off, so that nothing about it is reported later. */
int anonstats_start(void)
{
	enum anonstats_level level;
	int send, rc;

	if (!atomic_load(&initialized)) {
		errno = EINVAL;
		return -1;
	}
	send = allowed("START", &level);
	rc = anonstats_helper_queue(send ? "START" : NULL, NULL, NULL,
				    ANONSTATS_Q_BEGIN_RUN |
					    (level != ANONSTATS_LEVEL_OFF ? ANONSTATS_Q_TRACKED : 0));
	return rc < 0 || send ? rc : ANONSTATS_OPTED_OUT;
}

int anonstats_stop(int failed)
{
	struct timespec deadline;
	int send, rc;

	if (!atomic_load(&initialized)) {
		errno = EINVAL;
		return -1;
	}
	anonstats_deadline_after(&deadline, conf->stop_timeout_ms);
	send = allowed("STOP", NULL);
	rc = anonstats_helper_queue(send ? "STOP" : NULL, failed ? "ERROR" : "OK", NULL,
				    ANONSTATS_Q_LAST);
	if (rc < 0 && errno == ESHUTDOWN)
		return -1; /* stopped already */
	anonstats_runstate_mark(RUN_STOPPING);
	anonstats_helper_shutdown(&deadline);
	anonstats_runstate_mark(RUN_CLEAN);
	return rc < 0 || send ? rc : ANONSTATS_OPTED_OUT;
}

int anonstats_cloud_disabled(void)
{
	return anonstats_send("CLOUD_DISABLED", NULL, NULL);
}

int anonstats_cloud_build_fail(const char *dependency)
{
	return anonstats_send("CLOUD_BUILD_FAIL", "-", dependency ? dependency : "unknown");
}

/* The codes, comma-separated, most recent last. */
int anonstats_cloud_connect_fail(const int *codes, size_t n)
{
	char buf[ANONSTATS_ARG_MAX];
	size_t len = 0, i;

	buf[0] = '\0';
	for (i = 0; i < n && codes; i++) {
		int w = snprintf(buf + len, sizeof buf - len, "%s%d", i ? "," : "", codes[i]);
		if (w < 0 || (size_t)w >= sizeof buf - len) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)w;
	}
	return anonstats_send("CLOUD_CONNECT_FAIL", "-", len ? buf : "0");
}

unsigned anonstats_in_flight(void)
{
	return atomic_load(&initialized) ? anonstats_helper_in_flight() : 0;
}

void anonstats_counters(struct anonstats_counters *out)
{
	if (atomic_load(&initialized))
		anonstats_helper_counters(out);
	else
		memset(out, 0, sizeof *out);
}

/* Without anonstats_stop(): what is in flight gets the stop bound, and the
 * run counts as ended cleanly (the daemon is shutting down in order). */
void anonstats_free(void)
{
	struct timespec deadline;

	if (!atomic_exchange(&initialized, 0))
		return;
	anonstats_deadline_after(&deadline, conf->stop_timeout_ms);
	anonstats_helper_shutdown(&deadline);
	anonstats_runstate_mark(RUN_CLEAN);
	anonstats_disarm_crash_handlers();
	anonstats_helper_free();
	anonstats_runstate_free();
	anonstats_conf_free();
}
