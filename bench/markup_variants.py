#!/usr/bin/env python3
"""Write a copy of a corpus whose pages say the same things in other markup,
to measure how much the extractor leans on markup that many sites lack.

usage: bench/markup_variants.py KIND SRC_CORPUS DST_CORPUS

KIND is one of:
  hashed-classes  every class and id, and every attribute that names an id
                  (for, aria-describedby, aria-labelledby, aria-controls), is
                  replaced by an opaque token: the same value gives the same
                  token, so the page's structure is unchanged. Sites built with
                  CSS modules or styled components look like this ("css-1x2y3z").
  div-soup        article, main, aside, nav, header, footer and section are
                  renamed div, and role, itemprop, itemtype and itemscope are
                  removed: a page as an older CMS writes it.

SRC_CORPUS holds ground-truth.json and html/<id>.html.gz (the layout of
../shared/corpus/wcxb-dev-articles and extraction-dev). DST_CORPUS gets the
same ground truth and the rewritten pages, so that

    presswatch extract --corpus DST_CORPUS --out pred.json
    python3 ../shared/bench/score_extraction.py DST_CORPUS/ground-truth.json pred.json

scores the variant as the original is scored. The rewrite works on the bytes,
so a page in any charset stays in it.
"""
import gzip
import hashlib
import os
import re
import shutil
import sys

# A start tag, its quoted attribute values allowed to hold ">".
START_TAG = re.compile(rb"<[a-zA-Z][^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>")
NAMING_ATTRIBUTE = re.compile(
    rb"(\s(?:class|id|for|aria-describedby|aria-labelledby|aria-controls)\s*=\s*)"
    rb"(?:\"([^\"]*)\"|'([^']*)')",
    re.I,
)
SECTIONING_TAG = re.compile(rb"<(/?)(?:article|main|aside|nav|header|footer|section)\b", re.I)
SEMANTIC_ATTRIBUTE = re.compile(
    rb"\s(?:role|itemprop|itemtype|itemscope)\b(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?", re.I
)


def in_start_tags(attributes, rewrite, page):
    """`page` with `rewrite` applied to what `attributes` matches inside
    start tags only: the page's text ("its role in ...") stays as it is."""
    return START_TAG.sub(lambda tag: attributes.sub(rewrite, tag.group(0)), page)


def opaque(word):
    return b"x" + hashlib.sha1(word).hexdigest()[:7].encode()


def hashed_classes(page):
    def rename(m):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        return m.group(1) + b'"' + b" ".join(opaque(w) for w in value.split()) + b'"'

    return in_start_tags(NAMING_ATTRIBUTE, rename, page)


def div_soup(page):
    page = in_start_tags(SEMANTIC_ATTRIBUTE, b"", page)
    return SECTIONING_TAG.sub(lambda m: b"<" + m.group(1) + b"div", page)


KINDS = {"hashed-classes": hashed_classes, "div-soup": div_soup}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in KINDS:
        sys.exit(__doc__)
    rewrite, src, dst = KINDS[sys.argv[1]], sys.argv[2], sys.argv[3]
    os.makedirs(os.path.join(dst, "html"), exist_ok=True)
    shutil.copy(os.path.join(src, "ground-truth.json"), os.path.join(dst, "ground-truth.json"))
    names = sorted(os.listdir(os.path.join(src, "html")))
    for n, name in enumerate(names, 1):
        path = os.path.join(src, "html", name)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as f:
            page = f.read()
        out = name if name.endswith(".gz") else name + ".gz"
        with gzip.open(os.path.join(dst, "html", out), "wb") as f:
            f.write(rewrite(page))
        if n % 100 == 0 or n == len(names):
            print(f"{n}/{len(names)} pages rewritten", file=sys.stderr)


if __name__ == "__main__":
    main()
