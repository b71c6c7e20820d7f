"""The differential harness: ``ghgxl calc`` against LibreOffice on generated workbooks.

For each :class:`~tests.strategies.Case`: fill the template, run ``ghgxl calc BOOK -o OUT
--json OUT.json`` (the CLI, in-process), make the referee copy of OUT (UDF cells keep only
the value calc wrote, :func:`tests.support.freeze_udf_cells`), and let LibreOffice
recalculate every native formula of a whole batch of referee copies in one ``soffice
--convert-to`` run per worker (start-up costs seconds, a workbook about half a second).
Then compare:

* the JSON's figures with the cells that show them: ``total_tco2e``, ``by_category``,
  ``by_gas`` (the Kyoto groups and CO2e, 汇总 row 15), ``by_category_gas``, biogenic and
  other gases (汇总), and ``data_quality`` score and grade (数据质量's total and grade);
* every cached value calc wrote into a native formula cell (汇总, 数据质量, and the
  formula columns of 活动数据, 排放源识别, 重大性评估) with the value LibreOffice computed.

Numbers agree within a relative 1e-9; the JSON, which rounds its figures (t CO2e to
``export.DECIMALS`` places, the score to ``export.DQ_DECIMALS``), also within half a unit
of its last place. Text and error values must be equal.
"""

from __future__ import annotations

import html
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.export import DECIMALS, DQ_DECIMALS
from ghgxl.quality import NOT_ASSESSED
from ghgxl.workbook import layout as L
from ghgxl.workbook import template, xlsx
from ghgxl.workbook.sheets import QUALITY_HEADERS
from tests.strategies import Case, ExcelError, workbook_bytes
from tests.support import freeze_udf_cells, libreoffice_convert

TEMPLATE = template.template_path().read_bytes()
#: Sheets whose native formula cells are compared, and how their columns are named.
COMPARED = {
    L.SHEET_ACTIVITY: {v: k for k, v in L.ACT_COL.items()},
    L.SHEET_QUALITY: {chr(ord("A") + i): h for i, (h, _) in enumerate(QUALITY_HEADERS)},
    L.SHEET_SUMMARY: {},
    L.SHEET_SOURCES: {v: k for k, v in L.SOURCE_COL.items()},
    L.SHEET_SIGNIFICANCE: {v: k for k, v in L.SIG_COL.items()},
}
SUMMARY_KEYS = {ref: key for key, ref in L.summary_cells().items()} | {L.SUMMARY_CHECK: "check"}
QUALITY_TOTAL = f"J{L.QUALITY_TOTAL_ROW}"
QUALITY_GRADE = f"J{L.QUALITY_TOTAL_ROW + 1}"


@dataclass(frozen=True)
class Discrepancy:
    """``kind`` groups alike discrepancies (``json by_category``, ``cached 活动数据 amount``);
    ``ours`` is the JSON's or the cached value, ``referee`` LibreOffice's."""

    kind: str
    cell: str
    ours: object
    referee: object

    def __str__(self) -> str:
        return f"{self.cell}: ghgxl {self.ours!r} ≠ LibreOffice {self.referee!r}"


@dataclass
class Outcome:
    case: Case
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {d.kind for d in self.discrepancies}


# --- reading cached values --------------------------------------------------------------


