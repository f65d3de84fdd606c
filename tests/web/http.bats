#!/usr/bin/env bats
# The dashboard's HTTP side: only GET and HEAD, only for a Host that names
# it (a DNS-rebinding page gets 421 and nothing), no path out of the web
# directory, and bad clients (huge headers, slow ones, a 1,000-request
# burst) leave it serving, never holding up the daemon's statistics or its
# shutdown bound.  Loopback only.

load ../helpers/common
load ../daemon/daemon-helpers
load web-helpers

DAEMON="$top_builddir/daemon/reference/anonstats-daemon"

setup() {
	unset DO_NOT_TRACK DISABLE_TELEMETRY
	# A key for the script: without one the agent's answer is "not
	# configured", and the hello says so.
	export ANONYMOUS_STATISTICS_KEY=phc_http_test
	need_dashboard
	command -v curl >/dev/null || skip "no curl"
	WEB="$BATS_TEST_TMPDIR/web"
	mkdir -p "$WEB/sub" "$BATS_TEST_TMPDIR/config"
	echo '<title>page</title>' >"$WEB/index.html"
	echo 'nested' >"$WEB/sub/file.txt"
	echo 'hidden' >"$WEB/.hidden"
	echo 'secret outside' >"$BATS_TEST_TMPDIR/outside.txt"
	ln -s "$BATS_TEST_TMPDIR/outside.txt" "$WEB/link.txt"
	ln -s "$BATS_TEST_TMPDIR" "$WEB/linkdir"
	mkfifo "$WEB/fifo.txt"
	dash_start "$DAEMON" --config-dir "$BATS_TEST_TMPDIR/config" --state-dir "$BATS_TEST_TMPDIR/state" \
		--script "$(canary_script)" --web-dir "$WEB" --posthog-key phc_http_test
}

teardown() {
	daemon_cleanup
}

code() { # code [CURL ARGS...] PATH: the HTTP status of PATH
	local p=${*: -1}
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --path-as-is "${@:1:$#-1}" "$DASH_URL$p"
}

hello_ok() {
	curl -s --max-time 3 "$DASH_URL/api/v1/registry?action=hello" | grep -q '"anonymous_statistics":true'
}

@test "the page, the hello and the log are served; it binds to loopback" {
	assert_equal "$(code /)" 200
	assert_equal "$(code /sub/file.txt)" 200
	run curl -s "$DASH_URL/api/v1/registry?action=hello"
	assert_output --partial "\"machine_guid\":\"$(cat "$BATS_TEST_TMPDIR/state/machine-guid")\""
	assert_output --partial '"anonymous_statistics":true'
	assert_equal "$(code /api/v1/anonymous-statistics/log)" 200
	assert_equal "$(code /api/v1/registry?action=other)" 400
	run grep "dashboard on http://127.0.0.1:$DASH_PORT/" "$DAEMON_LOG"
	assert_success
	run "$DAEMON" --help
	assert_output --partial '--listen ADDR       the dashboard'"'"'s address [127.0.0.1]'
	assert_output --partial '[19999]'
}

@test "the opt-out file flips the hello at the next request" {
	hello_ok
	: >"$BATS_TEST_TMPDIR/config/.opt-out-from-anonymous-statistics"
	run curl -s "$DASH_URL/api/v1/registry?action=hello"
	assert_output --partial '"anonymous_statistics":false'
	assert_output --partial 'disabled by the opt-out file'
	rm "$BATS_TEST_TMPDIR/config/.opt-out-from-anonymous-statistics"
	hello_ok
}

# body_of HOST PATH: the status line, then the body, of PATH asked with Host: HOST.
body_of() {
	curl -s -i --max-time 5 --path-as-is -H "Host: $1" "$DASH_URL$2"
}

