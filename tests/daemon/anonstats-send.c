/* anonstats-send: hand arbitrary strings to libanonstats, for the tests.
 *
 *   anonstats-send [--script P] [--config-dir D] [--state-dir D] [--version V]
 *                  [--program P] [--guid G] [--thread T] ACTION [RESULT [DATA]]
 *   anonstats-send [same options] --fatal
 *
 * Sends one event, waits until it is collected (or the stop bound passes)
 * and prints the library's log on stderr.  --fatal dies through
 * ANONSTATS_FATAL() on a thread named T. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anonstats.h"

static void log_stderr(enum anonstats_log_level level, const char *msg, void *data)
{
	(void)data;
	fprintf(stderr, "anonstats-send: %d: %s\n", (int)level, msg);
}

static void *fatal_thread(void *arg)
{
	(void)pthread_setname_np(pthread_self(), arg);
	errno = EACCES;
	ANONSTATS_FATAL("a message that must not be sent: secret.example.com");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "script", required_argument, NULL, 's' },
		{ "config-dir", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "version", required_argument, NULL, 'v' },
		{ "program", required_argument, NULL, 'p' },
		{ "guid", required_argument, NULL, 'g' },
		{ "thread", required_argument, NULL, 't' },
		{ "fatal", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct anonstats_config cfg = { .log = log_stderr, .stop_timeout_ms = 5000 };
	const char *thread = "main";
	int opt, fatal = 0, rc, i;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			cfg.script = optarg;
			break;
		case 'c':
			cfg.config_dir = optarg;
			break;
		case 'd':
			cfg.state_dir = optarg;
			break;
		case 'v':
			cfg.version = optarg;
			break;
		case 'p':
			cfg.program_name = optarg;
			break;
		case 'g':
			cfg.machine_guid = optarg;
			break;
		case 't':
			thread = optarg;
			break;
		case 'F':
			fatal = 1;
			break;
		default:
			return 2;
		}
	}
	if (!fatal && (optind >= argc || argc - optind > 3)) {
		fprintf(stderr, "usage: anonstats-send [options] ACTION [RESULT [DATA]] | --fatal\n");
		return 2;
	}
	if (anonstats_init(&cfg) < 0) {
		fprintf(stderr, "anonstats-send: init: %s\n", strerror(errno));
		return 1;
	}
	if (fatal) {
		pthread_t t;
		char name[16];
		snprintf(name, sizeof name, "%s", thread); /* thread names hold 15 bytes */
		if (pthread_create(&t, NULL, fatal_thread, name) != 0)
			return 1;
		pthread_join(t, NULL);
		return 1;
	}
	rc = anonstats_send(argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL,
			    optind + 2 < argc ? argv[optind + 2] : NULL);
	for (i = 0; i < 500 && anonstats_in_flight() > 0; i++)
		usleep(10000);
	anonstats_free();
	return rc < 0 ? 1 : 0;
}
