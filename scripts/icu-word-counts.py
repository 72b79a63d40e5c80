#!/usr/bin/env python3
"""Compare seapile's word counts with ICU4C's reference segmentation (measurement only).

usage: icu-word-counts.py DEV_TSV SEGMENT_WORDS_BIN
For each language, every line of DEV_TSV (`lang <TAB> source <TAB> text`) is segmented by
ICU4C's BreakIterator (root locale word instance; a segment counts when its rule status is
>= 100, i.e. number, letter, kana or ideograph) and by `segment` (the `words --count`
example). Prints per language: lines, ICU total, seapile total, total ratio, and the share of
lines whose counts differ by more than 10%. Needs PyICU (pip install pyicu-wheels).
"""
import collections, subprocess, sys
import icu

rows = [l.rstrip("\n").split("\t", 2) for l in open(sys.argv[1], encoding="utf-8")]
texts = [t.replace("\n", " ") for _, _, t in rows]
ours = subprocess.run([sys.argv[2], "--count"], input="\n".join(texts) + "\n", capture_output=True,
                      text=True, check=True).stdout.split()
bi = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())


def icu_count(text):
    bi.setText(text)
    n = 0
    for _ in bi:
        if bi.getRuleStatus() >= 100:
            n += 1
    return n


agg = collections.defaultdict(lambda: [0, 0, 0, 0])
for (lang, _, _), text, mine in zip(rows, texts, ours):
    ref, mine = icu_count(text), int(mine)
    a = agg[lang]
    a[0] += 1; a[1] += ref; a[2] += mine
    a[3] += abs(mine - ref) > 0.1 * max(ref, 1)
print("lang\tlines\ticu_words\tseapile_words\tratio\tlines_off_by_>10%")
for lang, (n, ref, mine, off) in sorted(agg.items()):
    print(f"{lang}\t{n}\t{ref}\t{mine}\t{mine / ref:.4f}\t{off / n:.1%}")
