#!/usr/bin/env bash
# Regenerates assets/fonts/shanglou-cjk.ttf: WenQuanYi Micro Hei (Apache-2.0; Debian package
# fonts-wqy-microhei) subset to ASCII, common punctuation and every CJK character used by the
# chart labels, the policy packs, the example scenarios and the five source policies. Needs
# fonttools (pip install fonttools). Run from the repository root after changing any of them.
set -euo pipefail
src=${WQY:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
[ -f "$src" ] || { echo "subset-cjk-font.sh: $src not found (apt-get install fonts-wqy-microhei)" >&2; exit 1; }
command -v pyftsubset >/dev/null || { echo "subset-cjk-font.sh: pyftsubset not found (pip install fonttools)" >&2; exit 1; }
out=assets/fonts
chars=$(python3 - "$@" <<'PY'
import glob, sys
text = ""
for pattern in ["src/scenario/keys.rs", "src/export/*.rs", "src/export/charts/*.rs", "policies/*.toml", "scenarios/*.toml", "policies/sources/*.txt"]:
    for f in sorted(glob.glob(pattern)):
        src = open(f, encoding="utf-8").read()
        # test modules name characters on purpose to check the fallback: leave them out
        if f.endswith(".rs"):
            src = src.split("#[cfg(test)]")[0]
        text += src
cjk = sorted({c for c in text if ord(c) > 0x2E7F})
extra = "（）：，、。；—–…％≤≥×·“”‘’《》〔〕【】−±²"
print("".join(sorted(set(cjk) | set(extra))))
PY
)
printf '%s' "$chars" > "$out/shanglou-cjk.chars.txt"
pyftsubset "$src" --font-number=0 --text-file="$out/shanglou-cjk.chars.txt" --unicodes="U+0020-007E" \
  --layout-features='' --no-hinting --output-file="$out/shanglou-cjk.ttf"
echo "$(wc -m < "$out/shanglou-cjk.chars.txt") CJK characters, $(wc -c < "$out/shanglou-cjk.ttf") bytes"
