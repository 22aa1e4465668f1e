#!/usr/bin/env bash
# Regenerates po/roiwatch.pot from the sources and merges it into every
# po/<lang>.po: new messages arrive untranslated (tests/po-check.sh fails until
# they are translated), gone ones become obsolete "#~" entries. Needs gettext.
# Usage: scripts/po-update.sh [--check]  (--check: only tell whether the
# template is up to date; exit 1 when not).
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
for t in xgettext msgmerge; do
	command -v "$t" >/dev/null || {
		echo "po-update: $t missing: apt-get install -y gettext" >&2; exit 1; }
done

# The message functions of include/catalog.h: tr(lang, id), trc(lang, ctx,
# id), trn(lang, id, plural, n), trcn(lang, ctx, id, plural, n), and the
# markers N_(id), NC_(ctx, id), NP_(id, plural) for msgids in tables and macros.
po_template() {
	xgettext --language=C --from-code=UTF-8 --sort-output --add-location=file \
		--keyword= --keyword=tr:2 --keyword=trc:2c,3 --keyword=trn:2,3 \
		--keyword=trcn:2c,3,4 --keyword=N_ --keyword=NC_:1c,2 --keyword=NP_:1,2 \
		--flag=tr:2:c-format --flag=trc:3:c-format \
		--flag=trn:2:c-format --flag=trn:3:c-format \
		--add-comments=TRANSLATORS: --package-name=roiwatch \
		--msgid-bugs-address=roiwatch -o "$1" daemon/*.c
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
po_template "$tmp"
# The creation date changes on every run: it is not a difference.
same() { diff -q <(grep -v '^"POT-Creation-Date:' "$1") \
	<(grep -v '^"POT-Creation-Date:' "$2") >/dev/null; }
if [[ ${1:-} == --check ]]; then
	if [[ -f po/roiwatch.pot ]] && same "$tmp" po/roiwatch.pot; then
		exit 0
	fi
	echo "po/roiwatch.pot is out of date: run scripts/po-update.sh" >&2
	diff <(grep -v '^"POT-Creation-Date:' po/roiwatch.pot 2>/dev/null) \
		<(grep -v '^"POT-Creation-Date:' "$tmp") | head -40 >&2 || true
	exit 1
fi
if [[ ! -f po/roiwatch.pot ]] || ! same "$tmp" po/roiwatch.pot; then
	cp "$tmp" po/roiwatch.pot
fi
for po in po/*.po; do
	msgmerge --quiet --update --backup=none --no-fuzzy-matching \
		--add-location=file --sort-output "$po" po/roiwatch.pot
done
