"""The VBA project as Office writes it ([MS-OVBA]), read by parsers that are not ghgxl's:
olevba and olefile (oletools), and a reader of the ``dir`` stream's records here.

Checked in the committed template, in a ``ghgxl workbook new`` of 1,000 rows and in what
``ghgxl calc`` writes: every module is read and holds what ghgxl generates; the ``dir``
stream, the PROJECT stream and the VBA storage list the same modules; every sheet's codeName
has a document module and every document module a sheet; the ``dir`` stream ends at its
Terminator; every cookie is 0xFFFF; ``[Workspace]`` has no blank line. And LibreOffice
imports every module, the sheets' as document modules under their code names.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner
from defusedxml import ElementTree

from ghgxl.cli import main
from ghgxl.udfs import udf_vba
from ghgxl.workbook import template, vba, xlsx
from tests.support import TWO_ROW_BOOK, soffice

with warnings.catch_warnings():  # oletools 0.60 uses pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

ROOT = Path(__file__).parents[2]
TEMPLATE = ROOT / "workbook" / template.TEMPLATE_NAME
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
#: What is not a module in the VBA storage ([MS-OVBA] 2.2.1, 2.2.6).
NOT_MODULES = re.compile(r"dir|_VBA_PROJECT|__SRP_\d+", re.IGNORECASE)
CODE_MODULES = ("xlwings", "Dictionary", template.VBA_UDF_MODULE, template.VBA_MACRO_MODULE)


def excel_document(name: str, base: str) -> str:
    """An empty workbook or sheet module as Excel writes it ([MS-OVBA] 3.1.3, 3.1.4)."""
    return (
        f'Attribute VB_Name = "{name}"\r\nAttribute VB_Base = "{base}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n"
        "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = True\r\n"
    )


def dir_records(stream: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The records of a compressed dir stream up to its Terminator (0x0010), and what
    follows the Terminator."""
    raw = bytes(decompress_stream(bytearray(stream)))
    records, at = [], 0
    while at < len(raw):
        record_id, size = struct.unpack_from("<HI", raw, at)
        if record_id == 0x0009:  # PROJECTVERSION: Reserved = 4, then 4 + 2 bytes
            size = 6
        records.append((record_id, raw[at + 6 : at + 6 + size]))
        at += 6 + size
        if record_id == 0x0010:
            assert size == 0, "the Terminator's Reserved must be 0x00000000"
            return records, raw[at:]
    raise AssertionError("the dir stream has no Terminator record")


def code_modules() -> dict[str, str]:
    """The modules ghgxl puts in the project, as ghgxl generates them (xlwings and
    Dictionary as the xlwings quickstart ships them)."""
    quickstart = VBA_Parser(str(template.quickstart_path()))
    shipped = {n.rsplit(".", 1)[0]: code for _, _, n, code in quickstart.extract_macros()}
    quickstart.close()
    return {
        "xlwings": shipped["xlwings"],
        "Dictionary": shipped["Dictionary"],
        template.VBA_UDF_MODULE: udf_vba(template.TEMPLATE_NAME),
        template.VBA_MACRO_MODULE: template.macro_vba(),
    }


@dataclass
class Project:
    """What the parsers read of one workbook's VBA project."""

    path: Path
    book_code_name: str
    code_names: dict[str, str]  # sheet -> codeName, in the workbook's order
    modules: dict[str, str]  # olevba: module -> source
    storage: list[str]  # the streams of the VBA storage
    text: str  # the PROJECT stream
    records: list[tuple[int, bytes]]  # the dir stream's
    tail: bytes  # after the dir stream's Terminator

    def dir_modules(self) -> list[str]:
        return [data.decode("cp1252") for record, data in self.records if record == 0x0019]

    def dir_streams(self) -> list[str]:
        return [data.decode("cp1252") for record, data in self.records if record == 0x001A]

    def declarations(self) -> list[tuple[str, str]]:
        found = re.findall(r"^(Module|Class|BaseClass|Document)=([^/\r\n]+)", self.text, re.M)
        return [(kind, name) for kind, name in found]

    def workspace(self) -> list[str]:
        return self.text[self.text.index("[Workspace]") :].split("\r\n")[1:]