@test "DNS rebinding: a foreign Host gets 421 and no data, on every endpoint" {
	guid=$(cat "$BATS_TEST_TMPDIR/state/machine-guid")
	for host in rebind.attacker.example "rebind.attacker.example:$DASH_PORT" \
		"127.0.0.1.rebind.attacker.example:$DASH_PORT" "localhost.rebind.attacker.example" \
		"127.0.0.2:$DASH_PORT" "[::1]:$DASH_PORT" "127.0.0.1:1$DASH_PORT" "localhost:1" \
		'local host' "localhost.." '127.0.0.1,evil.example'; do
		for p in / /index.html /sub/file.txt '/api/v1/registry?action=hello' \
			/api/v1/anonymous-statistics/log /api/v1/other /nothing /../outside.txt; do
			run body_of "$host" "$p"
			[ "${lines[0]%$'\r'}" = "HTTP/1.1 421 Misdirected Request" ] ||
				{ echo "Host: $host $p: ${lines[0]}"; return 1; }
			for secret in "$guid" phc_http_test machine_guid posthog '<title>' nested events \
				"$BATS_TEST_TMPDIR"; do
				[[ "$output" != *"$secret"* ]] || { echo "Host: $host $p: $secret in $output"; return 1; }
			done
		done
		# Other methods too: refused for the host before the method.
		assert_equal "$(code -X POST -H "Host: $host" /api/v1/registry?action=hello)" 421
	done
	# No Host at all (HTTP/1.1 and 1.0), two of them, or an empty one: refused.
	run "$PYTHON3" - "$DASH_PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
for req in (b"GET /api/v1/registry?action=hello HTTP/1.1\r\n\r\n",
            b"GET /api/v1/registry?action=hello HTTP/1.0\r\n\r\n",
            b"GET /api/v1/registry?action=hello HTTP/1.1\r\nHost:\r\n\r\n",
            b"GET /api/v1/registry?action=hello HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n",
            b"GET /api/v1/registry?action=hello HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\n\r\n"):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.sendall(req)
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
        if b"\r\n\r\n" in data and b"machine_guid" not in data and len(data) > 200:
            break
    status = data.split(b"\r\n")[0].decode()
    print(status)
    assert b"machine_guid" not in data and b"phc_" not in data, data
    assert " 421 " in status, (req, status)
PY
	assert_success
	# What the listen address and localhost are asked with is answered.
	for host in 127.0.0.1 "127.0.0.1:$DASH_PORT" localhost "localhost:$DASH_PORT" LocalHost. \
		"LOCALHOST.:$DASH_PORT"; do
		run body_of "$host" '/api/v1/registry?action=hello'
		assert_line --index 0 --regexp '^HTTP/1.1 200 OK'
		assert_output --partial "\"machine_guid\":\"$guid\""
	done
}

@test "--dashboard-allow-host NAME: that name is answered too, in any case, with its dot" {
	daemon_stop
	run "$DAEMON" --dashboard-allow-host dash.example:80 --status
	assert_equal "$status" 2
	assert_output --partial 'without a port'
	run "$DAEMON" --help
	assert_output --partial '--dashboard-allow-host NAME'
	dash_start "$DAEMON" --config-dir "$BATS_TEST_TMPDIR/config" --state-dir "$BATS_TEST_TMPDIR/state" \
		--script "$(canary_script)" --web-dir "$WEB" \
		--dashboard-allow-host Dash.Example --dashboard-allow-host 192.0.2.7
	for host in dash.example "DASH.EXAMPLE.:$DASH_PORT" 192.0.2.7 "localhost:$DASH_PORT"; do
		assert_equal "$(code -H "Host: $host" /sub/file.txt)" 200
	done
	for host in x.dash.example "dash.example:1$DASH_PORT" 192.0.2.8 rebind.attacker.example; do
		assert_equal "$(code -H "Host: $host" /sub/file.txt)" 421
	done
}

