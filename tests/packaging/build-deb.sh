#!/bin/sh
# build-deb.sh TARBALL OUTDIR [--opt-in] [--nocheck] [--binary-only]
#              [--version VERSION]
# Build the Debian packages the way a packager would: unpack the release
# tarball, copy packaging/debian to debian/, dpkg-buildpackage. --opt-in
# builds the pkg.anonymous-statistics.opt-in profile; --version adds a
# changelog entry first (a rebuilt, higher version to upgrade to).
# OUTDIR receives the .deb, .changes, .buildinfo (and source) files and
# build.log.
set -eu

die() { printf 'build-deb.sh: %s\n' "$*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: build-deb.sh TARBALL OUTDIR [--opt-in] [--nocheck] [--binary-only] [--version VERSION]"
tarball=$1 outdir=$2
shift 2
profiles='' options='' binary_only='' version=''
while [ $# -gt 0 ]; do
	case $1 in
	--opt-in) profiles=pkg.anonymous-statistics.opt-in ;;
	--nocheck) profiles=${profiles:+$profiles,}nocheck; options=nocheck ;;
	--binary-only) binary_only=yes ;;
	--version) [ $# -ge 2 ] || die "--version needs a value"; version=$2; shift ;;
	*) die "unknown option: $1" ;;
	esac
	shift
done
[ -f "$tarball" ] || die "no tarball: $tarball"

name=$(basename "$tarball")
name=${name%.tar.*}                 # anonymous-statistics-0.1.0
upstream=${name##*-}                # 0.1.0
source=${name%-"$upstream"}         # anonymous-statistics

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/build-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

tar -xf "$tarball" -C "$work"
cp "$tarball" "$work/${source}_$upstream.orig.tar.${tarball##*.tar.}"
tree=$work/$name
cp -R "$tree/packaging/debian" "$tree/debian"

# A rebuilt version: a new changelog entry on top (no devscripts needed).
if [ -n "$version" ]; then
	{
		printf '%s (%s) unstable; urgency=medium\n\n' "$source" "$version"
		printf '  * Rebuild to test upgrades.\n\n'
		printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Maintainer)" \
			"$(date -R -u)"
		cat "$tree/debian/changelog"
	} >"$work/changelog"
	mv "$work/changelog" "$tree/debian/changelog"
fi

set -- -us -uc
[ -z "$binary_only" ] || set -- "$@" -b
[ -z "$profiles" ] || set -- "$@" "-P$profiles"
status=0
(cd "$tree" && DEB_BUILD_OPTIONS="${options:+$options }parallel=${PARALLEL:-2}" \
	dpkg-buildpackage "$@") >"$outdir/build.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	tail -n 40 "$outdir/build.log" >&2
	die "dpkg-buildpackage failed ($status); the whole log is $outdir/build.log"
fi
for f in "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$work"/*.dsc \
	"$work"/*.debian.tar.* "$work"/*.orig.tar.*; do
	[ ! -e "$f" ] || mv "$f" "$outdir/"
done