def read_project(path: Path) -> Project:
    members = xlsx.read_members(path)
    workbook = ElementTree.fromstring(members["xl/workbook.xml"])
    properties = workbook.find(f"{xlsx.NS_MAIN}workbookPr")
    code_names = {}
    for sheet, part in xlsx.sheet_parts(members).items():
        found = re.search(rb'<sheetPr\b[^>]*\bcodeName="([^"]*)"', members[part])
        code_names[sheet] = found.group(1).decode() if found else ""
    parser = VBA_Parser(str(path))
    modules = {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    with olefile.OleFileIO(members["xl/vbaProject.bin"]) as ole:
        storage = [entry[1] for entry in ole.listdir() if entry[0] == "VBA"]
        text = ole.openstream("PROJECT").read().decode("cp1252")
        records, tail = dir_records(ole.openstream("VBA/dir").read())
    book = properties.get("codeName", "") if properties is not None else ""
    return Project(path, book, code_names, modules, storage, text, records, tail)


@pytest.fixture(scope="module", params=["template", "new-1000-rows", "calc"])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "template":
        return read_project(TEMPLATE)
    if request.param == "new-1000-rows":
        template.new_workbook(folder / "new.xlsm", rows=1000)
        return read_project(folder / "new.xlsm")
    book, out = folder / "book.xlsm", folder / "calculated.xlsm"
    book.write_bytes(TWO_ROW_BOOK)
    result = CliRunner().invoke(main, ["calc", str(book), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return read_project(out)


def expected_modules(project: Project) -> dict[str, str]:
    documents = {project.book_code_name: excel_document(project.book_code_name, WORKBOOK_BASE)}
    for code_name in project.code_names.values():
        documents[code_name] = excel_document(code_name, WORKSHEET_BASE)
    return {**documents, **code_modules()}


def test_every_module_is_read_and_holds_what_ghgxl_generates(project: Project) -> None:
    expected = expected_modules(project)
    assert sorted(project.modules) == sorted(expected)
    for name, source in expected.items():
        # pyopenvba writes a module without the blank lines that end the generated text
        assert project.modules[name].rstrip("\r\n") == source.rstrip("\r\n"), name


def test_dir_project_and_storage_list_the_same_modules(project: Project) -> None:
    modules = project.dir_modules()
    assert [name for _, name in project.declarations()] == modules
    assert [line.split("=", 1)[0] for line in project.workspace() if line] == modules
    assert project.dir_streams() == modules  # each module's stream is named as the module
    assert sorted(n for n in project.storage if not NOT_MODULES.fullmatch(n)) == sorted(modules)
    assert sorted(modules) == sorted(expected_modules(project))


def test_every_sheet_has_a_document_module_and_every_document_module_a_sheet(
    project: Project,
) -> None:
    assert project.book_code_name == "ThisWorkbook"
    assert list(project.code_names) == [
        "使用说明", "基本信息", "排放源识别", "活动数据", "排放因子", "公司因子", "绿电绿证", "数据质量",
        "重大性评估",
        "汇总", "各厂区汇总", "_lists", "xlwings.conf",
    ]  # fmt: skip
    sheets = list(project.code_names.values())
    assert all(sheets), f"sheets without a codeName: {project.code_names}"
    assert len(set(sheets)) == len(sheets)
    documents = [name for kind, name in project.declarations() if kind == "Document"]
    assert sorted(documents) == sorted([project.book_code_name, *sheets])
    assert f"Document={project.book_code_name}/&H00000000" in project.text.split("\r\n")
    types = {}  # MODULETYPE of each module in the dir stream: 0x0022 document/class, 0x0021
    for record, data in project.records:
        if record == 0x0019:
            name = data.decode("cp1252")
        if record in (0x0021, 0x0022):
            types[name] = record
    assert {name for name, kind in types.items() if kind == 0x0022} == {*documents, "Dictionary"}


def test_dir_stream_ends_at_its_terminator(project: Project) -> None:
    assert project.records[-1] == (0x0010, b"")
    assert project.tail == b"", f"bytes after the Terminator: {project.tail.hex()}"


def test_every_cookie_is_0xffff(project: Project) -> None:
    module_cookies = [data for record, data in project.records if record == 0x002C]
    assert len(module_cookies) == len(project.dir_modules())
    assert set(module_cookies) == {b"\xff\xff"}  # MODULECOOKIE, MS-OVBA 2.3.4.2.3.2.7
    assert [data for record, data in project.records if record == 0x0013] == [b"\xff\xff"]


def test_workspace_has_no_blank_line(project: Project) -> None:
    lines = project.workspace()
    assert lines[-1] == "" and "" not in lines[:-1], lines  # the stream ends with one CRLF


def test_the_compression_is_offices() -> None:
    """vba.compress gives the bytes Office wrote for the quickstart's document modules
    (Sheet1, Sheet2, ThisWorkbook), and vba.decompress reads what olevba reads."""
    with zipfile.ZipFile(template.quickstart_path()) as package:
        blob = package.read("xl/vbaProject.bin")
    with olefile.OleFileIO(blob) as ole:
        records, _ = dir_records(ole.openstream("VBA/dir").read())
        offsets, name = {}, ""
        for record, data in records:
            if record == 0x0019:
                name = data.decode("cp1252")
            if record == 0x0031:
                offsets[name] = struct.unpack("<I", data)[0]
        for module in ("Sheet1", "Sheet2", "ThisWorkbook"):
            compressed = ole.openstream(f"VBA/{module}").read()[offsets[module] :]
            source = bytes(decompress_stream(bytearray(compressed)))
            assert vba.decompress(compressed) == source
            assert vba.compress(source) == compressed, module
    for text in (b"", b"a", b"abcabcabc" * 1000, bytes(range(256)) * 20):
        assert vba.decompress(vba.compress(text)) == text


@pytest.mark.skipif(soffice() is None, reason="needs LibreOffice (soffice)")
def test_libreoffice_imports_every_module(tmp_path: Path) -> None:
    (tmp_path / "profile").mkdir()
    subprocess.run(
        [
            soffice() or "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "fods",
            "--outdir",
            str(tmp_path),
            str(TEMPLATE),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path / "profile")},
    )
    fods = ElementTree.parse(tmp_path / (TEMPLATE.stem + ".fods")).getroot()
    ooo = "{http://openoffice.org/2004/office}"
    library = next(
        found
        for found in fods.iter(f"{ooo}library-embedded")
        if found.get(f"{ooo}name") == "VBAProject"
    )
    sources = {
        module.get(f"{ooo}name"): "".join(module.itertext())
        for module in library.iter(f"{ooo}module")
    }
    project = read_project(TEMPLATE)
    assert sorted(sources) == sorted(expected_modules(project))
    for _name, _caption, macro, entry in template.BUTTONS:
        assert f"Sub {macro}()" in sources[template.VBA_MACRO_MODULE]
        assert f"ghgxl.udfs.{entry}()" in sources[template.VBA_MACRO_MODULE]
    assert "Function GHG_EMISSION(" in sources[template.VBA_UDF_MODULE]
    for code_name in [project.book_code_name, *project.code_names.values()]:
        assert "VBA_ModuleType=VBADocumentModule" in sources[code_name], code_name
    # the code name LibreOffice gives the workbook ("*doc*") and each sheet, for its module
    config = "{urn:oasis:names:tc:opendocument:xmlns:config:1.0}"
    bound = {}
    for scripts in fods.iter(f"{config}config-item-map-named"):
        if scripts.get(f"{config}name") == "ScriptConfiguration":
            for entry in scripts.iter(f"{config}config-item-map-entry"):
                for item in entry.iter(f"{config}config-item"):
                    if item.get(f"{config}name") == "CodeName":
                        bound[entry.get(f"{config}name")] = item.text
    assert bound == {"*doc*": project.book_code_name, **project.code_names}
