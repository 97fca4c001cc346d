#!/usr/bin/env bash
# `npm test`: install the real services the tests need, then run vitest.
# Arguments go to vitest (e.g. `npm test -- test/integration/ssh.smoke.test.ts`).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/services/prepare.sh

# Besides vitest's own report, end with one plain "N passed, N failed" line
# (from its JSON report) that any CI log reader understands.
report=$(mktemp -t opsdeck-vitest-XXXXXX.json)
trap 'rm -f "$report"' EXIT
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
code=$?
set -e
node -e '
  const fs = require("fs");
  let r;
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { process.exit(0); }
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$report"
exit "$code"
