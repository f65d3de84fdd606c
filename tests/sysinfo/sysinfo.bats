#!/usr/bin/env bats
# sysinfo's contract: options and exit codes, the JSON form, values safe for
# a line-oriented reader whatever the files hold, agreement with
# systemd-detect-virt, and no child process, network, write or identifying read.

load ../helpers/common

KEYS='NETDATA_CONTAINER_OS_NAME NETDATA_CONTAINER_OS_ID NETDATA_CONTAINER_OS_ID_LIKE
NETDATA_CONTAINER_OS_VERSION NETDATA_CONTAINER_OS_VERSION_ID NETDATA_CONTAINER_OS_DETECTION
NETDATA_HOST_OS_NAME NETDATA_HOST_OS_ID NETDATA_HOST_OS_ID_LIKE NETDATA_HOST_OS_VERSION
NETDATA_HOST_OS_VERSION_ID NETDATA_HOST_OS_DETECTION NETDATA_HOST_IS_K8S_NODE
NETDATA_SYSTEM_KERNEL_NAME NETDATA_SYSTEM_KERNEL_VERSION NETDATA_SYSTEM_ARCHITECTURE
NETDATA_SYSTEM_VIRTUALIZATION NETDATA_SYSTEM_VIRT_DETECTION NETDATA_SYSTEM_CONTAINER
NETDATA_SYSTEM_CONTAINER_DETECTION'

setup() {
	SYSINFO="$top_builddir/helpers/sysinfo/sysinfo"
	FIXTURES="$BATS_TEST_DIRNAME/fixtures"
	ROOT="$BATS_TEST_TMPDIR/root"
	mkdir -p "$ROOT/etc"
}

# value KEY: the value of KEY in $output.
value() {
	printf '%s\n' "$output" | sed -n "s/^$1=//p"
}

# check_safe FILE: FILE is sysinfo's output, and safe for a line reader:
# the 20 keys in order, valid UTF-8, no control character, values trimmed
# and at most 256 bytes.
check_safe() {
	"$PYTHON3" - "$1" "$KEYS" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
keys = sys.argv[2].split()
text = data.decode("utf-8", errors="strict")
assert text.endswith("\n"), "no final newline"
lines = text[:-1].split("\n")
assert [l.split("=", 1)[0] for l in lines] == keys, "keys or order differ: %r" % lines
for l in lines:
    k, v = l.split("=", 1)
    assert v, "empty value for " + k
    assert v == v.strip(" "), "untrimmed value for " + k
    assert len(v.encode()) <= 256, "%s is %d bytes" % (k, len(v.encode()))
    bad = [c for c in v if ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or c in "\u2028\u2029"]
    assert not bad, "control characters in %s: %r" % (k, bad)
PY
}

@test "prints the 20 keys in order, with safe values, on this machine" {
	run "$SYSINFO"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	check_safe "$BATS_TEST_TMPDIR/out"
}

@test "--json prints the same keys and values as one flat JSON object" {
	run "$SYSINFO" --root "$FIXTURES/docker-in-kvm" --cpuid=KVMKVMKVM
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/lines"
	run "$SYSINFO" --json --root "$FIXTURES/docker-in-kvm" --cpuid=KVMKVMKVM
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/json"
	json_valid "$BATS_TEST_TMPDIR/json"
	"$PYTHON3" - "$BATS_TEST_TMPDIR/json" "$BATS_TEST_TMPDIR/lines" <<'PY'
import json, sys
obj = json.load(open(sys.argv[1], encoding="utf-8"), object_pairs_hook=list)
lines = [l.split("=", 1) for l in open(sys.argv[2], encoding="utf-8").read().splitlines()]
assert [list(p) for p in obj] == lines, (obj, lines)
assert all(isinstance(v, str) for _, v in obj)
PY
}

@test "--json is valid for jq too, and escapes quotes and backslashes" {
	command -v jq >/dev/null || skip "jq is not installed"
	printf 'NAME="a \\"quoted\\" \\\\ name"\nID=x\n' >"$ROOT/etc/os-release"
	run "$SYSINFO" --json --root "$ROOT"
	assert_success
	run jq -r .NETDATA_HOST_OS_NAME <<<"$output"
	assert_success
	assert_output 'a "quoted" \ name'
}

