"""Which region's glyphs a PDF drew its Chinese with (for the report's font tests).

pdffonts cannot tell: the Noto CJK collections (NotoSerifCJK-Regular.ttc …) hold one CFF
table, named after the Japanese face, shared by the JP, KR, SC, TC and HK faces, so every
face is embedded as ``NotoSerifCJKjp-…``. What differs is the cmap: 新 is glyph cid20074 in
the SC face and cid20073 in the JP one. LibreOffice embeds each subset as a Type 1 font
whose glyphs keep those names (``/cid20074``), and a ToUnicode map gives each code's
character; so for each character whose SC and JP glyphs differ, the glyph drawn says which
face drew it.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from fontTools.ttLib import TTCollection

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_FACE = re.compile(rb"/BaseFont\s*/[A-Z]{6}\+(Noto(Sans|Serif)CJKjp-(\w+?))(?:-\w+)?[\s/>]")


def _stream(body: bytes) -> bytes:
    head, _, rest = body.partition(b"stream")
    data = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
    return zlib.decompress(data) if b"FlateDecode" in head else data


def _ref(body: bytes, key: bytes) -> int:
    return int(re.search(rb"/" + key + rb"\s*(\d+) 0 R", body).group(1))


def drawn_glyphs(pdf: Path) -> dict[tuple[str, str], dict[str, int]]:
    """{(style, weight): {character: cid drawn}} of the Noto CJK text of ``pdf``
    (style Sans or Serif, weight Regular or Bold)."""
    objects = {int(n): body for n, body in _OBJECT.findall(pdf.read_bytes())}
    drawn: dict[tuple[str, str], dict[str, int]] = {}
    for body in objects.values():
        face = _FACE.search(body.split(b"stream")[0])
        if face is None or b"/Type1" not in body.split(b"stream")[0]:
            continue
        descriptor = objects[_ref(body, b"FontDescriptor")]
        program = _stream(objects[_ref(descriptor, b"FontFile")]).decode("latin-1")
        glyphs = {int(c): int(g) for c, g in re.findall(r"dup (\d+) /cid(\d+) put", program)}
        cmap = _stream(objects[_ref(body, b"ToUnicode")]).decode("latin-1")
        chars = drawn.setdefault((face.group(2).decode(), face.group(3).decode()), {})
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                if int(code, 16) in glyphs:
                    chars[bytes.fromhex(text).decode("utf-16-be")] = glyphs[int(code, 16)]
    return drawn


def region_cmaps(collection: Path) -> dict[str, dict[int, int]]:
    """{region (JP, SC …): {code point: cid}} of a Noto CJK collection's faces."""
    regions = {}
    for font in TTCollection(str(collection)).fonts:
        region = font["name"].getDebugName(1).split()[-1]
        regions[region] = {
            code: int(name[3:]) for code, name in font.getBestCmap().items() if name[:3] == "cid"
        }
    return regions
