#!/usr/bin/env bash
# Fuzz the input parsers (tests/fuzz/fuzz_parse.c) under ASan+UBSan.
# Usage: scripts/fuzz.sh [--engine auto|libfuzzer|gcc] [SECONDS]   (default 60)
#   libfuzzer  clang's coverage-guided libFuzzer ($ROIWATCH_FUZZ_PKGS, installed
#              when missing); it adds the inputs it finds to build-fuzz/corpus.
#   gcc        tests/fuzz/driver.c built with gcc: nothing to install beyond the
#              build's packages; replays the corpus, then random mutations.
#   auto       libfuzzer when clang and its runtime are installed, else gcc
#              (what scripts/test.sh runs, so that a fresh machine can).
# Both replay the seeds (conf/examples, tests/data/exports, each under several
# option bytes) and use tests/fuzz/parse.dict. A crashing input is written to
# build-fuzz/crash-* (timeout-* for a hang); replay it with
# build-fuzz/fuzz_parse-ENGINE FILE.
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh

engine=auto secs=60
while (($#)); do
	case $1 in
	--engine) [[ $# -ge 2 ]] || { echo "fuzz: --engine needs auto, libfuzzer or gcc" >&2; exit 2; }
		engine=$2; shift ;;
	--engine=*) engine=${1#--engine=} ;;
	*) secs=$1 ;;
	esac
	shift
done
[[ $engine =~ ^(auto|libfuzzer|gcc)$ ]] ||
	{ echo "fuzz: --engine: \"$engine\" is not auto, libfuzzer or gcc" >&2; exit 2; }
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: SECONDS: \"$secs\" is not a positive number" >&2; exit 2; }
if [[ $engine == auto ]]; then
	engine=gcc
	roiwatch_have $ROIWATCH_FUZZ_PKGS && engine=libfuzzer
fi
if [[ $engine == libfuzzer ]]; then
	roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_FUZZ_PKGS
else
	roiwatch_need $ROIWATCH_BUILD_PKGS
fi

out=build-fuzz
mkdir -p "$out/corpus"
# Seeds: every example export, under option bytes that pick each format
# (auto, CSV, JSON, NDJSON), decimal comma, custom KPIs and the presets.
for f in conf/examples/* tests/data/exports/*; do
	for sel in 000 001 002 003 005 041 201 241 301; do
		{ printf "\\$sel"; cat "$f"; } > "$out/corpus/$(basename "$f").$sel"
	done
done
# money.c's separators come from the message catalogue: the .po files as C
# (cmake/embed-po.cmake, as the build makes them).
po=(po/*.po)
cmake "-DOUT=$out/catalog-data.c" "-DPO_FILES=$(IFS=';'; echo "${po[*]}")" \
	-P cmake/embed-po.cmake || exit 1
srcs=(daemon/parse.c daemon/parse-date.c daemon/parse-json.c daemon/json-lex.c daemon/csv.c daemon/utf8.c
      daemon/money.c daemon/currency.c daemon/metric.c daemon/log.c daemon/xmalloc.c daemon/catalog.c
      "$out/catalog-data.c" tests/fuzz/fuzz_parse.c)
warn=(-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla)
bin=$out/fuzz_parse-$engine
if [[ $engine == libfuzzer ]]; then
	# clang's -Wformat=2 also flags log.c's vsnprintf of its checked format.
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude "${warn[@]}" -Wno-format-nonliteral \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		"${srcs[@]}" -lm -pthread -o "$bin"
else
	gcc -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude "${warn[@]}" \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		"${srcs[@]}" tests/fuzz/driver.c -lm -pthread -o "$bin"
fi
echo "fuzz: $engine for $secs s ($bin)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -dict=tests/fuzz/parse.dict \
	-artifact_prefix="$out/" "$out/corpus"