@test "--help exits 0 and prints the usage" {
	run "$SYSINFO" --help
	assert_success
	assert_output --partial "usage: sysinfo"
}

@test "an unknown option is a usage error: exit 2" {
	run "$SYSINFO" --bogus
	assert_failure 2
	assert_output --partial "unknown argument"
}

@test "--cpuid without --root is a usage error: exit 2" {
	run "$SYSINFO" --cpuid=KVMKVMKVM
	assert_failure 2
}

@test "--root without a directory, or with an empty or missing one, exits 2" {
	run "$SYSINFO" --root
	assert_failure 2
	run "$SYSINFO" --root=
	assert_failure 2
	run "$SYSINFO" --root "$BATS_TEST_TMPDIR/does-not-exist"
	assert_failure 2
	run "$SYSINFO" --root "$ROOT" --cpuid=
	assert_failure 2
}

@test "--root=DIR and --root DIR are the same" {
	run "$SYSINFO" --root="$FIXTURES/os-debian-12"
	assert_success
	a=$output
	run "$SYSINFO" --root "$FIXTURES/os-debian-12"
	assert_output "$a"
}

@test "a --root run reads nothing of the real system: no CPUID hypervisor, no own environment" {
	KUBERNETES_SERVICE_HOST=10.0.0.1 KUBERNETES_SERVICE_PORT=443 container=docker \
		run "$SYSINFO" --root "$FIXTURES/nothing"
	assert_success
	diff -u "$FIXTURES/nothing.expected" - <<<"$output"
}

@test "our own Kubernetes service variables make a k8s node on the real system" {
	KUBERNETES_SERVICE_HOST=10.96.0.1 KUBERNETES_SERVICE_PORT=443 run "$SYSINFO"
	assert_success
	[ "$(value NETDATA_HOST_IS_K8S_NODE)" = true ]
	env -u KUBERNETES_SERVICE_HOST -u KUBERNETES_SERVICE_PORT "$SYSINFO" >"$BATS_TEST_TMPDIR/out"
	if ! tr '\0' '\n' </proc/1/environ 2>/dev/null | grep -q '^KUBERNETES_SERVICE_HOST=.'; then
		grep -qx 'NETDATA_HOST_IS_K8S_NODE=false' "$BATS_TEST_TMPDIR/out"
	fi
}

@test "binary bytes, invalid UTF-8 and control characters come out normalized" {
	# NUL, ESC sequences, DEL, C1 (U+0085), invalid and overlong UTF-8, a
	# lone continuation byte, a UTF-16 surrogate, U+2028, tabs.
	printf 'NAME="a\000b\033[31mred\177x\302\205y"\nID=\377\376bad\nID_LIKE="\300\257over \355\240\200sur \200cont"\nVERSION="\342\200\250sep\tTab\001"\nVERSION_ID=caf\303\251\n' \
		>"$ROOT/etc/os-release"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	check_safe "$BATS_TEST_TMPDIR/out"
	[ "$(value NETDATA_HOST_OS_NAME)" = "a b [31mred x y" ]
	[ "$(value NETDATA_HOST_OS_ID)" = "$(printf '\357\277\275\357\277\275bad')" ]
	[ "$(value NETDATA_HOST_OS_VERSION)" = "sep Tab" ]
	[ "$(value NETDATA_HOST_OS_VERSION_ID)" = "$(printf 'caf\303\251')" ]
}

