#!/usr/bin/env bats
# The container image, built with podman from packaging/docker/Dockerfile
# and a base imported from the mmdebstrap root (no registry is needed), run
# against a loopback capture server on the host's network.
# check-packages.sh sets BASE_TAR and TARBALL.  podman needs runc here
# (crun fails on the cgroups) and explicit ulimits (the defaults need more
# privilege than such a machine gives).

load ../helpers/common
load ../daemon/daemon-helpers

BASE_IMAGE=localhost/anonymous-statistics-test-base:bookworm
RUNTIME_BASE=localhost/anonymous-statistics-test-runtime:bookworm
IMAGE=localhost/anonymous-statistics-test:latest
OPT_OUT=/etc/netdata/.opt-out-from-anonymous-statistics

pod() {
	podman --runtime runc "$@"
}

ulimits() {
	printf '%s\n' --ulimit nofile=1024:1024 --ulimit nproc=1000:1000
}

# run_image [PODMAN RUN OPTIONS] IMAGE [COMMAND]: never from a registry.
run_image() {
	pod run --rm --pull=never --network=host $(ulimits) "$@"
}

# Images without a name: what this file's builds left behind.
dangling_images() {
	pod images -q --filter dangling=true 2>/dev/null | sort
}

setup_file() {
	# The reasons to skip, found once: the tests read SKIP_REASON.
	SKIP_REASON=
	if ! command -v podman >/dev/null; then
		SKIP_REASON="podman is not installed"
	elif ! command -v runc >/dev/null; then
		SKIP_REASON="runc is not installed"
	elif [ -z "${BASE_TAR:-}" ] || [ ! -s "$BASE_TAR" ]; then
		SKIP_REASON="no base root tarball (mmdebstrap missing or failed)"
	elif [ -z "${TARBALL:-}" ] || [ ! -s "$TARBALL" ]; then
		SKIP_REASON="no release tarball"
	fi
	export SKIP_REASON
	[ -z "$SKIP_REASON" ] || return 0

	local log="$BATS_FILE_TMPDIR/build.log"
	dangling_images >"$BATS_FILE_TMPDIR/dangling-before"
	if ! pod image exists "$BASE_IMAGE"; then
		pod import "$BASE_TAR" "$BASE_IMAGE" >"$log" 2>&1 || {
			SKIP_REASON="podman cannot import an image here: $(tail -n 1 "$log")"
			return 0
		}
	fi
	if ! run_image "$BASE_IMAGE" true >"$log" 2>&1; then
		SKIP_REASON="podman cannot run a container here: $(tail -n 1 "$log")"
		return 0
	fi
	# The runtime base: the same root without the compiler (dpkg needs no
	# network to remove packages), so the runtime stage is proven slim.
	printf 'FROM %s\nRUN apt-get purge -y -q --autoremove gcc libc6-dev make >/dev/null\n' "$BASE_IMAGE" |
		pod build --pull=false $(ulimits) -t "$RUNTIME_BASE" -f - "$BATS_FILE_TMPDIR" >>"$log" 2>&1 ||
		{ cat "$log" >&3; return 1; }
	# The build context: the release tarball, unpacked, as a user has it.
	mkdir -p "$BATS_FILE_TMPDIR/context"
	tar -xf "$TARBALL" -C "$BATS_FILE_TMPDIR/context" --strip-components=1
	pod build --pull=false $(ulimits) -t "$IMAGE" \
		--build-arg BUILD_BASE="$BASE_IMAGE" --build-arg BASE="$RUNTIME_BASE" \
		-f "$BATS_FILE_TMPDIR/context/packaging/docker/Dockerfile" "$BATS_FILE_TMPDIR/context" \
		>>"$log" 2>&1 || { tail -n 40 "$log" >&3; return 1; }
}