_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_TYPE = re.compile(rb'\st="([a-zA-Z]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>")


def cells(path: Path, sheets: Iterable[str]) -> dict[str, dict[str, tuple[bool, object]]]:
    """Cell → (holds a formula, cached value) of ``sheets``: numbers as floats, text as
    str, errors as :class:`ExcelError`; an empty value is ``""``. (Regular expressions,
    not an XML parser: these are files ghgxl and LibreOffice wrote, and it is 10x faster.)"""
    with zipfile.ZipFile(path) as package:
        parts = xlsx.package_sheet_parts(package)
        members = {s: package.read(parts[s]) for s in sheets}
        strings = (
            package.read("xl/sharedStrings.xml")
            if "xl/sharedStrings.xml" in package.namelist()
            else b""
        )
    items = re.findall(rb"<si>(.*?)</si>", strings, re.S)
    shared = [_text(b"".join(_TEXT.findall(item))) for item in items]
    out: dict[str, dict[str, tuple[bool, object]]] = {}
    for sheet in sheets:
        values: dict[str, tuple[bool, object]] = {}
        for ref, attributes, inner in _CELL.findall(members[sheet]):
            kind = _TYPE.search(attributes)
            kind = kind.group(1) if kind else b"n"
            found = _VALUE.search(inner)
            text = _text(found.group(1)) if found else ""
            value: object = text
            if kind == b"s":
                value = shared[int(text)]
            elif kind == b"inlineStr":
                value = _text(b"".join(_TEXT.findall(inner)))
            elif kind == b"e":
                value = ExcelError(text)
            elif kind == b"b":
                value = text == "1"
            elif kind == b"n" and text:
                value = float(text)
            values[ref.decode()] = (b"<f" in inner, value)
        out[sheet] = values
    return out


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8"))


def same(ours: object, referee: object, decimals: int | None = None) -> bool:
    """Equal as the brief defines it: numbers within a relative 1e-9 (plus half a unit of
    the last of ``decimals`` places, for the JSON's rounded figures); the rest exactly."""
    if _number(ours) and _number(referee):
        slack = 1e-9 * max(abs(ours), abs(referee))  # type: ignore[arg-type]
        if decimals is not None:
            slack += 0.5 * 10.0**-decimals * (1 + 1e-9)
        return abs(ours - referee) <= slack  # type: ignore[operator]
    return ("" if ours is None else ours) == ("" if referee is None else referee)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- one case: calc, then the referee copy ----------------------------------------------


@dataclass
class Prepared:
    case: Case
    name: str
    out: Path
    referee: Path | None = None
    json: dict | None = None
    failure: str | None = None
    refused: bool = False  # calc rightly wrote nothing (an Excel error value in an input)


def holds_error_values(case: Case) -> bool:
    """Whether an input cell of the case holds an Excel error value."""
    cells = [*case.info.values()]
    cells += [v for row in (*case.activity, *case.sources) for v in row.values()]
    return any(isinstance(v, ExcelError) for v in cells)


def prepare(case: Case, folder: Path, name: str) -> Prepared:
    """Fill, ``ghgxl calc`` to an output and a JSON, and the referee copy of the output."""
    import json

    book, out, report = (folder / f"{name}{s}" for s in (".xlsm", "-calc.xlsm", ".json"))
    book.write_bytes(workbook_bytes(TEMPLATE, case))
    result = CliRunner().invoke(main, ["calc", str(book), "-o", str(out), "--json", str(report)])
    prepared = Prepared(case, name, out)
    if holds_error_values(case):  # Excel's totals would show the error: calc writes nothing
        refused = result.exit_code == 1 and not out.exists() and report.exists()
        codes = (
            {e["code"] for e in json.loads(report.read_text("utf-8"))["errors"]} if refused else ()
        )
        if not refused or "E107" not in codes:
            prepared.failure = f"not refused with E107: exit {result.exit_code}, {sorted(codes)}"
        else:
            prepared.refused = True
        return prepared
    if result.exit_code not in (0, 1) or not out.exists() or not report.exists():
        cause = repr(result.exception) if result.exception else result.output.strip()[-300:]
        prepared.failure = f"exit {result.exit_code}: {cause}"
        return prepared
    prepared.json = json.loads(report.read_text(encoding="utf-8"))
    prepared.referee = folder / f"{name}-referee.xlsm"
    prepared.referee.write_bytes(freeze_udf_cells(out.read_bytes()))
    return prepared


def recalculate(paths: list[Path], folder: Path, workers: int = 2) -> dict[Path, Path]:
    """LibreOffice's recalculated .xlsx of each referee copy: one ``soffice`` run per
    worker, each with its own profile (kept in ``folder`` for the next batch)."""
    if not paths:
        return {}
    workers = max(1, min(workers, len(paths)))
    chunks = [paths[i::workers] for i in range(workers)]

    def convert(index: int) -> None:
        libreoffice_convert(
            chunks[index],
            folder / f"lo-profile-{index}",
            folder / "lo-out",
            timeout=120 + 10 * len(chunks[index]),
        )

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(convert, range(workers)))
    return {p: folder / "lo-out" / f"{p.stem}.xlsx" for p in paths}


# --- comparing ------------------------------------------------------------------------


