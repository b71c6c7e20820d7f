"""The workbook's buttons, driven by a stand-in for Excel's caller book: the report and the
verifier's pack are made from the saved file, so their recorded name and SHA-256 are the
file a verifier receives (``ghgxl verify`` passes on the pair), and unsaved changes stop
them with E626 instead of tying them to a state no file has."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from ghgxl import udfs
from ghgxl.cli import main
from ghgxl.workbook.manifest import sha256
from ghgxl.workbook.template import BUTTONS, macro_vba
from tests.support import ROOT

EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"


class FakeBook:
    """What the buttons use of ``xw.Book.caller()``: its file, Excel's saved flag, alerts."""

    def __init__(self, path: Path, saved: bool) -> None:
        self.fullname = str(path)
        self.alerts: list[str] = []
        self.api = SimpleNamespace(Saved=saved)
        self.app = SimpleNamespace(alert=lambda text, title="": self.alerts.append(text))


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def make(saved: bool) -> FakeBook:
        path = tmp_path / "清册.xlsm"
        shutil.copyfile(EXAMPLE, path)
        fake = FakeBook(path, saved)
        monkeypatch.setattr(udfs.xw.Book, "caller", staticmethod(lambda: fake))
        return fake

    return make


def test_every_button_has_its_macro_and_python_entry() -> None:
    vba = macro_vba()
    for _name, _caption, macro, entry in BUTTONS:
        assert f"Sub {macro}()" in vba and f"ghgxl.udfs.{entry}()" in vba
        assert callable(getattr(udfs, entry))
    assert ("btnPack", "生成核查包", "GhgPack", "generate_pack") in BUTTONS


def test_the_pack_button_packs_the_saved_file(book) -> None:
    fake = book(saved=True)
    udfs.generate_pack()
    folder = Path(fake.fullname).with_name("清册-核查包")
    data = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert data["workbook"] == "清册.xlsm" and data["workbook_sha256"] == sha256(fake.fullname)
    assert data["materiality"] == 0.05  # 基本信息 核查重要性水平's default
    assert {"audit.xlsx", "plan.xlsx"} <= {p.name for p in folder.iterdir()}
    assert fake.alerts == [f"核查包已生成 / the verifier's pack is written: {folder}"]


def test_the_report_button_makes_a_report_verify_accepts(book) -> None:
    fake = book(saved=True)
    udfs.generate_report()
    report = Path(fake.fullname).with_name("清册-温室气体盘查报告.docx")
    assert fake.alerts == []
    result = CliRunner().invoke(main, ["verify", str(report), fake.fullname])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("entry", ["generate_report", "generate_pack"])
def test_unsaved_changes_stop_the_button_with_e626(book, entry: str) -> None:
    fake = book(saved=False)
    getattr(udfs, entry)()
    assert len(fake.alerts) == 1 and "[E626]" in fake.alerts[0], fake.alerts
    assert "Ctrl+S" in fake.alerts[0]
    assert sorted(p.name for p in Path(fake.fullname).parent.iterdir()) == ["清册.xlsm"]