@test "listening on ::1: [::1]:PORT is answered, a foreign Host is not" {
	ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128' || skip "no ::1 on lo"
	daemon_stop
	dash_start "$DAEMON" --config-dir "$BATS_TEST_TMPDIR/config" --state-dir "$BATS_TEST_TMPDIR/state" \
		--script "$(canary_script)" --web-dir "$WEB" --listen ::1
	run grep "dashboard on http://\[::1\]:$DASH_PORT/" "$DAEMON_LOG"
	assert_success
	v6="http://[::1]:$DASH_PORT"
	assert_equal "$(curl -s -g -o /dev/null -w '%{http_code}' --max-time 5 "$v6/sub/file.txt")" 200
	assert_equal "$(curl -s -g -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: localhost:$DASH_PORT" "$v6/sub/file.txt")" 200
	for host in rebind.attacker.example "127.0.0.1:$DASH_PORT" "[::2]:$DASH_PORT"; do
		assert_equal "$(curl -s -g -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $host" "$v6/sub/file.txt")" 421
	done
}

@test "the hello names no file, and carries the GUID and the key only for a page that may send" {
	echo all >"$BATS_TEST_TMPDIR/config/anonymous-statistics.level"
	run curl -s "$DASH_URL/api/v1/registry?action=hello"
	assert_output --partial '"anonymous_statistics":true'
	assert_output --partial '"anonymous_statistics_reason":"enabled (level all)"'
	assert_output --partial '"posthog_key":"phc_http_test"'
	refute_output --partial "$BATS_TEST_TMPDIR"
	refute_output --partial '/'"$(basename "$BATS_TEST_TMPDIR")"
	guid=$(cat "$BATS_TEST_TMPDIR/state/machine-guid")
	for setting in crashes off opt-out; do
		case $setting in
		opt-out) : >"$BATS_TEST_TMPDIR/config/.opt-out-from-anonymous-statistics" ;;
		*) echo "$setting" >"$BATS_TEST_TMPDIR/config/anonymous-statistics.level" ;;
		esac
		run curl -s "$DASH_URL/api/v1/registry?action=hello"
		assert_output --partial '"anonymous_statistics":false'
		refute_output --partial "$BATS_TEST_TMPDIR"
		refute_output --partial "$guid"
		refute_output --partial phc_http_test
		refute_output --partial machine_guid
	done
	assert_output --partial '"anonymous_statistics_reason":"disabled by the opt-out file'
}

@test "only GET and HEAD: every other method is refused and changes nothing" {
	for m in POST PUT DELETE PATCH OPTIONS TRACE; do
		assert_equal "$(code -X "$m" -d x /api/v1/registry?action=hello)" 405
	done
	assert_equal "$(code -I /)" 200
	run curl -s -i -X POST "$DASH_URL/"
	assert_output --partial 'Allow: GET, HEAD'
}

