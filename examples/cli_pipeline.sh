#!/bin/sh
# The headroom command line in a shell pipeline: compress a command's output to a budget on the way to an
# LLM, keep the original in a store, and get any part back later. No network, no keys.
#
#     sh examples/cli_pipeline.sh              (PYTHON=path/to/python to choose the interpreter)
set -eu
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# a long command output: 3,000 lines, one of them the line that matters
"$PYTHON" -c "
for i in range(3000):
    print(f'2024-05-01 12:00:{i % 60:02d} INFO GET /api/items/{i} 200 3ms')
print('2024-05-01 12:01:00 ERROR GET /api/cart 500 upstream timeout')
" > "$work/app.log"

# compress from standard input; the one-line summary goes to stderr, the text to stdout
"$PYTHON" -m headroom compress - --budget 400 --db "$work/store.db" < "$work/app.log" > "$work/prompt.txt"
grep -q "upstream timeout" "$work/prompt.txt"

# the marker in the output redeems the original, whole or in part, from another process
marker="$(grep -o '\[hr1:[0-9]* [^]]*\]' "$work/prompt.txt" | head -n 1)"
"$PYTHON" -m headroom retrieve "$marker" --db "$work/store.db" | cmp -s - "$work/app.log"
"$PYTHON" -m headroom retrieve "$marker" --db "$work/store.db" --lines 100-102

# --json for scripts; exit code 1 when the budget cannot be met, 2 for bad input
"$PYTHON" -m headroom compress "$work/app.log" --budget 400 --db "$work/store.db" --json -q \
    | "$PYTHON" -c "import json, sys; r = json.load(sys.stdin); print('tokens:', r['tokens_before'], '->', r['tokens_after'])"
status=0; "$PYTHON" -m headroom compress "$work/missing.log" 2>/dev/null || status=$?
test "$status" -eq 2
echo "pipeline done: compressed, redeemed, exit codes as documented."
