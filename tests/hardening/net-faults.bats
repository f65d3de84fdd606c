#!/usr/bin/env bats
# Network faults, for the script (curl, and GNU wget when curl is missing)
# and for the reference daemon running it through libanonstats, against
# loopback servers: each ends within its bound with the documented status
# (docs/payload.md: 5 network failure, 6 HTTP error); the daemon's START
# call returns at once, the daemon keeps running and its stop keeps its
# bound.  What tests/script/faults-*.bats and bounds.bats prove already
# (drip, close, 503, files left) is not repeated here.
#
# TLS: a throwaway CA made here is the only trusted one, inside a mount
# namespace of the caller's own (bound over the system's bundle): the
# daemon hands the script no CURL_CA_BUNDLE, and Debian's GNU wget (GnuTLS)
# reads none, so this is how each caller trusts it.  A good certificate
# from that CA is sent (the control); a self-signed one, an expired one and
# ones for another name or address are refused, and the TLS server sees no
# byte of plaintext HTTP.

load hardening-helpers
load ../daemon/daemon-helpers

SYSTEM_BUNDLE=/etc/ssl/certs/ca-certificates.crt

setup_file() {
	local d="$BATS_FILE_TMPDIR/tls" name san
	mkdir -p "$d"
	(
		set -e
		cd "$d"
		key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
		key ca
		openssl req -x509 -key ca.key -out ca.pem -days 2 -subj /CN=anonstats-hardening-ca
		# openssl ca takes fixed dates: an expired certificate needs them.
		: >index.txt
		echo 01 >serial
		cat >ca.cnf <<-EOF
			[ca]
			default_ca = test
			[test]
			database = index.txt
			serial = serial
			new_certs_dir = .
			default_md = sha256
			policy = any
			unique_subject = no
			copy_extensions = copy
			[any]
			commonName = supplied
		EOF
		for name in good:IP:127.0.0.1,DNS:localhost expired:IP:127.0.0.1 \
			other-name:DNS:other.invalid other-address:IP:127.0.0.2; do
			san=${name#*:}
			name=${name%%:*}
			key "$name"
			openssl req -new -key "$name.key" -out "$name.csr" -subj "/CN=$name" \
				-addext "subjectAltName=$san"
			if [ "$name" = expired ]; then
				set -- -startdate 20200101000000Z -enddate 20200201000000Z
			else
				set -- -days 2
			fi
			openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key \
				-in "$name.csr" -out "$name.pem" "$@"
		done
		key self-signed
		openssl req -x509 -key self-signed.key -out self-signed.pem -days 2 \
			-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1
	) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&3; return 1; }
	# trusting CMD...: CMD with the test CA as the system's only trust.
	cat >"$BATS_FILE_TMPDIR/trusting" <<-EOF
		#!/bin/sh
		exec $(command -v unshare) --mount --propagation private -- /bin/sh -c \\
			'$(command -v mount) --bind "\$0" $SYSTEM_BUNDLE && exec "\$@"' '$d/ca.pem' "\$@"
	EOF
	printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$BATS_FILE_TMPDIR/trusting" "$DAEMON" \
		>"$BATS_FILE_TMPDIR/trusting-daemon"
	chmod +x "$BATS_FILE_TMPDIR/trusting" "$BATS_FILE_TMPDIR/trusting-daemon"
}

setup() {
	script_setup
	WGET_PATH="$BATS_TEST_TMPDIR/wget-bin"
	tool_path "$WGET_PATH" wget
	base_tools "$WGET_PATH"
	CFG="$BATS_TEST_TMPDIR/config"
	mkdir -p "$CFG"
	WRAP=
	DAEMON_BIN=$DAEMON
}

teardown() {
	daemon_cleanup
	servers_stop
}

# tls_only: the callers below trust the test CA (needs root and mount
# namespaces), or the test skips.
tls_only() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to bind the test CA over $SYSTEM_BUNDLE"
	[ -f "$SYSTEM_BUNDLE" ] || skip "no $SYSTEM_BUNDLE to stand in for"
	"$BATS_FILE_TMPDIR/trusting" true 2>/dev/null || skip "mount namespaces are not allowed here"
	WRAP="$BATS_FILE_TMPDIR/trusting"
	DAEMON_BIN="$BATS_FILE_TMPDIR/trusting-daemon"
}

# tls_serve CERT [BIND]: the fault server speaking TLS with CERT.
tls_serve() {
	serve fault ok "${2:-127.0.0.1}" --tls-cert "$BATS_FILE_TMPDIR/tls/$1.pem" \
		--tls-key "$BATS_FILE_TMPDIR/tls/$1.key"
	URL="https://$fault_HOSTPORT/capture/"
}

# script_case NAME PATH STATUS PRINTED [MS]: the script, run by PATH's
# transport against $URL, sends START: STATUS, PRINTED on stdout, within
# MS (default the documented bound, 3 s).
script_case() {
	local name=$1 path=$2 want=$3 printed=$4 bound=${5:-3000}
	# shellcheck disable=SC2086
	PATH=$path ANONYMOUS_STATISTICS_URL=$URL timed_run --separate-stderr $WRAP "$SCRIPT" START
	[ "$status" -eq "$want" ] || fail "$name: status $status, not $want; stderr: $stderr"
	[ "$output" = "$printed" ] || fail "$name: printed '$output', not '$printed'"
	[ "$ELAPSED_MS" -lt "$bound" ] || fail "$name: took $ELAPSED_MS ms"
}