def compare(prepared: Prepared, recalculated: Path | None) -> list[Discrepancy]:
    if prepared.failure is not None:
        return [Discrepancy("calc failed", "-", prepared.failure, "a workbook")]
    if prepared.refused:
        return []
    if recalculated is None or not recalculated.exists():
        return [Discrepancy("LibreOffice failed", "-", "a workbook", "no output")]
    ours = cells(prepared.out, COMPARED)
    theirs = cells(recalculated, COMPARED)
    return json_discrepancies(prepared.json or {}, theirs) + _cached_discrepancies(ours, theirs)


def json_discrepancies(data: dict, theirs: dict) -> list[Discrepancy]:
    summary, places = L.summary_cells(), L.SHEET_SUMMARY
    pairs: list[tuple[str, object, str, str]] = [
        ("json total_tco2e", data["total_tco2e"], places, L.SUMMARY_TOTAL),
        ("json biogenic_co2_t", data["biogenic_co2_t"], places, summary["biogenic"]),
        ("json other_gases_tco2e", data["other_gases_tco2e"], places, summary["other"]),
    ]
    for c in L.L_CATEGORIES:
        pairs.append(
            ("json by_category", data["by_category"][str(c)], places, summary[f"category:{c}"])
        )
        for gas in L.SUMMARY_GASES:
            ref = summary[f"category_gas:{c}:{gas}"]
            pairs.append(
                ("json by_category_gas", data["by_category_gas"][str(c)][gas], places, ref)
            )
    for gas in L.SUMMARY_GASES:
        pairs.append(("json by_gas", data["by_gas"][gas], places, summary[f"gas:{gas}"]))
    found = []
    for kind, value, sheet, ref in pairs:
        referee = theirs[sheet].get(ref, (False, ""))[1]
        if not same(value, referee, DECIMALS):
            found.append(Discrepancy(kind, f"{sheet}!{ref}", value, referee))
    quality = theirs[L.SHEET_QUALITY]
    score, grade = data["data_quality"]["score"], data["data_quality"]["grade"]
    shown_grade = quality.get(QUALITY_GRADE, (False, ""))[1]
    if score is not None:  # a score is compared with the sheet's; none: 未评估 and no score
        shown_score = quality.get(QUALITY_TOTAL, (False, ""))[1]
        if not same(score, shown_score, DQ_DECIMALS):
            cell = f"{L.SHEET_QUALITY}!{QUALITY_TOTAL}"
            found.append(Discrepancy("json data_quality.score", cell, score, shown_score))
    if not same(f"第{grade}" if grade else NOT_ASSESSED, shown_grade):
        cell = f"{L.SHEET_QUALITY}!{QUALITY_GRADE}"
        found.append(Discrepancy("json data_quality.grade", cell, grade, shown_grade))
    return found


def _cached_discrepancies(ours: dict, theirs: dict) -> list[Discrepancy]:
    found = []
    for sheet, names in COMPARED.items():
        for ref, (formula, referee) in theirs[sheet].items():
            if not formula:
                continue
            cached = ours[sheet].get(ref, (False, ""))[1]
            if not same(cached, referee):
                found.append(
                    Discrepancy(_cached_kind(sheet, ref, names), f"{sheet}!{ref}", cached, referee)
                )
    return found


def _cached_kind(sheet: str, ref: str, names: dict[str, str]) -> str:
    if sheet == L.SHEET_SUMMARY:
        return f"cached 汇总 {SUMMARY_KEYS.get(ref, ref).split(':')[0]}"
    if sheet == L.SHEET_QUALITY and ref in (QUALITY_TOTAL, QUALITY_GRADE):
        return f"cached 数据质量 {'total' if ref == QUALITY_TOTAL else 'grade'}"
    column = ref.rstrip("0123456789")
    return f"cached {sheet} {names.get(column, column)}"


# --- batches --------------------------------------------------------------------------

_RESULTS: dict[str, Outcome] = {}  # by repr(case): a replayed case is not recomputed


