"""Regenerate wqy-microhei-mono-gb2312.ttf: see README.md in this folder."""
import sys
from pathlib import Path

from fontTools import subset

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
OUT = Path(__file__).with_name("wqy-microhei-mono-gb2312.ttf")

# Every character of GB2312: rows 0xA1-0xA9 (symbols, punctuation, fullwidth forms, box
# drawing) and 0xB0-0xF7 (the 6763 hanzi), decoded from their two-byte codes.
chars = []
for hi in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):
    for lo in range(0xA1, 0xFF):
        try:
            chars.append(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass

subset.main([
    SOURCE,
    "--font-number=1",  # WenQuanYi Micro Hei Mono: ASCII half width, hanzi full width
    "--text=" + "".join(chars),
    # ASCII, Latin-1, general punctuation, CJK punctuation, fullwidth forms (incl. U+FFE5)
    "--unicodes=U+0020-007E,U+00A0-00FF,U+2010-206F,U+3000-303F,U+FF00-FFEF",
    "--layout-features=",  # drawn glyph by glyph from the cmap: no shaping tables needed
    "--no-hinting",  # vector output (PDF) does not use TrueType hinting
    "--output-file=" + str(OUT),
])
print(f"{OUT}: {OUT.stat().st_size} bytes, {len(chars)} GB2312 characters")
