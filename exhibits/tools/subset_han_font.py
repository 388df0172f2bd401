#!/usr/bin/env python3
"""Writes assets/fonts/NotoSerifTC-Han-subset.otf: the Hán (and Nôm) characters that the bundled
exhibits' transcriptions use, cut from Noto Serif CJK TC (SIL OFL 1.1, see assets/fonts/OFL.txt).

The viewer's fonts are Noto Sans for Latin and Vietnamese; a whole CJK font is 16 MB, too much for a
phone on a school network, so only the characters the exhibits show are kept. Run it again after
adding a transcription:

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb cjk
    pip install fonttools
    python3 exhibits/tools/subset_han_font.py cjk/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
"""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[2]
chars = set()
for manifest in sorted(root.glob("exhibits/*/exhibit.toml")):
    for ch in manifest.read_text(encoding="utf-8"):
        cp = ord(ch)
        # CJK ideographs (with extensions A–G and compatibility forms) and CJK punctuation.
        if 0x3000 <= cp <= 0x303F or 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or cp >= 0x20000:
            chars.add(ch)
chars.update("…·")
text = "".join(sorted(chars))
out = root / "assets/fonts/NotoSerifTC-Han-subset.otf"
subprocess.run(
    [
        sys.executable, "-m", "fontTools.subset", sys.argv[1],
        "--font-number=3",  # Noto Serif CJK TC: traditional forms, as Vietnamese Hán is written
        f"--text={text}",
        f"--output-file={out}",
        "--layout-features=*",
        "--name-IDs=*",
    ],
    check=True,
)
print(f"{out.relative_to(root)}: {len(text)} characters: {text}")
