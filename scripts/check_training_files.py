#!/usr/bin/env python3
"""Loads personalized_qa's training files with Hugging Face `datasets` and checks their columns.

sentence-transformers' trainers take the columns in order: (anchor, positive) for pairs and
(anchor, positive, negative) for triplets (MultipleNegativesRankingLoss and friends read them by position).
This script loads every `pairs.jsonl` and `triplets.jsonl` below the export folder the way a user would,
with `datasets.load_dataset("json", ...)`, and checks each file's column names, their order and that
every value is a non-empty string.

Usage: check_training_files.py EXPORT_DIR
Prints one line per file and `ok: N files`; exits 1 naming the file on any problem, 2 when `datasets`
is not installed.
"""
import pathlib
import sys
import tempfile

EXPECTED = {
    "pairs.jsonl": ["anchor", "positive"],
    "triplets.jsonl": ["anchor", "positive", "negative"],
}


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: check_training_files.py EXPORT_DIR", file=sys.stderr)
        return 1
    try:
        import datasets  # noqa: PLC0415 (the missing package is reported, not raised)
    except ImportError:
        print("datasets is not installed (pip install datasets)", file=sys.stderr)
        return 2
    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    root = pathlib.Path(sys.argv[1])
    files = sorted(p for name in EXPECTED for p in root.rglob(name))
    if not files:
        print(f"{root}: no pairs.jsonl or triplets.jsonl below it", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="quarry-hf-") as cache:
        return check(datasets, root, files, cache)


def check(datasets, root, files, cache) -> int:
    for path in files:
        expected = EXPECTED[path.name]
        if path.stat().st_size == 0:
            print(f"{path.relative_to(root)}: empty (no rows)")
            continue
        dataset = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=cache)
        if dataset.column_names != expected:
            print(f"{path}: columns {dataset.column_names}, expected {expected}", file=sys.stderr)
            return 1
        for index, row in enumerate(dataset):
            for column in expected:
                value = row[column]
                if not isinstance(value, str) or not value.strip():
                    print(f"{path}: row {index + 1} has no text in {column!r}", file=sys.stderr)
                    return 1
        print(f"{path.relative_to(root)}: {dataset.num_rows} rows, columns {', '.join(dataset.column_names)}")
    print(f"ok: {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
