#!/usr/bin/env bash
# Renders the alert emails the tests pin (tests/it/snapshots) and shoots
# their HTML part in headless Chromium at desktop (1200 px) and phone
# (390 px) width, into this directory. Needs chromium and a python3 with Pillow (PYTHON=...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
snaps="$here/../../tests/it/snapshots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$snaps"/it__delivery__snapshot_*_html.snap; do
  name=${f##*/it__delivery__snapshot_}; name=${name%_html.snap}
  # An insta snapshot: a YAML header between two '---' lines, then the body.
  awk 'n>=2{print; next} /^---$/{n++}' "$f" >"$work/$name.html"
  for w in 1200 390; do
    profile=$(mktemp -d)
    timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
      --disable-background-networking --user-data-dir="$profile" --hide-scrollbars \
      --window-size=$w,3200 --screenshot="$here/$name-$w.png" "file://$work/$name.html" \
      >/dev/null 2>&1
    rm -rf "$profile"
  done
done
# Crop each shot below the email (plus a margin) and store it as a palette PNG.
"${PYTHON:-python3}" - "$here" <<'PY'
import glob, sys
from PIL import Image
for f in glob.glob(sys.argv[1] + '/*-1200.png') + glob.glob(sys.argv[1] + '/*-390.png'):
    im = Image.open(f).convert('RGB')
    w, h = im.size
    bg = im.getpixel((w - 1, h - 1))
    px = im.load()
    bottom = next((y for y in range(h - 1, 0, -1)
                   if any(px[x, y] != bg for x in range(0, w, 2))), h)
    im = im.crop((0, 0, w, min(h, bottom + 16)))
    im.convert('P', palette=Image.ADAPTIVE, colors=128).save(f, optimize=True)
PY
ls "$here"
