"""Writes the generated part of fuzz/corpus/parquet/: small slices of the pyarrow fixture, one
file per encoding feature a writer may use, so the fuzzer starts from every page layout.

Run from the repository root with the reference venv (pyarrow):
    .venv/bin/python fuzz/make_parquet_seeds.py
The other seeds are copies of small files of tests/data (see CONTRIBUTING.md).
"""

import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus" / "parquet"
SOURCE = ROOT / "tests" / "data" / "fixtures" / "pyarrow-dictionary" / "people.parquet"


def main():
    people = pq.read_table(SOURCE).slice(0, 40)
    plain = people.cast(pa.schema([f.with_type(pa.string()) if pa.types.is_dictionary(f.type) else f for f in people.schema]))
    cases = {
        "gen-snappy-dictionary": (people, dict(compression="snappy")),
        "gen-uncompressed-plain": (plain, dict(compression="none", use_dictionary=False)),
        "gen-gzip": (plain, dict(compression="gzip")),
        "gen-zstd": (plain, dict(compression="zstd")),
        "gen-lz4": (plain, dict(compression="lz4")),
        "gen-brotli": (plain, dict(compression="brotli")),
        "gen-page-index-row-groups": (
            plain,
            dict(compression="none", write_page_index=True, row_group_size=8, data_page_size=256),
        ),
        "gen-data-page-v2": (plain, dict(compression="snappy", data_page_version="2.0")),
        "gen-delta-encodings": (
            plain,
            dict(
                compression="none",
                use_dictionary=False,
                column_encoding={
                    "person_id": "DELTA_BINARY_PACKED",
                    "lead_score": "DELTA_BINARY_PACKED",
                    "email": "DELTA_BYTE_ARRAY",
                    "country": "DELTA_LENGTH_BYTE_ARRAY",
                },
            ),
        ),
        "gen-byte-stream-split": (
            plain.set_column(
                plain.schema.get_field_index("lead_score"),
                "lead_score",
                plain.column("lead_score").cast(pa.float64()),
            ),
            dict(compression="none", use_dictionary=False, column_encoding={"lead_score": "BYTE_STREAM_SPLIT"}),
        ),
        "gen-int96-timestamps": (
            plain,
            dict(compression="none", use_deprecated_int96_timestamps=True),
        ),
        "gen-string-view": (
            plain.cast(pa.schema([f.with_type(pa.string_view()) if f.type == pa.string() else f for f in plain.schema])),
            dict(compression="none"),
        ),
    }
    for name, (table, options) in cases.items():
        path = OUT / f"{name}.parquet"
        pq.write_table(table, path, **options)
        print(path.relative_to(ROOT), path.stat().st_size)


if __name__ == "__main__":
    main()