@test "500 random byte strings normalize exactly as Python's UTF-8 decoder says" {
	mkdir -p "$ROOT/proc/sys/kernel"
	"$PYTHON3" - "$SYSINFO" "$ROOT" <<'PY'
import random, subprocess, sys
sysinfo, root = sys.argv[1], sys.argv[2]
rng = random.Random(20261125)
pieces = [b"a", b" ", b"\t", b"\x7f", b"\x1b", b"\xc2\x85", b"\xe2\x80\xa8", b"\xc3\xa9", b"\xe2\x82\xac",
          b"\xf0\x9f\x90\xa7", b"\xc0", b"\xe2\x82", b"\xf0\x9f", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
          b"\xff", b"\x80", b"\xbf", b"\xe0\x80", b"\xf5", b"$(x)", b"\\", b'"']
def oracle(raw):
    raw = raw.split(b"\r")[0]  # the first line ends at \n or \r
    text = raw.decode("utf-8", errors="replace")
    text = "".join(" " if (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or c in "\u2028\u2029") else c
                   for c in text).lstrip(" ")
    out = b""
    for c in text:
        e = c.encode()
        if len(out) + len(e) > 256:
            break
        out += e
    out = out.rstrip(b" ")
    return out if out else b"unknown"
for i in range(500):
    raw = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 120)))
    if rng.random() < 0.3:
        raw = bytes(rng.choice([b for b in range(1, 256) if b != 10]) for _ in range(rng.randint(0, 300)))
    open(root + "/proc/sys/kernel/osrelease", "wb").write(raw + b"\n")
    out = subprocess.run([sysinfo, "--root", root], capture_output=True, check=True).stdout
    got = [l for l in out.split(b"\n") if l.startswith(b"NETDATA_SYSTEM_KERNEL_VERSION=")][0].split(b"=", 1)[1]
    want = oracle(raw)
    assert got == want, "input %r: got %r, want %r" % (raw, got, want)
PY
}

@test "a 1 MiB line is cut to 256 bytes, never inside a character" {
	"$PYTHON3" -c '
import sys
open(sys.argv[1], "w").write("ID=before\nNAME=" + "\u00e9" * (512 * 1024) + "\nVERSION_ID=after\n")' "$ROOT/etc/os-release"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	check_safe "$BATS_TEST_TMPDIR/out"
	[ "$(value NETDATA_HOST_OS_ID)" = before ]
	name=$(value NETDATA_HOST_OS_NAME)
	[ "$(printf %s "$name" | wc -c)" -eq 256 ]	# 128 two-byte characters
	[ "$(printf %s "$name" | "$PYTHON3" -c 'import sys; print(len(sys.stdin.buffer.read().decode()))')" -eq 128 ]
	# only the first 64 KiB of an os-release file is read: the rest is ignored
	[ "$(value NETDATA_HOST_OS_VERSION_ID)" = unknown ]
}

@test "a quoted 1 MiB value cut by the 64 KiB read cap is an unclosed quote: ignored" {
	"$PYTHON3" -c '
import sys
open(sys.argv[1], "w").write("ID=first\nNAME=\"" + "x" * (1024 * 1024) + "\"\n")' "$ROOT/etc/os-release"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	check_safe "$BATS_TEST_TMPDIR/out"
	[ "$(value NETDATA_HOST_OS_ID)" = first ]
	[ "$(value NETDATA_HOST_OS_NAME)" = unknown ]
}

@test "hostile os-release text is printed literally and nothing runs" {
	marker="$BATS_TEST_TMPDIR/pwned"
	# shellcheck disable=SC2016 # the text must reach the file unexpanded
	printf 'NAME="$(touch %s)"\nID=`touch %s`\nVERSION="unclosed\nVERSION_ID=2\n' "$marker" "$marker" \
		>"$ROOT/etc/os-release"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	[ ! -e "$marker" ]
	[ "$(value NETDATA_HOST_OS_NAME)" = "\$(touch $marker)" ]
	[ "$(value NETDATA_HOST_OS_VERSION)" = unknown ]
	[ "$(value NETDATA_HOST_OS_VERSION_ID)" = 2 ]
}

@test "a FIFO or a directory where a file should be is refused, never waited on" {
	mkfifo "$ROOT/etc/os-release"
	mkdir -p "$ROOT/proc/sys/kernel/osrelease"
	run timeout 5 "$SYSINFO" --root "$ROOT"
	assert_success
	[ "$(value NETDATA_HOST_OS_DETECTION)" = unknown ]
	[ "$(value NETDATA_SYSTEM_KERNEL_VERSION)" = unknown ]
}

@test "virtualization equals systemd-detect-virt --vm, container equals --container" {
	command -v systemd-detect-virt >/dev/null || skip "systemd-detect-virt is not installed"
	vm=$(systemd-detect-virt --vm 2>/dev/null) || true
	ct=$(systemd-detect-virt --container 2>/dev/null) || true
	[ -n "$vm" ] && [ -n "$ct" ] || skip "systemd-detect-virt gave no answer here"
	run "$SYSINFO"
	assert_success
	echo "systemd-detect-virt: vm=$vm container=$ct"
	[ "$(value NETDATA_SYSTEM_VIRTUALIZATION)" = "$vm" ]
	[ "$(value NETDATA_SYSTEM_CONTAINER)" = "$ct" ]
}

