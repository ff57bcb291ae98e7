#!/usr/bin/env bash
# Prints the Debian packages that hold the shared libraries BINARY... loads,
# one per line: what an image's final stage installs next to the binary.
# Fails when a library is missing or belongs to no package (it would be
# missing from the image).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 BINARY..." >&2; exit 2; }

declare -A needed_by=()
for binary in "$@"; do
  [ -x "$binary" ] || { echo "$binary: not an executable" >&2; exit 1; }
  while read -r line; do
    case $line in
      *"not found"*) echo "$binary: ${line%% *} not found" >&2; exit 1 ;;
      *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
      /*) lib=${line%% (*} ;;
      *) continue ;;
    esac
    needed_by[$lib]=$binary
  done < <(ldd "$binary")
done

# A library may be known to dpkg under its merged-/usr spelling: ask for all
# of them in one query (each query reads the whole package database).
spellings() { printf '%s\n' "$1" "$(readlink -f "$1")" "${1#/usr}" "/usr$1"; }
declare -A owner=()
while IFS= read -r line; do
  owner[${line#*: }]=${line%%:*}
done < <(for lib in "${!needed_by[@]}"; do spellings "$lib"; done | sort -u |
         xargs dpkg-query -S 2>/dev/null || true)

declare -A packages=()
for lib in "${!needed_by[@]}"; do
  package=""
  while read -r spelling; do
    package=${owner[$spelling]:-}
    [ -n "$package" ] && break
  done < <(spellings "$lib")
  [ -n "$package" ] || { echo "${needed_by[$lib]}: $lib belongs to no Debian package" >&2; exit 1; }
  packages[$package]=1
done
printf '%s\n' "${!packages[@]}" | sort
