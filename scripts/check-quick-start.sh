#!/usr/bin/env bash
# Follows the README's quick start literally: the fenced blocks marked `quick-start-server` and
# `quick-start` are extracted from README.md; the first is started on an empty data folder of its
# own, the second is run with `set -euo pipefail -x` once the server is listening. Any failing
# command fails the check, and so does a report that did not count the call's revenue. Used by CI
# (.ci/run); needs port 3000 free, as the README does.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
server_pid=""
cleanup() {
  # The server block runs in a process group of its own (setsid): stop all of it, whatever happened.
  if [ -n "$server_pid" ]; then
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The blocks, in order: ```bash quick-start-server ... ``` and ```bash quick-start ... ```.
block() {
  awk -v tag="$1" '
    $0 ~ "^```bash " tag "$" { inside = 1; next }
    inside && /^```/ { inside = 0; next }
    inside { print }
  ' README.md
}
block quick-start-server > "$work/server.sh"
block quick-start > "$work/steps.sh"
[ -s "$work/server.sh" ] || { echo "quick start: no quick-start-server block in README.md"; exit 1; }
[ -s "$work/steps.sh" ] || { echo "quick start: no quick-start block in README.md"; exit 1; }

# The server block, as pasted, on a data folder of its own (a fresh machine has none).
export DATA_DIR="$work/data"
echo "--- server block:"; cat "$work/server.sh"
setsid bash "$work/server.sh" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 240); do
  if grep -q 'is listening on' "$work/server.log"; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log"; echo "quick start: the server block exited"; exit 1; fi
  sleep 0.5
done
grep -q 'is listening on' "$work/server.log" || { cat "$work/server.log"; echo "quick start: the server did not start"; exit 1; }
cat "$work/server.log"

echo "--- steps block:"; cat "$work/steps.sh"
bash -euo pipefail -x "$work/steps.sh" 2>&1 | tee "$work/steps.log"
# The last command prints the report's summary: the simulated call must be in it, paid.
grep -q "totalRevenue: 25" "$work/steps.log" || { echo "quick start: the report does not show the call's revenue"; exit 1; }
echo "quick start: every command passed, and the report counts the call's revenue"
