#!/usr/bin/env bats
# The dashboard's HTTP side: only GET and HEAD, no path out of the web
# directory, and bad clients (huge headers, slow ones, a 1,000-request
# burst) leave it serving, never holding up the daemon's statistics or its
# shutdown bound.  Loopback only.

load ../helpers/common
load ../daemon/daemon-helpers
load web-helpers

DAEMON="$top_builddir/daemon/anonstats-daemon"

setup() {
	unset DO_NOT_TRACK DISABLE_TELEMETRY
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
		--script "$(canary_script)" --web-dir "$WEB"
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
s.sendall(b"GET /etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")
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
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
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
