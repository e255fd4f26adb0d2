#!/usr/bin/env python3
"""Writes the embedded sample dataset data/sample/ (SPEC §2): model.json, people/*.parquet, lists/vip.parquet.

    .venv/bin/python scripts/make_sample.py [--out data/sample] [--seed 20261101]

Run by hand (never by CI); the generated files are committed. The output is deterministic for a
given seed (and pyarrow version): same rows, same files.

What the sample holds (think of as-of 2026-11-01T12:00:00Z for the relative dates):
- 5,000 people with unique, non-contiguous uint32 ids (10001 and up, with gaps), rows in no
  particular order, in 3 Parquet files of several row groups, strings dictionary-encoded.
- 5 partitions with a skewed distribution (emea > na > latam > apac > partner), ~1% null
  partitions and a handful of people in `sandbox`, a partition no named workspace lists (only the
  `default` workspace, whose partitions are "all", sees `partner` and `sandbox`).
- attributes with nulls, zeros, empty strings, case variants ("healthcare"/"Healthcare"/
  "HEALTHCARE") and non-ASCII values ("Média", "Société Générale").
- a model with 5 workspaces, groups, admin and non-admin users, a static list `vip`, 4 approved
  segmentations and 1 draft, together using every operator family of SPEC §2.3, a share with a
  partly overlapping workspace (region_tier: global_sales -> americas), a share with a workspace
  that does not overlap at all (apac_engagement: apac -> global_sales) and a draft.
"""
import argparse
import datetime as dt
import json
import os
import shutil
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

N_PEOPLE = 5000
AS_OF = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.timezone.utc)

PARTITIONS = ["emea", "na", "latam", "apac", "partner"]
PARTITION_WEIGHTS = [0.40, 0.28, 0.13, 0.11, 0.08]
N_NULL_PARTITION = 50      # ~1%
N_SANDBOX = 12             # a partition no named workspace lists

COUNTRIES = {
    "emea": (["DE", "GB", "FR", "NL", "ES", "AT", "CH", "SE", "IT", "PL", "ZA", "AE"],
             [0.22, 0.18, 0.14, 0.08, 0.08, 0.06, 0.06, 0.05, 0.05, 0.04, 0.02, 0.02]),
    "na": (["US", "CA"], [0.85, 0.15]),
    "latam": (["BR", "MX", "AR", "CL", "CO"], [0.40, 0.30, 0.12, 0.10, 0.08]),
    "apac": (["JP", "IN", "AU", "SG", "KR", "CN"], [0.25, 0.25, 0.20, 0.12, 0.10, 0.08]),
    "partner": (["US", "DE", "GB", "IN", "BR"], [0.4, 0.2, 0.2, 0.1, 0.1]),
    "sandbox": (["US"], [1.0]),
    None: (["US", "DE", "FR"], [0.5, 0.3, 0.2]),
}

# value, weight: skewed, with case variants and non-ASCII spellings
INDUSTRIES = [
    ("Technology", 18), ("Healthcare", 12), ("healthcare", 3), ("HEALTHCARE", 2),
    ("Hospital & Health Care", 5), ("Financial Services", 9), ("Finance", 4), ("FINANCE", 1),
    ("Retail", 8), ("Manufacturing", 7), ("Education", 5), ("Higher Education", 2),
    ("Média", 4), ("MÉDIA", 1), ("Media", 2), ("Energy", 3), ("Government", 3),
    ("Telecommunications", 3), ("Non-Profit", 2), ("Automotive", 3), ("", 1),
]
JOB_TITLES = [
    ("Marketing Manager", 12), ("Software Engineer", 12), ("Account Executive", 8),
    ("VP Marketing", 4), ("vp sales", 2), ("Chief Executive Officer", 2), ("CHIEF MARKETING OFFICER", 1),
    ("Director of Sales", 4), ("director, demand generation", 2), ("Data Scientist", 5),
    ("Product Manager", 6), ("Nurse", 3), ("Teacher", 3), ("CFO", 1), ("Intern", 3),
    ("Head of Growth", 2), ("Consultant", 6), ("Office Manager", 4), ("Ingénieur commercial", 2),
    ("Geschäftsführer", 2), ("Student", 4),
]
STAGES = [("lead", 35), ("mql", 18), ("sql", 10), ("opportunity", 8), ("customer", 14), ("churned", 5)]
DOMAINS = [("gmail.com", 20), ("outlook.com", 8), ("Acme.io", 5), ("hospital.org", 4),
           ("uni-wien.ac.at", 2), ("corp.co.uk", 4), ("societe-generale.fr", 2), ("example.com", 6),
           ("yahoo.co.jp", 3), ("globo.com.br", 3), ("GMAIL.COM", 1)]
