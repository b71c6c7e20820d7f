"""The report as an EHS manager and a verifier get it: a table of contents with page numbers
in Word and in the PDF, Chinese in Simplified Chinese faces, tables that read across pages,
figures that say something, and numbers printed to be read (the bundled example)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from ghgxl.report import sources, tables
from ghgxl.report.context import report_factors
from ghgxl.report.render import verify_report, write_report
from ghgxl.report.template import CODE_HEADERS
from ghgxl.workbook import fill, layout, template
from ghgxl.workbook.calc import calculate_workbook
from ghgxl.workbook.resize import resized
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


# --- 2. tables --------------------------------------------------------------------------

#: A number with decimals, a share, an uncertainty: printed right-aligned.
DECIMAL = re.compile(r"[+\-±<]?[\d,]*\d\.\d+%?")


def _tables(report: Path) -> list:
    return list(_part(report, "word/document.xml").iter(f"{W}tbl"))


def _alignment(paragraph, styles) -> str | None:
    own = paragraph.find(f"{W}pPr/{W}jc")
    if own is not None:
        return own.get(f"{W}val")
    style = styles.get(_style(paragraph))
    while style is not None:
        jc = style.find(f"{W}pPr/{W}jc")
        if jc is not None:
            return jc.get(f"{W}val")
        based = style.find(f"{W}basedOn")
        style = styles.get(based.get(f"{W}val")) if based is not None else None
    return None


def test_every_table_repeats_its_header_and_keeps_its_rows_whole(report) -> None:
    tables = _tables(report)
    assert len(tables) >= 15
    for table in tables:
        rows = table.findall(f"{W}tr")
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None, _text(rows[0])
        assert [r for r in rows if r.find(f"{W}trPr/{W}cantSplit") is None] == []
        # the header row alone repeats: a body row marked as header would repeat too
        assert [r for r in rows[1:] if r.find(f"{W}trPr/{W}tblHeader") is not None] == []


def test_numbers_are_right_aligned(report) -> None:
    styles = {s.get(f"{W}styleId"): s for s in _part(report, "word/styles.xml").iter(f"{W}style")}
    numbers, wrong = 0, []
    for table in _tables(report):
        rows = table.findall(f"{W}tr")
        headers = [_text(c) for c in rows[0].iter(f"{W}tc")]
        for row in rows[1:]:
            for header, cell in zip(headers, row.iter(f"{W}tc"), strict=True):
                text = _text(cell).strip()
                if header in CODE_HEADERS or not DECIMAL.fullmatch(text):
                    continue  # codes (子类别 3.1) are centred
                numbers += 1
                if _alignment(cell.find(f"{W}p"), styles) != "right":
                    wrong.append((header, text))
    assert numbers > 300 and wrong == []


def test_captions_stay_with_their_table_or_figure(report) -> None:
    body = _part(report, "word/document.xml").find(f"{W}body")
    blocks = list(body)
    tables = figures = charts = 0
    for index, block in enumerate(blocks):
        if block.tag != f"{W}p" or _style(block) != "Caption":
            continue
        keep = block.find(f"{W}pPr/{W}keepNext") is not None
        if _text(block).startswith("表"):  # above its table
            tables += 1
            assert keep and blocks[index + 1].tag == f"{W}tbl", _text(block)
        else:  # below its figure (or （未提供）, the user's picture missing), kept with it
            figures += 1
            figure = blocks[index - 1]
            drawn = figure.find(f".//{W}drawing") is not None
            assert drawn or _text(figure) == "（未提供）", _text(block)
            assert figure.find(f"{W}pPr/{W}keepNext") is not None, _text(block)
            charts += drawn
    assert tables >= 15 and figures == 7 and charts == 4


#: A word of Latin letters and digits (CO₂e*, HFCs, kWh): never broken either.
LATIN_WORD = re.compile(r"[A-Za-z0-9₀-₉*/.\-]+")


@needs_office
def test_no_number_or_short_label_of_a_table_is_broken_in_the_pdf(report, pdf) -> None:
    cells = [_text(cell).strip() for table in _tables(report) for cell in table.iter(f"{W}tc")]
    whole = {
        t
        for t in cells
        if (
            t
            and (DECIMAL.fullmatch(t) or LATIN_WORD.fullmatch(t) or len(t) <= tables.SHORT)
            and len(t) <= tables.UNBROKEN
        )
        or DECIMAL.fullmatch(t)
    }
    assert {"13,146.42", "375,586.28", "CO₂e*", "类别1", "0.0047%", "合计"} <= whole
    # the PDF's lines, without the spaces LibreOffice puts between Chinese and digits
    lines = [line.replace(" ", "") for line in _pdf_text(pdf).splitlines()]
    broken = {
        t: (cells.count(t), found)
        for t in whole
        if (found := sum(line.count(t) for line in lines)) < cells.count(t)
    }
    assert broken == {}  # {text: (cells holding it, lines of the PDF holding it whole)}


# --- 5. the largest sources in the body, every source in the appendix --------------------


def _large_report(tmp_path: Path, rows: list[dict]) -> tuple[Path, Path]:
    """A workbook of ``rows`` (the template resized to them) and its report."""
    book, out = tmp_path / "large.xlsm", tmp_path / "large.docx"
    book.write_bytes(fill.fill(resized(template.template_path().read_bytes(), len(rows)), {}, rows))
    write_report(book, out)
    return book, out


def _rows_of(report: Path, title: str) -> list[list[str]]:
    body = _part(report, "word/document.xml").find(f"{W}body")
    blocks = list(body)
    for index, block in enumerate(blocks):
        if block.tag == f"{W}p" and _style(block) == "Caption" and _text(block).endswith(title):
            table = blocks[index + 1]
            return [[_text(c) for c in row.iter(f"{W}tc")] for row in table.iter(f"{W}tr")]
    raise AssertionError(f"no table {title}")


def test_the_body_lists_the_largest_sources_and_one_line_for_the_rest(report) -> None:
    top = _rows_of(report, "排放量最大的排放源")
    assert top[0] == ["序号", "排放源", "类别", "排放量 (t CO₂e)", "占比", "累计占比"]
    assert top[1] == ["1", "外发石墨化加工服务", "类别4", "335,752.63", "80.80%", "80.80%"]
    assert top[11][1] == "其余 31 个排放源（见附录）" and top[11][5] == "100.00%"
    assert top[12][:4] == ["合计", "", "", "415,532.11"]
    shares = [Decimal(row[4].rstrip("%")) for row in top[1:12]]
    assert abs(sum(shares) - 100) <= Decimal("0.005") * len(shares)  # each rounded on its own
    # data quality: each of the 41 sources (up to DQ_EACH, as the seed lists them), largest first
    quality = _rows_of(report, "数据质量评估")
    assert len(quality) == 42 and quality[1][:2] == ["33", "外发石墨化加工服务"]
    assert sorted(int(row[0]) for row in quality[1:]) == list(range(1, 42))
    # the weighted scores add up to the inventory's 2.3408
    assert sum(Decimal(row[9]) for row in quality[1:]) == Decimal("2.3408")


def test_the_appendix_lists_every_source_in_workbook_order(report) -> None:
    rows = _rows_of(report, "各排放源活动数据与排放量")
    assert rows[0] == [
        *("编号", "清册行", "排放源", "类别", "活动量", "单位", "所用因子"),
        *("综合排放因子 (kg CO₂e/单位)", "数据来源/凭证", "排放量 (t CO₂e)"),
    ]
    assert [r[0] for r in rows[1:-1]] == [str(i) for i in range(1, 42)]
    assert [r[1] for r in rows[1:-1]] == [str(i) for i in range(5, 46)]  # 活动数据 rows 5–45
    # 23,610,660 kWh × 0.5568 kg CO2e/kWh / 1000 = 13,146.4155 t CO2e
    assert rows[12] == [
        *("12", "16", "外购电力", "2", "23,610,660", "kWh", "F23"),
        *("0.5568", "电费缴费单据汇总", "13,146.4155"),
    ]
    assert rows[-1] == ["合计", "", "", "", "", "", "", "", "", "415,532.11"]


def test_a_large_inventory_lists_ten_in_the_body_and_every_row_in_the_appendix(
    tmp_path: Path,
) -> None:
    count = 2 * tables.TABLE_ROWS + 7
    rows = [
        dict(id=f"E{i}", source=f"用电 {i}", category=2, annual=1 + i, unit="MWh",
             factor_key="grid.cn.national.2021", dq_activity=3, dq_factor=1, dq_calibration=3)
        for i in range(count)
    ]  # fmt: skip
    _, out = _large_report(tmp_path, rows)
    top = _rows_of(out, "排放量最大的排放源")
    assert [r[1] for r in top[1:4]] == [
        f"用电 {count - 1}",
        f"用电 {count - 2}",
        f"用电 {count - 3}",
    ]
    assert top[11][1] == f"其余 {count - 10} 个排放源（见附录）" and len(top) == 13
    quality = _rows_of(out, "数据质量评估")
    assert len(quality) == 12 and quality[11][1] == f"其余 {count - 10} 个排放源（见附录）"
    # the weighted scores of the ten and of the rest add up to the inventory's
    weighted = sum(Decimal(row[9]) for row in quality[1:])  # each rounded to 4 decimals
    assert abs(weighted - Decimal("2.3333")) <= Decimal("0.0006")
    # the appendix: tables of TABLE_ROWS rows, each with the header row, every row in order
    body = _part(out, "word/document.xml").find(f"{W}body")
    appendix = [
        t
        for t in body.iter(f"{W}tbl")
        if _text(t.find(f"{W}tr")).startswith("编号清册行排放源类别")
    ]
    assert len(appendix) == 3
    ids = []
    for table in appendix:
        header, *data = table.findall(f"{W}tr")
        assert header.find(f"{W}trPr/{W}tblHeader") is not None
        ids += [_text(r.find(f"{W}tc")) for r in data]
    assert ids == [f"E{i}" for i in range(count)] + ["合计"]


def test_past_its_limit_the_appendix_lists_the_errors_and_the_largest_and_one_line_for_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200,000 rows would be some 10,000 pages: past sources.APPENDIX_ROWS (here 600 of
    1,007 rows) 附录二 lists the rows in error and the largest, in workbook order, and one
    line for the rest; the tables' total stays every row's, and verify agrees."""
    monkeypatch.setattr(sources, "APPENDIX_ROWS", 600)
    count = 1007  # 19 × 53: i × 389 mod 1,007 takes every value 0 … 1,006 once
    rows = [
        dict(id=f"E{i}", source=f"用电 {i}", category=2, annual=1 + i * 389 % count, unit="MWh",
             factor_key="grid.cn.no_such_grid" if i == 0 else "grid.cn.national.2021",
             dq_activity=3, dq_factor=1, dq_calibration=3, evidence=f"电费单 {i}")
        for i in range(count)
    ]  # fmt: skip
    book, out = _large_report(tmp_path, rows)
    body = _part(out, "word/document.xml").find(f"{W}body")
    listed = [
        [_text(c) for c in r.iter(f"{W}tc")]
        for t in body.iter(f"{W}tbl")
        if _text(t.find(f"{W}tr")).startswith("编号清册行排放源类别")
        for r in t.findall(f"{W}tr")[1:]
    ]
    # E0 (unknown factor: an error, listed however small) and the 599 largest: the
    # counted rows' amounts are 2 … 1,007 MWh, so those of 409 … 1,007; in workbook order
    largest = [f"E{i}" for i in range(1, count) if 1 + i * 389 % count >= 409]
    assert [r[0] for r in listed[:-2]] == ["E0", *largest]
    assert listed[0][9] == "错误"
    # E2: 1 + 778 = 779 MWh × 556.8 kg CO2/MWh (F1, the 2021 national grid) / 1000
    e2 = ["E2", str(layout.FIRST_ROW + 2), "用电 2", "2", "779", "MWh", "F1", "556.8", "电费单 2"]
    assert listed[1] == [*e2, "433.7472"]
    # the rest, amounts 2 … 408: (2 + 408) × 407 / 2 = 83,435 MWh × 0.5568 t/MWh = 46,456.608 t
    assert listed[-2][2] == "其余 407 个排放源（逐行见盘查清册“活动数据”表）"
    assert listed[-2][9] == "46,456.6080"
    # the total is every counted row's: (1,007 × 1,008 / 2 − 1) MWh × 0.5568 = 282,591.0336
    assert listed[-1][0] == "合计" and listed[-1][9] == "282,591.03"
    text = _text(body)
    # listed: 507,527 − 83,435 = 424,092 MWh of 507,527 = 83.56 %
    assert (
        "本清册共 1,007 个排放源，超过本附录逐行列出的上限（600 个）。本附录列出其中 600 个"
        "（先取有错误的行，再按排放量由大到小选取），按清册行顺序排列，其排放量占本表“合计”的 83.56%；"
        "其余 407 个排放源合为“合计”行上方的一行"
    ) in text
    top = _rows_of(out, "排放量最大的排放源")
    # the computed sources beyond the ten: E0, in error, has no figure to add (附录二 lists it)
    assert top[11][1] == "其余 996 个排放源（逐行见盘查清册“活动数据”表）"
    assert verify_report(out, book).ok