# daemon_case STATUS [HTTP]: the reference daemon against $URL: its START
# call returns at once, the script ends with STATUS (and the HTTP code), the
# daemon is still running; SIGTERM: STOP against the same endpoint, exit 0
# within the STOP bound (2 s) and a margin.
daemon_case() {
	local want=$1 http=${2:-} ms
	ANONYMOUS_STATISTICS_URL=$URL daemon_start "$DAEMON_BIN" \
		$(daemon_args "$CFG" "$BATS_TEST_TMPDIR/dstate" "$SCRIPT")
	wait_log 'START: exit' 5
	ms=$(call_ms START)
	[ -n "$ms" ] && [ "$ms" -lt 500 ] || fail "the START call took ${ms:-?} ms"
	grep -q "START: exit $want (.*)${http:+, HTTP $http}, [0-9]* ms" "$DAEMON_LOG" ||
		fail "daemon: START did not end with $want $http: $(grep 'START:' "$DAEMON_LOG")"
	kill -0 "$DAEMON_PID" || fail "the daemon died"
	daemon_stop
	[ "$DAEMON_STATUS" -eq 0 ] || fail "the daemon exited $DAEMON_STATUS"
	[ "$DAEMON_MS" -lt 3000 ] || fail "stop took $DAEMON_MS ms: $(cat "$DAEMON_LOG")"
	grep -q -e 'STOP: exit' -e 'STOP: given up' "$DAEMON_LOG" || fail "no STOP was run"
}

# every_caller STATUS PRINTED [MS]: curl, GNU wget and the daemon, at the
# same time (each against its own bound), so that the slow cases cost one
# bound, not three.
every_caller() {
	local curl wget out=$BATS_TEST_TMPDIR
	(script_case curl "$PATH" "$@") >"$out/curl.out" 2>&1 &
	curl=$!
	(script_case "GNU wget" "$WGET_PATH" "$@") >"$out/wget.out" 2>&1 &
	wget=$!
	daemon_case "$1" "$2" || { wait "$curl" "$wget"; return 1; }
	wait "$curl" || { cat "$out/curl.out"; wait "$wget"; return 1; }
	wait "$wget" || { cat "$out/wget.out"; return 1; }
}

@test "refused: status 5 at once, for curl, GNU wget and the daemon" {
	URL="http://127.0.0.1:$(closed_port)/capture/"
	every_caller 5 ""
}

@test "a server that accepts and never answers: status 5 within 3 s, for every caller" {
	serve fault hang
	URL="http://$fault_HOSTPORT/capture/"
	every_caller 5 ""
	# Each caller did reach it: curl, wget, the daemon's START and STOP.
	assert [ "$(connections "$fault_DIR")" -ge 4 ]
}

@test "a server answering one byte a second: status 5 within 3 s, for every caller" {
	serve fault trickle
	URL="http://$fault_HOSTPORT/capture/"
	every_caller 5 ""
}

@test "HTTP 500: status 6 and 500 printed, for every caller" {
	serve fault 500
	URL="http://$fault_HOSTPORT/capture/"
	every_caller 6 500
}

@test "HTTP 429 with Retry-After: status 6 at once, no retry, for every caller" {
	serve fault 429
	URL="http://$fault_HOSTPORT/capture/"
	every_caller 6 429 1500
	# One request per send: START, START, and the daemon's START and STOP.
	assert_equal "$(requests "$fault_DIR")" 4
	assert_equal "$(connections "$fault_DIR")" 4
}

@test "a 301 to another host is not followed: status 6, the other host gets no connection" {
	serve target ok
	serve fault "redirect=http://$target_HOSTPORT/capture/"
	URL="http://$fault_HOSTPORT/capture/"
	every_caller 6 301
	assert_equal "$(requests "$fault_DIR")" 4
	assert_equal "$(connections "$target_DIR")" 0
}

@test "an endless body: status 5 within 3 s, for every caller" {
	serve fault endless-body
	URL="http://$fault_HOSTPORT/capture/"
	every_caller 5 ""
}

@test "endless headers: status 5 within 3 s, for every caller" {
	serve fault endless-headers
	URL="http://$fault_HOSTPORT/capture/"
	every_caller 5 ""
}

# tls_refused: each caller connected, and not a byte of HTTP reached the
# TLS server, in TLS or in clear.
tls_refused() {
	assert [ "$(connections "$fault_DIR")" -ge 4 ]
	assert_equal "$(requests "$fault_DIR")" 0
	assert [ ! -e "$fault_DIR/plaintext" ]
	assert [ ! -e "$fault_DIR/unparsed" ]
}

@test "TLS control: a good certificate from the trusted test CA is sent by every caller" {
	tls_only
	tls_serve good
	every_caller 0 200
	assert_equal "$(requests "$fault_DIR")" 4
	assert [ ! -e "$fault_DIR/plaintext" ]
}

@test "TLS: a self-signed (untrusted) certificate is refused by every caller, nothing in clear" {
	tls_only
	tls_serve self-signed
	every_caller 5 ""
	tls_refused
}

@test "TLS: an expired certificate from the trusted CA is refused by every caller, nothing in clear" {
	tls_only
	tls_serve expired
	every_caller 5 ""
	tls_refused
}

@test "TLS: https://127.0.0.1 with a trusted certificate for another name is refused, nothing in clear" {
	tls_only
	tls_serve other-name
	every_caller 5 ""
	tls_refused
}

@test "TLS: https://[::1] with a trusted certificate for 127.0.0.2 is refused, nothing in clear" {
	tls_only
	tls_serve other-address ::1
	every_caller 5 ""
	tls_refused
}
