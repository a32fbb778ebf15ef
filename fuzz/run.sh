#!/bin/sh
# Builds the libFuzzer targets (preset "fuzz") and runs each one for
# $FUZZ_SECONDS seconds (default 30) on a scratch copy of its seed corpus,
# so that the inputs libFuzzer adds never land in the repository.
# Exits non-zero when a target crashes, leaks or times out, and says where
# the input that did it was saved (build/fuzz/artifacts/).
# SPDX-License-Identifier: EUPL-1.2
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${FUZZ_SECONDS:-30}
case $seconds in
    '' | *[!0-9]*)
        echo "run.sh: FUZZ_SECONDS must be a whole number of seconds" >&2
        exit 2
        ;;
esac

cmake --preset fuzz
cmake --build --preset fuzz

# readosm leaks its expat parser on malformed XML (a library bug, see the
# file): without the suppressions every target that reaches readosm would
# stop at its first bad input.
LSAN_OPTIONS=suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
export LSAN_OPTIONS UBSAN_OPTIONS

artifacts=$root/build/fuzz/artifacts
mkdir -p "$artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/agora-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

status=0
for src in fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    exe=build/fuzz/fuzz/$name
    seeds=fuzz/corpus/${name#fuzz_}
    corpus=$scratch/$name
    log=$scratch/$name.log
    mkdir -p "$corpus"
    if [ -d "$seeds" ]; then
        cp -R "$seeds/." "$corpus/"
    fi
    set -- -max_total_time="$seconds" -artifact_prefix="$artifacts/$name-" \
        -print_final_stats=1
    if [ -f "fuzz/$name.dict" ]; then
        set -- "$@" -dict="fuzz/$name.dict"
    fi
    echo "== $name: ${seconds}s"
    if "$exe" "$@" "$corpus" >"$log" 2>&1; then
        grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' \
            "$log" || true
        echo "== $name: no crash"
    else
        status=1
        tail -n 40 "$log"
        saved=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
        echo "== $name: FAILED"
        if [ -n "$saved" ]; then
            for f in $saved; do
                echo "   input saved to $f"
                echo "   reproduce with: $root/$exe $f"
            done
        else
            echo "   no input was saved; full log above"
        fi
    fi
done
exit $status
