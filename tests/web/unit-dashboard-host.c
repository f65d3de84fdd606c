/* unit-dashboard-host.c: which Host headers the dashboard answers: its
 * listen address, localhost and the operator's names, with no port or its
 * own; nothing a DNS-rebinding page sends, nothing malformed. */
#include <stdio.h>
#include <string.h>

#include "dashboard-host.h"
#include "../helpers/tap.h"

static int allowed(const char *listen, const char *const *names, size_t n, const char *host)
{
	struct dashboard_hosts h;
	char err[200];
	int r;

	if (dashboard_hosts_init(&h, listen, names, n, err, sizeof err) < 0) {
		printf("# init failed: %s\n", err);
		return -1;
	}
	r = dashboard_host_allowed(&h, host, 19999);
	dashboard_hosts_free(&h);
	return r;
}

static void test_v4(void)
{
	static const char *const yes[] = {
		"127.0.0.1",
		"127.0.0.1:19999",
		"localhost",
		"localhost:19999",
		"LOCALHOST",
		"LocalHost:19999",
		"localhost.",
		"localhost.:19999",
		"127.0.0.1.",
	};
	static const char *const no[] = {
		"rebind.attacker.example",
		"rebind.attacker.example:19999",
		"127.0.0.1:80",
		"127.0.0.1:019999",
		"127.0.0.1:",
		"127.0.0.1:199990",
		"127.0.0.1:+19999",
		"localhost:1",
		"localhost..",
		".localhost",
		"localhost.attacker.example",
		"attacker.example.localhost",
		"127.0.0.2",
		"127.1",
		"0x7f.0.0.1",
		"[::1]",
		"[::1]:19999",
		"",
		":19999",
		"127.0.0.1 ",
		" 127.0.0.1",
		"127.0.0.1:19999:19999",
		"local host",
		"localhost/",
		"localhost\\",
		"localhost%00",
		"user@localhost",
		"[127.0.0.1]",
		"::1",
		"[",
		"[]",
		"[::1",
		"::1]",
	};
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		ok(allowed("127.0.0.1", NULL, 0, yes[i]) == 1, "listening on 127.0.0.1: '%s' answered",
		   yes[i]);
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		ok(allowed("127.0.0.1", NULL, 0, no[i]) == 0, "listening on 127.0.0.1: '%s' refused",
		   no[i]);
	ok(allowed("127.0.0.1", NULL, 0, NULL) == 0, "no Host: refused");
}

static void test_v6(void)
{
	static const char *const yes[] = {
		"[::1]",
		"[::1]:19999",
		"[0:0:0:0:0:0:0:1]:19999",
		"localhost:19999",
	};
	static const char *const no[] = {
		"::1",
		"[::1]:1",
		"[::2]",
		"127.0.0.1",
		"[::1]x",
		"[::1%25lo]",
		"[fe80::1%lo]",
		"[::ffff:127.0.0.1]",
		"rebind.attacker.example",
	};
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		ok(allowed("::1", NULL, 0, yes[i]) == 1, "listening on ::1: '%s' answered", yes[i]);
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		ok(allowed("::1", NULL, 0, no[i]) == 0, "listening on ::1: '%s' refused", no[i]);
}

static void test_names(void)
{
	static const char *const names[] = { "Dash.Example.", "10.0.0.7", "[FD00::0007]", "fd00::8" };
	const size_t n = sizeof names / sizeof names[0];

	ok(allowed("127.0.0.1", names, n, "dash.example:19999") == 1, "an allowed name is answered");
	ok(allowed("127.0.0.1", names, n, "DASH.EXAMPLE.") == 1, "in any case, with its dot");
	ok(allowed("127.0.0.1", names, n, "dash.example:8080") == 0, "on another port: refused");
	ok(allowed("127.0.0.1", names, n, "x.dash.example") == 0, "a name below it: refused");
	ok(allowed("127.0.0.1", names, n, "10.0.0.7:19999") == 1, "an allowed IPv4 address");
	ok(allowed("127.0.0.1", names, n, "[fd00::7]") == 1, "an allowed IPv6 address, canonical");
	ok(allowed("127.0.0.1", names, n, "[FD00:0::8]:19999") == 1, "one given without brackets");
	ok(allowed("127.0.0.1", names, n, "10.0.0.8") == 0, "another address: refused");
	ok(allowed("127.0.0.1", names, n, "127.0.0.1") == 1, "the listen address still answered");

	ok(allowed("0.0.0.0", NULL, 0, "192.0.2.1:19999") == 1, "listening on 0.0.0.0: any IPv4 literal");
	ok(allowed("0.0.0.0", NULL, 0, "[2001:db8::1]") == 1, "listening on 0.0.0.0: any IP literal");
	ok(allowed("0.0.0.0", NULL, 0, "host.example") == 0, "listening on 0.0.0.0: no name");
	ok(allowed("::", NULL, 0, "[2001:db8::1]:19999") == 1, "listening on ::: any IPv6 literal");
	ok(allowed("::", NULL, 0, "rebind.attacker.example") == 0, "listening on ::: no name");
}

static void test_option(void)
{
	static const char *const good[] = { "dash.example", "dash.example.", "DASH-1.example",
					    "10.0.0.7", "fd00::7", "[fd00::7]", "localhost" };
	static const char *const bad[] = { "", ".", "dash..example", "dash.example:19999",
					   "http://dash.example", "dash example", "[fd00::7",
					   "dash.example/", "a,b" };
	char err[200];
	struct dashboard_hosts h;
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		ok(dashboard_host_name_ok(good[i]), "'%s' may be allowed", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(!dashboard_host_name_ok(bad[i]), "'%s' may not be allowed", bad[i]);
	ok(dashboard_hosts_init(&h, "127.0.0.1", bad, 1, err, sizeof err) < 0 &&
		   strstr(err, "not a host name") != NULL,
	   "init refuses a bad name: %s", err);
	ok(dashboard_hosts_init(&h, "localhost", NULL, 0, err, sizeof err) < 0,
	   "init refuses a listen address that is a name");
}

int main(void)
{
	test_v4();
	test_v6();
	test_names();
	test_option();
	return done_testing();
}
