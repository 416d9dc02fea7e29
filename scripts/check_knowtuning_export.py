#!/usr/bin/env python3
"""Checks a KnowTuning export the way its consumers read it, with the Hugging Face `datasets` library.

- dpo.jsonl loads with datasets.load_dataset("json", ...) and has exactly the columns of TRL's standard
  preference format (prompt, chosen, rejected) plus `aspect`, every value a non-empty string;
- sft.jsonl loads as chat messages: one `messages` column, each a list of {role, content} turns, user
  then assistant;
- with --llama-factory, llama_factory/ranking.jsonl has {instruction, input, output: [chosen, rejected]}
  rows and llama_factory/dataset_info.json registers it as a ranking dataset.

Usage: check_knowtuning_export.py EXPORT_DIR [--llama-factory]. Prints one summary line; exits 1 naming
every problem found.
"""
import argparse
import json
import os
import sys
import tempfile

# Everything is local: never reach for the Hub.
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

try:
    import datasets
except ImportError:
    print("the Python package 'datasets' is not installed (pip install datasets; scripts/install-deps.sh does)")
    sys.exit(2)

DPO_COLUMNS = {"prompt", "chosen", "rejected", "aspect"}
ASPECTS = {"completeness", "factuality", "logicality"}


def load(path, cache):
    return datasets.load_dataset("json", data_files=path, split="train", cache_dir=cache)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export_dir")
    parser.add_argument("--llama-factory", action="store_true", help="also check llama_factory/")
    args = parser.parse_args()
    problems = []
    with tempfile.TemporaryDirectory() as cache:
        dpo = load(os.path.join(args.export_dir, "dpo.jsonl"), cache)
        if set(dpo.column_names) != DPO_COLUMNS:
            problems.append(f"dpo.jsonl columns are {sorted(dpo.column_names)}, not {sorted(DPO_COLUMNS)}")
        for number, row in enumerate(dpo, start=1):
            for column in ("prompt", "chosen", "rejected"):
                if not isinstance(row.get(column), str) or not row[column].strip():
                    problems.append(f"dpo.jsonl row {number}: {column} is not a non-empty string")
            if row.get("aspect") not in ASPECTS:
                problems.append(f"dpo.jsonl row {number}: aspect {row.get('aspect')!r} is not one of {sorted(ASPECTS)}")
            if row.get("chosen") == row.get("rejected"):
                problems.append(f"dpo.jsonl row {number}: chosen and rejected are the same text")

        sft = load(os.path.join(args.export_dir, "sft.jsonl"), cache)
        if sft.column_names != ["messages"]:
            problems.append(f"sft.jsonl columns are {sft.column_names}, not ['messages']")
        for number, row in enumerate(sft, start=1):
            messages = row.get("messages") or []
            roles = [message.get("role") for message in messages]
            if roles != ["user", "assistant"] or not all(isinstance(m.get("content"), str) and m["content"] for m in messages):
                problems.append(f"sft.jsonl row {number}: not a user then assistant exchange with text: {roles}")

        ranking_rows = 0
        if args.llama_factory:
            folder = os.path.join(args.export_dir, "llama_factory")
            with open(os.path.join(folder, "dataset_info.json"), encoding="utf-8") as handle:
                info = json.load(handle)
            entries = [entry for entry in info.values() if entry.get("file_name") == "ranking.jsonl"]
            if len(entries) != 1 or entries[0].get("ranking") is not True:
                problems.append(f"dataset_info.json does not register ranking.jsonl as one ranking dataset: {info}")
            ranking = load(os.path.join(folder, "ranking.jsonl"), cache)
            ranking_rows = len(ranking)
            if set(ranking.column_names) != {"instruction", "input", "output"}:
                problems.append(f"ranking.jsonl columns are {sorted(ranking.column_names)}")
            if ranking_rows != len(dpo):
                problems.append(f"ranking.jsonl has {ranking_rows} rows, dpo.jsonl {len(dpo)}")
            for number, (row, pair) in enumerate(zip(ranking, dpo), start=1):
                if row["output"] != [pair["chosen"], pair["rejected"]] or row["instruction"] != pair["prompt"] or row["input"] != "":
                    problems.append(f"ranking.jsonl row {number} is not dpo.jsonl row {number} as [chosen, rejected]")

    for problem in problems[:50]:
        print("problem:", problem)
    print(f"knowtuning export check: {len(dpo)} dpo rows, {len(sft)} sft rows, {ranking_rows} ranking rows, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
