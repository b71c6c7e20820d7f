"""Market-based scope 2 beside the location-based total (GHG Protocol Scope 2 Guidance,
dual reporting), from the 绿电绿证 sheet: each contractual instrument names the 活动数据 row
of purchased electricity it covers, its MWh, its factor (0 for green power and green
certificates), its vintage and its certificate or contract number.

Every purchased-electricity row (a library ``grid.*`` factor) counts at the residual factor
of its data year (``grid.cn.national_excl_market.<year>``) for what no instrument covers;
other scope 2 rows (heat, steam, a supplier's explicit factor) count the same in both. The
quality criteria are errors at the instrument's cell that is wrong: an unknown row, kind or
quantity (E621), more MWh than the row used (E622), a certificate claimed twice (E623),
another year's vintage (E624).
A provincial or regional grid row counts its uncovered power at the national residual
factor too — MEE publishes no other — and, where instruments are declared, says so (W118).
While one stands, the market-based total is not computed (None), never a wrong number.
Which of the two the workbook's totals count is 基本信息's 总排放量中范围二的计算方法.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from ghgxl.errors import GhgError
from ghgxl.export import cell_text
from ghgxl.factors import FactorLibrary, key_of
from ghgxl.inventory import InventoryResult
from ghgxl.methods import electricity
from ghgxl.units import cell_repr, conversion_factor, is_number, normalize_text, parse_number
from ghgxl.workbook import layout as L
from ghgxl.workbook.read import is_blank, records

GREEN = ("绿电交易", "绿证")  # renewable power: 0 t CO2/MWh unless a factor is given
#: A provincial or regional grid factor: MEE publishes no residual factor of its own.
REGIONAL = re.compile(
    r"grid\.cn\.(?:prov\.[a-z]+|north|northeast|east|central|northwest|south|southwest)\.[0-9]{4}"
)


@dataclass
class Scope2:
    location_t: float
    market_t: float | None  # None while an instrument is wrong
    total_market_t: float | None = None  # the inventory's total with scope 2 market-based
    covered_mwh: dict[str, float] = field(default_factory=dict)  # by kind of instrument
    uncovered_mwh: float = 0.0
    residual: dict[str, float] = field(default_factory=dict)  # residual key → t CO2/MWh
    instruments: int = 0
    #: each purchased-electricity row's market-based t CO2 (by position in the rows), its
    #: consumption's figure shared by MWh among the rows of one 编号
    row_market_t: dict[int, float] = field(default_factory=dict)
    basis: str = L.SCOPE2_LOCATION  # which of the two 基本信息 chooses for the totals
    counted_market: bool = False  # whether the totals count the market-based figure now
    errors: list[GhgError] = field(default_factory=list)
    warnings: list[GhgError] = field(default_factory=list)  # W118: a regional row's residual
    #: what a verifier recomputes the market-based figure from (audit.xlsx): each
    #: purchased-electricity consumption (``use``: its own key; 编号, MWh, residual key and
    #: factor, location t, its rows' positions) and each instrument counted (the ``use`` it
    #: covers, kind, MWh, factor, vintage, number, evidence, its 绿电绿证 line)
    consumptions: list[dict[str, object]] = field(default_factory=list)
    claims: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "location_based_tco2e": self.location_t,
            "market_based_tco2e": self.market_t,
            "total_market_based_tco2e": self.total_market_t,
            "totals_use": "market_based" if self.counted_market else "location_based",
            "basis_chosen": "market_based" if self.basis == L.SCOPE2_MARKET else "location_based",
            "instruments": self.instruments,
            "covered_mwh": self.covered_mwh,
            "uncovered_mwh": self.uncovered_mwh,
            "residual_factors": self.residual,
        }


@dataclass
class _Use:  # one purchased-electricity row
    mwh: float
    location_t: float
    residual_key: str
    grid_key: str  # the row's own grid factor (its first row's, for one 编号 of many rows)
    place: str  # the 活动数据 cell of its first row
    rows: list[tuple[int, float]] = field(default_factory=list)  # (position, MWh) of its rows
    covered: list[tuple[float, float]] = field(default_factory=list)
    first_line: int = 0


def _cell(key: str, line: int) -> str:
    return f"{L.SHEET_MARKET}!{L.MARKET_COL[key]}{line}"


def _electricity(
    rows: pd.DataFrame, computed: pd.DataFrame, library: FactorLibrary
) -> dict[str, _Use]:
    """The purchased-electricity rows by id: MWh used, location t, residual key."""
    uses: dict[str, _Use] = {}
    keys = [normalize_text(str(k or "")).lower() for k in rows["factor_key"].tolist()]
    ok = computed["ok"].to_numpy(dtype=bool)
    categories = rows["category"].tolist()
    chosen = [
        i
        for i, (key, category) in enumerate(zip(keys, categories, strict=True))
        if ok[i] and category == 2 and not isinstance(category, bool) and key.startswith("grid.")
    ]  # fmt: skip  (a few rows of many: only these become dicts)
    pairs = zip(
        chosen,
        records(rows.iloc[chosen], ("id", "factor_key", "amount", "unit", "place")),
        records(computed.iloc[chosen], ("tco2e",)),
        strict=True,
    )
    for position, row, figure in pairs:
        key = normalize_text(str(row.get("factor_key") or "")).lower()
        year = key.rsplit(".", 1)[-1]
        residual = electricity.RESIDUAL_KEY.format(year=year)
        try:  # the engine computed the row: its amount and unit parse
            mwh = parse_number(row["amount"]) * conversion_factor(str(row["unit"]), "MWh")
        except GhgError:  # an energy unit pint cannot turn into MWh: counted as located
            continue
        if residual not in library:
            residual = ""
        # an instrument names its row by 编号: a row without one can be covered by none; two
        # rows of one 编号 and one grid year are one consumption, covered together
        row_id = cell_text(row.get("id")) or f"\x00{len(uses)}"
        known = uses.get(row_id)
        if known is not None and known.residual_key == residual:
            known.mwh += mwh
            known.location_t += figure["tco2e"]
            known.rows.append((position, mwh))
            continue
        if known is not None:  # one 编号, two grid years: kept apart, the first is named
            row_id = f"{row_id}\x00{len(uses)}"
        use = _Use(mwh, figure["tco2e"], residual, key, str(row.get("place") or ""))
        use.rows.append((position, mwh))
        uses[row_id] = use
    return uses


def _regional(use: _Use, row_id: str, residual: float) -> GhgError:
    """W118: a provincial or regional grid row's uncovered power counts at the national
    residual factor in the market-based figure (MEE publishes no other residual)."""
    return GhgError(
        "W118", cell=use.place, row_id=row_id.split("\x00")[0] or "-", grid_key=use.grid_key,
        residual_key=use.residual_key, residual=f"{residual:g}",
    )  # fmt: skip


SEPARATORS = re.compile(r"[\s\-‐‑‒–—―－−]+")  # spaces and dashes (hyphens, minus, full-width)


def certificate_key(number: str) -> str:
    """A certificate or contract number as two claims of it compare: NFKC (full-width →
    ASCII), case ignored, and each run of spaces and dashes one separator (GEC-1-12 is
    ＧＥＣ 1－12, not GEC-11-2)."""
    text = unicodedata.normalize("NFKC", number).casefold()
    return SEPARATORS.sub("-", text).strip("-")


def _bare(key: str) -> str:
    """A :func:`certificate_key` without its separators: GEC-2023-0001 and GEC20230001 (the
    same certificate copied from two places, perhaps) compare equal, W121 says so."""
    return key.replace("-", "")


def _number(value: object, what: str, what_en: str, line: int) -> float:
    """A quantity of the 绿电绿证 table: a number not below zero, else E621 naming it."""
    try:
        number = parse_number(value, what=what)
    except GhgError:
        number = -1.0
    if number < 0:
        shown = f"{value:g}" if is_number(value) else repr(cell_repr(value))  # type: ignore[str-format]
        raise GhgError(
            "E621",
            line=line,
            problem=f"{what}须为不小于零的数值，现为 {shown}",
            problem_en=f"{what_en} must be a number not below zero, not {shown}",
        )
    return number


def scope2(
    instruments: pd.DataFrame,
    rows: pd.DataFrame,
    result: InventoryResult,
    library: FactorLibrary,
    year: object,
) -> Scope2:
    """Location- and market-based scope 2 of a computed workbook."""
    location = result.by_scope().get(2, 0.0)
    both = scope2_of(instruments, rows, result.rows, location, library, year)
    if both.market_t is not None:  # 汇总's 总计（范围二按市场法）
        both.total_market_t = result.total - location + both.market_t
    return both


def scope2_of(
    instruments: pd.DataFrame,
    rows: pd.DataFrame,
    computed: pd.DataFrame,
    location: float,
    library: FactorLibrary,
    year: object,
) -> Scope2:
    """Scope 2 from the 活动数据 ``rows`` (id, category, factor_key, amount, unit, place),
    what each computed to (``computed``: ok, tco2e), the location-based scope 2 and the
    绿电绿证 ``instruments`` (a ``row`` each, and the sheet's columns): what ``ghgxl calc``
    and the 汇总 cell function GHG_SCOPE2_MARKET both compute."""
    uses = _electricity(rows, computed, library)
    out = Scope2(location, None, instruments=len(instruments))
    claimed: dict[str, int] = {}
    bare: dict[str, tuple[int, str]] = {}  # without separators: line and number as typed
    for record in instruments.to_dict("records"):
        line = int(record["row"])
        column = "row_id"  # where an error of the line is shown: the cell being read
        try:
            if line > L.MARKET_LAST_ROW:  # 汇总's market-based cell reads the table's rows
                raise GhgError(
                    "E621",
                    line=line,
                    problem=f"位于绿电绿证表第 {L.FIRST_ROW}–{L.MARKET_LAST_ROW} 行之外，汇总的市场法单元格不读取",
                    problem_en=f"it is below the table's rows {L.FIRST_ROW}–{L.MARKET_LAST_ROW}, "
                    "which 汇总's market-based cell reads",
                )
            row_id = cell_text(record.get("row_id")) or ""
            use = uses.get(row_id)
            if use is None:
                raise GhgError(
                    "E621",
                    line=line,
                    problem=f"活动数据编号 {row_id!r} 不是外购电力行",
                    problem_en=f"活动数据编号 {row_id!r} is not a purchased-electricity row",
                )
            column = "kind"
            kind = str(record.get("kind") or "").strip()
            if kind not in L.INSTRUMENT_KINDS:
                raise GhgError(
                    "E621",
                    line=line,
                    problem=f"工具类型 {kind!r} 不在下拉列表中",
                    problem_en=f"the kind {kind!r} is not one of the list",
                )
            column = "mwh"
            mwh = _number(record.get("mwh"), "电量 (MWh)", "the quantity (MWh)", line)
            column = "factor"
            factor_cell = record.get("factor")
            if is_blank(factor_cell) and kind not in GREEN:
                raise GhgError(
                    "E621",
                    line=line,
                    problem="供应商特定因子须填写排放因子",
                    problem_en="a supplier-specific factor needs its value",
                )
            factor = (
                0.0
                if is_blank(factor_cell)
                else _number(factor_cell, "排放因子", "the emission factor", line)
            )
            column = "vintage"
            vintage = record.get("vintage")
            if not is_number(vintage) or not float(vintage).is_integer():  # type: ignore[arg-type]
                raise GhgError(
                    "E621",
                    line=line,
                    problem="电量生产年份须为年份数字",
                    problem_en="the vintage must be a year",
                )
            if is_number(year) and int(vintage) != int(year):  # type: ignore[arg-type]
                raise GhgError("E624", line=line, vintage=int(vintage), year=int(year))  # type: ignore[arg-type]
            column = "certificate"
            certificate = cell_text(record.get("certificate")) or ""
            if not certificate:
                raise GhgError(
                    "E621",
                    line=line,
                    problem="证书/合同编号必填（避免重复计算）",
                    problem_en="the certificate or contract number is required (no double counting)",
                )
            same = certificate_key(certificate)  # GEC-1 = gec-1 = ＧＥＣ－１ = "GEC-1 "
            if same in claimed:
                raise GhgError("E623", certificate=certificate, first=claimed[same], line=line)
        except GhgError as error:
            out.errors.append(error.at(_cell(column, line)))
            continue
        claimed[same] = line
        first = bare.setdefault(_bare(same), (line, certificate))
        if first[0] != line:  # equal but for the separators: not refused, said
            warning = GhgError("W121", certificate=certificate, line=line, first=first[0],
                               other=first[1])  # fmt: skip
            out.warnings.append(warning.at(_cell("certificate", line)))
        use.covered.append((mwh, factor))
        out.claims.append(
            {"use": row_id, "kind": kind, "mwh": mwh, "factor": factor,
             "vintage": int(vintage), "certificate": certificate,  # type: ignore[arg-type]
             "evidence": cell_text(record.get("evidence")) or "", "line": line}
        )  # fmt: skip
        use.first_line = use.first_line or line
        out.covered_mwh[kind] = out.covered_mwh.get(kind, 0.0) + mwh
    market = location
    for row_id, use in uses.items():
        covered = sum(mwh for mwh, _ in use.covered)
        if covered > use.mwh * (1 + 1e-12):
            error = GhgError("E622", row_id=row_id, covered=covered, consumption=use.mwh)
            out.errors.append(error.at(_cell("mwh", use.first_line)))
            continue
        residual = library.get(use.residual_key, "CO2").value if use.residual_key else None
        if residual is None:  # no residual factor of that year: the grid factor stands
            residual = use.location_t / use.mwh if use.mwh else 0.0
        else:
            out.residual[use.residual_key] = residual
            if out.instruments and covered < use.mwh and REGIONAL.fullmatch(use.grid_key):
                out.warnings.append(_regional(use, row_id, residual))
        out.uncovered_mwh += use.mwh - covered
        figure = electricity.market_based(use.mwh, use.covered, residual)
        out.consumptions.append(
            {"use": row_id, "row_id": row_id.split("\x00")[0], "mwh": use.mwh,
             "residual_key": use.residual_key, "residual": residual,
             "location_t": use.location_t, "market_t": figure,
             "rows": [position for position, _ in use.rows]}
        )  # fmt: skip
        market += figure - use.location_t
        for position, mwh in use.rows:  # a row of no MWh (0 used) emits nothing either way
            out.row_market_t[position] = figure * mwh / use.mwh if use.mwh else 0.0
    out.market_t = None if out.errors else market
    return out


def market_from_cells(
    columns: list[list[object]],
    instruments: list[list[object]],
    year: object,
    library: FactorLibrary,
) -> float:
    """The market-based scope 2 (t CO2e) from the workbook's cells as the 汇总 cell function
    receives them: 活动数据's 编号, 类别, 活动量, 单位, 因子键 and 排放量 columns (one list
    each, from the first table row) and the 绿电绿证 table (a list of rows). The first error
    of an instrument is raised (the cell shows it)."""
    count = min(map(len, columns))
    rows = pd.DataFrame(
        {
            key: column[:count]
            for key, column in zip(
                ("id", "category", "amount", "unit", "factor_key"), columns, strict=False
            )
        }
    )
    rows["factor_key"] = [key_of(value) for value in rows["factor_key"].tolist()]  # as read.py
    rows["place"] = [f"{L.SHEET_ACTIVITY}!{L.ACT_COL['id']}{L.FIRST_ROW + i}" for i in range(count)]
    ok = [is_number(value) for value in columns[5][:count]]  # what 汇总's SUMIFS counts
    tco2e = [float(v) if good else float("nan") for v, good in zip(columns[5], ok, strict=False)]  # type: ignore[arg-type]
    computed = pd.DataFrame({"ok": ok, "tco2e": tco2e})
    location = sum(
        t for t, good, c in zip(tco2e, ok, rows["category"], strict=True) if good and c == 2
    )
    keys, lines = [c.key for c in L.MARKET_COLUMNS], []
    for offset, line in enumerate(instruments):
        cells = list(line) if isinstance(line, (list, tuple)) else [line]
        if any(not is_blank(cell) for cell in cells):
            lines.append(dict(zip(keys, cells, strict=False)) | {"row": L.FIRST_ROW + offset})
    table = pd.DataFrame(lines, columns=[*keys, "row"])
    both = scope2_of(table, rows, computed, location, library, year)
    if both.errors:
        raise both.errors[0]
    return float(both.market_t)  # type: ignore[arg-type]
