#!/usr/bin/env bash
# Contract hygiene of protos/: buf lint (STANDARD), and buf breaking against
# the main branch when this checkout has one and is not on it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
buf="$root/tools/node_modules/.bin/buf"
[ -x "$buf" ] || { echo "buf is not installed: run ./crm test" >&2; exit 1; }
cd "$root/protos"
"$buf" lint
echo "buf lint: ok"
against=""
for ref in origin/main main; do
  if git -C "$root" rev-parse --verify -q "$ref" >/dev/null; then against=$ref; break; fi
done
if [ -n "$against" ] && [ "$(git -C "$root" rev-parse "$against")" != "$(git -C "$root" rev-parse HEAD)" ] &&
   git -C "$root" cat-file -e "$against:protos/buf.yaml" 2>/dev/null; then
  "$buf" breaking --against "$root/.git#ref=$against,subdir=protos"
  echo "buf breaking against $against: ok"
else
  echo "buf breaking: HEAD is $against (or no main branch); nothing to compare"
fi
