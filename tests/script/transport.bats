#!/usr/bin/env bats
# Transports and endpoints: curl first, wget as fallback, neither is status
# 4; the arguments each transport gets; TLS is always verified (a throwaway
# CA); plain http:// goes to loopback only, refused before any connection.

bats_require_minimum_version 1.5.0
load script-helpers

setup_file() {
	# A throwaway CA, a certificate for 127.0.0.1 signed by it, one for
	# another name, and one for localhost (HSTS is never kept for an
	# address), also signed by it.
	local d=$BATS_FILE_TMPDIR
	{
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" \
			-days 2 -subj /CN=anonymous-statistics-test-ca &&
		for name in good:IP:127.0.0.1 other:DNS:other.invalid localhost:DNS:localhost; do
			openssl req -newkey rsa:2048 -nodes -keyout "$d/${name%%:*}.key" \
				-out "$d/${name%%:*}.csr" -subj "/CN=${name#*:}" &&
			printf 'subjectAltName=%s\n' "${name#*:}" >"$d/${name%%:*}.ext" &&
			openssl x509 -req -in "$d/${name%%:*}.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
				-CAcreateserial -out "$d/${name%%:*}.pem" -days 2 -extfile "$d/${name%%:*}.ext" ||
				return 1
		done
	} >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&3; return 1; }
}

setup() {
	script_setup
	BIN="$BATS_TEST_TMPDIR/bin"
	base_tools "$BIN"
}

teardown() {
	capture_stop
}

# tls_start CERT: a capture server speaking TLS with CERT (good or other).
tls_start() {
	capture_start ok 127.0.0.1 --tls-cert "$BATS_FILE_TMPDIR/$1.pem" --tls-key "$BATS_FILE_TMPDIR/$1.key"
	TLS_URL="https://127.0.0.1:$CAPTURE_PORT/capture/"
}

# fake TOOL [VERSION_LINE]: a fake TOOL in $BIN that records its arguments,
# one a line, in $BATS_TEST_TMPDIR/TOOL.args and answers like a 200.
fake() {
	cat >"$BIN/$1" <<EOF
#!/bin/sh
[ "\$1" = --version ] && { echo '${2:-}'; exit 0; }
for a in "\$@"; do printf '%s\n' "\$a"; done >"$BATS_TEST_TMPDIR/$1.args"
if [ "$1" = curl ]; then printf 200; else echo '  HTTP/1.1 200 OK' >&2; fi
exit 0
EOF
	chmod +x "$BIN/$1"
}

@test "curl is used when present" {
	capture_start ok
	tool_path "$BIN" curl
	fake wget 'GNU Wget 1.21.3'
	PATH=$BIN ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$SCRIPT" START
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
	assert [ ! -e "$BATS_TEST_TMPDIR/wget.args" ]
}

@test "without curl, GNU wget sends the event" {
	capture_start ok
	tool_path "$BIN" wget
	PATH=$BIN ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$SCRIPT" START
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
	assert_equal "$(sed -n 3p "$CAPTURE_DIR/1.meta")" application/json
	json_valid "$(body)"
}

@test "without curl, BusyBox wget sends to a loopback http:// endpoint" {
	capture_start ok
	ln -s "$(command -v busybox)" "$BIN/wget"
	PATH=$BIN ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$SCRIPT" START
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
	json_valid "$(body)"
}

@test "BusyBox wget is refused for https:// (it cannot verify certificates): status 4" {
	tls_start good
	ln -s "$(command -v busybox)" "$BIN/wget"
	PATH=$BIN CURL_CA_BUNDLE="$BATS_FILE_TMPDIR/ca.pem" ANONYMOUS_STATISTICS_URL=$TLS_URL \
		run --separate-stderr "$SCRIPT" START
	assert_failure 4
	assert_output ""
	assert_equal "$(capture_count)" 0
}

@test "neither curl nor wget: status 4, nothing sent" {
	capture_start ok
	PATH=$BIN ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run --separate-stderr "$SCRIPT" START
	assert_failure 4
	assert_output ""
	assert_equal "$(capture_count)" 0
}

