"""Helpers shared by the integration tests: filled workbooks and the LibreOffice referee."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ghgxl.workbook import xlsx

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


def libreoffice_recalculate(source: Path, folder: Path) -> Path:
    """Open ``source`` in LibreOffice headless with recalculation on load, save as .xlsx."""
    profile = folder / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LO_PROFILE, encoding="utf-8")
    out = folder / "lo-out"
    command = [
        soffice() or "soffice",
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--calc",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        str(source),
    ]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(folder)},
    )
    return out / (source.stem + ".xlsx")
