#!/usr/bin/env bash
# The manual pages against the programs (a CTest test):
#   - roiwatch.conf.5 in the build is what its template and the option table
#     make today, and lists, table by table, exactly the options that
#     `roiwatch check-config --options` prints;
#   - roiwatch.1 has every command of the dispatch table (daemon/roiwatch.c)
#     and of the usage, and every --option the usage shows;
#   - roiwatchd.8 has every option of roiwatchd's usage and every HTTP path
#     of include/http-internal.h;
#   - the configuration examples of roiwatch.conf.5 pass check-config;
#   - mandoc -Tlint and groff -ww find nothing to warn about in any page.
# Usage: tests/man-check.sh SOURCE_DIR BUILD_DIR ROIWATCH ROIWATCHD
set -uo pipefail
if (($# != 4)); then
	echo "usage: $0 SOURCE_DIR BUILD_DIR ROIWATCH ROIWATCHD" >&2
	exit 2
fi
top=$1 build=$2 roiwatch=$3 roiwatchd=$4
for t in mandoc:mandoc groff:groff-base; do
	if ! command -v "${t%%:*}" >/dev/null; then
		echo "man-check: FAIL: ${t%%:*} is missing; install it with:" >&2
		echo "  apt-get install -y ${t#*:}" >&2
		exit 1
	fi
done
man1=$top/man/roiwatch.1
man5=$build/man/roiwatch.conf.5
man8=$top/man/roiwatchd.8
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
[[ -n ${MAN_CHECK_KEEP:-} ]] && trap 'echo "man-check: kept $tmp" >&2' EXIT
fail=0
bad() {
	echo "man-check: FAIL: $*" >&2
	fail=1
}

for page in "$man1" "$man5" "$man8"; do
	[[ -f $page ]] || { bad "$page does not exist (build the man target)"; exit 1; }
done

# roiwatch.conf.5 is up to date: made again from the template, it is the same.
if ! cmake -DROIWATCH="$roiwatch" -DTEMPLATE="$top/man/roiwatch.conf.5.in" \
    -DOUT="$tmp/roiwatch.conf.5" -P "$top/cmake/man-options.cmake"; then
	bad "cmake/man-options.cmake failed"
elif ! cmp -s "$tmp/roiwatch.conf.5" "$man5"; then
	bad "$man5 is not what the template and the option table make (rebuild)"
fi

# The same options, table by table: "TABLE NAME" lines of both listings.
"$roiwatch" check-config --options |
	awk '/^[^ ].*:$/ { t++ } /^  [^ ]/ && t { print t, $1 }' >"$tmp/options.txt"
awk '/^\.Ss / { t++ } /^\.It Ic / && t { print t, $3 }' "$man5" >"$tmp/options.man"
if [[ ! -s $tmp/options.txt ]]; then
	bad "roiwatch check-config --options printed no option"
elif ! diff -u "$tmp/options.txt" "$tmp/options.man" >&2; then
	bad "$man5 does not list the options of check-config --options (TABLE NAME above)"
fi

# Every command of the dispatch table is a tag of roiwatch.1.
sed -n '/cli_commands\[\] = {/,/^};/p' \
    "$top/daemon/roiwatch.c" | sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",.*/\1/p' |
	sort -u >"$tmp/commands"
if [[ ! -s $tmp/commands ]]; then
	bad "no command found in the dispatch table of daemon/roiwatch.c"
fi
while read -r c; do
	grep -q "^\.It Cm $c\( \|$\)" "$man1" || bad "roiwatch.1 lacks the command $c"
done <"$tmp/commands"

# The usage: every "COMMAND SUBCOMMAND" (silence add, outbox list...) and
# every --option appear in roiwatch.1.
"$roiwatch" >"$tmp/usage" 2>&1
sed -n 's/^  \([a-z-]\+\) \(add\|list\|remove\|show\|retry\|drop\)\( .*\)\?$/\1 \2/p' \
    "$tmp/usage" | sort -u >"$tmp/subcommands"
[[ -s $tmp/subcommands ]] || bad "no subcommand found in roiwatch's usage"
while read -r c; do
	grep -q "^\.It Cm $c\( \|$\)" "$man1" || bad "roiwatch.1 lacks the command $c"
done <"$tmp/subcommands"
grep -o -- '--[a-z][a-z-]*' "$tmp/usage" | sort -u >"$tmp/usage-options"
[[ -s $tmp/usage-options ]] || bad "no --option found in roiwatch's usage"
while read -r o; do
	grep -q "Fl -${o#--}\( \|$\)" "$man1" || bad "roiwatch.1 lacks the option $o"
done <"$tmp/usage-options"

# roiwatchd's usage: its -X and --xxx options.
"$roiwatchd" --help >"$tmp/dusage" 2>&1
grep -o -- '\(^\| \)-[a-zA-Z]\b' "$tmp/dusage" | tr -d ' ' | sort -u >"$tmp/dshort"
grep -o -- '--[a-z][a-z-]*' "$tmp/dusage" | sort -u >"$tmp/dlong"
[[ -s $tmp/dshort && -s $tmp/dlong ]] || bad "no option found in roiwatchd's usage"
while read -r o; do
	grep -q "\(Fl\|Op Fl\) \([a-zA-Z]*${o#-}\)" "$man8" || bad "roiwatchd.8 lacks the option $o"
	grep -q "^\.It Fl ${o#-}\( \|$\)" "$man8" || bad "roiwatchd.8 does not describe the option $o"
done <"$tmp/dshort"
while read -r o; do
	grep -q "Fl -${o#--}\( \|$\)" "$man8" || bad "roiwatchd.8 lacks the option $o"
done <"$tmp/dlong"

# Every HTTP path the daemon routes.
sed -n 's/^#define HTTP_PATH_[A-Z]*[[:space:]]*"\([^"]*\)".*/\1/p' \
    "$top/include/http-internal.h" >"$tmp/paths"
[[ -s $tmp/paths ]] || bad "no HTTP path found in include/http-internal.h"
while read -r p; do
	grep -q -- "Li [A-Z]* $p" "$man8" || bad "roiwatchd.8 lacks the HTTP path $p"
done <"$tmp/paths"

# The examples of roiwatch.conf.5 (its first two literal displays: a main
# file and a client file) are valid configurations.
mkdir -p "$tmp/conf/clients.d" "$tmp/conf/tokens" "$tmp/state"
awk '/^\.Bd -literal/ { n++; f = 1; next } /^\.Ed/ { f = 0 } f && n == 1' \
    "$top/man/roiwatch.conf.5.in" >"$tmp/conf/roiwatchd.conf"
awk '/^\.Bd -literal/ { n++; f = 1; next } /^\.Ed/ { f = 0 } f && n == 2' \
    "$top/man/roiwatch.conf.5.in" >"$tmp/conf/clients.d/example.conf"
for f in $(grep -ho '"tokens/[a-z.-]*"' "$tmp/conf/clients.d/example.conf" | tr -d '"'); do
	echo "example-secret-0123456789" >"$tmp/conf/$f"
	chmod 600 "$tmp/conf/$f"
done
if ! "$roiwatch" -S "$tmp/state" -c "$tmp/conf/roiwatchd.conf" check-config \
    >"$tmp/check.out" 2>&1; then
	cat "$tmp/check.out" >&2
	bad "the examples of roiwatch.conf.5.in fail check-config"
fi

# Rendering: no warning from mandoc (style notes aside) nor from groff.
for page in "$man1" "$man5" "$man8"; do
	if ! out=$(mandoc -Tlint -Wwarning "$page" 2>&1) || [[ -n $out ]]; then
		echo "$out" >&2
		bad "mandoc -Tlint warns about $page"
	fi
	if ! out=$(groff -mandoc -Tutf8 -ww -z "$page" 2>&1) || [[ -n $out ]]; then
		echo "$out" >&2
		bad "groff -ww warns about $page"
	fi
done

((fail == 0)) && echo "man-check: 3 pages complete ($(wc -l <"$tmp/options.txt") options," \
    "$(wc -l <"$tmp/commands") commands) and clean"
exit $fail
