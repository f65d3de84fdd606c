# packaging/: the Debian source package, the RPM spec and the container
# image, and their tests.  The package builds and the install tests are slow
# and need root, so they run through `make check-packages`, not make check.

# Whole directories: a file added to one is in the tarball without an edit.
EXTRA_DIST += packaging/debian
