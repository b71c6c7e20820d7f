"""Pictures the user supplies for the report: the organization chart, the process flow and
the site map, as image files named 组织架构图 / 工艺流程图 / 厂区平面图 (``.png``, ``.jpg``
or ``.jpeg``) beside the workbook, or in the folder given with ``ghgxl report --images DIR``.

Each one present is placed in its chapter, fitted to 15 × 20 cm; an absent one prints
（未提供）, an unreadable one says so, and the report is written either way.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from docx.image.image import Image
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from ghgxl.report.content import NOT_SUPPLIED, PICTURES

EXTENSIONS = (".png", ".jpg", ".jpeg")
#: Larger files are not pictures a report needs (and are not read).
MAX_BYTES = 20 * 2**20
MAX_WIDTH_MM, MAX_HEIGHT_MM = 150, 200


def find(folder: Path | None) -> dict[str, Path]:
    """The picture files in ``folder`` by context variable (absent ones left out)."""
    if folder is None or not Path(folder).is_dir():
        return {}
    files = {p.name.lower(): p for p in Path(folder).iterdir() if p.is_file()}
    found = {}
    for variable, stem in PICTURES.items():
        for extension in EXTENSIONS:
            path = files.get(f"{stem}{extension}")
            if path is not None:
                found[variable] = path
                break
    return found


#: Longest side, in pixels, of a picture converted for the report (15 cm at 500 dpi).
CONVERTED_PIXELS = 3000


def _converted(data: bytes) -> bytes:
    """An image python-docx cannot read (a JPEG with an Adobe marker rather than JFIF or
    Exif, CMYK, WebP) as a JPEG (PNG where it has transparency), by Pillow (matplotlib's own
    dependency), at most :data:`CONVERTED_PIXELS` a side so that it stays the size of the
    file it came from. An image past Pillow's decompression-bomb limit is an error (said in
    the report), not a warning in the terminal."""
    from PIL import Image as Picture

    with warnings.catch_warnings():
        warnings.simplefilter("error", Picture.DecompressionBombWarning)
        with Picture.open(io.BytesIO(data)) as picture:
            picture.draft("RGB", (CONVERTED_PIXELS, CONVERTED_PIXELS))  # JPEG: decode smaller
            picture.thumbnail((CONVERTED_PIXELS, CONVERTED_PIXELS))
            clear = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
            out = io.BytesIO()
            if clear:
                picture.convert("RGBA").save(out, format="PNG")
            else:
                picture.convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def _image(template: DocxTemplate, path: Path) -> InlineImage | str:
    try:
        if path.stat().st_size > MAX_BYTES:
            return f"（图片文件过大，未插入：{path.name}）"
        data = path.read_bytes()
        try:
            size = Image.from_blob(data)
        except Exception:  # not a header python-docx knows: Pillow may still read it
            data = _converted(data)
            size = Image.from_blob(data)
        width, height = size.px_width, size.px_height
    except Exception:  # a damaged or unknown image: said in the report, never a crash
        return f"（图片文件无法读取：{path.name}）"
    if not width or not height:
        return f"（图片文件无法读取：{path.name}）"
    if height * MAX_WIDTH_MM > width * MAX_HEIGHT_MM:  # taller than the box: fit the height
        return InlineImage(template, io.BytesIO(data), height=Mm(MAX_HEIGHT_MM))
    return InlineImage(template, io.BytesIO(data), width=Mm(MAX_WIDTH_MM))


def inline(template: DocxTemplate, folder: Path | None) -> dict[str, InlineImage | str]:
    """Every picture variable: the image when its file is there, else （未提供）."""
    found = find(folder)
    return {
        variable: _image(template, found[variable]) if variable in found else NOT_SUPPLIED
        for variable in PICTURES
    }
