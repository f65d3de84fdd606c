#!/usr/bin/env bats
# The dashboard page in Debian's headless Chromium, with the real
# posthog-js as make install lays it out, against the loopback capture
# server standing in for the PostHog host.  The page is served under a
# planted host name (mapped to 127.0.0.1 inside Chromium, allowed with
# --dashboard-allow-host), with a planted path, query, fragment, title and
# referrer: none of them may leave.  A page under any other name (DNS
# rebinding) gets nothing from the daemon.
# Screenshots go to tests/web/screenshots/ in the build directory.

load ../helpers/common
load ../daemon/daemon-helpers
load web-helpers

setup_file() {
	STAGE="$BATS_FILE_TMPDIR/stage"
	export STAGE
	grep -q '^#define HAVE_DASHBOARD 1' "$top_builddir/config.h" || return 0
	(
		unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
		${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$STAGE"
	) >"$BATS_FILE_TMPDIR/install.log" 2>&1 || { cat "$BATS_FILE_TMPDIR/install.log" >&3; return 1; }
}

HOST_MARK=planted-dashboard-host.test
PATH_MARK=planted-path-mark
QUERY_MARK=planted-query-mark
HASH_MARK=planted-hash-mark
TITLE_MARK=planted-title-mark
REF_MARK=planted-referrer-mark

setup() {
	unset DO_NOT_TRACK DISABLE_TELEMETRY
	# A key for the script: without one the agent's answer is "not
	# configured", the hello says false and the page loads nothing.
	export ANONYMOUS_STATISTICS_KEY=phc_browser_test
	need_dashboard
	need_browser
	WEB_DIR="$BATS_TEST_TMPDIR/web"
	installed=$(find "$STAGE" -type d -name web -path '*anonymous-statistics*' | head -n 1)
	[ -f "$installed/posthog-js/array.no-external.js" ] ||
		skip "posthog-js is not in this build (configure: --with-posthog-js; npm ci in web/)"
	[ -f "$installed/posthog-js/LICENSE" ]
	# The installed page under a planted path, with a planted title.
	mkdir -p "$WEB_DIR"
	cp -R "$installed/." "$WEB_DIR/"
	sed "s|<title>Agent dashboard</title>|<title>Agent dashboard $TITLE_MARK</title>|" \
		"$installed/index.html" >"$WEB_DIR/$PATH_MARK.html"
	INSTALLED_DAEMON=$(find "$STAGE" -type f -name anonstats-daemon | head -n 1)
	CONFIG_DIR="$BATS_TEST_TMPDIR/config"
	mkdir -p "$CONFIG_DIR" "$BATS_TEST_TMPDIR/script-state"
	# What the backend sent, as the script logs it: the panel shows it.
	printf '%s\n' '1700000000 200 {"event":"START","properties":{"action":"START","action_result":"","distinct_id":"x"}}' \
		>"$BATS_TEST_TMPDIR/script-state/anonymous-statistics.log"
	ANONYMOUS_STATISTICS_STATE_DIR="$BATS_TEST_TMPDIR/script-state"
	export ANONYMOUS_STATISTICS_STATE_DIR
	SHOTS="$top_builddir/tests/web/screenshots"
	mkdir -p "$SHOTS"
	capture_start
}

teardown() {
	daemon_cleanup
	capture_stop
}

start_dashboard() {
	dash_start "$INSTALLED_DAEMON" --config-dir "$CONFIG_DIR" --state-dir "$BATS_TEST_TMPDIR/state" \
		--script "$(canary_script)" --web-dir "$WEB_DIR" \
		--posthog-host "http://127.0.0.1:$CAPTURE_PORT" --posthog-key phc_web_test \
		--dashboard-allow-host "$HOST_MARK"
}

# visit NAME: load the page in Chromium; its report in $BATS_TEST_TMPDIR/NAME.json.
visit() {
	node "$top_srcdir/tests/web/browser.mjs" \
		"http://$HOST_MARK:$DASH_PORT/$PATH_MARK.html?q=$QUERY_MARK#$HASH_MARK" \
		"$SHOTS/$1.png" "http://$REF_MARK.example/$REF_MARK" "$HOST_MARK" \
		>"$BATS_TEST_TMPDIR/$1.json"
}

# field NAME EXPR: a value of the report, through python.
field() {
	"$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$BATS_TEST_TMPDIR/$1.json" "$2"
}

# The check of everything the capture server got: masked, constant, no
# planted string anywhere in a URL or body; prints the event names.
check_captured() {
	"$PYTHON3" - "$CAPTURE_DIR" "$(cat "$BATS_TEST_TMPDIR/state/machine-guid")" "$DASH_PORT" \
		"$top_srcdir/docs/anonymous-statistics.md" \
		"$HOST_MARK" "$PATH_MARK" "$QUERY_MARK" "$HASH_MARK" "$TITLE_MARK" "$REF_MARK" <<'PY'
import base64, glob, gzip, json, os, re, sys, urllib.parse
cdir, guid, port, docs, *marks = sys.argv[1:]
# The properties the page's events may carry: the documented list.
table = open(docs).read().split("<!-- page-properties")[1].split("<!-- /page-properties -->")[0]
documented = {n for line in table.splitlines() if line.startswith("| `")
              for n in re.findall(r"`([^`]+)`", line.split("|")[1])}
assert len(documented) >= 10, documented
const = {"$ip": "127.0.0.1", "$current_url": "agent dashboard",
         "$pathname": "netdata-dashboard", "$host": "dashboard.netdata.io"}
masked = {"$title": "agent dashboard", "$referrer": "$direct", "$referring_domain": "$direct"}
names = []
for meta in sorted(glob.glob(os.path.join(cdir, "*.meta"))):
    method, path, ctype, referer = (open(meta).read().split("\n") + [""] * 4)[:4]
    raw = open(meta[:-5] + ".body", "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8")
    if text.startswith("data="):
        text = base64.b64decode(urllib.parse.unquote(text[5:])).decode("utf-8")
    for m in marks + [":" + port, "index.html"]:
        assert m not in path and m not in text, f"{m} in {path}: {text[:300]}"
    assert referer == "", f"Referer sent: {referer}"
    if method != "POST":
        continue
    doc = json.loads(text)
    events = doc if isinstance(doc, list) else doc.get("batch", [doc])
    for e in events:
        p = e["properties"]
        names.append(e["event"])
        extra = sorted(set(p) - documented)
        assert not extra, f"{e['event']}: undocumented properties {extra}"
        assert not e.get("$set") and not e.get("$set_once"), e
        for k, v in const.items():
            assert p.get(k) == v, f"{e['event']}: {k}={p.get(k)!r}"
        for k, v in masked.items():
            assert k not in p or p[k] == v, f"{e['event']}: {k}={p[k]!r}"
        assert p.get("distinct_id") == guid, p.get("distinct_id")
        for k, v in p.items():
            if any(w in k for w in ("screen", "viewport")):
                assert v == 0, f"{k}={v!r}"
            if k.startswith(("$initial_", "$session_entry_")) and k[len("$initial_"):]:
                assert v in list(const.values()) + list(masked.values()) + [0], f"{k}={v!r}"
        assert p.get("$process_person_profile") in (False, None)
print(" ".join(names))
PY
}

@test "statistics on: the page starts PostHog, every event masked, nothing planted leaves" {
	start_dashboard
	visit enabled
	assert_equal "$(field enabled 'r["telemetry"]')" started
	assert_equal "$(field enabled 'r["panel"]["agent"]')" "sends every event"
	run field enabled 'r["panel"]["page"]'
	assert_output --partial "sends page views to PostHog (only the documented properties"

	assert_equal "$(field enabled 'r["panel"]["level"]')" all
	assert_equal "$(field enabled 'r["panel"]["reason"]')" "enabled (level all)"
	run field enabled 'r["panel"]["events"][0][:3]'
	assert_output "['2023-11-14T22:13:20Z', 'START', '200']"
	assert_equal "$(field enabled 'r["panel"]["title"]')" "Agent dashboard $TITLE_MARK"
	# posthog-js came from the agent's web directory, nothing from elsewhere.
	run field enabled '"\n".join(u for u in r["requests"] if not u.startswith(("http://'"$HOST_MARK:$DASH_PORT"'/", "http://127.0.0.1:'"$CAPTURE_PORT"'/")))'
	assert_output ""
	run field enabled 'any(u.endswith("/posthog-js/array.no-external.js") for u in r["requests"])'
	assert_output True
	capture_wait 1
	run check_captured
	assert_success
	assert_output --partial '$pageview'
}

@test "opt-out file: nothing reaches the capture server, posthog-js is never fetched; removed, on again" {
	: >"$CONFIG_DIR/.opt-out-from-anonymous-statistics"
	start_dashboard
	visit opted-out
	assert_equal "$(field opted-out 'r["telemetry"]')" off
	assert_equal "$(field opted-out 'r["panel"]["agent"]')" "sends nothing"
	assert_equal "$(field opted-out 'r["panel"]["reason"]')" \
		"disabled by the opt-out file .opt-out-from-anonymous-statistics"
	assert_equal "$(field opted-out 'r["panel"]["level"]')" off
	run field opted-out 'r["panel"]["page"]'
	assert_output "sends nothing: PostHog not loaded (the agent says anonymous statistics are off)"
	run field opted-out 'r["panel"]["events"][0][1]'
	assert_output START
	run field opted-out '[u for u in r["requests"] if "posthog" in u or ":'"$CAPTURE_PORT"'" in u]'
	assert_output "[]"
	sleep 0.5
	assert_equal "$(capture_count)" 0

	# The next page load asks again.
	rm "$CONFIG_DIR/.opt-out-from-anonymous-statistics"
	visit opted-in-again
	assert_equal "$(field opted-in-again 'r["telemetry"]')" started
	capture_wait 1
	run check_captured
	assert_success
}

# opted_out NAME REASON [AGENT]: the page under an opt-out set before the
# daemon started; the panel says the agent sends AGENT (nothing) and the
# page nothing.
opted_out() {
	start_dashboard
	visit "$1"
	assert_equal "$(field "$1" 'r["telemetry"]')" off
	assert_equal "$(field "$1" 'r["panel"]["agent"]')" "${3:-sends nothing}"
	run field "$1" 'r["panel"]["page"]'
	assert_output --regexp '^sends nothing: PostHog not loaded \(.+\)$'
	run field "$1" 'r["panel"]["reason"]'
	assert_output --partial "$2"
	run field "$1" '[u for u in r["requests"] if "posthog" in u or ":'"$CAPTURE_PORT"'" in u]'
	assert_output "[]"
	sleep 0.5
	assert_equal "$(capture_count)" 0
}

@test "DO_NOT_TRACK: PostHog never loaded" {
	export DO_NOT_TRACK=1
	opted_out dnt "disabled by DO_NOT_TRACK"
}

@test "DISABLE_TELEMETRY: PostHog never loaded" {
	export DISABLE_TELEMETRY=0
	opted_out disable-telemetry "disabled by DISABLE_TELEMETRY"
}

@test "level crashes: the page sends nothing, the panel says so beside 'the agent: crash reports only'" {
	echo crashes >"$CONFIG_DIR/anonymous-statistics.level"
	opted_out level-crashes "enabled for crashes only" \
		"sends crash reports only (FATAL, CRASH, INCOMPLETE_SHUTDOWN)"
	assert_equal "$(field level-crashes 'r["panel"]["level"]')" crashes
	assert_equal "$(field level-crashes 'r["panel"]["page"]')" \
		"sends nothing: PostHog not loaded (the agent sends crash reports only; pages send at level all only)"
	# Nothing on the panel says statistics are off while the agent reports crashes.
	run field level-crashes '" | ".join(str(v) for v in r["panel"].values())'
	refute_output --partial "off"
}

@test "DNS rebinding: a page under a foreign name gets no GUID, no key, no log; 127.0.0.1 works" {
	start_dashboard
	guid=$(cat "$BATS_TEST_TMPDIR/state/machine-guid")
	node "$top_srcdir/tests/web/browser.mjs" --rebind "http://rebind.test:$DASH_PORT" \
		"$SHOTS/rebind.png" rebind.test >"$BATS_TEST_TMPDIR/rebind.json"
	assert_equal "$(field rebind 'r["document"]')" 421
	run field rebind '"\n".join(x["path"] + " " + str(x["status"]) for x in r["rebind"])'
	assert_output "/api/v1/registry?action=hello 421
/api/v1/anonymous-statistics/log 421
/ 421
/index.html 421
/panel.js 421
/telemetry.js 421"
	run cat "$BATS_TEST_TMPDIR/rebind.json"
	for secret in "$guid" phc_web_test machine_guid posthog_key START 1700000000 "$CONFIG_DIR"; do
		refute_output --partial "$secret"
	done
	# The same daemon, asked by its address, serves the page as ever.
	node "$top_srcdir/tests/web/browser.mjs" "http://127.0.0.1:$DASH_PORT/" "$SHOTS/by-address.png" \
		>"$BATS_TEST_TMPDIR/by-address.json"
	assert_equal "$(field by-address 'r["telemetry"]')" started
	assert_equal "$(field by-address 'r["panel"]["events"][0][1]')" START
	capture_wait 1
}