@test "curl's arguments: -q first, no -k, only https, bounded, no globbing, the body on stdin, no reply kept, the URL last" {
	fake curl
	PATH=$BIN ANONYMOUS_STATISTICS_URL=https://ph.invalid/capture/ run "$SCRIPT" START
	assert_success
	assert_output 200
	args=$BATS_TEST_TMPDIR/curl.args
	assert_equal "$(head -n 1 "$args")" -q
	run grep -x -e -k -e --insecure -e -L -e --location "$args"
	assert_failure
	run grep -x -A1 -e --proto "$args"
	assert_output "--proto
=https"
	run grep -x -A1 -e --connect-timeout -e --max-time "$args"
	assert_line --index 1 --regexp '^[0-9.]+$'
	assert_line --index 3 --regexp '^[0-9.]+$'
	# The state helper's own flags, each once, then the URL.
	run grep -x -A1 -e --data-binary -e -o -e -w "$args"
	assert_output "--data-binary
@-
-o
/dev/null
-w
%{http_code}"
	run grep -c -x -e --globoff -e -sS "$args"
	assert_output 2
	assert_equal "$(tail -n 2 "$args")" "--url
https://ph.invalid/capture/"
	run grep -x -e --noproxy "$args"
	assert_failure
	run grep -x 'Content-Type: application/json' "$args"
	assert_success
}

@test "curl to loopback http:// gets only http and no proxy" {
	fake curl
	PATH=$BIN ANONYMOUS_STATISTICS_URL=http://127.0.0.1:9/capture/ run "$SCRIPT" START
	assert_success
	args=$BATS_TEST_TMPDIR/curl.args
	run grep -x -A1 -e --proto "$args"
	assert_output "--proto
=http"
	run grep -x -A1 -e --noproxy "$args"
	assert_output "--noproxy
*"
}

@test "GNU wget's arguments: no config file, no HSTS, one try, a timeout, never --no-check-certificate" {
	fake wget 'GNU Wget 1.21.3 built on linux-gnu.'
	PATH=$BIN ANONYMOUS_STATISTICS_URL=https://ph.invalid/capture/ run "$SCRIPT" START
	assert_success
	assert_output 200
	args=$BATS_TEST_TMPDIR/wget.args
	run grep -c -x -e --no-config -e --no-hsts -e --tries=1 -e --max-redirect=0 \
		-e '--header=Content-Type: application/json' "$args"
	assert_output 5
	run grep -x -e '--timeout=[0-9.]*' -e '--post-file=/dev/stdin' -e --output-document=/dev/null \
		-e --server-response "$args"
	assert_equal "${#lines[@]}" 4
	run grep -e '--post-data' -e '{' "$args"
	assert_failure
	run grep -e check-certificate -e --no-proxy "$args"
	assert_failure
	assert_equal "$(tail -n 1 "$args")" https://ph.invalid/capture/
}

@test "BusyBox wget's arguments: no proxy, the body on stdin, the status from -S, no reply kept, the URL last" {
	fake wget 'BusyBox v1.35.0'
	PATH=$BIN ANONYMOUS_STATISTICS_URL=http://127.0.0.1:9/capture/ run "$SCRIPT" START
	assert_success
	assert_output 200
	args=$BATS_TEST_TMPDIR/wget.args
	run grep -x -A1 --no-group-separator -e -Y -e --post-file -e -O "$args"
	assert_output "-Y
off
--post-file
/dev/stdin
-O
/dev/null"
	run grep -c -x -e -S -e 'Content-Type: application/json' "$args"
	assert_output 2
	assert_equal "$(tail -n 1 "$args")" http://127.0.0.1:9/capture/
}

# sender KIND PROGRAM...: the state helper's send, run directly with a
# transport line of PROGRAM alone: no flag the helper's reading depends on.
sender() {
	local kind=$1
	shift
	run --separate-stderr "$STATE_HELPER" send -t 1800 -m "$kind" -u "$CAPTURE_URL" -- "$@" -- \
		s event START '{' properties '' s action START '}' '' ''
}

@test "the transport's own flags are the state helper's: a bare curl, GNU wget or BusyBox wget line delivers and reads the status" {
	capture_start ok
	sender curl "$(command -v curl)"
	assert_success
	assert_output 200
	sender wget "$(command -v wget)"
	assert_success
	assert_output 200
	sender busybox "$(command -v busybox)" wget
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 3
	for i in 1 2 3; do
		assert_equal "$(field "$(body "$i")" .event)" START
	done
	# and an answer other than 2xx is read as such
	capture_stop
	capture_start 500
	sender curl "$(command -v curl)"
	assert_failure 6
	assert_output 500
}