# strace_or_skip: strace must exist and be allowed to trace here, and the
# program must be our code alone (not a sanitizer build).
strace_or_skip() {
	skip_if_sanitized "ASan's runtime opens files and starts a thread of its own, which these traces would count"
	command -v strace >/dev/null || skip "strace is not installed"
	strace -f -qq -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
}

@test "no child process: only the initial execve, no fork, clone or exec" {
	strace_or_skip
	strace -f -qq -e trace=process -o "$BATS_TEST_TMPDIR/trace" "$SYSINFO" >/dev/null
	cat "$BATS_TEST_TMPDIR/trace"
	[ "$(grep -cE '^[0-9]+ +execve\(' "$BATS_TEST_TMPDIR/trace")" -eq 1 ]
	# Match the syscall name where strace -f puts it (after the pid), never in
	# an argument: a build directory may well be called /tmp/clone.
	run grep -E '^[0-9]+ +(fork|vfork|clone|clone3|execveat)\(' "$BATS_TEST_TMPDIR/trace"
	assert_failure
	# and the same under --root
	strace -f -qq -e trace=process -o "$BATS_TEST_TMPDIR/trace2" "$SYSINFO" --root "$FIXTURES/k8s-pod" >/dev/null
	[ "$(grep -cE '^[0-9]+ +execve\(' "$BATS_TEST_TMPDIR/trace2")" -eq 1 ]
	run grep -E '^[0-9]+ +(fork|vfork|clone|clone3|execveat)\(' "$BATS_TEST_TMPDIR/trace2"
	assert_failure
}

@test "no network: not one socket call" {
	strace_or_skip
	strace -f -qq -e trace=network -o "$BATS_TEST_TMPDIR/trace" "$SYSINFO" >/dev/null
	run cat "$BATS_TEST_TMPDIR/trace"
	assert_output ""
}

@test "no writes: files are opened read-only and only stdout is written" {
	strace_or_skip
	strace -f -qq -e trace=open,openat,openat2,creat,write,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat \
		-o "$BATS_TEST_TMPDIR/trace" "$SYSINFO" >/dev/null
	run grep -E 'O_WRONLY|O_RDWR|O_CREAT|creat\(|unlink|rename|mkdir' "$BATS_TEST_TMPDIR/trace"
	assert_failure
	run grep -E '^[0-9]+ +write\(([02-9]|[0-9][0-9]+),' "$BATS_TEST_TMPDIR/trace"
	assert_failure
}

@test "nothing identifying is read: no hostname, machine-id, serials, MACs, users" {
	strace_or_skip
	strace -f -qq -e trace=open,openat,openat2,stat,newfstatat,statx,access,faccessat,faccessat2,readlink,readlinkat \
		-o "$BATS_TEST_TMPDIR/trace" "$SYSINFO" >/dev/null
	run grep -Ei 'hostname|machine-id|serial|uuid|/sys/class/net|/proc/net|passwd|/home|product_sku|board_name|asset' \
		"$BATS_TEST_TMPDIR/trace"
	assert_failure
}

@test "a manager name ended by CRLF or CR is read as systemd reads it (first line ends at \\r)" {
	mkdir -p "$ROOT/run/systemd" "$ROOT/run/host"
	printf 'docker\r\n' >"$ROOT/run/systemd/container"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	[ "$(value NETDATA_SYSTEM_CONTAINER)" = docker ]
	printf 'lxc\rjunk\n' >"$ROOT/run/host/container-manager"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	[ "$(value NETDATA_SYSTEM_CONTAINER)" = lxc ]
	[ "$(value NETDATA_SYSTEM_CONTAINER_DETECTION)" = /run/host/container-manager ]
}