@test "bad paths are refused: .., encoded dots and slashes, NUL, absolute, hidden, links out" {
	for p in /../outside.txt /sub/../../outside.txt /%2e%2e/outside.txt /%2E%2E%2Foutside.txt \
		/sub%2f..%2f..%2foutside.txt /index.html%00.txt /index.html%00 //etc/passwd \
		/.hidden /%2ehidden /link.txt /linkdir/outside.txt /fifo.txt /sub/ /sub \
		'/a\..\outside.txt' /%zz /index.html%; do
		run code "$p"
		[ "$output" != 200 ] || { echo "served: $p"; return 1; }
	done
	# The FIFO never blocks the server.
	hello_ok
	run curl -s --path-as-is "$DASH_URL/../outside.txt" "$DASH_URL/link.txt" "$DASH_URL/linkdir/outside.txt"
	refute_output --partial 'secret outside'
	# An absolute URI in the request line is no way out either.
	run "$PYTHON3" - "$DASH_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
s.sendall(b"GET /etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
print(s.recv(200).split(b"\r\n")[0].decode())
PY
	assert_output --partial 404
}

@test "huge headers are refused (431 or closed) and the daemon keeps serving" {
	run "$PYTHON3" - "$DASH_PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
for size in (40_000, 1_000_000):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
    except OSError:
        pass
    try:
        line = s.recv(100).split(b"\r\n")[0].decode()
    except OSError:
        line = "closed"
    print(size, line or "closed")
    assert " 200 " not in line, line
PY
	assert_success
	hello_ok
}

@test "slow clients are dropped at the timeout; the others, STOP and shutdown are not held up" {
	# More idle connections than the limit (64), each sending half a request.
	"$PYTHON3" - "$DASH_PORT" "$BATS_TEST_TMPDIR/slow.out" <<'PY' &
import socket, sys, time
conns = []
for i in range(80):
    try:
        c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        conns.append(c)
    except OSError:
        pass
time.sleep(8)
dropped = 0
for c in conns:
    try:
        c.settimeout(0.2)
        if c.recv(1) == b"":
            dropped += 1
    except OSError:
        dropped += 1
open(sys.argv[2], "w").write(f"{len(conns)} {dropped}\n")
PY
	slow=$!
	sleep 1
	# Within the timeout (5 s) plus a second, it serves again.
	i=0
	until hello_ok; do
		i=$((i + 1))
		[ "$i" -lt 40 ] || { echo "no hello while slow clients held on"; return 1; }
		sleep 0.2
	done
	wait "$slow"
	read -r held dropped <"$BATS_TEST_TMPDIR/slow.out"
	[ "$held" -ge 1 ]
	assert_equal "$dropped" "$held"
	# Slow clients again, then SIGTERM: the stop bound holds.
	"$PYTHON3" -c '
import socket, sys, time
cs = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(30)]
for c in cs: c.sendall(b"GET / HTTP/1.1\r\n")
time.sleep(4)' "$DASH_PORT" &
	holder=$!
	sleep 0.5
	daemon_stop
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
	assert_equal "$DAEMON_STATUS" 0
	[ "$DAEMON_MS" -lt 2500 ] || { echo "stop took $DAEMON_MS ms"; return 1; }
}

# slow_loris CONNS INTERVAL SECONDS MAX: open CONNS connections to the
# dashboard, each sending a request header that never ends, a byte every
# INTERVAL seconds, for SECONDS; one dropped is opened again, MAX in all.
# Touches $BATS_TEST_TMPDIR/loris.out.ready once all are open; writes
# "OPENED DROPPED" to $BATS_TEST_TMPDIR/loris.out at the end.
slow_loris() {
	"$PYTHON3" - "$DASH_PORT" "$BATS_TEST_TMPDIR/loris.out" "$@" <<'PY'
import socket, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
conns_wanted, interval, seconds, most = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
end = time.monotonic() + seconds
conns, opened, dropped = [], 0, 0
def connect():
    global opened
    if opened >= most:
        return
    opened += 1
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=0.5)
        c.setblocking(False)
        c.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        conns.append(c)
    except OSError:
        pass
for _ in range(conns_wanted):
    connect()
open(out + ".ready", "w").close()
while time.monotonic() < end:
    time.sleep(interval)
    for c in list(conns):
        try:
            gone = c.recv(4096) == b""
        except BlockingIOError:
            gone = False
        except OSError:
            gone = True
        if not gone:
            try:
                c.send(b"a")
            except BlockingIOError:
                pass
            except OSError:
                gone = True
        if gone:
            dropped += 1
            conns.remove(c)
            c.close()
            connect()  # and again: the loris does not give up
open(out, "w").write(f"{opened} {dropped}\n")
PY
}

@test "slow-loris: 200 connections sending a byte each half second do not lock another client out" {
	# Bounded: 4 seconds, at most 1,000 connections, loopback only.
	slow_loris 200 0.5 4 1000 &
	loris=$!
	sleep 1
	# Three plain requests while it runs: each answered within 3 seconds.
	for i in 1 2 3; do
		t0=$(date +%s%N)
		run curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$DASH_URL/api/v1/registry?action=hello"
		t1=$(date +%s%N)
		assert_output 200
		echo "request $i answered in $(( (t1 - t0) / 1000000 )) ms"
	done
	wait "$loris"
	read -r opened dropped <"$BATS_TEST_TMPDIR/loris.out"
	echo "the loris opened $opened connections, $dropped were dropped"
	[ "$opened" -ge 200 ]
	# It was dropped, not just outlasted: its connections ended at the header deadline.
	[ "$dropped" -ge 64 ]
}

