"""A report proves where it came from: the manifest in its custom document properties
(validated against ECMA-376's shared-documentPropertiesCustom.xsd), the workbook's hash in
its colophon, and ``ghgxl verify REPORT.docx BOOK.xlsm``: exit 0 for the pair as made, 1
after one number edited in the .docx or one amount edited in the workbook, 2 for a file
that is no report."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.report import provenance
from ghgxl.workbook import layout as L
from ghgxl.workbook import xlsx
from tests import schemas_support as S
from tests.support import ROOT

EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"


def run(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("verify")
    book = folder / "book.xlsm"
    shutil.copyfile(EXAMPLE, book)
    report = folder / "report.docx"
    assert run("report", book, "-o", report).exit_code in (0, 1)
    return book, report


def test_the_report_carries_its_manifest(pair: tuple[Path, Path]) -> None:
    book, report = pair
    members = xlsx.read_members(report.read_bytes())
    stamp = provenance.read_manifest(members)
    assert stamp["workbook_sha256"] == provenance.sha256(book)
    assert stamp["total_tco2e"] == pytest.approx(415_532.111609, abs=1e-6)
    assert stamp["factor_library_version"] and stamp["gwp_set"] == "AR6"
    # the part ghgxl adds, against ECMA-376 (the Word parts are python-docx's own)
    part = provenance.CUSTOM_PART
    check = S.check_part(part, members[part], S.content_types(members)[part])
    assert check.checked == "schema" and check.errors == []
    assert S.check_content_types(members["[Content_Types].xml"]).errors == []
    assert f"清册 SHA-256：{stamp['workbook_sha256']}" in "\n".join(provenance.text_lines(members))


def test_verify_passes_the_pair_as_made(pair: tuple[Path, Path]) -> None:
    book, report = pair
    result = run("verify", report, book)
    assert result.exit_code == 0 and "every figure matches" in result.output


def test_one_number_edited_in_word_is_named(pair: tuple[Path, Path], tmp_path: Path) -> None:
    book, report = pair
    members = xlsx.read_members(report.read_bytes())
    document = members["word/document.xml"].decode("utf-8")
    assert "415,532.11" in document
    members["word/document.xml"] = document.replace("415,532.11", "415,532.01", 1).encode()
    edited = tmp_path / "edited.docx"
    edited.write_bytes(xlsx.write_package(members))
    result = run("verify", edited, book)
    assert result.exit_code == 1
    assert "same workbook" in result.output  # the workbook is the one: the report was edited
    assert "415,532.01" in result.output and "415,532.11" in result.output


def test_one_amount_edited_in_the_workbook_is_caught(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    book, report = pair
    changed = tmp_path / "changed.xlsm"
    cell = f"{L.ACT_COL['annual']}{L.FIRST_ROW}"  # 142.43 kg of LPG → 150
    changed.write_bytes(xlsx.set_cells(book.read_bytes(), {L.SHEET_ACTIVITY: {cell: 150}}))
    result = run("verify", report, changed)
    assert result.exit_code == 1 and "清册已改变" in result.output
    assert "应为 / expected" in result.output  # and the figures that now differ


def test_what_is_no_report_is_unreadable(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip", encoding="utf-8")
    assert run("verify", fake, pair[0]).exit_code == 2
    other = tmp_path / "other.docx"
    with zipfile.ZipFile(other, "w") as package:
        package.writestr("hello.txt", "hi")
    result = run("verify", other, pair[0])
    assert result.exit_code == 2 and "E601" in result.output


def test_check_report_adds_the_first_difference(pair: tuple[Path, Path], tmp_path: Path) -> None:
    book, report = pair
    assert "E625" not in run("check", book, "--report", report).output
    members = xlsx.read_members(report.read_bytes())
    document = members["word/document.xml"].decode("utf-8")
    members["word/document.xml"] = document.replace("415,532.11", "415,532.01", 1).encode()
    edited = tmp_path / "edited.docx"
    edited.write_bytes(xlsx.write_package(members))
    result = run("check", book, "--report", edited)
    assert result.exit_code == 1 and "[E625]" in result.output
    assert "415,532.01" in result.output and "同一清册" in result.output


def test_a_report_that_compares_with_last_year_names_it_for_verify(tmp_path: Path) -> None:
    """The 2024 example reported with --previous 2023 (and its base year, 2023, named in
    基本信息): the manifest records both earlier workbooks by name and hash. Beside the
    workbook they are found by themselves (exit 0); elsewhere, verify says which workbook
    it needs (E646, exit 2) instead of listing chapter 10 as edited; given another file,
    it says that file differs (exit 1)."""
    this, last = tmp_path / "example-2024.xlsm", tmp_path / "example-2023.xlsm"
    shutil.copyfile(ROOT / "workbook" / "examples" / this.name, this)
    shutil.copyfile(EXAMPLE, last)
    report = tmp_path / "report.docx"
    assert run("report", this, "--previous", last, "-o", report).exit_code in (0, 1)
    stamp = provenance.read_manifest(xlsx.read_members(report.read_bytes()))
    digest = provenance.sha256(last)
    assert stamp["previous_workbook"] == {"name": last.name, "sha256": digest}
    assert stamp["base_year_workbook"] == {"name": last.name, "sha256": digest}
    assert run("verify", report, this).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(this, elsewhere / this.name)
    lonely = run("verify", report, elsewhere / this.name)
    assert lonely.exit_code == 2
    assert "[E646]" in lonely.output
    assert '--previous "example-2023.xlsm" --base-year "example-2023.xlsm"' in lonely.output
    assert run("verify", report, elsewhere / this.name, "--previous", last).exit_code == 2
    both = run("verify", report, elsewhere / this.name, "--previous", last, "--base-year", last)
    assert both.exit_code == 0
    findings = run("check", elsewhere / this.name, "--report", report)  # E646 among them
    assert findings.exit_code == 1
    assert "[E646]" in findings.output and "[W110]" in findings.output
    other = tmp_path / "other-2023.xlsm"
    shutil.copyfile(EXAMPLE, other)
    with zipfile.ZipFile(other, "a") as package:  # the same workbook, one byte more
        package.comment = b"x"
    changed = run("verify", report, this, "--previous", other)
    assert changed.exit_code == 1
    assert f"上一年度清册 {last.name}：SHA-256 {digest}" in changed.output


def test_a_base_year_in_a_subfolder_is_found_where_the_report_found_it(tmp_path: Path) -> None:
    """基本信息 基准年清册文件 = base/example-2023.xlsm: the report read the base year there, and
    verify looks there too (not only beside the workbook)."""
    import openpyxl

    this = tmp_path / "example-2024.xlsm"
    (tmp_path / "base").mkdir()
    shutil.copyfile(EXAMPLE, tmp_path / "base" / EXAMPLE.name)
    book = openpyxl.load_workbook(ROOT / "workbook" / "examples" / this.name, keep_vba=True)
    sheet = book[L.SHEET_INFO]
    row = next(r for r in range(1, 80) if sheet[f"C{r}"].value == "base_year_workbook")
    sheet[f"B{row}"] = "base/example-2023.xlsm"
    book.save(this)
    report = tmp_path / "report.docx"
    assert run("report", this, "-o", report).exit_code in (0, 1)
    assert run("verify", report, this).exit_code == 0


def test_a_report_edited_in_word_is_kept_when_made_again(tmp_path: Path) -> None:
    """A paragraph added in Word, then the report made again over it: the edited file is
    kept as a timestamped backup beside the new one. Made again from the same workbook over
    an unedited report, the bytes are the same and no backup is made."""
    from docx import Document

    book, report = tmp_path / "book.xlsm", tmp_path / "report.docx"
    shutil.copyfile(EXAMPLE, book)
    assert run("report", book, "-o", report).exit_code in (0, 1)
    assert run("report", book, "-o", report).exit_code in (0, 1)
    assert [p.name for p in tmp_path.iterdir() if ".backup-" in p.name] == []
    edited = Document(str(report))
    edited.add_paragraph("审核意见：已核对。")
    edited.save(str(report))
    assert run("report", book, "-o", report).exit_code in (0, 1)
    (kept,) = [p for p in tmp_path.iterdir() if ".backup-" in p.name]
    assert kept.suffix == ".docx"
    assert "审核意见：已核对。" in [p.text for p in Document(str(kept)).paragraphs]
    assert "审核意见：已核对。" not in [p.text for p in Document(str(report)).paragraphs]
