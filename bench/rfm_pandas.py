#!/usr/bin/python3
"""RFM quintile scores with pandas: the reference segment_engine is timed
against and must agree with exactly.

    bench/rfm_pandas.py --transactions tx.csv --as-of 2025-01-01 --output rfm_pandas.csv

The same definitions as segment_engine score: rows after --as-of are
ignored; recency = days from the last purchase to --as-of, frequency =
purchase rows, monetary = total spend in exact cents; score =
1 + floor(5 * (rank - 1) / n) with ties at their lowest rank (method="min"),
ranked from worst to best (recency: the longest ago is worst).
"""
import argparse

import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    tx = pd.read_csv(args.transactions, dtype={"customer_id": str, "date": str, "amount": str})
    tx = tx[tx["date"] <= args.as_of]
    # Exact cents, as the engine: "12.3" -> 1230, "-1.05" -> -105.
    whole_frac = tx["amount"].str.split(".", n=1, expand=True).reindex(columns=[0, 1])
    sign = whole_frac[0].str.startswith("-").map({True: -1, False: 1})
    whole = whole_frac[0].str.lstrip("+-").astype("int64")
    frac = whole_frac[1].fillna("").str.ljust(2, "0").replace("", "00").astype("int64")
    tx = tx.assign(cents=sign * (whole * 100 + frac), day=pd.to_datetime(tx["date"]))

    per = tx.groupby("customer_id", sort=False).agg(
        last=("day", "max"), frequency=("cents", "size"), monetary=("cents", "sum"))
    n = len(per)
    per["recency_days"] = (pd.Timestamp(args.as_of) - per["last"]).dt.days
    for column, score, ascending in (("recency_days", "r", False), ("frequency", "f", True),
                                     ("monetary", "m", True)):
        rank = per[column].rank(method="min", ascending=ascending).astype("int64")
        per[score] = 1 + (5 * (rank - 1)) // n
    per[["recency_days", "frequency", "monetary", "r", "f", "m"]].to_csv(args.output)


if __name__ == "__main__":
    main()