@test "slow-loris: 1,200 slow connections queued to be accepted do not keep a plain request waiting" {
	# Bounded: 5 seconds, at most 4,000 connections, loopback only.
	ulimit -n 8192 2>/dev/null || ulimit -n 4096 2>/dev/null || skip "cannot raise the open file limit"
	[ "$(ulimit -n)" -ge 2048 ] || skip "the open file limit stays at $(ulimit -n)"
	slow_loris 1200 0.2 5 4000 &
	loris=$!
	i=0
	while [ ! -e "$BATS_TEST_TMPDIR/loris.out.ready" ] && [ "$i" -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	for i in 1 2 3; do
		t0=$(date +%s%N)
		run curl -s -o /dev/null -w '%{http_code}' --max-time 4 "$DASH_URL/api/v1/registry?action=hello"
		t1=$(date +%s%N)
		echo "request $i: $output in $(( (t1 - t0) / 1000000 )) ms"
		assert_output 200
		[ $(( (t1 - t0) / 1000000 )) -lt 2000 ]
	done
	wait "$loris"
	read -r opened dropped <"$BATS_TEST_TMPDIR/loris.out"
	echo "the loris opened $opened connections, $dropped were dropped"
	[ "$opened" -ge 1200 ]
}

@test "1,000 requests in a burst: every one answered, START not held up, stop bound kept" {
	run "$PYTHON3" - "$DASH_PORT" <<'PY'
import http.client, sys, time
from concurrent.futures import ThreadPoolExecutor
port = int(sys.argv[1])
paths = ["/api/v1/registry?action=hello", "/", "/api/v1/anonymous-statistics/log", "/../x"]
def one(i):
    for attempt in range(3):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", paths[i % len(paths)])
            r = c.getresponse(); r.read(); c.close()
            return r.status
        except OSError:
            time.sleep(0.05)
    return 0
t0 = time.monotonic()
with ThreadPoolExecutor(16) as ex:
    codes = list(ex.map(one, range(1000)))
print(len(codes), sum(1 for c in codes if c in (200, 404)), f"{time.monotonic() - t0:.1f}s")
PY
	assert_success
	assert_output --regexp '^1000 1000 '
	hello_ok
	run call_ms START
	[ "${output:-9}" -lt 50 ]
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	[ "$DAEMON_MS" -lt 2500 ]
}

@test "--no-dashboard serves nothing; a port in use leaves the daemon running without it" {
	port=$DASH_PORT
	pid=$DAEMON_PID
	DAEMON_LOG2="$BATS_TEST_TMPDIR/second.log"
	"$DAEMON" -f --config-dir "$BATS_TEST_TMPDIR/config" --state-dir "$BATS_TEST_TMPDIR/state2" \
		--script "$(canary_script)" --web-dir "$WEB" --port "$port" 2>"$DAEMON_LOG2" &
	second=$!
	sleep 0.5
	kill -TERM "$second"
	wait "$second"
	run grep 'dashboard unavailable: cannot listen' "$DAEMON_LOG2"
	assert_success
	run grep 'ready (pid' "$DAEMON_LOG2"
	assert_success
	daemon_stop
	daemon_start "$DAEMON" --config-dir "$BATS_TEST_TMPDIR/config" --state-dir "$BATS_TEST_TMPDIR/state" \
		--script "$(canary_script)" --web-dir "$WEB" --no-dashboard --port "$port"
	run grep -c 'dashboard' "$DAEMON_LOG"
	assert_output 0
	assert_equal "$(code /)" 000
	[ "$pid" != "$DAEMON_PID" ]
}
