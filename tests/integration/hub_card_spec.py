"""Check a dataset card's YAML front matter against the Hugging Face Hub's dataset-card
metadata spec (hub-docs `datasetcard.md`, huggingface_hub's `DatasetCardData`): the known
fields only, each with its type and allowed values, `license_name` + `license_link` for
`license: other`, `configs` whose files exist, and `dataset_info` whose features, row counts
and sizes agree with the files (read with pyarrow).

usage: python hub_card_spec.py CARD_DIR  -> prints "ok", or the problems and exits 1.
"""

import glob
import json
import os
import re
import sys

import pyarrow.parquet as pq
import yaml

# The fields of hub-docs/datasetcard.md, plus `multilinguality` (DatasetCardData) and `viewer`.
FIELDS = {
    "language", "license", "license_name", "license_link", "license_details", "tags",
    "annotations_creators", "language_creators", "language_details", "pretty_name",
    "size_categories", "source_datasets", "task_categories", "task_ids", "paperswithcode_id",
    "configs", "dataset_info", "extra_gated_fields", "extra_gated_prompt", "train-eval-index",
    "multilinguality", "viewer",
}
SIZE = {"n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M",
        "100M<n<1B", "1B<n<10B", "10B<n<100B", "100B<n<1T", "n>1T", "other"}
MULTI = {"monolingual", "multilingual", "translation", "other"}
ANNOTATIONS = {"found", "crowdsourced", "expert-generated", "machine-generated",
               "no-annotation", "other"}
LANGUAGE_CREATORS = {"found", "crowdsourced", "expert-generated", "machine-generated", "other"}
# huggingface.js packages/tasks: the text tasks a corpus card may name.
TASKS = {"text-generation", "text-classification", "fill-mask", "translation",
         "summarization", "question-answering", "token-classification", "other"}
TASK_IDS = {"language-modeling", "masked-language-modeling", "dialogue-modeling",
            "open-domain-qa", "extractive-qa", "multi-class-classification"}
DTYPES = {"string", "large_string", "bool", "int8", "int16", "int32", "int64", "uint8",
          "uint16", "uint32", "uint64", "float16", "float32", "float64"}
ARROW = {"string": "string", "large_string": "large_string", "bool": "bool", "int32": "int32",
         "int64": "int64", "float32": "float", "float64": "double"}

problems = []


def bad(msg):
    problems.append(msg)


def str_list(v, key, allowed=None):
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        bad(f"{key}: must be a non-empty list of strings, got {v!r}")
        return
    if allowed is not None:
        for x in v:
            if x not in allowed:
                bad(f"{key}: {x!r} is not one of {sorted(allowed)}")


def features_ok(feats, where):
    if not isinstance(feats, list) or not feats:
        bad(f"{where}: features must be a non-empty list")
        return
    for f in feats:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            bad(f"{where}: feature without a name: {f!r}")
        elif "dtype" in f:
            if f["dtype"] not in DTYPES:
                bad(f"{where}.{f['name']}: unknown dtype {f['dtype']!r}")
        elif "struct" in f:
            features_ok(f["struct"], f"{where}.{f['name']}")
        else:
            bad(f"{where}.{f['name']}: neither dtype nor struct")


def arrow_matches(feats, schema_fields, where):
    names = [f["name"] for f in feats]
    got = [f.name for f in schema_fields]
    if names != got:
        bad(f"{where}: features {names} but the files have columns {got}")
        return
    for f, field in zip(feats, schema_fields):
        if "dtype" in f:
            want = ARROW.get(f["dtype"], f["dtype"])
            if str(field.type) != want:
                bad(f"{where}.{f['name']}: dtype {f['dtype']} but the files hold {field.type}")
        else:
            arrow_matches(f["struct"], list(field.type), f"{where}.{f['name']}")


