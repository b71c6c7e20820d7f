"""Helpers shared by the integration tests: filled workbooks and the LibreOffice referee."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ghgxl.workbook import fill, template, xlsx

ROOT = Path(__file__).parents[1]
TEMPLATE = (ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes()
# Two rows whose emissions are easy to check by hand, in a copy of the shipped template.
TWO_ROWS = [
    dict(id="E1", category=2, annual=1000, unit="kWh", factor_key="grid.cn.national.2021"),
    dict(id="F1", category=1, annual=5000, unit="L", factor_key="fuel.diesel.offroad"),
]
TWO_ROW_BOOK = fill.fill(TEMPLATE, {"company": "测试"}, TWO_ROWS)

_UDF_CELL = re.compile(r'(<c r="[A-Z]+[0-9]+"[^>]*>)<f\b[^>]*>[^<]*GHG_[^<]*</f>', re.DOTALL)
LO_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def freeze_udf_cells(package: bytes) -> bytes:
    """A referee copy: cells whose formula calls a GHG_ function keep only their value, so
    LibreOffice (which has no Python) recalculates every native formula around them."""
    members = xlsx.read_members(package)
    for name, data in members.items():
        if name.startswith("xl/worksheets/sheet"):
            members[name] = _UDF_CELL.sub(r"\1", data.decode("utf-8")).encode("utf-8")
    return xlsx.write_package(members)


def libreoffice_convert(sources: list[Path], profile: Path, out: Path, timeout: float) -> None:
    """One headless ``soffice`` run that recalculates ``sources`` on load (a profile of its
    own in ``profile``) and saves each as .xlsx in ``out``."""
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LO_PROFILE, encoding="utf-8")
    command = [
        soffice() or "soffice",
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--calc",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        *map(str, sources),
    ]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, "HOME": str(profile)},
    )


def libreoffice_recalculate(source: Path, folder: Path) -> Path:
    """Open ``source`` in LibreOffice headless with recalculation on load, save as .xlsx."""
    out = folder / "lo-out"
    libreoffice_convert([source], folder / "lo-profile", out, timeout=180)
    return out / (source.stem + ".xlsx")