# The base stays (importing it again costs time); the rest goes.
teardown_file() {
	[ -z "${SKIP_REASON:-}" ] || return 0
	pod rmi -f "$IMAGE" "$RUNTIME_BASE" >/dev/null 2>&1 || true
	dangling_images | comm -13 "$BATS_FILE_TMPDIR/dangling-before" - | xargs -r podman rmi -f >/dev/null 2>&1 || true
}

setup() {
	[ -z "$SKIP_REASON" ] || skip "$SKIP_REASON"
	CONTAINER=anonymous-statistics-test-$BATS_TEST_NUMBER-$$
}

teardown() {
	[ -n "${SKIP_REASON:-}" ] || pod rm -f "$CONTAINER" >/dev/null 2>&1 || true
	capture_stop
}

# start_daemon [PODMAN RUN OPTIONS]: the image's daemon, detached, sending
# to the capture server; waits until it is ready.
start_daemon() {
	local i=0
	pod run -d --pull=never --name "$CONTAINER" --network=host $(ulimits) \
		-e ANONYMOUS_STATISTICS_URL="$CAPTURE_URL" -e ANONYMOUS_STATISTICS_KEY=phc_container_test \
		"$@" "$IMAGE" >/dev/null
	until pod logs "$CONTAINER" 2>&1 | grep -q 'ready (pid'; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { pod logs "$CONTAINER" >&2; return 1; }
		sleep 0.1
	done
}

@test "the runtime image has the programs and the entrypoint, and no compiler" {
	run run_image --entrypoint /bin/sh "$IMAGE" -c \
		'ls /usr/libexec/netdata/plugins.d /usr/sbin/anonstats-daemon; command -v cc gcc || echo no-compiler'
	assert_success
	assert_line anonymous-statistics.sh
	assert_line sysinfo
	assert_line /usr/sbin/anonstats-daemon
	assert_line no-compiler
}

@test "without DO_NOT_TRACK the daemon sends START, and STOP when the container stops" {
	capture_start
	start_daemon
	capture_wait 1 5
	pod stop -t 10 "$CONTAINER" >/dev/null
	capture_wait 2 5
	run captured_events
	assert_output "START		
STOP	OK	"
}

@test "-e DO_NOT_TRACK=1: the entrypoint made the opt-out file, and nothing arrives" {
	capture_start
	start_daemon -e DO_NOT_TRACK=1
	run pod exec "$CONTAINER" sh -c "test -f $OPT_OUT && echo present"
	assert_output present
	sleep 3 # START would leave at once; give it the script's whole bound
	pod stop -t 10 "$CONTAINER" >/dev/null
	assert_equal "$(capture_count)" 0
	run pod logs "$CONTAINER"
	assert_output --partial 'START not sent: disabled by DO_NOT_TRACK'
}

@test "-e DISABLE_TELEMETRY=1: a command run instead of the daemon finds the file too" {
	run run_image -e DISABLE_TELEMETRY=1 "$IMAGE" \
		/usr/libexec/netdata/plugins.d/anonymous-statistics.sh --status
	assert_success
	assert_line 'anonymous statistics: disabled'
	run run_image -e DISABLE_TELEMETRY=1 "$IMAGE" sh -c "test -f $OPT_OUT && echo present"
	assert_output present
}

@test "sysinfo inside reports the podman container, from its environment or /run/.containerenv" {
	run run_image "$IMAGE" /usr/libexec/netdata/plugins.d/sysinfo
	assert_success
	assert_line NETDATA_SYSTEM_CONTAINER=podman
	assert_line NETDATA_SYSTEM_CONTAINER_DETECTION=environment
	assert_line NETDATA_CONTAINER_OS_ID=debian
	# Without podman's container= variable, its marker file decides.
	run run_image --unsetenv container "$IMAGE" /usr/libexec/netdata/plugins.d/sysinfo
	assert_success
	assert_line NETDATA_SYSTEM_CONTAINER=podman
	assert_line NETDATA_SYSTEM_CONTAINER_DETECTION=/run/.containerenv
}
