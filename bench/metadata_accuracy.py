#!/usr/bin/env python3
"""Title and byline accuracy of `presswatch extract --corpus` output against
the expected-metadata.json files of a corpus laid out as <case>/source.html.gz
(Mozilla Readability's test pages).

usage: bench/metadata_accuracy.py CORPUS_DIR PRED.json [--show]

A field is exact when both sides are equal after white space is folded
(an expected null must be predicted empty). Cases without an
expected-metadata.json are not counted. --show lists the misses.
"""
import json
import os
import re
import sys


def fold(s):
    return re.sub(r"\s+", " ", s or "").strip()


def main():
    corpus, pred_path = sys.argv[1], sys.argv[2]
    show = "--show" in sys.argv
    pred = json.load(open(pred_path, encoding="utf-8"))
    totals = {"title": [0, 0], "byline": [0, 0]}
    for case in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, case, "expected-metadata.json")
        if not os.path.exists(path):
            continue
        expected = json.load(open(path, encoding="utf-8"))
        got = pred.get(case, {})
        for field in totals:
            want, have = fold(expected.get(field)), fold(got.get(field))
            totals[field][1] += 1
            if want == have:
                totals[field][0] += 1
            elif show:
                print(f"{case} {field}: expected {want!r} got {have!r}")
    print("  ".join(f"{f} {ok}/{n} ({100.0 * ok / n:.1f}%)" for f, (ok, n) in totals.items() if n))


if __name__ == "__main__":
    main()
