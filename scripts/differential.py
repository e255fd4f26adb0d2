#!/usr/bin/env python3
"""Differential test of segcalc against the Python reference (shared/reference/reference.py).

    .venv/bin/python scripts/differential.py --segcalc target/release/segcalc --cases 50 --seed 1 [--keep DIR]
    .venv/bin/python scripts/differential.py --generate-only DIR --cases 20 --seed 1 [--with-reference]

For each case a random small dataset is generated (200-3000 people, a random model: workspaces,
partitions incl. "all", users, groups, shares, static lists, approved and draft segmentations with
random rules using every operator of SPEC §2.3, column types of every family: strings as
string/large_string/dictionary/string_view, signed and unsigned ints of every width, float64,
decimals, booleans, date32, timestamps in s/ms/us/ns with and without time zone, INT96; nulls
everywhere, case variants, non-ASCII and empty strings; one file, several files, nested folders or
hive folders `partition=x/`). Then:

    segcalc run DATASET --out OUT --as-of 2026-11-01T12:00:00Z
    widelong.py OUT/current mine.parquet
    reference.py DATASET --as-of 2026-11-01T12:00:00Z --out REF
    compare.py REF/membership.parquet mine.parquet

plus a comparison of access.parquet (user, segmentation, workspace, read_only) and checks of the
wide membership files' shape (SPEC §4: person_id uint32 sorted, one column per visible
segmentation in model order, no all-null rows, no folder for a workspace that sees nothing).

Prints one line per case and `differential: N passed, M failed`; exits 1 when a case failed.
A case is reproduced alone with `--seed S --first I --cases 1` (its index I is printed).

The generator avoids inputs the SPEC calls errors and inputs where the reference (DuckDB) and an
exact implementation may legitimately differ: numbers are ints or 2-decimal values below 1e15
(float32 only k/4), no NaN, ns timestamps are whole microseconds, no Greek capital sigma or
Turkish dotted I (DuckDB's lower() is not context-sensitive), list ids without '-', partition
names that DuckDB's hive type detection keeps as text, only `value` (not `values`) for the
comparison operators and for booleans, min <= max for between, no empty segment lists.
"""
import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import traceback
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

AS_OF = "2026-11-01T12:00:00Z"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
AS_OF_DT = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
AS_OF_US = int((AS_OF_DT - EPOCH).total_seconds()) * 1_000_000
AS_OF_DAY = (AS_OF_DT.date() - EPOCH.date()).days
DAY_US = 86_400 * 1_000_000
SEC_US = 1_000_000

REFERENCE_DIR = "/work/shared/reference"
ID_PARTITION_RULES = True   # rules may name the id and partition columns (--no-id-partition-rules)

# ---------------------------------------------------------------------------------------------
# vocabularies

WORDS = [
    "Healthcare", "Hospital & Health Care", "Technology", "Retail", "Finance", "Financial Services",
    "Média", "Österreich", "Zoë Müller", "straße", "São Paulo", "東京都", "ÆRØ", "naïve café",
    "O'Brien", 'say "hi"', "50% off_sale", "under_score", "x-y_z", "Ǆemal", "Київ", "Ωμέγα",
    "Education", "Higher Education", "Energy", "A", "a b", "lead", "mql", "customer", "Ärzte",
    "  padded ", "DE", "US", "gb", "Crème Brûlée", "ﬁnance", "Ⅻ century",
]
DOMAINS = ["gmail.com", "Example.COM", "acme.io", "hospital.org", "uni-wien.ac.at", "société.fr"]
PARTITION_POOL = ["emea", "na", "latam", "apac", "partner", "p-1", "P_2", "eu-west", "us_east",
                  "Nordics", "x", "EMEA", "zone-9", "dach", "benelux", "anz"]
WORKSPACE_POOL = ["default", "emea", "americas", "global_sales", "apac", "ws-1", "Sales_2", "ops",
                  "partners", "EU", "all-regions", "w9"]
GROUP_POOL = ["marketing", "sales", "ops", "g-1", "Exec_Team", "analysts"]
USER_POOL = ["ann", "bob", "carol", "dan", "erin", "femi", "gus", "hana", "ivan", "Jo-2", "kim_K"]
LIST_POOL = ["vip", "customers2025", "blocklist", "Event_Attendees", "L1"]
SEGMENTATION_POOL = ["industry", "lifecycle", "region_tier", "apac_only", "seg-1", "Score_Bands",
                     "engagement", "s2", "Q4", "persona", "tier-3", "ALT"]
SEGMENT_POOL = ["hot", "cold", "vip", "a", "b", "c", "seg-1", "X_2", "healthcare", "big_tech",
                "no_email", "recent", "emea_only", "tier1", "tier2", "Z"]
NAMES = ["Industry", "Région", "Lifecycle — 2026", 'Quote "q"', "Ünïcödé", "", "A / B test"]
CODECS = ["snappy", "snappy", "zstd", "gzip", "none", "lz4", "brotli"]

INT_TYPES = {
    "int8": (pa.int8(), -2**7, 2**7 - 1), "int16": (pa.int16(), -2**15, 2**15 - 1),
    "int32": (pa.int32(), -2**31, 2**31 - 1), "int64": (pa.int64(), -10**15, 10**15),
    "uint8": (pa.uint8(), 0, 2**8 - 1), "uint16": (pa.uint16(), 0, 2**16 - 1),
    "uint32": (pa.uint32(), 0, 2**32 - 1), "uint64": (pa.uint64(), 0, 10**15),
}
STRING_TYPES = ["string", "large_string", "dictionary", "dictionary8", "string_view"]
TZS = [None, None, "UTC", "Europe/Berlin", "America/Los_Angeles", "+05:30", "Asia/Tokyo"]
UNIT_US = {"s": SEC_US, "ms": 1000, "us": 1, "ns": 1}  # ns values are kept whole microseconds


def string_type(kind):
    return {"string": pa.string(), "large_string": pa.large_string(),
            "dictionary": pa.dictionary(pa.int32(), pa.string()),
            "dictionary8": pa.dictionary(pa.int8(), pa.string()),
            "string_view": pa.string_view()}[kind]


# ---------------------------------------------------------------------------------------------
# columns


class Column:
    """One attribute column: its family, the Arrow type of each file, and its values (python)."""

    def __init__(self, name, family, types, values, **info):
        self.name, self.family, self.types, self.values, self.info = name, family, types, values, info


def variant_case(r, s):
    k = r.random()
    if k < 0.45:
        return s
    if k < 0.65:
        return s.lower()
    if k < 0.85:
        return s.upper()
    return s.title()


