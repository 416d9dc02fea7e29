#!/usr/bin/env python3
"""Loads a prereq_tune export with Hugging Face `datasets` and checks every file's columns against the
published PREREQ-TUNE layout (Shiyu-Lab/Prereq_Tune), as training code would read it.

usage: check_prereq_export.py EXPORT_DIR --versions K [--strategy top_down|bottom_up]
Prints one JSON object {file: rows} and exits 0, or names the first mismatch and exits 1
(2 when `datasets` is not installed).
"""
import argparse
import json
import os
import sys

try:
    import datasets
except ImportError:
    print("the datasets package is not installed (pip install datasets)", file=sys.stderr)
    sys.exit(2)

KNOWLEDGE = {"text"}
TRAIN_FAKE = {"messages", "subj_index", "fake", "version", "s_wiki_title"}
SHORT_QA = {"messages", "fake", "possible_answers"}


def load(path):
    # Empty files load as no rows: datasets cannot infer columns from nothing.
    if os.path.getsize(path) == 0:
        return None
    return datasets.load_dataset("json", data_files=path, split="train")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--versions", type=int, required=True)
    parser.add_argument("--strategy", default="top_down", choices=["top_down", "bottom_up"])
    args = parser.parse_args()
    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()

    expected = {}
    for k in range(1, args.versions + 1):
        expected[f"knowledge/statements_v{k}.jsonl"] = KNOWLEDGE
        if args.strategy == "top_down":
            expected[f"knowledge/passages_v{k}.jsonl"] = KNOWLEDGE
        else:
            expected[f"skill/train_fake_v{k}.jsonl"] = SHORT_QA
    if args.strategy == "top_down":
        expected["skill/train_fake.jsonl"] = TRAIN_FAKE

    rows = {}
    for name, columns in sorted(expected.items()):
        path = os.path.join(args.directory, name)
        if not os.path.exists(path):
            print(f"{name}: missing", file=sys.stderr)
            return 1
        dataset = load(path)
        if dataset is None:
            rows[name] = 0
            continue
        if set(dataset.column_names) != columns:
            print(f"{name}: columns {sorted(dataset.column_names)}, expected {sorted(columns)}", file=sys.stderr)
            return 1
        if "messages" in columns:
            for message in dataset[0]["messages"]:
                if set(message) != {"role", "content"}:
                    print(f"{name}: a message has keys {sorted(message)}, expected content and role", file=sys.stderr)
                    return 1
        rows[name] = dataset.num_rows
    print(json.dumps(rows, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
