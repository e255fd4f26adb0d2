#!/usr/bin/env python3
"""Are two runs' wide membership files the same tables? For sizes where compare.py's long format
(one row per person and segmentation) is too large to diff:

    .venv/bin/python scripts/compare_wide.py OUT/current BASELINE_OUT

Both folders hold membership/workspace=W/*.parquet (segcalc's run folder, or baseline.py's --out).
Per workspace: the same columns, the same number of rows, and, sorted by person_id, every column
equal (segment ids as text, person_id as int64). Exits 1 on the first difference, naming it.
"""
import os
import sys

import pyarrow.parquet as pq


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = sys.argv[1], sys.argv[2]
    workspaces = sorted(os.listdir(os.path.join(a, "membership")))
    other = sorted(os.listdir(os.path.join(b, "membership")))
    if workspaces != other:
        sys.exit(f"different workspaces: {workspaces} against {other}")
    rows = 0
    for w in workspaces:
        ta = pq.read_table(os.path.join(a, "membership", w)).sort_by("person_id")
        tb = pq.read_table(os.path.join(b, "membership", w)).sort_by("person_id")
        if sorted(ta.column_names) != sorted(tb.column_names):
            sys.exit(f"{w}: columns {ta.column_names} against {tb.column_names}")
        if ta.num_rows != tb.num_rows:
            sys.exit(f"{w}: {ta.num_rows} rows against {tb.num_rows}")
        for c in ta.column_names:
            kind = "int64" if c == "person_id" else "string"
            if not ta.column(c).cast(kind).equals(tb.column(c).cast(kind)):
                sys.exit(f"{w}: column {c} differs")
        rows += ta.num_rows
        print(f"{w}: {ta.num_rows} rows equal")
    print(f"equal: {rows} rows in {len(workspaces)} workspaces")


if __name__ == "__main__":
    main()