@test "a manager name that is present but empty is container-other, an empty file no answer (as systemd)" {
	mkdir -p "$ROOT/run/systemd" "$ROOT/proc/1"
	: >"$ROOT/run/systemd/container"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	[ "$(value NETDATA_SYSTEM_CONTAINER)" = none ]
	printf '\n' >"$ROOT/run/systemd/container"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	[ "$(value NETDATA_SYSTEM_CONTAINER)" = container-other ]
	[ "$(value NETDATA_SYSTEM_CONTAINER_DETECTION)" = /run/systemd/container ]
	rm "$ROOT/run/systemd/container"
	printf 'TERM=linux\0container=\0' >"$ROOT/proc/1/environ"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	[ "$(value NETDATA_SYSTEM_CONTAINER)" = container-other ]
	[ "$(value NETDATA_SYSTEM_CONTAINER_DETECTION)" = /proc/1/environ ]
	printf 'TERM=linux\0containers=lxc\0' >"$ROOT/proc/1/environ"
	run "$SYSINFO" --root "$ROOT"
	assert_success
	[ "$(value NETDATA_SYSTEM_CONTAINER)" = none ]
}

@test "Amazon without the SMBIOS table: only a first '.metal' at the end or before '-' is bare metal (systemd's rule)" {
	mkdir -p "$ROOT/sys/class/dmi/id"
	echo "Amazon EC2" >"$ROOT/sys/class/dmi/id/sys_vendor"
	for case in "m5.metal:none" "m7i.metal-24xl:none" "c6i.metal\r:none" "t3.micro:amazon" \
		"m5.metal :amazon" "x.metalx.metal:amazon" "m5.metallic:amazon" "metal:amazon"; do
		printf "${case%:*}\n" >"$ROOT/sys/class/dmi/id/product_name"
		run "$SYSINFO" --root "$ROOT"
		assert_success
		echo "$case -> $(value NETDATA_SYSTEM_VIRTUALIZATION)"
		[ "$(value NETDATA_SYSTEM_VIRTUALIZATION)" = "${case##*:}" ]
	done
}

@test "a device or FIFO in a file's place (or a link to one) is refused without being opened" {
	strace_or_skip
	mkdir -p "$ROOT/proc/sys/kernel" "$ROOT/run/systemd"
	mkfifo "$ROOT/etc/os-release"
	mknod "$ROOT/run/systemd/container" c 1 3 2>/dev/null || mkfifo "$ROOT/run/systemd/container"
	ln -s /dev/null "$ROOT/proc/sys/kernel/osrelease"
	strace -f -qq -e trace=open,openat,openat2 -o "$BATS_TEST_TMPDIR/trace" "$SYSINFO" --root "$ROOT" \
		>"$BATS_TEST_TMPDIR/out"
	cat "$BATS_TEST_TMPDIR/trace"
	run grep -E 'etc/os-release|run/systemd/container|dev/null|osrelease' "$BATS_TEST_TMPDIR/trace"
	assert_failure
	grep -qx 'NETDATA_HOST_OS_DETECTION=unknown' "$BATS_TEST_TMPDIR/out"
	grep -qx 'NETDATA_SYSTEM_CONTAINER=none' "$BATS_TEST_TMPDIR/out"
}

# tree_is [ARG...]: sysinfo --root $ROOT ARG... gives $WANT, "VM METHOD CONTAINER METHOD".
tree_is() {
	run "$SYSINFO" --root "$ROOT" "$@"
	assert_success
	local got
	got="$(value NETDATA_SYSTEM_VIRTUALIZATION) $(value NETDATA_SYSTEM_VIRT_DETECTION)"
	got="$got $(value NETDATA_SYSTEM_CONTAINER) $(value NETDATA_SYSTEM_CONTAINER_DETECTION)"
	echo "got: $got, want: $WANT"
	[ "$got" = "$WANT" ]
}

