#!/usr/bin/env bash
# Compares the R, F and M scores of segment_engine's output with
# bench/rfm_pandas.py's, customer by customer; fails when any differ.
#   bench/rfm_compare.sh engine.csv pandas.csv
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 engine.csv pandas.csv" >&2; exit 2; }
awk -F, 'NR == FNR { if (FNR > 1) score[$1] = $5 "," $6 "," $7; next }
         FNR > 1 { n++; if (!($1 in score) || score[$1] != $5 "," $6 "," $7) differ++ }
         END { printf "%d compared, %d differ\n", n, differ; exit (differ > 0 || n == 0) }' "$1" "$2"
