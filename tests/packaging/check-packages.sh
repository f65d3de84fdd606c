#!/bin/sh
# check-packages.sh: build the Debian packages and the RPMs from the release
# tarball, lint them, then install them for real (a minimal Debian root made
# by mmdebstrap, and a podman container built from it). `make
# check-packages` runs it; .ci/run runs that.
#
# Environment (make check-packages sets the first four):
#   top_srcdir, top_builddir  the source and build trees
#   TARBALL                   the release tarball (make dist-xz)
#   PACKAGES_DIR              where packages, logs and the base root go
#   PACKAGES_CHECK            where make check runs inside a package build:
#                             first (default: the first Debian build only;
#                             CI's make check already ran on the same
#                             tree), all, or none
#   PACKAGES_PIUPARTS         yes (default): piuparts installs and purges the
#                             opt-in .debs in a copy of the base root; no: skip
#   BATS, PYTHON3             as for make check
# A tool that is missing or cannot run here makes its step skip, saying
# why; a step that runs and fails makes the whole run fail.
set -eu

: "${top_srcdir:?}" "${top_builddir:?}" "${TARBALL:?}" "${PACKAGES_DIR:?}"
: "${PACKAGES_CHECK:=first}" "${PACKAGES_PIUPARTS:=yes}" "${BATS:=bats}" "${PYTHON3:=python3}"
here=$top_srcdir/tests/packaging
out=$PACKAGES_DIR
logs=$out/logs
failed=''
skipped=''

say() { printf '==> %s\n' "$*" >&2; }
now() { date +%s; }
step_ok() { say "$1: ok ($(( $(now) - $2 )) s)"; }
step_failed() { say "$1: FAILED ($(( $(now) - $2 )) s)${3:+: $3}"; failed="$failed $1"; }
step_skipped() { say "$1: skipped: $2"; skipped="$skipped $1"; }
have() { command -v "$1" >/dev/null 2>&1; }

mkdir -p "$out" "$logs"

# ---- The base root, made in the background while the packages build -------
# One minimal bookworm root serves the install tests (a copy per test) and,
# imported into podman, both container stages (the runtime stage's base has
# the compiler removed again).  It holds the daemon's one run-time library
# outside libc, libmicrohttpd12 (the dashboard): dpkg -i in a root with no
# archive to fetch from must find it there.
BASE_TAR=$out/base-bookworm.tar
BASE_TMP=$out/base-bookworm.part.tar # mmdebstrap picks the format by the name
base_pid=''
if [ -s "$BASE_TAR" ]; then
	say "base root: reusing $BASE_TAR"
elif have mmdebstrap; then
	say "base root: mmdebstrap in the background"
	mmdebstrap --variant=minbase --include=curl,ca-certificates,gcc,libc6-dev,make,libmicrohttpd12 \
		bookworm "$BASE_TMP" >"$logs/mmdebstrap.log" 2>&1 &
	base_pid=$!
fi
export BASE_TAR

# ---- Debian packages --------------------------------------------------------
deb_check() { # 1 for the build that runs make check
	case $PACKAGES_CHECK in
	all) return 0 ;;
	first) [ "$1" = 1 ] ;;
	*) return 1 ;;
	esac
}

build_deb() { # NAME FIRST [build-deb.sh options]
	name=$1 first=$2
	shift 2
	deb_check "$first" || set -- "$@" --nocheck
	t=$(now)
	if sh "$here/build-deb.sh" "$TARBALL" "$out/deb/$name" "$@"; then
		step_ok "deb $name" "$t"
	else
		step_failed "deb $name" "$t" "see $out/deb/$name/build.log"
	fi
}