def test_rows_in_error_past_the_appendix_limit_are_counted_in_the_rest_but_not_its_sum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More rows in error than 附录二 lists: the rest's line says how many of its rows
    are in error, as its emissions leave them out."""
    monkeypatch.setattr(sources, "APPENDIX_ROWS", 2)
    rows = [
        dict(id=f"E{i}", source=f"用电 {i}", category=2, annual=10 * (i + 1), unit="MWh",
             factor_key="grid.cn.no_such_grid" if i < 3 else "grid.cn.national.2021")
        for i in range(5)
    ]  # fmt: skip
    book = tmp_path / "errors.xlsm"
    book.write_bytes(fill.fill(template.template_path().read_bytes(), {}, rows))
    calc = calculate_workbook(book)
    columns = sources.appendix_columns(calc, report_factors(calc))
    assert columns["id"] == ["E0", "E1", ""]  # two of the three in error, in workbook order
    # the rest: E2 in error, E3 and E4 counted: (40 + 50) MWh × 0.5568 t/MWh = 50.112 t
    assert columns["source"][-1] == (
        "其余 3 个排放源（逐行见盘查清册“活动数据”表），其中 1 个有错误，未计入"
    )
    assert columns["tco2e"] == ["错误", "错误", "50.1120"]
    assert sources.appendix(calc)["appendix_share"] == "0.00%"


def test_a_total_row_is_kept_with_the_row_before_it(report) -> None:
    """The largest sources' 合计 row fell alone on the next page of the example's PDF."""
    kept = 0
    for table in _tables(report):
        rows = table.findall(f"{W}tr")
        appendix = _text(rows[0]).startswith("编号清册行排放源类别")  # rows written as XML
        if _text(rows[-1].find(f"{W}tc")).strip() == "合计" and len(rows) > 2 and not appendix:
            before = list(rows[-2].iter(f"{W}p"))
            assert all(p.find(f"{W}pPr/{W}keepNext") is not None for p in before)
            kept += 1
    assert kept >= 5