def gen_string_column(r, name, n, n_files):
    base = r.sample(WORDS, r.randint(3, 12))
    high_card = r.random() < 0.25
    vals = []
    null_p, empty_p = r.choice([0.0, 0.05, 0.15, 0.5]), r.choice([0.0, 0.03, 0.1])
    for _ in range(n):
        k = r.random()
        if k < null_p:
            vals.append(None)
        elif k < null_p + empty_p:
            vals.append("")
        elif high_card:
            vals.append(f"{variant_case(r, r.choice(base))}{r.randint(0, 999)}@{r.choice(DOMAINS)}")
        else:
            # skewed choice of base words
            vals.append(variant_case(r, base[min(int(r.expovariate(0.5)), len(base) - 1)]))
    if r.random() < 0.7:
        types = [string_type(r.choice(STRING_TYPES))] * n_files
    else:
        types = [string_type(r.choice(STRING_TYPES)) for _ in range(n_files)]
    return Column(name, "string", types, vals, base=base)


def wider_ints(base):
    _, lo, hi = INT_TYPES[base]
    return [k for k, (_, l2, h2) in INT_TYPES.items() if l2 <= lo and h2 >= hi]


def gen_int_column(r, name, n, n_files):
    base = r.choice(list(INT_TYPES))
    _, lo, hi = INT_TYPES[base]
    null_p = r.choice([0.0, 0.05, 0.2, 0.6])
    zero_p = r.choice([0.0, 0.05, 0.2])
    small_lo, small_hi = max(lo, -20 if lo < 0 else 0), min(hi, 120)
    vals = []
    for _ in range(n):
        k = r.random()
        if k < null_p:
            vals.append(None)
        elif k < null_p + zero_p:
            vals.append(0)
        elif k < null_p + zero_p + 0.04:
            vals.append(r.choice([lo, hi, lo + 1, hi - 1]))
        elif k < 0.8:
            vals.append(r.randint(small_lo, small_hi))
        else:
            vals.append(r.randint(lo, hi))
    if r.random() < 0.6:
        types = [INT_TYPES[base][0]] * n_files
    else:
        types = [INT_TYPES[r.choice(wider_ints(base))][0] for _ in range(n_files)]
    return Column(name, "number", types, vals, lo=lo, hi=hi, kind="int")


def gen_float_column(r, name, n, n_files):
    f32 = r.random() < 0.2
    null_p = r.choice([0.0, 0.05, 0.3])
    vals = []
    for _ in range(n):
        k = r.random()
        if k < null_p:
            vals.append(None)
        elif k < null_p + 0.05:
            vals.append(0.0)
        elif f32:
            vals.append(r.randint(-40000, 40000) / 4)
        elif k < 0.7:
            vals.append(round(r.randint(-10000, 100000) / 100, 2))
        else:
            vals.append(round(r.randint(-10**11, 10**11) / 100, 2))
    t = pa.float32() if f32 else pa.float64()
    return Column(name, "number", [t] * n_files, vals, kind="f32" if f32 else "float")


def gen_decimal_column(r, name, n, n_files):
    p, s = r.choice([(5, 2), (9, 2), (10, 0), (18, 2), (18, 4), (28, 3), (38, 4), (12, 1)])
    digits = min(p - s, 12)
    step = 10 ** (2 - min(s, 2))          # values with at most min(s, 2) decimals, in cents
    null_p = r.choice([0.0, 0.05, 0.3])
    vals = []
    for _ in range(n):
        k = r.random()
        if k < null_p:
            vals.append(None)
        elif k < null_p + 0.05:
            vals.append(Decimal(0))
        else:
            mag = 10 ** r.randint(1, digits) * 100 - 1
            c = r.randint(-mag, mag) // step * step
            vals.append((Decimal(c) / 100).quantize(Decimal(1).scaleb(-s)))
    types = []
    for _ in range(n_files):
        if r.random() < 0.7:
            types.append(pa.decimal128(p, s))
        else:
            s2 = r.randint(s, min(s + 3, 10))
            types.append(pa.decimal128(min(38, p + (s2 - s) + r.randint(0, 5)), s2))
    return Column(name, "number", types, vals, kind="decimal", scale=s, digits=digits)


def gen_bool_column(r, name, n, n_files):
    null_p = r.choice([0.0, 0.1, 0.4])
    t_p = r.random()
    vals = [None if r.random() < null_p else (r.random() < t_p) for _ in range(n)]
    return Column(name, "bool", [pa.bool_()] * n_files, vals)


def interesting_days():
    d = AS_OF_DAY
    return [d, d - 1, d + 1, d - 7, d - 30, d - 31, d + 30, d - 90, d - 365, d + 7, -1, 0, -3650,
            (dt.date(2024, 2, 29) - EPOCH.date()).days, (dt.date(2026, 1, 1) - EPOCH.date()).days]


def interesting_instants():
    a = AS_OF_US
    out = [a, a - 1 * SEC_US, a + SEC_US, -SEC_US, 0, -DAY_US]
    for nd in (1, 7, 30, 90, 365):
        out += [a - nd * DAY_US, a + nd * DAY_US, a - nd * DAY_US - SEC_US, a + nd * DAY_US + SEC_US]
    for d in interesting_days():
        out += [d * DAY_US, d * DAY_US + DAY_US - SEC_US]
    return out


def gen_date_column(r, name, n, n_files):
    null_p = r.choice([0.0, 0.08, 0.3])
    special = interesting_days()
    vals = []
    for _ in range(n):
        k = r.random()
        if k < null_p:
            vals.append(None)
        elif k < null_p + 0.2:
            vals.append(r.choice(special))
        elif k < 0.95:
            vals.append(AS_OF_DAY - int(r.expovariate(1 / 120)) + r.choice([0, 0, 0, 60]))
        else:
            vals.append(r.randint(-25000, 30000))
    return Column(name, "date", [pa.date32()] * n_files, vals)