# lintian --pedantic: no error, no warning, and no override left unused.
lint_deb() { # NAME
	t=$(now)
	changes=''
	for f in "$out/deb/$1"/*.changes; do [ -f "$f" ] && changes=$f; done
	[ -n "$changes" ] || { step_failed "lintian $1" "$t" "no .changes"; return 0; }
	status=0
	lintian --pedantic --display-info --display-experimental --tag-display-limit 0 \
		--fail-on error,warning "$changes" >"$logs/lintian-$1.log" 2>&1 || status=$?
	grep -v -e '^running with root privileges' "$logs/lintian-$1.log" >&2 || :
	if grep -q -e '^[EW]: ' -e 'unused-override' -e 'mismatched-override' "$logs/lintian-$1.log"; then
		status=1
	fi
	if [ "$status" -eq 0 ]; then step_ok "lintian $1" "$t"; else step_failed "lintian $1" "$t"; fi
}

DEB_DEFAULT=$out/deb/default DEB_OPT_IN=$out/deb/opt-in DEB_UPGRADE=$out/deb/upgrade
export DEB_DEFAULT DEB_OPT_IN DEB_UPGRADE
if have dpkg-buildpackage && have dh; then
	rm -rf "$out/deb"
	build_deb default 1
	build_deb opt-in 0 --opt-in --binary-only
	build_deb upgrade 0 --opt-in --binary-only --version "$(dpkg-parsechangelog \
		-l "$top_srcdir/packaging/debian/changelog" -S Version)+upgrade1"
	if have lintian; then
		lint_deb default
		lint_deb opt-in
	else
		step_skipped lintian "lintian is not installed"
	fi
else
	step_skipped deb "dpkg-buildpackage or debhelper is not installed"
fi

# ---- RPMs -------------------------------------------------------------------
build_rpm() { # NAME [rpmbuild options]
	name=$1
	shift
	t=$(now)
	[ "$PACKAGES_CHECK" = all ] || set -- "$@" --nocheck
	rm -rf "$out/rpm/$name" "$out/rpmbuild-$name"
	# --nodeps: the BuildRequires are Debian packages here, unknown to rpm.
	if rpmbuild -tb --nodeps --define "_topdir $out/rpmbuild-$name" "$@" "$TARBALL" \
		>"$logs/rpmbuild-$name.log" 2>&1; then
		mkdir -p "$out/rpm/$name"
		find "$out/rpmbuild-$name/RPMS" -name '*.rpm' -exec mv {} "$out/rpm/$name/" \;
		rm -rf "$out/rpmbuild-$name"
		step_ok "rpm $name" "$t"
	else
		tail -n 30 "$logs/rpmbuild-$name.log" >&2
		step_failed "rpm $name" "$t" "see $logs/rpmbuild-$name.log"
	fi
}

RPM_DEFAULT=$out/rpm/default RPM_OPT_IN=$out/rpm/opt-in RPM_UPGRADE=$out/rpm/upgrade
export RPM_DEFAULT RPM_OPT_IN RPM_UPGRADE
if have rpmbuild; then
	build_rpm default
	build_rpm opt-in --with opt_in
	build_rpm upgrade --with opt_in --define 'dist .1'
	if have rpmlint; then
		t=$(now)
		# Errors fail (rpmlint's exit status says so); warnings are shown.
		if rpmlint -r "$top_srcdir/packaging/rpm/anonymous-statistics.rpmlintrc" \
			"$out/rpm/default"/*.rpm "$out/rpm/opt-in"/*.rpm >"$logs/rpmlint.log" 2>&1; then
			grep -e ': [EW]: ' -e 'errors,' "$logs/rpmlint.log" >&2 || :
			step_ok rpmlint "$t"
		else
			cat "$logs/rpmlint.log" >&2
			step_failed rpmlint "$t"
		fi
	else
		step_skipped rpmlint "rpmlint is not installed"
	fi
else
	step_skipped rpm "rpmbuild is not installed (Debian's rpm package)"
fi

# ---- Installs and the container ---------------------------------------------
if [ -n "$base_pid" ]; then
	t=$(now)
	if wait "$base_pid" && mv "$BASE_TMP" "$BASE_TAR"; then
		step_ok "base root (mmdebstrap)" "$t"
	else
		tail -n 20 "$logs/mmdebstrap.log" >&2
		rm -f "$BASE_TMP"
		step_failed "base root (mmdebstrap)" "$t" "see $logs/mmdebstrap.log"
	fi
fi

# piuparts: install, purge, and nothing left behind that dpkg does not know
# (the opt-in variant: its conffile and state directory are the hard part).
# It reaches Debian's mirror for apt-get update inside the copy.
piuparts_step() {
	t=$(now)
	if [ "$PACKAGES_PIUPARTS" != yes ]; then
		step_skipped piuparts "PACKAGES_PIUPARTS=$PACKAGES_PIUPARTS"; return 0
	fi
	have piuparts || { step_skipped piuparts "piuparts is not installed"; return 0; }
	[ -s "$BASE_TAR" ] || { step_skipped piuparts "no base root"; return 0; }
	[ "$(id -u)" -eq 0 ] || { step_skipped piuparts "piuparts needs root"; return 0; }
	set --
	for f in "$DEB_OPT_IN"/*.deb; do
		case $f in *-dbgsym_*) ;; *) [ -f "$f" ] && set -- "$@" "$f" ;; esac
	done
	[ $# -gt 0 ] || { step_skipped piuparts "no opt-in packages"; return 0; }
	root=$out/piuparts-root
	rm -rf "$root" && mkdir -p "$root" && tar -xf "$BASE_TAR" -C "$root"
	if piuparts --existing-chroot "$root" -d bookworm -m http://deb.debian.org/debian \
		--log-file "$logs/piuparts.log" "$@" >/dev/null 2>&1; then
		grep ' INFO: PASS' "$logs/piuparts.log" >&2 || :
		step_ok piuparts "$t"
	else
		tail -n 30 "$logs/piuparts.log" >&2
		step_failed piuparts "$t" "see $logs/piuparts.log"
	fi
	rm -rf "$root"
}
piuparts_step

# The bats files skip, saying why, what cannot run here (no base root, no
# root privileges, podman unable to run a container).
for test in deb-install rpm-install container; do
	t=$(now)
	if "$BATS" "$here/$test.bats"; then
		step_ok "$test" "$t"
	else
		step_failed "$test" "$t"
	fi
done

[ -z "$skipped" ] || say "skipped:$skipped"
if [ -n "$failed" ]; then
	say "FAILED:$failed"
	exit 1
fi
say "every package step passed"
