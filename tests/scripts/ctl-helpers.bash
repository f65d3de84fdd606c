# Shared setup for the tests of scripts/ (the control command, the installer)
# and of the statistics level.  Load it with `load ctl-helpers`; it loads the
# script's helpers (and through them ../helpers/common).

load ../script/script-helpers

CTL="$top_builddir/scripts/anonymous-statistics-ctl"
INSTALLER="$top_srcdir/scripts/install.sh"
LEVEL_NAME=anonymous-statistics.level
OPT_OUT_NAME=.opt-out-from-anonymous-statistics

# ctl_setup: script_setup, plus a config directory of the test's own ($CFG)
# and copies of the script ($SCRIPT_COPY) and of the control command
# ($CTL_COPY) that use it, as they would after an install.
ctl_setup() {
	script_setup
	CFG="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$CFG"
	LEVEL="$CFG/$LEVEL_NAME"
	OPT_OUT="$CFG/$OPT_OUT_NAME"
	SCRIPT_COPY=$(config_dir_copy "$CFG")
	CTL_COPY="$BATS_TEST_TMPDIR/ctl"
	sed -e "s|^CONFIG_DIR=.*|CONFIG_DIR='$CFG'|" -e "s|^SCRIPT=.*|SCRIPT='$SCRIPT_COPY'|" \
		"$CTL" >"$CTL_COPY"
	chmod 755 "$CTL_COPY" "$SCRIPT_COPY"
}

# hostile_levels: the names of the hostile level files make_level knows.
HOSTILE_LEVELS="upper lead-blank trail-blank two-newlines crlf nul-after nul-inside empty
escape two-words 64-bytes 65-bytes one-mib symlink dangling loop directory fifo"

# make_level KIND PATH: create at PATH the hostile level file KIND; prints
# what --status must say about it.
make_level() {
	case $1 in
	upper) printf 'ALL\n' >"$2" ;;
	lead-blank) printf ' all\n' >"$2" ;;
	trail-blank) printf 'all \n' >"$2" ;;
	two-newlines) printf 'all\n\n' >"$2" ;;
	crlf) printf 'crashes\r\n' >"$2" ;;
	nul-after) printf 'all\0' >"$2" ;;
	nul-inside) printf 'al\0l\n' >"$2" ;;
	empty) : >"$2" ;;
	escape) printf 'all\033]0;pwned\007\n' >"$2" ;;
	two-words) printf 'crashes\nall\n' >"$2" ;;
	64-bytes) printf 'all%061d' 0 >"$2" ;;
	65-bytes) printf 'all\n%061d' 0 >"$2" ;;
	one-mib) { printf 'all\n'; head -c 1048576 /dev/zero; } >"$2" ;;
	symlink) printf 'all\n' >"$2.target" && ln -s "$2.target" "$2" ;;
	dangling) ln -s "$2.nowhere" "$2" ;;
	loop) ln -s "$(basename "$2")" "$2" ;;
	directory) mkdir "$2" ;;
	fifo) mkfifo "$2" ;;
	esac
	case $1 in
	65-bytes | one-mib) echo 'is larger than 64 bytes: counts as off' ;;
	symlink | dangling | loop | directory | fifo) echo 'is not a regular file: counts as off' ;;
	*) echo 'holds something other than off, crashes or all: counts as off' ;;
	esac
}