FIRST = ["anna", "ben", "carla", "david", "eva", "felix", "greta", "hugo", "ines", "jonas",
         "kenji", "lucia", "maria", "noah", "olga", "pedro", "qi", "rahul", "sofia", "tom",
         "yuki", "zoe", "amir", "chloe", "diego", "emma", "farah", "liam", "mei", "omar"]
LAST = ["smith", "mueller", "garcia", "tanaka", "rossi", "dubois", "kowalski", "silva", "kim",
        "patel", "nguyen", "johansson", "lopez", "schmidt", "martin", "santos", "ito", "brown"]


def weighted(rng, pairs, n):
    vals = [v for v, _ in pairs]
    w = np.array([x for _, x in pairs], dtype=float)
    return [vals[i] for i in rng.choice(len(vals), size=n, p=w / w.sum())]


def null_out(rng, values, p):
    mask = rng.random(len(values)) < p
    return [None if m else v for v, m in zip(values, mask)]


def people_table(rng):
    n = N_PEOPLE
    # partitions: skewed, plus nulls and a few in "sandbox"
    n_main = n - N_NULL_PARTITION - N_SANDBOX
    part = list(rng.choice(PARTITIONS, size=n_main, p=PARTITION_WEIGHTS))
    part = [str(p) for p in part] + [None] * N_NULL_PARTITION + ["sandbox"] * N_SANDBOX
    order = rng.permutation(n)
    part = [part[i] for i in order]

    # ids: unique, non-contiguous, from 10001 up (about one id in three used)
    ids = np.sort(rng.choice(np.arange(10001, 10001 + 3 * n, dtype=np.uint32), size=n, replace=False))
    ids = ids[rng.permutation(n)]

    country = []
    for p in part:
        vals, w = COUNTRIES[p]
        country.append(str(rng.choice(vals, p=np.array(w) / sum(w))))
    country = null_out(rng, country, 0.03)

    industry = null_out(rng, weighted(rng, INDUSTRIES, n), 0.06)
    job_title = null_out(rng, weighted(rng, JOB_TITLES, n), 0.05)
    stage = null_out(rng, weighted(rng, STAGES, n), 0.04)

    first = rng.choice(FIRST, size=n)
    last = rng.choice(LAST, size=n)
    dom = weighted(rng, DOMAINS, n)
    email = [f"{f}.{l}{int(ids[i]) % 1000}@{d}" for i, (f, l, d) in enumerate(zip(first, last, dom))]
    r = rng.random(n)
    email = [None if x < 0.03 else ("" if x < 0.05 else e) for e, x in zip(email, r)]

    # lead score 1..100 skewed low, with zeros and nulls
    score = np.clip(np.round(rng.gamma(2.2, 18.0, n)), 1, 100).astype(np.int32)
    r = rng.random(n)
    score = [None if x < 0.05 else (0 if x < 0.12 else int(s)) for s, x in zip(score, r)]

    # employees and revenue, correlated, log-normal
    employees = np.maximum(1, np.round(rng.lognormal(4.5, 1.9, n))).astype(np.int64)
    per_employee = rng.lognormal(11.5, 0.8, n)
    cents = rng.integers(0, 100, n)
    revenue = [Decimal(int(round(e * r)) * 100 + int(c)).scaleb(-2) for e, r, c in zip(employees, per_employee, cents)]
    revenue = null_out(rng, revenue, 0.07)
    employees = null_out(rng, [int(e) for e in employees], 0.02)

    opt_in = null_out(rng, [bool(x) for x in rng.random(n) < 0.62], 0.08)

    as_of_date = AS_OF.date()
    days_ago = np.minimum(rng.exponential(90, n), 700).astype(int)
    last_activity = null_out(rng, [as_of_date - dt.timedelta(days=int(d)) for d in days_ago], 0.08)

    secs = rng.integers(0, 4 * 365 * 86400, n)
    micros = rng.integers(0, 1_000_000, n)
    created = [AS_OF - dt.timedelta(seconds=int(s), microseconds=int(u)) for s, u in zip(secs, micros)]
    created = null_out(rng, created, 0.02)

    def dstr(values):
        return pa.array(values, type=pa.string()).dictionary_encode()

    return pa.table({
        "person_id": pa.array(ids, type=pa.uint32()),
        "partition": dstr(part),
        "email": pa.array(email, type=pa.string()),
        "industry": dstr(industry),
        "country": dstr(country),
        "job_title": dstr(job_title),
        "lifecycle_stage": dstr(stage),
        "lead_score": pa.array(score, type=pa.int32()),
        "annual_revenue": pa.array(revenue, type=pa.decimal128(18, 2)),
        "employees": pa.array(employees, type=pa.int64()),
        "email_opt_in": pa.array(opt_in, type=pa.bool_()),
        "last_activity": pa.array(last_activity, type=pa.date32()),
        "created_at": pa.array(created, type=pa.timestamp("us", tz="UTC")),
    })