@test "the script's transport lines hold policy only: the flags the state helper reads by are not there" {
	local flag lines
	# The transport lines: from exec_send_curl to exec_send_with.
	lines=$(sed -n '/^exec_send_curl() {/,/^exec_send_with() {/p' "$SCRIPT" | grep -v '^[[:space:]]*#' | tr '\t' ' ')
	[ -n "$lines" ] || fail "no exec_send_curl ... exec_send_with in the script"
	assert_equal "$(printf '%s\n' "$lines" | grep -c -e 'send_with [cwb]')" 3
	for flag in --data-binary @- -o /dev/null -w %{http_code} -s -sS --server-response -S \
		--post-file=/dev/stdin --post-file /dev/stdin --output-document=/dev/null -O --url '"$url"'; do
		! grep -F -e " $flag " -e " '$flag' " -e " $flag\$" -e " '$flag'\$" <<<"$lines" ||
			fail "the script's transport lines pass $flag"
	done
}

@test "TLS: an untrusted certificate fails with curl (status 5), nothing accepted" {
	tls_start good
	ANONYMOUS_STATISTICS_URL=$TLS_URL timed_run --separate-stderr "$SCRIPT" START
	assert_failure 5
	assert_output ""
	assert [ "$ELAPSED_MS" -lt 5000 ]
	assert_equal "$(capture_count)" 0
}

@test "TLS: a certificate trusted through CURL_CA_BUNDLE is sent" {
	tls_start good
	CURL_CA_BUNDLE="$BATS_FILE_TMPDIR/ca.pem" ANONYMOUS_STATISTICS_URL=$TLS_URL run "$SCRIPT" START
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
	json_valid "$(body)"
}

@test "TLS: a trusted certificate for another name fails (status 5), nothing accepted" {
	tls_start other
	CURL_CA_BUNDLE="$BATS_FILE_TMPDIR/ca.pem" ANONYMOUS_STATISTICS_URL=$TLS_URL \
		run --separate-stderr "$SCRIPT" START
	assert_failure 5
	assert_equal "$(capture_count)" 0
}

@test "TLS: ~/.curlrc cannot turn verification off" {
	tls_start good
	mkdir -p "$BATS_TEST_TMPDIR/home"
	printf 'insecure\n' >"$BATS_TEST_TMPDIR/home/.curlrc"
	HOME="$BATS_TEST_TMPDIR/home" CURL_HOME="$BATS_TEST_TMPDIR/home" ANONYMOUS_STATISTICS_URL=$TLS_URL \
		run --separate-stderr "$SCRIPT" START
	assert_failure 5
	assert_equal "$(capture_count)" 0
}

@test "TLS: an untrusted certificate fails with GNU wget (status 5), even with a wgetrc saying otherwise" {
	tls_start good
	tool_path "$BIN" wget
	printf 'check_certificate = off\n' >"$BATS_TEST_TMPDIR/wgetrc"
	PATH=$BIN WGETRC="$BATS_TEST_TMPDIR/wgetrc" ANONYMOUS_STATISTICS_URL=$TLS_URL \
		timed_run --separate-stderr "$SCRIPT" START
	assert_failure 5
	assert [ "$ELAPSED_MS" -lt 5000 ]
	assert_equal "$(capture_count)" 0
}

@test "GNU wget keeps no HSTS database: no .wget-hsts in HOME after an https:// endpoint asked for HSTS" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a mount namespace that trusts the test CA"
	unshare -m true 2>/dev/null || skip "needs unshare -m"
	tool_path "$BIN" wget
	# An https:// endpoint on localhost that answers 200 with a
	# Strict-Transport-Security header (the capture server sends none).
	cat >"$BATS_TEST_TMPDIR/sts-server.py" <<'EOF'
import http.server, os, ssl, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Strict-Transport-Security", "max-age=31536000")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.timeout = 20
with open(sys.argv[3] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[3] + ".tmp", sys.argv[3])
server.handle_request()
EOF
	"$PYTHON3" "$BATS_TEST_TMPDIR/sts-server.py" "$BATS_FILE_TMPDIR/localhost.pem" \
		"$BATS_FILE_TMPDIR/localhost.key" "$BATS_TEST_TMPDIR/sts-port" 3>&- &
	CAPTURE_PID=$!
	for i in $(seq 100); do
		[ ! -s "$BATS_TEST_TMPDIR/sts-port" ] || break
		sleep 0.05
	done
	mkdir "$BATS_TEST_TMPDIR/home"
	# wget (GnuTLS) trusts the system bundle: in a mount namespace of its
	# own, that is the test CA.
	run unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && shift && exec "$@"' \
		- "$BATS_FILE_TMPDIR/ca.pem" env PATH="$BIN" HOME="$BATS_TEST_TMPDIR/home" \
		ANONYMOUS_STATISTICS_URL="https://localhost:$(cat "$BATS_TEST_TMPDIR/sts-port")/capture/" \
		"$SCRIPT" START
	assert_success
	assert_output 200
	run ls -A "$BATS_TEST_TMPDIR/home"
	assert_output ""
}

