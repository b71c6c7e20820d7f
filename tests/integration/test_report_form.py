"""The report as an EHS manager and a verifier get it: a table of contents with page numbers
in Word and in the PDF, Chinese in Simplified Chinese faces, tables that read across pages,
figures that say something, and numbers printed to be read (the bundled example)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from ghgxl.report.render import write_report
from tests.pdf_glyphs import drawn_glyphs, region_cmaps
from tests.support import soffice

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
needs_office = pytest.mark.skipif(
    soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler are installed by .ci/run",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's report, .docx only."""
    out = tmp_path_factory.mktemp("form") / "example.docx"
    write_report(EXAMPLE, out)
    return out


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if soffice() is None:
        pytest.skip("LibreOffice is installed by .ci/run")
    out = tmp_path_factory.mktemp("form-pdf") / "example.docx"
    _, _, made = write_report(EXAMPLE, out, pdf=True)
    return made


def _part(docx: Path, name: str):
    with zipfile.ZipFile(docx) as package:
        return etree.fromstring(package.read(name))


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def _style(paragraph) -> str | None:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return None if style is None else style.get(f"{W}val")


def _headings(body) -> list[tuple[int, str]]:
    return [
        (int(_style(p)[-1]), _text(p).strip())
        for p in body.iter(f"{W}p")
        if _style(p) in ("Heading1", "Heading2") and _text(p).strip()
    ]


def _pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(
        ["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


# --- 1. table of contents -----------------------------------------------------------------


def test_word_updates_the_toc_on_opening_and_it_lists_the_headings_meanwhile(report) -> None:
    settings = _part(report, "word/settings.xml")
    assert settings.find(f"{W}updateFields").get(f"{W}val") == "true"
    body = _part(report, "word/document.xml").find(f"{W}body")
    headings = _headings(body)
    entries = [
        (int(_style(p)[-1]), _text(p)) for p in body.iter(f"{W}p") if _style(p) in ("toc1", "toc2")
    ]
    assert len(headings) > 20 and entries == headings
    bookmarks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    links = [h.get(f"{W}anchor") for h in body.iter(f"{W}hyperlink")]
    assert len(links) == len(headings) and set(links) <= bookmarks
    instructions = [i.text for i in body.iter(f"{W}instrText")]
    assert any(i.startswith("TOC ") for i in instructions)


@needs_office
def test_the_pdf_has_a_toc_whose_page_numbers_are_right(report, pdf) -> None:
    toc = _pdf_text(pdf, 2, 2)
    listed = dict(re.findall(r"^(\S.*?)\s*\.{4,}\s*(\d+)$", toc, re.M))
    chapters = [text for level, text in _headings(_part(report, "word/document.xml")) if level == 1]
    assert chapters and [c for c in chapters if c not in listed] == []
    for title, page in listed.items():
        lines = _pdf_text(pdf, int(page), int(page)).splitlines()
        assert title in (line.strip() for line in lines), f"{title} is not on page {page}"


# --- 3. fonts ---------------------------------------------------------------------------


def _collection(style: str, weight: str) -> Path:
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", f"Noto {style} CJK SC:style={weight}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Path(found)


@needs_office
def test_chinese_is_set_in_simplified_chinese_faces(pdf) -> None:
    drawn = drawn_glyphs(pdf)
    # body text (宋体) in the serif face, headings (黑体) in the sans one
    assert ("Serif", "Regular") in drawn and ("Sans", "Bold") in drawn
    telling = 0
    for (style, weight), chars in drawn.items():
        regions = region_cmaps(_collection(style, weight))
        sc, jp = regions["SC"], regions["JP"]
        differ = {c: g for c, g in chars.items() if sc.get(ord(c)) != jp.get(ord(c))}
        wrong = {c: g for c, g in differ.items() if g != sc[ord(c)]}
        assert wrong == {}, f"{style} {weight}: not the SC glyphs of {''.join(wrong)}"
        telling += len(differ)
    assert telling > 100  # characters whose SC and JP glyphs differ: enough to tell


@needs_office
def test_latin_text_is_in_one_family(pdf) -> None:
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    names = [line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]]
    latin = {re.sub(r"-(Bold|Italic|BoldItalic)$", "", n) for n in names if "CJK" not in n}
    assert len(latin) == 1, latin