def model():
    def seg(id_, name, rule):
        return {"id": id_, "name": name, "rule": rule}

    return {
        "people": {"id_column": "person_id", "partition_column": "partition"},
        "limits": {"max_approved_segmentations": 20, "max_segments": 100},
        "workspaces": [
            {"id": "default", "name": "Default", "partitions": "all"},
            {"id": "emea", "name": "EMEA", "partitions": ["emea"]},
            {"id": "americas", "name": "Americas", "partitions": ["na", "latam"]},
            {"id": "global_sales", "name": "Global Sales", "partitions": ["emea", "na"]},
            {"id": "apac", "name": "APAC", "partitions": ["apac"]},
        ],
        "groups": [
            {"id": "marketing", "name": "Marketing"},
            {"id": "sales", "name": "Sales"},
            {"id": "ops", "name": "Marketing Operations"},
        ],
        "users": [
            {"id": "ann", "name": "Ann (admin)", "admin": True, "workspaces": "all", "groups": ["marketing", "ops"]},
            {"id": "bob", "name": "Bob", "workspaces": ["emea"], "groups": ["sales"]},
            {"id": "carol", "name": "Carol", "workspaces": ["americas", "global_sales"], "groups": ["marketing"]},
            {"id": "dan", "name": "Dan", "workspaces": ["apac", "global_sales"], "groups": ["sales"]},
            {"id": "erin", "name": "Erin", "workspaces": ["americas"], "groups": ["sales"]},
            {"id": "femi", "name": "Femi", "workspaces": ["emea", "global_sales", "apac"], "groups": ["marketing"]},
            {"id": "gus", "name": "Gus (no groups)", "workspaces": ["default"]},
        ],
        "lists": [{"id": "vip", "name": "VIP accounts (static list)"}],
        "segmentations": [
            {
                "id": "industry",
                "name": "Industry",
                "workspace": "default",
                "owner": "ann",
                "status": "approved",
                "segments": [
                    seg("healthcare", "Healthcare",
                        {"field": "industry", "op": "is", "values": ["healthcare", "Hospital & Health Care"]}),
                    seg("big_tech", "Big tech (revenue at least 10M)",
                        {"all": [{"field": "industry", "op": "is", "value": "Technology"},
                                 {"field": "annual_revenue", "op": "at_least", "value": 10000000}]}),
                    seg("finance", "Finance",
                        {"field": "industry", "op": "starts_with", "value": "fin"}),
                    seg("media", "Media (Média)",
                        {"field": "industry", "op": "is", "values": ["média", "media"]}),
                    seg("education", "Education",
                        {"field": "industry", "op": "ends_with", "value": "EDUCATION"}),
                    seg("public_sector", "Public sector and non-profit",
                        {"any": [{"field": "industry", "op": "contains", "value": "govern"},
                                 {"field": "industry", "op": "is", "value": "non-profit"}]}),
                    seg("unknown", "Industry unknown",
                        {"field": "industry", "op": "is_empty"}),
                ],
                "shares": [{"workspace": "emea"}, {"workspace": "apac"}, {"group": "marketing"}, {"all": True}],
            },
            {
                "id": "lifecycle",
                "name": "Lifecycle",
                "workspace": "emea",
                "owner": "bob",
                "status": "approved",
                "segments": [
                    seg("vip", "VIP list", {"member_of_list": "vip"}),
                    seg("hot", "Hot leads",
                        {"filters": [{"field": "lead_score", "op": "at_least", "value": 70},
                                     {"field": "last_activity", "op": "in_past", "days": 30},
                                     {"field": "email_opt_in", "op": "is", "value": True}],
                         "logic": "1 and (2 or 3)"}),
                    seg("customers", "Customers",
                        {"field": "lifecycle_stage", "op": "is", "value": "customer"}),
                    seg("cold", "Cold (no score or no activity this year)",
                        {"any": [{"field": "lead_score", "op": "is", "value": 0},
                                 {"field": "last_activity", "op": "before", "value": "2026-01-01"}]}),
                    seg("no_email", "No email address",
                        {"field": "email", "op": "is_empty"}),
                ],
                "shares": [{"user": "femi"}],
            },
            {
                "id": "region_tier",
                "name": "Region tier",
                "workspace": "global_sales",
                "owner": "carol",
                "status": "approved",
                "segments": [
                    seg("dach", "DACH", {"field": "country", "op": "is", "values": ["DE", "AT", "CH"]}),
                    seg("us_enterprise", "US enterprise (more than 5,000 employees)",
                        {"all": [{"field": "country", "op": "is", "value": "us"},
                                 {"field": "employees", "op": "greater_than", "value": 5000}]}),
                    seg("mid_market", "Mid-market (100-5,000 employees)",
                        {"field": "employees", "op": "between", "min": 100, "max": 5000}),
                    seg("recent", "Created since July",
                        {"field": "created_at", "op": "after", "value": "2026-06-30T00:00:00Z"}),
                    seg("not_gmail", "Business email",
                        {"not": {"field": "email", "op": "ends_with", "value": "@gmail.com"}}),
                ],
                "shares": [{"workspace": "americas"}, {"user": "erin"}],
            },
            {
                "id": "apac_engagement",
                "name": "APAC engagement",
                "workspace": "apac",
                "owner": "dan",
                "status": "approved",
                "segments": [
                    seg("engaged_exec", "Engaged executives",
                        {"filters": [{"field": "job_title", "op": "contains", "values": ["chief", "vp", "director"]},
                                     {"field": "job_title", "op": "is", "value": "cfo"},
                                     {"field": "last_activity", "op": "after", "value": "2026-08-01"},
                                     {"field": "email", "op": "is_empty"}],
                         "logic": "(1 OR 2) and 3 AND NOT 4"}),
                    seg("engaged", "Active in the last 14 days",
                        {"field": "last_activity", "op": "in_past", "days": 14}),
                    seg("opted_out", "Not opted in (outside China)",
                        {"all": [{"field": "email_opt_in", "op": "is", "value": False},
                                 {"field": "country", "op": "is_not", "values": ["CN", "KR"]}]}),
                    seg("high_value", "Revenue 1M-50M",
                        {"field": "annual_revenue", "op": "between", "min": 1000000, "max": 50000000}),
                    seg("not_scored", "Not scored",
                        {"all": [{"field": "lead_score", "op": "is", "value": 0},
                                 {"not": {"field": "lifecycle_stage", "op": "is", "value": "customer"}}]}),
                ],
                # bob has no access to apac or global_sales: an allowed share that gives him nothing
                "shares": [{"workspace": "global_sales"}, {"user": "femi"}, {"user": "bob"}],
            },
            {
                "id": "q4_campaign",
                "name": "Q4 campaign (draft)",
                "workspace": "americas",
                "owner": "carol",
                "status": "draft",
                "segments": [
                    seg("students", "Students and interns",
                        {"field": "job_title", "op": "is", "values": ["student", "intern"]}),
                    seg("brazil", "Brazil", {"field": "country", "op": "is", "value": "BR"}),
                ],
                "shares": [{"workspace": "global_sales"}],
            },
        ],
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(here, "..", "data", "sample"))
    ap.add_argument("--seed", type=int, default=20261101)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)

    out = os.path.abspath(a.out)
    for sub in ("people", "lists"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    os.makedirs(os.path.join(out, "people"))
    os.makedirs(os.path.join(out, "lists"))

    t = people_table(rng)
    n = t.num_rows
    # three files of unequal size, each with several row groups
    bounds = [0, 2000, 3700, n]
    for k in range(3):
        part = t.slice(bounds[k], bounds[k + 1] - bounds[k])
        pq.write_table(part, os.path.join(out, "people", f"part-{k:05d}.parquet"),
                       row_group_size=700, use_dictionary=True, compression="snappy")

    # static list: ~3% of people (more of them in emea), plus a few ids that are not in the table
    ids = t.column("person_id").to_numpy()
    parts = t.column("partition").to_pylist()
    w = np.array([3.0 if p == "emea" else 1.0 for p in parts])
    vip = rng.choice(ids, size=150, replace=False, p=w / w.sum())
    gone = np.setdiff1d(np.arange(10001, 10001 + 3 * n, dtype=np.uint32), ids)
    vip = np.concatenate([vip, rng.choice(gone, size=5, replace=False)]).astype(np.uint32)
    vip = vip[rng.permutation(len(vip))]
    pq.write_table(pa.table({"person_id": pa.array(vip, type=pa.uint32())}),
                   os.path.join(out, "lists", "vip.parquet"))

    with open(os.path.join(out, "model.json"), "w", encoding="utf-8") as f:
        json.dump(model(), f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {out}: {n} people in 3 files, {len(vip)} ids in lists/vip.parquet")


if __name__ == "__main__":
    main()
