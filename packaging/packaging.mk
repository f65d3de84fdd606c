# packaging/: the Debian source package, the RPM spec and the container
# image, and their tests.  The package builds and the install tests are slow
# and need root, so they run through `make check-packages`, not make check.

# Whole directories: a file added to one is in the tarball without an edit.
EXTRA_DIST += packaging/debian

# The RPM spec, filled in by configure; the tarball carries the result so
# that `rpmbuild -ta` works on it; `make` keeps it up to date.
noinst_DATA += packaging/rpm/anonymous-statistics.spec
EXTRA_DIST += packaging/rpm/anonymous-statistics.spec.in packaging/rpm/anonymous-statistics.spec
EXTRA_DIST += packaging/rpm/anonymous-statistics.rpmlintrc

# The container: Dockerfile and entrypoint; the entrypoint's bats test runs
# in make check (it needs no container).
EXTRA_DIST += packaging/docker
BATS_TESTS += tests/packaging/entrypoint.bats

# make check-packages: build the Debian packages and the RPMs from the
# release tarball, lint them, install them into a minimal Debian root and
# run the container (tests/packaging/check-packages.sh says how).
PACKAGES_DIR = $(abs_top_builddir)/packages
check-packages:
	$(MAKE) $(AM_MAKEFLAGS) dist-xz
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	TARBALL='$(abs_top_builddir)/$(distdir).tar.xz' PACKAGES_DIR='$(PACKAGES_DIR)' \
	BATS='$(BATS)' PYTHON3='$(PYTHON3)' BATS_LIB_PATH='/usr/lib/bats' \
		$(SHELL) $(srcdir)/tests/packaging/check-packages.sh
.PHONY: check-packages
EXTRA_DIST += \
	tests/packaging/check-packages.sh \
	tests/packaging/build-deb.sh \
	tests/packaging/packaging-helpers.bash \
	tests/packaging/deb-install.bats \
	tests/packaging/rpm-install.bats \
	tests/packaging/container.bats

# The packaging files agree with the build: versions, symbols, reasons.
BATS_TESTS += tests/packaging/packaging.bats
# The purge scripts against a state directory with planted names.
BATS_TESTS += tests/packaging/purge.bats
