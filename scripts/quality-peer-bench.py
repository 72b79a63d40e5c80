#!/usr/bin/env python3
"""Time datatrove's Gopher quality + Gopher repetition + C4 + FineWeb filters (measurement only).

usage: quality-peer-bench.py TEXTS_JSONL   (from `quality_signals --dump`), in the peers venv.
Runs the four filters' `filter()` on every document in one thread, best of 5, and prints
docs/s and how many documents each filter keeps, next to seapile's `quality_signals --bench`.
"""
import json, sys, time
from datatrove.data import Document
from datatrove.pipeline.filters import (GopherQualityFilter, GopherRepetitionFilter,
                                        C4QualityFilter, FineWebQualityFilter)

LANG = {"eng": "en", "ind": "id", "tha": "th", "mya": "my", "zho": "zh", "vie": "vi",
        "zsm": "ms", "tgl": "tl", "tam": "ta", "khm": "km", "lao": "lo", "jav": "jv", "sun": "su"}
docs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
filters = [GopherQualityFilter(), GopherRepetitionFilter(), C4QualityFilter(filter_no_terminal_punct=False),
           FineWebQualityFilter()]
best, kept = float("inf"), None
for _ in range(5):
    start = time.perf_counter()
    k = [0] * len(filters)
    for d in docs:
        for i, f in enumerate(filters):
            doc = Document(text=d["text"], id="x", metadata={"language": LANG.get(d["lang"], "en")})
            r = f.filter(doc)
            if r is True or (isinstance(r, tuple) and r[0]):
                k[i] += 1
    best = min(best, time.perf_counter() - start)
    kept = k
print(json.dumps({"docs": len(docs), "docs_per_s": round(len(docs) / best),
                  "kept": dict(zip(["gopher_quality", "gopher_repetition", "c4", "fineweb"], kept))}))
