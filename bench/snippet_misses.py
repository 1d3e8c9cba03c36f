#!/usr/bin/env python3
"""Why `with` snippets count as missed: which of them are in the extracted
text but written with other punctuation, and which are really not there.

usage: bench/snippet_misses.py GROUND_TRUTH.json PRED.json [--show KIND]

score_extraction.py counts a `with` snippet kept only when it is a
substring of the extracted text (case aside). A snippet the page writes
with a typographic apostrophe (’) and the ground truth with a straight one
(') then counts as missed although every word of it was extracted. Each
missed snippet is put in the first class it fits:

  typography   found once apostrophes, quotation marks, dashes and white
               space are folded to one form each (the page's ’ against
               the ground truth's ', “…” against "…", – against -)
  punctuation  its words are all there, in order, with other punctuation or
               line breaks between them ("types , we", a table's "|")
  absent       its words are not in the extracted text in that order: the
               extractor dropped or cut the passage

The pages are those of GROUND_TRUTH.json (a subset of a corpus's ground truth
scores that subset). --show KIND lists the snippets of one class with their
page ids.
"""
import json
import re
import sys
from collections import Counter

FOLDS = {
    "’": "'", "‘": "'", "ʼ": "'", "′": "'", "`": "'",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"',
    "–": "-", "—": "-", "‑": "-", "−": "-",
    "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
}
FOLD = re.compile("|".join(map(re.escape, FOLDS)))


def typographic(s):
    s = FOLD.sub(lambda m: FOLDS[m.group(0)], s.lower())
    return re.sub(r"\s+", " ", s).strip()


def words(s):
    return " ".join(re.findall(r"\w+", s.lower()))


def load(path):
    d = json.load(open(path, encoding="utf-8"))
    if isinstance(d, dict) and set(d) == {"version", "output"}:
        d = d["output"]
    return d


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    gt, pred = load(sys.argv[1]), load(sys.argv[2])
    show = sys.argv[sys.argv.index("--show") + 1] if "--show" in sys.argv else None
    counts, total, kept = Counter(), 0, 0
    for page in sorted(gt):
        text = (pred.get(page, {}).get("articleBody") or "")
        low, typo, flat = text.lower(), typographic(text), words(text)
        for snippet in gt[page].get("with") or []:
            total += 1
            if snippet.lower() in low:
                kept += 1
                continue
            if typographic(snippet) in typo:
                kind = "typography"
            elif words(snippet) and words(snippet) in flat:
                kind = "punctuation"
            else:
                kind = "absent"
            counts[kind] += 1
            if kind == show:
                print(f"{page}  {snippet[:110]!r}")
    missed = total - kept
    print(f"with snippets {total}: kept {kept} ({100 * kept / max(total, 1):.1f}%), missed {missed}")
    for kind in ("typography", "punctuation", "absent"):
        print(f"  {kind:<12} {counts[kind]:>5}")
    words_there = kept + counts["typography"] + counts["punctuation"]
    print(f"words of the snippet extracted, in order: {words_there} ({100 * words_there / max(total, 1):.1f}%)")


if __name__ == "__main__":
    main()
