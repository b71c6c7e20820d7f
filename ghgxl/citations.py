"""Citations a verifier can look up, from the source codes of the factor library.

Every library row's ``source`` names its publication by a code (``IPCC2006-V2-T2.3``,
``CN-MEE-NBS-2021F``; ``factors/SOURCES.md``) followed by where the value was read. The
report cites the publication, never where it was read: ``factors/citations.csv`` maps each
code to its Chinese citation (``《2006年IPCC国家温室气体清单指南》第2卷 第2章 表2.3 …``) and
to the publication it belongs to, listed once in the report's 参考文献.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

CITATIONS_FILE = "citations.csv"
#: A source code: upper-case words joined by hyphens (``IPCC2006-V3-T7.9``, ``IUPAC-AW``),
#: or the one code that is a single word.
_CODE = re.compile(r"\b(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9.]*[A-Z0-9])+|MASSBALANCE)\b")
#: The publications every report cites (1.4 of the report names them).
STANDARDS = ("ISO14064-1-2018", "GHGP-CORP-2004", "GHGP-S2-2015", "GHGP-S3-2011")
#: The publication of each GWP set (ghgxl.gwp.SET_SOURCES, in Chinese).
GWP_CODES = {"AR6": "IPCC-AR6-WG1", "AR5": "IPCC-AR5-WG1", "AR4": "IPCC-AR4-WG1", "SAR": "IPCC-SAR"}


@dataclass(frozen=True)
class Citation:
    code: str
    citation: str  # what the factor table prints
    publication: str  # what 参考文献 lists ("" for a principle such as mass balance)
    licence: str = ""  # for a table ghgxl redistributes in bulk: the terms it is under


@cache
def table() -> dict[str, Citation]:
    """``factors/citations.csv`` by code."""
    text = importlib.resources.files("ghgxl.factor_data").joinpath(CITATIONS_FILE)
    reader = csv.DictReader(io.StringIO(text.read_text("utf-8")))
    return {
        row["code"]: Citation(
            row["code"], row["citation_zh"], row["publication_zh"] or "", row.get("licence") or ""
        )
        for row in reader
    }


def codes_in(source: str) -> list[str]:
    """The source codes a library row's ``source`` names, in order, each once."""
    return list(dict.fromkeys(_CODE.findall(source or "")))


def citation(source: str) -> str:
    """The Chinese citation of a library row's source: its codes' citations joined by ``；``.
    A source with no known code (a company factor) is returned as it is."""
    known = [table()[c].citation for c in codes_in(source) if c in table()]
    return "；".join(known) if known else source


def publications(codes: Iterable[str]) -> list[str]:
    """The publications of ``codes``, each once, in the order first named."""
    listed = (table()[c].publication for c in codes if c in table())
    return list(dict.fromkeys(p for p in listed if p))
