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
TESTS += tests/packaging/entrypoint.bats
EXTRA_DIST += tests/packaging/entrypoint.bats
