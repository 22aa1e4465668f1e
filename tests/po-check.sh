#!/usr/bin/env bash
# The message catalogues against the code (a CTest test): po/roiwatch.pot is
# what xgettext extracts from daemon/*.c today; every po/<lang>.po translates
# every message of it (none missing, empty or fuzzy); and every translation
# asks for the same printf arguments as its msgid (msgfmt --check-format:
# gcc checks the msgids through format_arg, not the translations).
# Usage: tests/po-check.sh SOURCE_DIR
set -uo pipefail
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
for t in xgettext msgfmt msgcmp msgattrib msgmerge; do
	if ! command -v "$t" >/dev/null; then
		echo "po-check: FAIL: $t is missing; install it with:" >&2
		echo "  apt-get install -y gettext" >&2
		exit 1
	fi
done
fail=0
if ! scripts/po-update.sh --check; then
	fail=1
fi
shopt -s nullglob
pos=(po/*.po)
if ((${#pos[@]} < 2)); then
	echo "po-check: FAIL: expected po/en.po and po/fr.po at least" >&2
	fail=1
fi
for po in "${pos[@]}"; do
	lang=$(basename "$po" .po)
	if ! msgfmt --check-format -o /dev/null "$po"; then
		echo "po-check: FAIL: $po: msgfmt --check-format" >&2
		fail=1
	fi
	if ! grep -q "^\"Language: $lang\\\\n\"\$" "$po"; then
		echo "po-check: FAIL: $po: its header lacks \"Language: $lang\"" >&2
		fail=1
	fi
	# Missing, untranslated and fuzzy messages all count as missing.
	if ! msgcmp "$po" po/roiwatch.pot; then
		echo "po-check: FAIL: $po lacks translations (scripts/po-update.sh, then translate)" >&2
		fail=1
	fi
	# (msgattrib prints the header too when it prints anything.)
	left=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid' || true)
	fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid' || true)
	((left > 0)) && left=$((left - 1))
	((fuzzy > 0)) && fuzzy=$((fuzzy - 1))
	if [[ $left != 0 || $fuzzy != 0 ]]; then
		echo "po-check: FAIL: $po: $left untranslated, $fuzzy fuzzy" >&2
		fail=1
	fi
done
((fail == 0)) && echo "po-check: ${#pos[@]} catalogues complete and consistent"
exit $fail