def main(card_dir):
    text = open(os.path.join(card_dir, "README.md"), encoding="utf-8").read()
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not m:
        print("no front matter")
        return 1
    meta = yaml.safe_load(m.group(1))
    if not isinstance(meta, dict):
        print("front matter is not a mapping")
        return 1
    for k in meta:
        if k not in FIELDS:
            bad(f"unknown field {k!r}")
    if not isinstance(meta.get("pretty_name"), str) or not meta["pretty_name"].strip():
        bad("pretty_name: a non-empty string")
    lic = meta.get("license")
    if not isinstance(lic, str):
        bad("license: required, a string")
    elif lic == "other":
        name, link = meta.get("license_name"), meta.get("license_link")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", name or ""):
            bad(f"license other needs license_name (an id like my-license-1.0), got {name!r}")
        if not isinstance(link, str) or not link:
            bad("license other needs license_link (a URL or a file of the repository)")
        elif not link.startswith(("http://", "https://")) and not os.path.exists(
                os.path.join(card_dir, link)):
            bad(f"license_link {link!r} names no file of the dataset")
    if "language" in meta:
        langs = meta["language"]
        str_list(langs, "language")
        for l in langs or []:
            if not re.fullmatch(r"[a-z]{2,3}", str(l)):
                bad(f"language: {l!r} is not an ISO 639-1/639-3 code")
    for key, allowed in [("multilinguality", MULTI), ("size_categories", SIZE),
                         ("annotations_creators", ANNOTATIONS),
                         ("language_creators", LANGUAGE_CREATORS),
                         ("task_categories", TASKS), ("task_ids", TASK_IDS)]:
        if key in meta:
            str_list(meta[key], key, allowed)
    for key in ["tags", "source_datasets"]:
        if key in meta:
            str_list(meta[key], key)
    configs = meta.get("configs", [])
    rows = {}
    schemas = {}
    names = []
    for c in configs:
        name = c.get("config_name")
        names.append(name)
        files = []
        for df in c.get("data_files", []):
            if set(df) != {"split", "path"}:
                bad(f"configs.{name}: data_files entries have split and path: {df!r}")
                continue
            paths = df["path"] if isinstance(df["path"], list) else [df["path"]]
            for p in paths:
                hit = sorted(glob.glob(os.path.join(card_dir, p)))
                if not hit:
                    bad(f"configs.{name}: {p!r} matches no file")
                files += hit
        if files and all(f.endswith(".parquet") for f in files):
            rows[name] = sum(pq.read_metadata(f).num_rows for f in files)
            schemas[name] = pq.read_schema(files[0])
            for f in files[1:]:
                if not pq.read_schema(f).equals(schemas[name]):
                    bad(f"configs.{name}: {f} has another schema")
    if len(set(names)) != len(names):
        bad(f"configs: duplicate names {names}")
    info = meta.get("dataset_info")
    if info is not None:
        entries = info if isinstance(info, list) else [info]
        for e in entries:
            name = e.get("config_name", "default")
            if names and name not in names:
                bad(f"dataset_info.{name}: no such config")
            features_ok(e.get("features"), f"dataset_info.{name}.features")
            if name in schemas:
                arrow_matches(e.get("features") or [], list(schemas[name]),
                              f"dataset_info.{name}")
            splits = e.get("splits") or []
            for s in splits:
                if not isinstance(s.get("num_examples"), int) or not isinstance(
                        s.get("num_bytes"), int):
                    bad(f"dataset_info.{name}.splits: integers num_bytes, num_examples: {s!r}")
            total = sum(s.get("num_examples", 0) for s in splits)
            if name in rows and total != rows[name]:
                bad(f"dataset_info.{name}: {total} examples, the files hold {rows[name]}")
            for k in ["download_size", "dataset_size"]:
                if not isinstance(e.get(k), int) or e[k] < 0:
                    bad(f"dataset_info.{name}.{k}: a non-negative integer")
    if problems:
        print("\n".join(problems))
        return 1
    print(json.dumps({"ok": True, "configs": names, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
