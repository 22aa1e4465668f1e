#!/usr/bin/env bash
# Fuzz the input parsers with libFuzzer under ASan+UBSan (clang).
# Usage: scripts/fuzz.sh [SECONDS]   (default 60). Crashes land in build-fuzz/.
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
roiwatch_need $ROIWATCH_BUILD_PKGS clang libclang-rt-14-dev
secs=${1:-60}
out=build-fuzz
mkdir -p "$out/corpus"
# Seeds: the example data and every test CSV/JSON snippet worth starting from.
for f in conf/examples/*; do
	{ printf '\000'; cat "$f"; } > "$out/corpus/$(basename "$f").0"
	{ printf '\001'; cat "$f"; } > "$out/corpus/$(basename "$f").1"
done
srcs=(daemon/parse.c daemon/parse-date.c daemon/parse-json.c daemon/json-lex.c daemon/csv.c daemon/utf8.c
      daemon/money.c daemon/currency.c daemon/metric.c daemon/log.c daemon/xmalloc.c tests/fuzz/fuzz_parse.c)
clang -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	"${srcs[@]}" -lm -o "$out/fuzz_parse"
"$out/fuzz_parse" -max_total_time="$secs" -max_len=4096 -timeout=10 \
	-artifact_prefix="$out/" "$out/corpus"