def gen_ts_column(r, name, n, n_files):
    unit = r.choice(["s", "ms", "us", "ns"])
    tz = r.choice(TZS)
    types = [pa.timestamp(unit, tz=tz)] * n_files
    if r.random() < 0.3:  # other units / zones in other files
        units_ok = {"s": ["s", "ms", "us", "ns"], "ms": ["ms", "us", "ns"], "us": ["us", "ns"], "ns": ["us", "ns"]}
        types = [pa.timestamp(r.choice(units_ok[unit]), tz=r.choice(TZS)) for _ in range(n_files)]
    g = max(UNIT_US[t.unit] for t in types)  # values are whole multiples of the coarsest unit
    null_p = r.choice([0.0, 0.08, 0.3])
    special = interesting_instants()
    vals = []
    for _ in range(n):
        k = r.random()
        if k < null_p:
            vals.append(None)
            continue
        if k < null_p + 0.2:
            v = r.choice(special)
        elif k < 0.95:
            v = AS_OF_US - int(r.expovariate(1 / 150) * DAY_US) + r.choice([0, 0, 0, 40 * DAY_US])
            v += r.randint(0, 999_999) * r.choice([0, 1])
        else:
            v = r.randint(-60 * 365 * DAY_US, 80 * 365 * DAY_US)
        vals.append(v // g * g)
    return Column(name, "ts", types, vals, g=g)


GENERATORS = [("string", gen_string_column, 4), ("int", gen_int_column, 3), ("float", gen_float_column, 1),
              ("decimal", gen_decimal_column, 1), ("bool", gen_bool_column, 1), ("date", gen_date_column, 1),
              ("ts", gen_ts_column, 2)]
COL_NAMES = {
    "string": ["industry", "country", "job_title", "email", "lifecycle_stage", "city", "plan", "Job Title",
               "Région", "c-2"],
    "int": ["lead_score", "employees", "seats", "nps", "visits", "Score", "age"],
    "float": ["churn_risk", "mrr", "engagement"],
    "decimal": ["annual_revenue", "arr", "ltv"],
    "bool": ["email_opt_in", "is_customer", "do_not_call"],
    "date": ["last_activity", "birthday", "signup_date", "renewal"],
    "ts": ["created_at", "updated_at", "last_login", "c_1"],
}


def to_arrow(col, values, typ):
    if col.family == "string":
        if pa.types.is_dictionary(typ):
            arr = pa.array(values, type=pa.string())
            if typ.index_type == pa.int8() and len(set(values)) > 127:
                typ = pa.dictionary(pa.int32(), pa.string())
            return arr.dictionary_encode().cast(typ)
        return pa.array(values, type=typ)
    if col.family == "ts":
        f = UNIT_US[typ.unit]
        mult = 1000 if typ.unit == "ns" else 1
        ints = [None if v is None else (v // f) * mult for v in values]
        return pa.array(ints, type=pa.int64()).cast(typ)
    if col.family == "date":
        return pa.array(values, type=pa.int32()).cast(pa.date32())
    return pa.array(values, type=typ)


# ---------------------------------------------------------------------------------------------
# the model and rules


def fmt_num(r, v):
    """A JSON number for v (int or 2-decimal), sometimes written as a float."""
    if isinstance(v, Decimal):
        v = float(v) if v != v.to_integral_value() else int(v)
    if isinstance(v, float) and v.is_integer() and r.random() < 0.5:
        return int(v)
    if isinstance(v, int) and abs(v) < 2**53 and r.random() < 0.15:
        return float(v)
    return v


def fmt_date(day):
    return (EPOCH.date() + dt.timedelta(days=day)).isoformat()


def fmt_instant(r, us):
    """RFC 3339: Z or an offset, fractional seconds when needed (or sometimes anyway)."""
    off = r.choice([0, 0, 0, 120, -300, 330, 60])
    t = EPOCH + dt.timedelta(microseconds=us) + dt.timedelta(minutes=off)
    frac = us % SEC_US
    s = t.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        s += "." + (f"{frac:06d}".rstrip("0") if r.random() < 0.5 else f"{frac:06d}")
    elif r.random() < 0.1:
        s += ".000"
    if off == 0:
        return s + "Z"
    sign = "+" if off > 0 else "-"
    return s + f"{sign}{abs(off) // 60:02d}:{abs(off) % 60:02d}"


class RuleGen:
    def __init__(self, r, cols, lists, extra_fields):
        self.r, self.cols, self.lists = r, cols, lists
        self.fields = cols + extra_fields

    def value_or_values(self, cond, gen):
        r = self.r
        if r.random() < 0.4:
            cond["values"] = [gen() for _ in range(r.randint(1, 3))]
        else:
            cond["value"] = gen()
        return cond

    def string_cond(self, c):
        r = self.r
        op = r.choice(["is", "is_not", "contains", "not_contains", "starts_with", "not_starts_with",
                       "ends_with", "not_ends_with", "is_empty", "is_not_empty"])
        cond = {"field": c.name, "op": op}
        if op in ("is_empty", "is_not_empty"):
            return cond
        present = [v for v in c.values if v is not None]
        words = c.info.get("base") or ["x"]

        def gen():
            k = r.random()
            if k < 0.03:
                return ""
            if k < 0.1:
                return "zz-not-there"
            w = variant_case(r, r.choice(present) if present and r.random() < 0.5 else r.choice(words))
            if op in ("is", "is_not"):
                return w
            if not w:
                return w
            i, j = sorted((r.randint(0, len(w)), r.randint(0, len(w))))
            if op.endswith("starts_with"):
                return w[:max(j, 1)]
            if op.endswith("ends_with"):
                return w[min(i, len(w) - 1):]
            return w[i:max(j, i + 1)]
        return self.value_or_values(cond, gen)

    def number_value(self, c):
        r = self.r
        present = [v for v in c.values if v is not None]
        kind = c.info.get("kind")
        k = r.random()
        if k < 0.1:
            return 0
        if k < 0.6 and present:
            return fmt_num(r, r.choice(present))
        if kind == "int":
            v = r.randint(max(c.info["lo"], -1000), min(c.info["hi"], 1000))
            return v + 0.5 if r.random() < 0.1 else v
        if kind == "f32":
            return r.randint(-4000, 4000) / 4
        return round(r.randint(-100000, 100000) / 100, 2)

    def number_cond(self, c):
        r = self.r
        op = r.choice(["is", "is_not", "greater_than", "less_than", "at_least", "at_most", "between",
                       "is_empty", "is_not_empty"])
        cond = {"field": c.name, "op": op}
        if op in ("is", "is_not"):
            return self.value_or_values(cond, lambda: self.number_value(c))
        if op == "between":
            a, b = self.number_value(c), self.number_value(c)
            if a > b:
                a, b = b, a
            cond["min"], cond["max"] = a, b
            return cond
        if op in ("is_empty", "is_not_empty"):
            return cond
        cond["value"] = self.number_value(c)
        return cond

    def date_value(self, c, as_date):
        r = self.r
        present = [v for v in c.values if v is not None]
        if c.family == "date":
            day = r.choice(present) if present and r.random() < 0.6 else r.choice(interesting_days())
            if as_date:
                return fmt_date(day)
            return fmt_instant(r, day * DAY_US + r.choice([0, 0, 0, SEC_US, 12 * 3600 * SEC_US, -SEC_US]))
        us = r.choice(present) if present and r.random() < 0.6 else r.choice(interesting_instants())
        if as_date:
            return fmt_date(us // DAY_US)
        g = c.info["g"]
        us += r.choice([0, 0, 0, g, -g])
        return fmt_instant(r, us)

    def date_cond(self, c):
        r = self.r
        op = r.choice(["is", "is_not", "before", "on_or_before", "after", "on_or_after", "between",
                       "in_past", "in_future", "is_empty", "is_not_empty"])
        cond = {"field": c.name, "op": op}
        if op in ("is_empty", "is_not_empty"):
            return cond
        if op in ("in_past", "in_future"):
            cond["days"] = r.choice([0, 1, 7, 30, 90, 365, 3])
            return cond
        as_date = r.random() < 0.5
        if op in ("is", "is_not"):
            return self.value_or_values(cond, lambda: self.date_value(c, as_date))
        if op == "between":
            a, b = self.date_value(c, as_date), self.date_value(c, as_date)
            if as_date:
                a, b = sorted((a, b))
            else:
                ta, tb = (dt.datetime.fromisoformat(x.replace("Z", "+00:00")) for x in (a, b))
                if ta > tb:
                    a, b = b, a
            cond["min"], cond["max"] = a, b
            return cond
        cond["value"] = self.date_value(c, as_date)
        return cond

    def condition(self):
        r = self.r
        if self.lists and r.random() < 0.08:
            return {"member_of_list": r.choice(self.lists)}
        c = r.choice(self.fields)
        if c.family == "string":
            return self.string_cond(c)
        if c.family == "number":
            return self.number_cond(c)
        if c.family == "bool":
            return {"field": c.name, "op": "is", "value": r.random() < 0.5}
        return self.date_cond(c)

    def logic(self, n):
        """A random logic string over filters 1..n, each used at least once."""
        r = self.r
        leaves = list(range(1, n + 1)) + [r.randint(1, n) for _ in range(r.choice([0, 0, 1]))]
        r.shuffle(leaves)
        kw = lambda w: r.choice([w, w.upper(), w.capitalize()])

        def expr(ls, top=False):
            if len(ls) == 1:
                s = str(ls[0])
                if r.random() < 0.2:
                    s = kw("not") + " " + s
                return s
            cut = r.randint(1, len(ls) - 1)
            a, b = expr(ls[:cut]), expr(ls[cut:])
            s = f"{a} {kw(r.choice(['and', 'or']))} {b}"
            k = r.random()
            if k < 0.35 and not top:
                s = "(" + s + ")"
            elif k < 0.45:
                s = kw("not") + r.choice([" (", "("]) + s + ")"
            return s
        s = expr(leaves, top=True)
        if r.random() < 0.1:
            s = s.replace("( ", "(").replace(" )", ")")
        return s

    def rule(self, depth=0):
        r = self.r
        k = r.random()
        if depth >= 3 or k < 0.45:
            return self.condition()
        if k < 0.6:
            return {"all": [self.rule(depth + 1) for _ in range(r.randint(1, 3))]}
        if k < 0.75:
            return {"any": [self.rule(depth + 1) for _ in range(r.randint(1, 3))]}
        if k < 0.83:
            return {"not": self.rule(depth + 1)}
        n = r.randint(1, 4)
        out = {"filters": [self.condition() for _ in range(n)]}
        if r.random() < 0.8:
            out["logic"] = self.logic(n)
        return out


def gen_model(r, cols, id_field, part_field, partitions, data_parts, list_ids, id_col, part_col):
    m = {}
    if id_col != "person_id" or part_col != "partition" or r.random() < 0.3:
        m["people"] = {"id_column": id_col, "partition_column": part_col}
    if r.random() < 0.2:
        m["limits"] = {"max_approved_segmentations": 20, "max_segments": 100}

    # workspaces
    wss = []
    for wid in r.sample(WORKSPACE_POOL, r.randint(1, 5)):
        if r.random() < 0.25:
            parts = "all"
        else:
            parts = r.sample(partitions, r.randint(1, min(len(partitions), 4)))
        w = {"id": wid, "partitions": parts}
        if r.random() < 0.5:
            w["name"] = r.choice(NAMES)
        wss.append(w)
    m["workspaces"] = wss
    ws_ids = [w["id"] for w in wss]

    groups = r.sample(GROUP_POOL, r.randint(0, 3))
    m["groups"] = [{"id": g} for g in groups]

    users = []
    for uid in r.sample(USER_POOL, r.randint(1, 6)):
        u = {"id": uid}
        if r.random() < 0.3:
            u["admin"] = True
        u["workspaces"] = "all" if r.random() < 0.3 else r.sample(ws_ids, r.randint(0, len(ws_ids)))
        if groups and r.random() < 0.7:
            u["groups"] = r.sample(groups, r.randint(1, len(groups)))
        users.append(u)
    # every workspace is reachable by someone
    for wid in ws_ids:
        if not any(u["workspaces"] == "all" or wid in u["workspaces"] for u in users):
            u = r.choice(users)
            if u["workspaces"] != "all":
                u["workspaces"].append(wid)
    m["users"] = users
    m["lists"] = [{"id": l} for l in list_ids]

    def access(u):
        return ws_ids if u["workspaces"] == "all" else u["workspaces"]
    wparts = {w["id"]: w["partitions"] for w in wss}

    rg = RuleGen(r, cols, list_ids, [f for f in (id_field, part_field) if f is not None and ID_PARTITION_RULES])
    segs = []
    used_ids = set()
    for sid in r.sample(SEGMENTATION_POOL, r.randint(1, 7)):
        if sid.lower() in used_ids:
            continue
        used_ids.add(sid.lower())
        owner = r.choice([u for u in users if access(u)])
        # mostly an origin that sees people (a partition may hold nobody)
        seeing = [w for w in access(owner) if wparts[w] == "all" or set(wparts[w]) & set(data_parts)]
        origin = r.choice(seeing if seeing and r.random() < 0.9 else access(owner))
        s = {"id": sid, "workspace": origin, "owner": owner["id"],
             "status": "draft" if r.random() < 0.15 else "approved"}
        if r.random() < 0.5:
            s["name"] = r.choice(NAMES)
        seg_list = []
        for gid in r.sample(SEGMENT_POOL, r.randint(1, 6)):
            g = {"id": gid, "rule": rg.rule()}
            if r.random() < 0.3:
                g["name"] = r.choice(NAMES)
            seg_list.append(g)
        s["segments"] = seg_list
        shares = []
        others = [w for w in access(owner) if w != origin]
        for w in r.sample(others, r.randint(0, min(3, len(others)))):
            shares.append({"workspace": w})
        if owner.get("admin"):
            if r.random() < 0.3:
                shares.append({"all": True})
            for g in r.sample(groups, r.randint(0, len(groups))):
                shares.append({"group": g})
        for u in r.sample(users, r.randint(0, min(2, len(users)))):
            shares.append({"user": u["id"]})
        r.shuffle(shares)
        if shares or r.random() < 0.5:
            s["shares"] = shares
        segs.append(s)
    m["segmentations"] = segs
    return m


# ---------------------------------------------------------------------------------------------
# a self-check: the generated model must be valid by SPEC §2 (a generator bug must not look like an engine bug)

ID_RE = __import__("re").compile(r"^[A-Za-z0-9_-]{1,64}$")
OPS = {
    "string": {"is", "is_not", "contains", "not_contains", "starts_with", "not_starts_with", "ends_with",
               "not_ends_with", "is_empty", "is_not_empty"},
    "number": {"is", "is_not", "greater_than", "less_than", "at_least", "at_most", "between", "is_empty", "is_not_empty"},
    "bool": {"is"},
    "date": {"is", "is_not", "before", "on_or_before", "after", "on_or_after", "between", "in_past", "in_future",
             "is_empty", "is_not_empty"},
}
OPS["ts"] = OPS["date"]


def check_model(m, families):
    """families: column name -> family. Raises AssertionError naming the problem."""
    def ids(kind, items):
        got = [x["id"] for x in items]
        for i in got:
            assert ID_RE.match(i), f"{kind} id {i!r}"
        assert len(set(got)) == len(got), f"duplicate {kind} ids {got}"
        return got
    ws = ids("workspace", m["workspaces"])
    groups = ids("group", m.get("groups", []))
    users = {u["id"]: u for u in m.get("users", [])}
    ids("user", m.get("users", []))
    lists = ids("list", m.get("lists", []))
    for w in m["workspaces"]:
        if w["partitions"] != "all":
            assert w["partitions"] and all(ID_RE.match(p) for p in w["partitions"]), w
    ids("segmentation", m["segmentations"])
    assert len({s["id"].lower() for s in m["segmentations"]}) == len(m["segmentations"]), "case-insensitive clash"
    assert sum(s["status"] == "approved" for s in m["segmentations"]) <= 20

    def access(u):
        return set(ws) if u.get("workspaces") == "all" else set(u.get("workspaces", []))

    def cond(c, where):
        if "member_of_list" in c:
            assert c["member_of_list"] in lists, where
            return
        fam = families[c["field"]]
        op = c["op"]
        assert op in OPS[fam], f"{where}: {op} on {fam}"
        if op in ("is_empty", "is_not_empty"):
            return
        if op in ("in_past", "in_future"):
            assert isinstance(c["days"], int) and c["days"] >= 0, where
            return
        vals = c["values"] if "values" in c else ([c["min"], c["max"]] if op == "between" else [c["value"]])
        assert vals, where
        for v in vals:
            if fam == "string":
                assert isinstance(v, str), where
            elif fam == "number":
                assert isinstance(v, (int, float)) and not isinstance(v, bool), where
            elif fam == "bool":
                assert isinstance(v, bool), where
            else:
                assert isinstance(v, str) and (len(v) == 10 or "T" in v), where

    def rule(r, where):
        if "all" in r or "any" in r:
            xs = r.get("all", r.get("any"))
            assert xs, where
            for x in xs:
                rule(x, where)
        elif "not" in r:
            rule(r["not"], where)
        elif "filters" in r:
            assert r["filters"], where
            for c in r["filters"]:
                cond(c, where)
            if "logic" in r:
                import re
                nums = [int(t) for t in re.findall(r"\d+", r["logic"])]
                assert all(1 <= k <= len(r["filters"]) for k in nums), where
        else:
            cond(r, where)

    for s in m["segmentations"]:
        where = f"segmentation {s['id']}"
        assert s["workspace"] in ws and s["owner"] in users, where
        owner = users[s["owner"]]
        assert s["workspace"] in access(owner), f"{where}: owner cannot access origin"
        seg_ids = ids("segment", s["segments"])
        assert seg_ids and "default" not in seg_ids and len(seg_ids) <= 100, where
        assert s["id"] not in ("person_id", "workspace"), where
        for g in s["segments"]:
            rule(g["rule"], f"{where}/{g['id']}")
        for sh in s.get("shares", []):
            if "workspace" in sh:
                assert sh["workspace"] in access(owner) and sh["workspace"] != s["workspace"], where
            elif "group" in sh:
                assert owner.get("admin") and sh["group"] in groups, where
            elif "all" in sh:
                assert owner.get("admin"), where
            else:
                assert sh["user"] in users, where


# ---------------------------------------------------------------------------------------------
# a whole dataset


def generate(ds, seed, index):
    """Writes one random dataset into folder ds; returns a short description."""
    r = random.Random(f"segcalc-differential:{seed}:{index}")
    n = r.randint(200, 3000)
    layout = r.choice(["single", "files", "files", "nested", "hive", "hive"])
    n_files = 1 if layout == "single" else r.randint(2, 4)

    id_col = r.choice(["person_id"] * 4 + ["pid", "Lead ID"])
    part_col = r.choice(["partition"] * 4 + ["region", "tenant"])

    # partitions (ids) and their data
    int_parts = layout != "hive" and r.random() < 0.15
    if int_parts:
        partitions = [str(x) for x in r.sample(range(-3, 40), r.randint(2, 7))]
    else:
        partitions = r.sample(PARTITION_POOL, r.randint(2, 7))
    data_parts = partitions[:max(1, len(partitions) - r.randint(0, 1))]   # one may hold nobody
    orphans = ["orphan-1"] if not int_parts and r.random() < 0.4 else (["99"] if int_parts and r.random() < 0.4 else [])
    weights = [1 / (i + 1) ** r.choice([0.5, 1.0, 1.5]) for i in range(len(data_parts))]
    null_p = r.choice([0.0, 0.01, 0.05])
    part_vals = []
    for _ in range(n):
        k = r.random()
        if k < null_p:
            part_vals.append(None)
        elif orphans and k < null_p + 0.02:
            part_vals.append(orphans[0])
        else:
            part_vals.append(r.choices(data_parts, weights)[0])

    # ids: unique, 0..=4294967295
    k = r.random()
    if k < 0.3:
        start = r.randint(0, 1000)
        ids = list(range(start, start + n))
    elif k < 0.6:
        ids = r.sample(range(1, 30000), n)
    else:
        ids = r.sample(range(0, 2**32), n)
        if r.random() < 0.5:   # the extreme ids, kept unique
            ids = [0, 2**32 - 1] + [x for x in ids if x not in (0, 2**32 - 1)][:n - 2]
    r.shuffle(ids)
    mx = max(ids)
    id_types = [t for t, (_, lo, hi) in INT_TYPES.items() if lo <= 0 and hi >= mx]
    id_base = r.choice(id_types)
    id_file_types = [INT_TYPES[id_base if r.random() < 0.7 else r.choice(id_types)][0] for _ in range(n_files)]

    # partition column type
    if int_parts:
        p_types = [INT_TYPES[r.choice(["int8", "int16", "int32", "int64"])][0]] * n_files
        part_data = [None if v is None else int(v) for v in part_vals]
    else:
        p_types = [string_type(r.choice(STRING_TYPES)) for _ in range(n_files)]
        part_data = part_vals

    # attribute columns
    taken = {id_col.lower(), part_col.lower()}

    def col_name(fam):
        free = [c for c in COL_NAMES[fam] if c.lower() not in taken]
        name = r.choice(free) if free else f"{fam}_{len(taken)}"
        taken.add(name.lower())
        return name
    cols = []
    fams = [g for g in GENERATORS for _ in range(g[2])]
    n_cols = r.randint(4, 14)
    for i in range(n_cols):
        # the first columns cover every family (most of the time), the rest are random
        fam, fn, _ = GENERATORS[i] if i < len(GENERATORS) and r.random() < 0.9 else r.choice(fams)
        cols.append(fn(r, col_name(fam), n, n_files))

    # the id and partition columns may be used in rules too
    id_field = Column(id_col, "number", [], ids, kind="int", lo=0, hi=2**32 - 1)
    part_field = None
    if int_parts:
        part_field = Column(part_col, "number", [], part_data, kind="int", lo=-3, hi=99)
    elif r.random() < 0.5:
        part_field = Column(part_col, "string", [], part_data, base=partitions)
    if r.random() < 0.7:
        id_field = None

    # lists
    list_ids = r.sample(LIST_POOL, r.randint(0, 2))
    os.makedirs(ds, exist_ok=True)
    if list_ids:
        os.makedirs(os.path.join(ds, "lists"))
    for l in list_ids:
        members = r.sample(ids, int(n * r.choice([0.0, 0.02, 0.1, 0.3])))
        members += [r.randint(0, 2**32 - 1) for _ in range(r.randint(0, 5))]
        if members and r.random() < 0.2:
            members += members[:3]          # duplicates
        lt = r.choice([pa.uint32(), pa.int64(), pa.uint64()])
        pq.write_table(pa.table({"person_id": pa.array(members, type=lt)}), os.path.join(ds, "lists", l + ".parquet"))

    model = gen_model(r, cols, id_field, part_field, partitions, data_parts, list_ids, id_col, part_col)
    families = {c.name: c.family for c in cols}
    families[id_col] = "number"
    families[part_col] = "number" if int_parts else "string"
    check_model(model, families)
    with open(os.path.join(ds, "model.json"), "w", encoding="utf-8") as f:
        json.dump(model, f, indent=r.choice([None, 1, 2]), ensure_ascii=r.random() < 0.5)

    # split rows into files
    order = list(range(n))
    r.shuffle(order)
    if layout == "hive":
        groups = {}
        for i in order:
            groups.setdefault(part_vals[i], []).append(i)
        chunks = []
        for p in sorted(groups, key=lambda x: (x is None, x or "")):
            rows = groups[p]
            folder = f"{part_col}={'__HIVE_DEFAULT_PARTITION__' if p is None else p}"
            k = r.randint(1, 2) if len(rows) > 1 else 1
            cut = r.randint(1, len(rows) - 1) if k == 2 else len(rows)
            for j, part_rows in enumerate([rows[:cut], rows[cut:]][:k]):
                chunks.append((os.path.join("people", folder, f"part-{j:05d}.parquet"), part_rows))
    else:
        cuts = sorted(r.sample(range(1, n), n_files - 1)) if n_files > 1 else []
        bounds = [0] + cuts + [n]
        chunks = []
        for j in range(n_files):
            rows = order[bounds[j]:bounds[j + 1]]
            if layout == "single":
                path = "people.parquet"
            elif layout == "nested" and j > 0:
                path = os.path.join("people", f"batch{j}", "2026", f"part-{j:05d}.parquet")
            else:
                path = os.path.join("people", f"part-{j:05d}.parquet")
            chunks.append((path, rows))

    int96_files = 0
    for j, (path, rows) in enumerate(chunks):
        fi = j % n_files
        fields = [(id_col, pa.array([ids[i] for i in rows], type=id_file_types[fi]))]
        if layout != "hive":
            pv = [part_data[i] for i in rows]
            typ = p_types[fi]
            if pa.types.is_dictionary(typ):
                arr = pa.array(pv, type=pa.string()).dictionary_encode().cast(typ)
            else:
                arr = pa.array(pv, type=typ)
            fields.append((part_col, arr))
        for c in cols:
            fields.append((c.name, to_arrow(c, [c.values[i] for i in rows], c.types[fi])))
        if r.random() < 0.4:
            r.shuffle(fields)
        t = pa.table(dict(fields))
        full = os.path.join(ds, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        int96 = r.random() < 0.1
        int96_files += int96
        kw = dict(compression=r.choice(CODECS), use_dictionary=r.random() < 0.8,
                  row_group_size=r.choice([50, 100, 333, 1000, 100000]),
                  data_page_version=r.choice(["1.0", "2.0"]),
                  use_deprecated_int96_timestamps=int96,
                  store_decimal_as_integer=r.random() < 0.3)
        pq.write_table(t, full, **kw)

    # files a reader must skip
    if layout != "single" and r.random() < 0.5:
        open(os.path.join(ds, "people", "_SUCCESS"), "w").close()
        with open(os.path.join(ds, "people", ".part-00000.parquet.crc"), "wb") as f:
            f.write(b"crc\x00\x01garbage")
        with open(os.path.join(ds, "people", ".tmp-part-99.parquet"), "wb") as f:
            f.write(b"not parquet at all")
    desc = (f"people={n} layout={layout} files={len(chunks)} cols={len(cols)} "
            f"segmentations={len(model['segmentations'])} workspaces={len(model['workspaces'])}"
            + (" int-partitions" if int_parts else "") + (f" int96-files={int96_files}" if int96_files else ""))
    return desc


# ---------------------------------------------------------------------------------------------
# running and comparing


def run(cmd, timeout):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def rename_field(rule, old, new):
    if isinstance(rule, dict):
        return {k: (new if k == "field" and v == old else rename_field(v, old, new)) for k, v in rule.items()}
    if isinstance(rule, list):
        return [rename_field(x, old, new) for x in rule]
    return rule


def reference_input(ds, shadow):
    """reference.py cannot take a custom people.id_column (its `CREATE OR REPLACE VIEW people ... FROM people`
    recurses): give it a copy of the dataset where that column is renamed to person_id."""
    m = json.load(open(os.path.join(ds, "model.json"), encoding="utf-8"))
    id_col = m.get("people", {}).get("id_column", "person_id")
    if id_col == "person_id":
        return ds
    shutil.rmtree(shadow, ignore_errors=True)
    for root, _dirs, files in os.walk(ds):
        rel = os.path.relpath(root, ds)
        for f in files:
            src, dst = os.path.join(root, f), os.path.join(shadow, rel, f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if f.endswith(".parquet") and not f.startswith((".", "_")) and rel.split(os.sep)[0] != "lists" \
                    and (rel.split(os.sep)[0] == "people" or f == "people.parquet"):
                t = pq.ParquetFile(src).read()
                t = t.rename_columns(["person_id" if c == id_col else c for c in t.column_names])
                pq.write_table(t, dst)
            elif f != "model.json":
                shutil.copyfile(src, dst)
    m["people"]["id_column"] = "person_id"
    m["segmentations"] = rename_field(m["segmentations"], id_col, "person_id")
    with open(os.path.join(shadow, "model.json"), "w", encoding="utf-8") as f:
        json.dump(m, f)
    return shadow


def run_reference(py, ds, out, timeout=600):
    ds = reference_input(ds, out.rstrip("/") + ".input")
    rc, so, se = run([py, os.path.join(REFERENCE_DIR, "reference.py"), ds, "--as-of", AS_OF, "--out", out,
                      "--threads", "1"], timeout)
    if rc != 0:
        raise RuntimeError(f"reference.py failed (exit {rc}): {se.strip()[-2000:]}")


def reference_summary(ds, ref):
    """membership rows, rows not in `default`, access rows, and how many approved segments
    (not counting `default`) have at least one member in their origin workspace."""
    import duckdb
    con = duckdb.connect()
    mp = os.path.join(ref, "membership.parquet")
    rows = con.execute(f"SELECT count(*), count(*) FILTER (WHERE segment <> 'default') FROM read_parquet('{mp}')").fetchone()
    acc = con.execute(f"SELECT count(*) FROM read_parquet('{os.path.join(ref, 'access.parquet')}')").fetchone()[0]
    hit = {tuple(x) for x in con.execute(f"SELECT DISTINCT workspace, segmentation, segment FROM read_parquet('{mp}')").fetchall()}
    m = json.load(open(os.path.join(ds, "model.json"), encoding="utf-8"))
    total = nonempty = 0
    for s in m["segmentations"]:
        if s.get("status") != "approved":
            continue
        for g in s["segments"]:
            total += 1
            nonempty += (s["workspace"], s["id"], g["id"]) in hit
    return rows[0], rows[1], acc, nonempty, total


def check_access(ref_path, mine_path):
    import duckdb
    con = duckdb.connect()
    cols = "\"user\"::VARCHAR u, segmentation::VARCHAR s, workspace::VARCHAR w, read_only::BOOLEAN ro"
    a = set(con.execute(f"SELECT {cols} FROM read_parquet('{ref_path}')").fetchall())
    b = set(con.execute(f"SELECT {cols} FROM read_parquet('{mine_path}')").fetchall())
    if a == b:
        return None
    return (f"access differs: {len(a - b)} only in reference, {len(b - a)} only in segcalc; "
            f"e.g. {sorted(a - b)[:3]} / {sorted(b - a)[:3]}")


def check_shape(ds, run_dir):
    """SPEC §4 shape of the wide membership files."""
    m = json.load(open(os.path.join(ds, "model.json"), encoding="utf-8"))
    visible = {w["id"]: [] for w in m["workspaces"]}
    for s in m["segmentations"]:
        if s.get("status") != "approved":
            continue
        ws = [s["workspace"]] + [sh["workspace"] for sh in s.get("shares", []) if "workspace" in sh]
        for w in dict.fromkeys(ws):
            visible[w].append(s["id"])
    problems = []
    for w, segs in visible.items():
        d = os.path.join(run_dir, "membership", f"workspace={w}")
        if not segs:
            if os.path.exists(d):
                problems.append(f"workspace {w} sees no segmentation but has a membership folder")
            continue
        files = sorted(f for f in os.listdir(d) if f.endswith(".parquet")) if os.path.isdir(d) else []
        if not files:
            problems.append(f"workspace {w}: no membership file")
            continue
        ids = []
        for f in files:
            t = pq.ParquetFile(os.path.join(d, f)).read()
            names = t.column_names
            if names != ["person_id"] + segs:
                problems.append(f"workspace {w}/{f}: columns {names}, expected {['person_id'] + segs}")
                continue
            if t.schema.field("person_id").type != pa.uint32():
                problems.append(f"workspace {w}/{f}: person_id is {t.schema.field('person_id').type}, not uint32")
            ids += t.column("person_id").to_pylist()
            for s in segs:
                typ = t.schema.field(s).type
                if not (pa.types.is_dictionary(typ) or pa.types.is_string(typ) or pa.types.is_large_string(typ)):
                    problems.append(f"workspace {w}/{f}: column {s} has type {typ}")
            if t.num_rows:
                any_set = None
                for s in segs:
                    v = pc.is_valid(t.column(s))
                    any_set = v if any_set is None else pc.or_(any_set, v)
                nulls = t.num_rows - pc.sum(pc.cast(any_set, pa.int64())).as_py()
                if nulls:
                    problems.append(f"workspace {w}/{f}: {nulls} rows with no segment at all")
        if any(x >= y for x, y in zip(ids, ids[1:])):
            problems.append(f"workspace {w}: person_id not strictly increasing")
    return problems


def run_case(a, index, work):
    ds = os.path.join(work, "dataset")
    ref = os.path.join(work, "reference")
    out = os.path.join(work, "out")
    desc = generate(ds, a.seed, index)
    run_reference(a.python, ds, ref)
    cmd = [a.segcalc, "run", ds, "--out", out, "--as-of", AS_OF] + a.segcalc_arg
    try:
        rc, so, se = run(cmd, a.timeout)
    except subprocess.TimeoutExpired:
        return desc, [f"segcalc timed out after {a.timeout}s"]
    with open(os.path.join(work, "segcalc.stderr"), "w") as f:
        f.write(se)
    if rc != 0:
        tail = " | ".join(se.strip().splitlines()[-5:])
        return desc, [f"segcalc exit {rc}: {tail[:1500]}"]
    run_dir = os.path.join(out, "current")
    mine = os.path.join(work, "segcalc-long.parquet")
    rc, so, se = run([a.python, os.path.join(REFERENCE_DIR, "widelong.py"), run_dir, mine], 600)
    if rc != 0:
        return desc, [f"widelong.py failed: {se.strip()[-1500:]}"]
    rc, so, se = run([a.python, os.path.join(REFERENCE_DIR, "compare.py"), os.path.join(ref, "membership.parquet"), mine], 600)
    problems = []
    if rc != 0:
        problems.append("membership " + " | ".join(so.strip().splitlines()[:8]) + (se.strip()[-500:] if se.strip() else ""))
    if not a.membership_only:
        acc = os.path.join(run_dir, "access.parquet")
        if not os.path.exists(acc):
            problems.append("no access.parquet")
        else:
            try:
                p = check_access(os.path.join(ref, "access.parquet"), acc)
            except Exception as e:  # noqa: BLE001
                p = f"access.parquet unreadable: {e}"
            if p:
                problems.append(p)
        try:
            problems += check_shape(ds, run_dir)
        except Exception as e:  # noqa: BLE001
            problems.append(f"membership shape check failed: {e}")
    return desc, problems


def main():
    global ID_PARTITION_RULES, REFERENCE_DIR
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--segcalc", help="path to the segcalc binary")
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first", type=int, default=0, help="index of the first case (to rerun one case)")
    ap.add_argument("--keep", help="copy failing cases (dataset, outputs, repro) into this folder")
    ap.add_argument("--generate-only", metavar="DIR", help="only write the datasets into DIR/case-NNNN")
    ap.add_argument("--with-reference", action="store_true",
                    help="with --generate-only: also run reference.py on each dataset (into DIR/case-NNNN.ref)")
    ap.add_argument("--membership-only", action="store_true", help="skip the access and shape checks")
    ap.add_argument("--segcalc-arg", action="append", default=[], help="extra argument for segcalc run (repeatable)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per segcalc run")
    ap.add_argument("--python", default=sys.executable, help="python with duckdb for the reference tools")
    ap.add_argument("--no-id-partition-rules", action="store_true",
                    help="never use the id or partition column in a rule (SPEC §2.1 is not explicit that rules may)")
    ap.add_argument("--reference-dir", default=REFERENCE_DIR, help="folder of reference.py, widelong.py, compare.py")
    a = ap.parse_args()
    ID_PARTITION_RULES = not a.no_id_partition_rules
    REFERENCE_DIR = a.reference_dir

    if a.generate_only:
        os.makedirs(a.generate_only, exist_ok=True)
        failed = 0
        for i in range(a.first, a.first + a.cases):
            ds = os.path.join(a.generate_only, f"case-{i:04d}")
            shutil.rmtree(ds, ignore_errors=True)
            try:
                desc = generate(ds, a.seed, i)
                line = f"case {i:04d}: {desc}"
                if a.with_reference:
                    ref = ds + ".ref"
                    shutil.rmtree(ref, ignore_errors=True)
                    run_reference(a.python, ds, ref)
                    rows, non_default, acc, nonempty, total = reference_summary(ds, ref)
                    line += (f"; reference: {rows} membership rows ({non_default} not default), "
                             f"{nonempty}/{total} segments non-empty, {acc} access rows")
                print(line, flush=True)
            except Exception as e:  # noqa: BLE001
                failed += 1
                print(f"case {i:04d}: ERROR {e}", flush=True)
                traceback.print_exc()
        print(f"generated: {a.cases - failed} ok, {failed} failed")
        return 1 if failed else 0

    if not a.segcalc:
        ap.error("--segcalc is required (or use --generate-only DIR)")
    a.segcalc = os.path.abspath(a.segcalc)
    if not (os.path.isfile(a.segcalc) and os.access(a.segcalc, os.X_OK)):
        ap.error(f"{a.segcalc} is not an executable file")
    passed = failed = 0
    for i in range(a.first, a.first + a.cases):
        work = tempfile.mkdtemp(prefix=f"segcalc-diff-{i:04d}-")
        try:
            try:
                desc, problems = run_case(a, i, work)
            except Exception as e:  # noqa: BLE001
                desc, problems = "", [f"harness error: {e}"]
            if problems:
                failed += 1
                print(f"case {i:04d} FAIL {desc}", flush=True)
                for p in problems:
                    print(f"    {p}", flush=True)
                if a.keep:
                    dest = os.path.join(a.keep, f"case-{i:04d}-seed{a.seed}")
                    shutil.rmtree(dest, ignore_errors=True)
                    shutil.copytree(work, dest, symlinks=True)
                    ref_in = f"{dest}/reference.input" if os.path.isdir(f"{dest}/reference.input") else f"{dest}/dataset"
                    with open(os.path.join(dest, "REPRO.txt"), "w") as f:
                        f.write(f"{a.python} {os.path.abspath(sys.argv[0])} --segcalc {a.segcalc} --seed {a.seed} --first {i} --cases 1\n"
                                f"{a.segcalc} run {dest}/dataset --out /tmp/o --as-of {AS_OF}\n"
                                f"{a.python} {REFERENCE_DIR}/reference.py {ref_in} --as-of {AS_OF} --out /tmp/ref\n"
                                f"{a.python} {REFERENCE_DIR}/widelong.py /tmp/o/current /tmp/mine.parquet\n"
                                f"{a.python} {REFERENCE_DIR}/compare.py /tmp/ref/membership.parquet /tmp/mine.parquet\n\n"
                                + "\n".join(problems) + "\n")
                    print(f"    kept in {dest}", flush=True)
            else:
                passed += 1
                print(f"case {i:04d} ok   {desc}", flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"differential: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
