#!/usr/bin/env bash
# Checks every image's Dockerfile against the build this checkout just made
# (no container engine needed):
#   - every stage is Debian 12, the release of this build machine;
#   - the build stage runs the README's build command (`./crm build <target>`)
#     for a target that exists in this build;
#   - the final stage runs as a non-root user and receives only the stripped
#     binary and the list of runtime packages;
#   - that list, computed here exactly as the build stage does, resolves
#     every library the binary loads to a package apt can install.
# Usage: k8s/check/images.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: images.sh BUILD_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
problems=0
fail() { echo "$1: $2"; problems=$((problems + 1)); }

grep -q '^12\.' /etc/debian_version || fail /etc/debian_version "this machine is not Debian 12"
dockerfiles=("$root"/services/*/Dockerfile "$root"/tools/Dockerfile.*)
for file in "${dockerfiles[@]}"; do
  name=${file#"$root"/}
  bad_from=$(grep -E '^FROM ' "$file" | grep -vE '^FROM debian:12(-slim)?( AS [a-z]+)?$' || true)
  [ -z "$bad_from" ] || fail "$name" "a stage is not Debian 12: $bad_from"
  target=$(sed -nE 's|^RUN \./crm build ([a-z-]+).*|\1|p' "$file")
  [ -n "$target" ] || { fail "$name" "the build stage does not run ./crm build <target>"; continue; }
  binary=$(sed -nE "s|.*strip --strip-debug -o /$target build/([^ ]+).*|\1|p" "$file")
  [ -n "$binary" ] && [ -x "$build/$binary" ] || { fail "$name" "no built binary for $target"; continue; }
  final=$(awk '/^FROM /{stage=$0; body=""} {body=body $0 "\n"} END{printf "%s", body}' "$file")
  user=$(sed -nE 's/^USER ([0-9]+)(:[0-9]+)?$/\1/p' <<<"$final")
  [ -n "$user" ] && [ "$user" != 0 ] || fail "$name" "the final stage must run as a numeric non-root USER"
  copies=$(grep -E '^COPY ' <<<"$final" | sed -E 's/^COPY --from=build ([^ ]+) .*/\1/')
  [ "$copies" = "/runtime-packages
/$target" ] || fail "$name" "the final stage copies more than the binary and its package list: $copies"
  grep -q "^ENTRYPOINT \[\"/usr/local/bin/$target\"\]$" <<<"$final" ||
    fail "$name" "the entry point is not /usr/local/bin/$target"
  # The build stage's own steps, on this machine's build.
  strip --strip-debug -o "$work/$target" "$build/$binary"
  if ! "$root/tools/runtime-packages.sh" "$work/$target" >"$work/$target.packages"; then
    fail "$name" "the runtime libraries of $target do not resolve to packages"; continue
  fi
  echo "$name: $target, $(wc -l <"$work/$target.packages") runtime packages, $(du -h "$work/$target" | cut -f1) stripped"
done
# Every runtime package must be installable from the Debian archive (one
# query for all: each reads the whole package index).
sort -u "$work"/*.packages >"$work/all-packages" 2>/dev/null || true
if [ -s "$work/all-packages" ] && ! xargs -a "$work/all-packages" apt-cache show >/dev/null 2>&1; then
  while read -r package; do
    apt-cache show "$package" >/dev/null 2>&1 || fail "runtime packages" "$package is not installable"
  done <"$work/all-packages"
fi
[ "$problems" = 0 ] || { echo "$problems problems"; exit 1; }