@test "DMI: product_name is read before sys_vendor, and each of the five files counts" {
	local d=$ROOT/sys/class/dmi/id
	mkdir -p "$d"
	echo KVM >"$d/product_name"
	echo QEMU >"$d/sys_vendor"
	WANT="kvm dmi none none" tree_is
	rm "$d"/*
	echo "Oracle Corporation" >"$d/board_vendor"
	WANT="oracle dmi none none" tree_is
	rm "$d"/*
	echo Bochs >"$d/bios_vendor"
	WANT="bochs dmi none none" tree_is
	rm "$d"/*
	echo "Hyper-V UEFI Release v4.1" >"$d/product_version"
	WANT="microsoft dmi none none" tree_is
}

@test "SMBIOS: a type 0 structure too short for byte 19 says nothing (Amazon falls back to the name)" {
	mkdir -p "$ROOT/sys/class/dmi/id" "$ROOT/sys/firmware/dmi/entries/0-0"
	echo "Amazon EC2" >"$ROOT/sys/class/dmi/id/sys_vendor"
	echo "t3.micro" >"$ROOT/sys/class/dmi/id/product_name"
	# 24 bytes read, but the structure's own length (byte 1) is 19: byte 19
	# (bit 4 unset here) is not part of it, so it is not read as "bare metal"
	printf '\000\023\000\000\001\000\000\002\000\000\000\000\000\000\000\000\000\000\003\000\000\000\000\000' \
		>"$ROOT/sys/firmware/dmi/entries/0-0/raw"
	WANT="amazon dmi none none" tree_is
	# with length 24 the same byte says bare metal
	printf '\000\030\000\000\001\000\000\002\000\000\000\000\000\000\000\000\000\000\003\000\000\000\000\000' \
		>"$ROOT/sys/firmware/dmi/entries/0-0/raw"
	WANT="none none none none" tree_is
}

@test "Xen dom0 skips DMI, /sys/hypervisor/type, device tree and z/VM; only CPUID can still name a VM" {
	mkdir -p "$ROOT/proc/xen" "$ROOT/sys/hypervisor/properties" "$ROOT/sys/class/dmi/id"
	echo "control_d" >"$ROOT/proc/xen/capabilities"
	echo xen >"$ROOT/sys/hypervisor/type"
	echo QEMU >"$ROOT/sys/class/dmi/id/sys_vendor"
	WANT="none none none none" tree_is
	WANT="kvm cpuid none none" tree_is --cpuid=KVMKVMKVM
	echo "00000705" >"$ROOT/sys/hypervisor/properties/features"
	WANT="xen /proc/xen none none" tree_is
}

@test "PowerVM needs no QEMU graphics node: with one it is not PowerVM" {
	local dt=$ROOT/proc/device-tree
	mkdir -p "$dt/chosen"
	printf 'lpar01\0' >"$dt/ibm,partition-name"
	: >"$dt/hmc-managed?"
	WANT="powervm device-tree none none" tree_is
	printf '\0\0\4\0' >"$dt/chosen/qemu,graphic-width"
	WANT="none none none none" tree_is
}

@test "container order: openvz before WSL, the host's manager file first, podman's marker before Docker's" {
	mkdir -p "$ROOT/proc/vz" "$ROOT/proc/sys/kernel" "$ROOT/run/host" "$ROOT/run/systemd"
	echo "4.4.0-19041-Microsoft" >"$ROOT/proc/sys/kernel/osrelease"
	WANT="none none openvz /proc/vz" tree_is
	rmdir "$ROOT/proc/vz"
	WANT="none none wsl /proc/sys/kernel/osrelease" tree_is
	echo "6.1.0-18-amd64" >"$ROOT/proc/sys/kernel/osrelease"
	echo lxc >"$ROOT/run/systemd/container"
	echo systemd-nspawn >"$ROOT/run/host/container-manager"
	WANT="none none systemd-nspawn /run/host/container-manager" tree_is
	rm "$ROOT/run/host/container-manager" "$ROOT/run/systemd/container"
	: >"$ROOT/.dockerenv"
	: >"$ROOT/run/.containerenv"
	WANT="none none podman /run/.containerenv" tree_is
}

@test "cgroup v2 namespace: cgroup.type in /sys/fs/cgroup means a nested cgroup, container-other" {
	mkdir -p "$ROOT/proc/self/ns" "$ROOT/sys/fs/cgroup" "$ROOT/sys/kernel/cgroup"
	ln -s "cgroup:[4026532500]" "$ROOT/proc/self/ns/cgroup"
	: >"$ROOT/sys/fs/cgroup/cgroup.controllers"
	: >"$ROOT/sys/fs/cgroup/cgroup.events"
	: >"$ROOT/sys/kernel/cgroup/features"
	WANT="none none none none" tree_is
	: >"$ROOT/sys/fs/cgroup/cgroup.type"
	WANT="none none container-other cgroup-namespace" tree_is
	rm "$ROOT/sys/fs/cgroup/cgroup.type" "$ROOT/sys/kernel/cgroup/features"
	WANT="none none container-other cgroup-namespace" tree_is
}