def evaluate(
    cases: list[Case], folder: Path, workers: int = 2, keep: bool = False
) -> list[Outcome]:
    """The outcome of each case; one LibreOffice run per worker for all new cases."""
    folder.mkdir(parents=True, exist_ok=True)
    todo = list({repr(c): c for c in cases if repr(c) not in _RESULTS}.values())
    start = len(list(folder.glob("c*.xlsm")))
    prepared = [prepare(c, folder, f"c{start + i:06d}") for i, c in enumerate(todo)]
    recalculated = recalculate([p.referee for p in prepared if p.referee], folder, workers)
    for p in prepared:
        result = recalculated.get(p.referee) if p.referee else None
        _RESULTS[repr(p.case)] = Outcome(p.case, compare(p, result))
    if not keep:
        for path in folder.glob("c*"):
            path.unlink()
        shutil.rmtree(folder / "lo-out", ignore_errors=True)
    return [_RESULTS[repr(c)] for c in cases]


# --- shrinking, a batch of candidates at a time ----------------------------------------


def _without(rows: tuple[dict, ...], index: int) -> tuple[dict, ...]:
    return rows[:index] + rows[index + 1 :]


def _edited(rows: tuple[dict, ...], index: int, key: str, value: object) -> tuple[dict, ...]:
    row = {k: v for k, v in rows[index].items() if k != key}
    if value is not None:
        row[key] = value
    return (*rows[:index], row, *rows[index + 1 :])


def simpler(case: Case, stage: int) -> Iterator[Case]:
    """Smaller cases than ``case``: stage 0 drops rows and settings, stage 1 drops one
    cell, stage 2 puts 1 for a number."""
    tables = (("activity", case.activity), ("sources", case.sources))
    if stage == 0:
        if case.sources:
            yield replace(case, sources=())
        for name, rows in tables:
            for i in range(len(rows)):
                if name == "sources" or len(rows) > 1:
                    yield replace(case, **{name: _without(rows, i)})
        for key in case.info:
            if key != "company":
                yield replace(case, info={k: v for k, v in case.info.items() if k != key})
    for name, rows in tables:
        for i, row in enumerate(rows):
            for key, value in row.items():
                if stage == 1:
                    yield replace(case, **{name: _edited(rows, i, key, None)})
                elif stage == 2 and _number(value) and value not in (0, 1):
                    yield replace(case, **{name: _edited(rows, i, key, 1)})


def shrink(
    targets: list[tuple[Case, str]],
    folder: Path,
    workers: int = 2,
    log: Callable[[str], object] = lambda _: None,
) -> list[Case]:
    """For each (case, kind), a case as small as greedy steps make it that still shows a
    discrepancy of that kind. Every round evaluates the candidates of all targets at once."""
    current = [case for case, _ in targets]
    stage = [0] * len(targets)
    rounds = 0
    while any(s <= 2 for s in stage):
        candidates = {
            i: list(simpler(current[i], stage[i])) for i in range(len(targets)) if stage[i] <= 2
        }
        flat = [c for cases in candidates.values() for c in cases]
        rounds += 1
        log(f"shrink round {rounds}: {len(candidates)} cases, {len(flat)} candidates")
        outcomes = {repr(o.case): o for o in evaluate(flat, folder, workers)}
        for i, cases in candidates.items():
            kind = targets[i][1]
            better = next((c for c in cases if kind in outcomes[repr(c)].kinds), None)
            if better is None:
                stage[i] += 1
            else:
                current[i], stage[i] = better, 0
    return current


def kinds_report(outcomes: list[Outcome]) -> dict[str, tuple[int, Outcome]]:
    """Kind → (how many cases show it, the smallest case that does)."""
    found: dict[str, tuple[int, Outcome]] = {}
    for outcome in outcomes:
        for kind in outcome.kinds:
            count, smallest = found.get(kind, (0, outcome))
            if outcome.case.size < smallest.case.size:
                smallest = outcome
            found[kind] = (count + 1, smallest)
    return dict(sorted(found.items()))


def describe(outcomes: list[Outcome]) -> str:
    """The failure message: each kind of discrepancy, how often, its smallest case."""
    lines = []
    failing = [o for o in outcomes if o.discrepancies]
    lines.append(f"{len(failing)} of {len(outcomes)} generated workbooks disagree with LibreOffice")
    for kind, (count, smallest) in kinds_report(outcomes).items():
        lines.append(f"\n[{kind}] in {count} workbook(s); the smallest:\n  {smallest.case!r}")
        for d in [d for d in smallest.discrepancies if d.kind == kind][:4]:
            lines.append(f"    {d}")
    return "\n".join(lines)