@test "plain http:// to a non-loopback host is refused (3) before any transport starts" {
	fake curl
	fake wget 'GNU Wget 1.21.3'
	for url in http://192.0.2.1/ http://192.0.2.1:80/capture/ http://example.invalid/ \
		http://127.0.0.1.example.invalid/ http://localhost.example.invalid/ http://localhost./ \
		http://127.0.0.1@192.0.2.1/ http://192.0.2.1#@127.0.0.1/ 'http://192.0.2.1\@127.0.0.1/' \
		http://0x7f.0.0.1/ http://2130706433/ http://127.1/ http://[::2]/ http://[::ffff:192.0.2.1]/ \
		http://127.0.0.256/ http://127.0.0.1:99999/ ftp://127.0.0.1/ file:///etc/passwd \
		HTTP://192.0.2.1/ ' http://127.0.0.1/' 'https://192.0.2.1 /' 'https://user@192.0.2.1/'; do
		PATH=$BIN ANONYMOUS_STATISTICS_URL=$url run --separate-stderr "$SCRIPT" START
		[ "$status" -eq 3 ] || fail "$url: status $status"
		assert_output ""
		assert [ ! -e "$BATS_TEST_TMPDIR/curl.args" ]
		assert [ ! -e "$BATS_TEST_TMPDIR/wget.args" ]
	done
}

@test "loopback http:// forms are accepted: 127.0.0.0/8, localhost, [::1]" {
	fake curl
	for url in http://127.0.0.1/ http://127.1.2.3:8080/capture/ http://localhost:1/x http://[::1]:9/capture/; do
		rm -f "$BATS_TEST_TMPDIR/curl.args"
		PATH=$BIN ANONYMOUS_STATISTICS_URL=$url run "$SCRIPT" START
		assert_success
		assert_equal "$(grep -x -A1 -e --url "$BATS_TEST_TMPDIR/curl.args" | tail -n 1)" "$url"
	done
}

@test "the endpoint's answer is limited: no redirect is followed" {
	fake curl
	PATH=$BIN ANONYMOUS_STATISTICS_URL=https://ph.invalid/ run "$SCRIPT" START
	run grep -x -e -L -e --location -e --location-trusted "$BATS_TEST_TMPDIR/curl.args"
	assert_failure
}

@test "URLs curl would read otherwise are refused (3): leading zeros, brackets outside an IPv6 host, a port without its colon" {
	fake curl
	for url in http://127.0.0.08/ http://127.0.0.010/capture/ http://0127.0.0.1/ https://010.0.0.1/ \
		'http://[::1]1/' 'http://[::1]:/' 'http://127.0.0.1/a[1-40]/' 'https://ph.invalid/x[1]' \
		'https://ph.invalid/?a=[b]' 'http://[::1]]/' 'http://[[::1]/' 'https://[::1/' \
		http://127.0.0.1:/ http://127.0.0.1:08x/ 'https://ph.invalid:443:443/'; do
		PATH=$BIN ANONYMOUS_STATISTICS_URL=$url run --separate-stderr "$SCRIPT" START
		[ "$status" -eq 3 ] || fail "$url: status $status"
		assert [ ! -e "$BATS_TEST_TMPDIR/curl.args" ]
		run "$SCRIPT" --check-url "$url"
		[ "$status" -eq 3 ] || fail "--check-url $url: status $status"
	done
}

@test "--check-url accepts what the script posts to" {
	for url in https://us.i.posthog.com/capture/ http://127.0.0.1:9/capture/ 'http://[::1]:8080/x' \
		http://localhost/ https://10.0.0.1/ 'https://[2001:db8::1]:443/capture/'; do
		run "$SCRIPT" --check-url "$url"
		[ "$status" -eq 0 ] || fail "--check-url $url: status $status"
	done
}
