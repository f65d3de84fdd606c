#!/bin/sh
# demo.sh PREFIX: show what an installed anonymous-statistics sends.
# Until the reference daemon lands this shows the generated script's settings.
set -eu
prefix=${1:?usage: demo.sh PREFIX}
script="$prefix/libexec/netdata/plugins.d/anonymous-statistics.sh"
[ -x "$script" ] || { printf 'demo.sh: %s is not installed\n' "$script" >&2; exit 1; }
printf '== %s\n' "$script"
"$script" START
