"""Group consolidation: site workbooks of one year into one group 盘查清册.

The sites are copies of the bundled example (415,532.11 t CO2e, the seed's total) given
other site names; so under control the group is exactly the sum of its sites, and under
equity share each site counts its 股权比例.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.emission import GROUPS
from ghgxl.errors import GhgError
from ghgxl.report import render
from ghgxl.report.render import render_docx
from ghgxl.workbook import fill
from ghgxl.workbook import formulas as F
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calculate_workbook, write_values
from ghgxl.workbook.check import check_workbook
from ghgxl.workbook.consolidate import Site, consolidate, write_group
from ghgxl.workbook.read import read_workbook
from ghgxl.workbook.sites import UNASSIGNED, by_site
from tests.integration.test_integrity import _referee
from tests.integration.test_report import docx_text
from tests.support import ROOT, TEMPLATE, soffice

EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"


def site(folder: Path, name: str, source: Path = EXAMPLE, **info: object) -> Path:
    """A copy of the example whose 基本信息 names another site (and sets ``info``)."""
    rows = read_workbook(source).info_rows
    path = folder / f"{name}.xlsm"
    values = {f"B{rows[key]}": value for key, value in {"sites": name, **info}.items()}
    write_values(source, path, {L.SHEET_INFO: values})
    return path


def run(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def example():
    return calculate_workbook(EXAMPLE).result


def test_two_sites_under_control_are_exactly_twice_one(tmp_path: Path, example) -> None:
    a, b = site(tmp_path, "一厂"), site(tmp_path, "二厂")
    out, report = tmp_path / "group.xlsm", tmp_path / "group.json"
    result = run("consolidate", a, b, "-o", out, "--json", report)
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text("utf-8"))  # rounded to 6 decimals
    assert data["total_tco2e"] == pytest.approx(2 * example.total, abs=1e-6)
    assert set(data["by_site"]) == {"一厂", "二厂"}
    assert data["by_site"]["二厂"]["total_tco2e"] == pytest.approx(example.total, abs=1e-6)
    # the group workbook is a normal 盘查清册: calc and check take it; every row names its site
    group = calculate_workbook(out)
    assert group.errors == []
    assert group.result.total == pytest.approx(2 * example.total, rel=1e-12)
    for category, value in example.by_category().items():
        assert group.result.by_category()[category] == pytest.approx(2 * value, rel=1e-12)
    for name in GROUPS:
        assert group.result.by_gas()[name] == pytest.approx(2 * example.by_gas()[name], rel=1e-12)
    info = group.data.info
    assert info["sites"] == "一厂、二厂" and info["consolidation"] == "运营控制"
    sheet = openpyxl.load_workbook(out, read_only=True)[L.SHEET_ACTIVITY]
    first = L.FIRST_ROW
    ids = [sheet[f"{L.ACT_COL['id']}{first + i}"].value for i in (0, 41)]
    assert ids == ["一厂-1", "二厂-1"]
    remark = sheet[f"{L.ACT_COL['remark']}{first + 41}"].value
    assert remark.startswith(f"来源：二厂.xlsm {L.SHEET_ACTIVITY}!A{first}")
    assert run("check", out).exit_code in (0, 1)  # findings, never a crash


def test_equity_share_counts_each_site_by_its_share(tmp_path: Path, example) -> None:
    a = site(tmp_path, "一厂", equity_share=100)
    b = site(tmp_path, "合资厂", equity_share=50)
    report = tmp_path / "group.json"
    result = run(
        "consolidate", a, b, "-o", tmp_path / "g.xlsm", "--approach", "equity", "--json", report
    )
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text("utf-8"))
    assert data["by_site"]["合资厂"]["share"] == 0.5
    assert data["by_site"]["合资厂"]["total_tco2e"] == pytest.approx(0.5 * example.total)
    assert data["total_tco2e"] == pytest.approx(1.5 * example.total, rel=1e-12)
    sheet = openpyxl.load_workbook(tmp_path / "g.xlsm", read_only=True)[L.SHEET_ACTIVITY]
    assert "按股权比例 50% 计入" in sheet[f"{L.ACT_COL['remark']}{L.FIRST_ROW + 41}"].value


@pytest.mark.parametrize(
    ("second", "code"),
    [
        ({"name": "一厂"}, "E617"),  # the same site twice
        ({"name": "二厂", "reporting_year": 2022}, "E616"),  # another year
        ({"name": "二厂", "gwp_set": "AR5"}, "E616"),  # another GWP set
        ({"name": "二厂", "period_start": "2022-04-01", "period_end": "2023-03-31"}, "E616"),
    ],
    ids=["same-site", "other-year", "other-gwp", "other-period"],
)
def test_what_cannot_be_added_up_is_refused(tmp_path: Path, second: dict, code: str) -> None:
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    a = site(tmp_path / "a", "一厂")
    name = second.pop("name")
    b = site(tmp_path / "b", name, **second)
    out = tmp_path / "group.xlsm"
    result = run("consolidate", a, b, "-o", out)
    assert result.exit_code == 2 and f"[{code}]" in result.output
    assert not out.exists()


def test_equity_without_a_share_is_refused_at_its_cell(tmp_path: Path) -> None:
    a, b = site(tmp_path, "一厂", equity_share=100), site(tmp_path, "二厂")
    result = run("consolidate", a, b, "-o", tmp_path / "g.xlsm", "--approach", "equity")
    assert result.exit_code == 2 and "[E618]" in result.output and "二厂" in result.output
    assert f"二厂.xlsm 基本信息!B{L.INFO_ROW['equity_share']}" in result.output  # file and cell


def test_a_site_with_errors_is_refused_naming_its_first(tmp_path: Path) -> None:
    a, b = site(tmp_path, "一厂"), site(tmp_path, "五厂")
    book = openpyxl.load_workbook(b, keep_vba=True)
    book[L.SHEET_ACTIVITY][f"{L.ACT_COL['annual']}{L.FIRST_ROW + 1}"] = -5
    book.save(b)
    result = run("consolidate", a, b, "-o", tmp_path / "g.xlsm")
    assert result.exit_code == 2 and "[E619] 五厂.xlsm" in result.output
    assert f"第一个：E103 活动数据!{L.ACT_COL['annual']}{L.FIRST_ROW + 1}" in result.output
    assert not (tmp_path / "g.xlsm").exists()


def test_green_certificates_follow_their_site_into_the_group(tmp_path: Path) -> None:
    """一厂 holds certificates for 5,000 MWh of its electricity (活动数据 编号 12), 二厂 none:
    the group's market-based scope 2 is the sum of the sites' (the certificate now names
    the group's row 一厂-12)."""
    certified = tmp_path / "certified.xlsm"
    instrument = dict(row_id=12, kind="绿证", mwh=5000, vintage=2023, certificate="GEC-1")
    certified.write_bytes(fill.fill(EXAMPLE.read_bytes(), market=[instrument]))
    a, b = site(tmp_path, "一厂", certified), site(tmp_path, "二厂")
    out = tmp_path / "group.xlsm"
    assert run("consolidate", a, b, "-o", out).exit_code == 0
    group = calculate_workbook(out).scope2
    sites = [calculate_workbook(p).scope2 for p in (a, b)]
    assert group.market_t == pytest.approx(sum(s.market_t for s in sites), rel=1e-12)
    assert group.covered_mwh == {"绿证": 5000}


def test_the_group_workbook_knows_its_sites(tmp_path: Path, example) -> None:
    """The group workbook records its sites (各厂区汇总); its by-site figures (the
    JSON of consolidate and of calc alike) are each site workbook's own, times its share,
    also when one site's name and a space start the other's ("一厂" and "一厂 二期"); the
    report's 表 各厂区排放量 lists them."""
    a = site(tmp_path, "一厂", equity_share=100)
    b = site(tmp_path, "一厂 二期", equity_share=50)
    out, report = tmp_path / "group.xlsm", tmp_path / "group.json"
    assert (
        run("consolidate", a, b, "-o", out, "--approach", "equity", "--json", report).exit_code == 0
    )
    from_consolidate = json.loads(report.read_text("utf-8"))["by_site"]
    from_group = json.loads(run("calc", out, "--json", "-").stdout)["by_site"]
    assert from_group == from_consolidate and list(from_group) == ["一厂", "一厂 二期"]
    for path, share in ((a, 1.0), (b, 0.5)):
        own = calculate_workbook(path).result  # the site workbook, computed on its own
        entry = from_group[path.stem]
        assert entry["share"] == share and entry["file"] == path.name
        assert entry["total_tco2e"] == pytest.approx(own.total * share, abs=1e-5)
        for key, value in own.by_category().items():
            assert entry["by_category"][str(key)] == pytest.approx(value * share, abs=1e-5)
        for key, value in own.by_gas().items():
            assert entry["by_gas"][key] == pytest.approx(value * share, abs=1e-5)
    assert from_group["一厂 二期"]["total_tco2e"] == pytest.approx(example.total / 2, abs=1e-5)
    text = docx_text(io.BytesIO(render_docx(calculate_workbook(out))))
    table = text.split("各厂区排放量\n")[1].split("\n\n")[0].split("\n")
    assert table[1].startswith("一厂 | 一厂.xlsm | 100% |") and table[1].endswith("| 66.67%")
    assert table[2].startswith("一厂 二期 | 一厂 二期.xlsm | 50% |") and table[2].endswith(
        "| 33.33%"
    )
    assert "本报告为集团合并清册：各厂区按股权比例法计入的排放量如下表" in text


ROWS_OF_TWO_SITES = [
    dict(id="A1", facility="甲厂", category=1, annual=2, unit="t", factor=1.0,
         factor_unit="tCO2e/t", factor_source="手算"),
    dict(id="A2", facility="甲厂｜锅炉房", category=1, annual=5, unit="t", factor=1.0,
         factor_unit="tCO2e/t", factor_source="手算"),
    dict(id="A3", facility="乙厂｜仓库", category=4, annual=11, unit="t", factor=1.0,
         factor_unit="tCO2e/t", factor_source="手算"),
    dict(id="B1", facility="甲厂乙", category=2, annual=3, unit="t", factor=1.0,
         factor_unit="tCO2e/t", factor_source="手算"),
]  # fmt: skip
SITE_LIST = [
    {"site": "甲厂", "file": "甲.xlsm", "share": 100},
    {"site": "乙厂", "file": "乙.xlsm", "share": 50},
]


def test_rows_of_no_site_are_a_line_of_their_own(tmp_path: Path) -> None:
    """A row added to a group workbook whose 厂区/部门 names no site is not put on a site:
    甲厂 = 2 + 5 (itself, and 甲厂｜锅炉房), 乙厂 = 11, and 甲厂乙's 3 t belong to neither.
    The 各厂区汇总 sheet says the same: its cached values, and its SUMIFS recalculated by
    LibreOffice."""
    path, out = tmp_path / "g.xlsm", tmp_path / "g-calc.xlsm"
    template = (ROOT / "workbook" / "ghgxl-template.xlsm").read_bytes()
    path.write_bytes(fill.fill(template, {"company": "集团"}, ROWS_OF_TWO_SITES, sites=SITE_LIST))
    lines = {line.name: line for line in by_site(calculate_workbook(path))}
    assert lines["甲厂"].total == 7 and lines["甲厂"].share == 1.0  # "甲厂乙" is not 甲厂's
    assert lines["乙厂"].total == 11 and lines["乙厂"].share == 0.5
    assert lines[UNASSIGNED].total == 3 and lines[UNASSIGNED].by_category[2] == 3
    assert run("calc", path, "-o", out).exit_code == 0
    c = L.SITE_COL
    expected = {  # row: (category 1, category 2, category 4, total, CO2e gas column)
        L.SITES_ALL_ROW: (7, 3, 11, 21),
        L.SITES_UNASSIGNED_ROW: (0, 3, 0, 3),
        L.SITES_FIRST_ROW: (7, 0, 0, 7),
        L.SITES_FIRST_ROW + 1: (0, 0, 11, 11),
    }
    books = [openpyxl.load_workbook(out, data_only=True)]
    if soffice():
        books.append(_referee(out, tmp_path))
    for book in books:
        sheet = book[L.SHEET_SITES]
        for row, (one, two, four, total) in expected.items():
            got = [sheet[f"{c[k]}{row}"].value for k in ("category:1", "category:2", "category:4")]
            assert got == pytest.approx([one, two, four]), row
            assert sheet[f"{c['total']}{row}"].value == pytest.approx(total)
            assert sheet[f"{c['gas:CO2e']}{row}"].value == pytest.approx(total)  # tCO2e/t: CO2e
            assert sheet[f"{c['share_of_total']}{row}"].value == pytest.approx(total / 21)
        assert sheet[f"{c['total']}{L.SITES_FIRST_ROW + 2}"].value in (None, "")


def test_a_group_workbook_of_template_2026_2_keeps_its_sites(tmp_path: Path) -> None:
    """Template 2026.2 listed a group's sites in 基本信息 合并的厂区 (no 各厂区汇总 sheet):
    they are still read."""
    path = tmp_path / "old-group.xlsm"
    template = (ROOT / "workbook" / "ghgxl-template.xlsm").read_bytes()
    path.write_bytes(fill.fill(template, {"company": "集团"}, ROWS_OF_TWO_SITES))
    book = openpyxl.load_workbook(path, keep_vba=True)
    del book[L.SHEET_SITES]
    info = book[L.SHEET_INFO]
    row = info.max_row + 1
    info[f"A{row}"], info[f"C{row}"] = "合并的厂区（集团清册）", "sites_consolidated"
    info[f"B{row}"] = "甲厂 | 甲.xlsm | 100\n乙厂 | 乙.xlsm | 50"
    book.save(path)
    for text, found in (
        ("甲厂 | 甲.xlsm | 约100\n乙厂 | 乙.xlsm | 50", "W"),
        ("甲厂* | 甲.xlsm | 100", "E631"),
    ):
        other = tmp_path / f"other-{found}.xlsm"
        book[L.SHEET_INFO][f"B{row}"] = text
        book.save(other)
        result = run("workbook", "migrate", other, "-o", tmp_path / f"out-{found}.xlsm")
        if found == "E631":  # 甲厂* would be a wildcard in 各厂区汇总's SUMIFS
            assert result.exit_code == 2 and "[E631]" in result.output
        else:  # 约100 is no share: the old field is listed as left behind, not dropped silently
            assert "sites_consolidated" in result.output, result.output
    lines = {line.name: line for line in by_site(calculate_workbook(path))}
    assert (lines["甲厂"].total, lines["乙厂"].total, lines[UNASSIGNED].total) == (7, 11, 3)
    assert lines["乙厂"].share == 0.5 and lines["乙厂"].file == "乙.xlsm"
    # workbook migrate carries them into the current template's 各厂区汇总, not listed as lost
    out = tmp_path / "new-group.xlsm"
    result = run("workbook", "migrate", path, "-o", out)
    assert result.exit_code == 0 and "sites_consolidated" not in result.output, result.output
    sheet = openpyxl.load_workbook(out, read_only=True)[L.SHEET_SITES]
    listed = [
        tuple(row)
        for row in sheet.iter_rows(min_row=L.SITES_FIRST_ROW, max_col=3, values_only=True)
        if row[0]
    ]
    assert listed == [("甲厂", "甲.xlsm", 100), ("乙厂", "乙.xlsm", 50)]
    migrated = by_site(calculate_workbook(out))
    assert [(x.name, x.share, x.total) for x in migrated] == [
        (x.name, x.share, x.total) for x in lines.values()
    ]


def test_more_sites_than_the_site_sheet_lists_are_refused(example) -> None:
    one = Site(EXAMPLE, "一厂", 1.0, calculate_workbook(EXAMPLE))
    with pytest.raises(GhgError) as refused:
        consolidate([one] * (L.SITE_ROWS + 1))
    assert refused.value.code == "E633"


def test_more_rows_than_one_workbook_holds_are_refused_early(tmp_path: Path, monkeypatch) -> None:
    """A group of more 活动数据 rows than a workbook holds is E640 as soon as the sites read
    so far exceed it (the example has 41 rows: with room for 100, the third site is one too
    many), not a row-count error after every site has been read."""
    import ghgxl.workbook.consolidate as C

    monkeypatch.setattr(C, "MAX_ROWS", 100)
    paths = []
    for name in ("一厂", "二厂", "三厂", "四厂"):
        (tmp_path / name).mkdir()
        paths.append(site(tmp_path / name, name))
    told = []
    with pytest.raises(GhgError) as refused:
        C.read_sites(paths, progress=told.append)
    assert refused.value.code == "E640" and told == paths[:3]
    assert "123 行" in refused.value.message_zh and "三厂.xlsm" in refused.value.message_zh


def test_a_group_larger_than_ghgxl_reads_is_refused_before_it_is_written(
    tmp_path: Path, monkeypatch
) -> None:
    """Rows with long remarks can make a group's 活动数据 more bytes than the package checks
    let any later calc, check or report read (1 GB a sheet): E643, naming the output and
    the sheet, and nothing written — not a workbook ghgxl itself would then refuse (E609)."""
    import ghgxl.workbook.guard as G

    a, b = site(tmp_path, "一厂"), site(tmp_path, "二厂")
    out = tmp_path / "group.xlsm"

    def strict(path: Path, infos: list) -> None:  # the sites are read under the usual limits
        if path.name == out.name:
            monkeypatch.setattr(G, "MAX_MEMBER_UNPACKED", 2**16)  # the group's sheets: more
        real(path, infos)

    real = G.check_sizes
    monkeypatch.setattr(G, "check_sizes", strict)
    result = run("consolidate", a, b, "-o", out)
    assert result.exit_code != 0 and "[E643]" in result.output
    assert "group.xlsm" in result.output and "xl/worksheets/" in result.output
    assert not out.exists()


def test_a_group_whose_file_would_be_too_large_once_calculated_is_refused(
    tmp_path: Path, monkeypatch
) -> None:
    """The limits hold for the file calc writes, with its cached values (about a quarter
    more), and for its packed size (200 MB): not only for the workbook before calculation."""
    import ghgxl.workbook.consolidate as C
    import ghgxl.workbook.guard as G

    a, b = site(tmp_path, "一厂"), site(tmp_path, "二厂")
    out = tmp_path / "group.xlsm"
    made = C.fill.fill
    packed = []
    monkeypatch.setattr(C.fill, "fill", lambda *a, **k: packed.append(made(*a, **k)) or packed[-1])
    assert run("consolidate", a, b, "-o", tmp_path / "first.xlsm").exit_code == 0
    # a limit the workbook before calculation is within, the calculated one is not
    monkeypatch.setattr(G, "MAX_FILE_BYTES", int(len(packed[0]) * 1.1))
    result = run("consolidate", a, b, "-o", out)
    assert result.exit_code != 0 and "[E643]" in result.output and " MB > " in result.output
    assert not out.exists()


def test_a_site_name_the_group_could_not_tell_apart_is_refused(tmp_path: Path) -> None:
    for second in ("二厂|南区", "二厂*", "二?厂", "二厂~"):  # | splits rows; * ? ~ are wildcards
        a, b = site(tmp_path, "一厂"), site(tmp_path, second)
        result = run("consolidate", a, b, "-o", tmp_path / "g.xlsm")
        assert result.exit_code != 0 and "E631" in result.output
        assert f"{second}.xlsm 基本信息!B{L.INFO_ROW['sites']}" in result.output
        assert not (tmp_path / "g.xlsm").exists()
    unnamed = tmp_path / "三*厂.xlsm"  # named by its file: no 基本信息 cell to point at
    unnamed.write_bytes(TEMPLATE)
    result = run("consolidate", site(tmp_path, "一厂"), unnamed, "-o", tmp_path / "g.xlsm")
    assert "[E631] 三*厂.xlsm: 厂区名称“三*厂”" in result.output
    # "="&site&"｜*" in SUMIFS: 252 characters fit Excel's 255, 253 would show #VALUE!
    rows = read_workbook(EXAMPLE).info_rows
    fits, long = tmp_path / "fits.xlsm", tmp_path / "long.xlsm"
    write_values(EXAMPLE, fits, {L.SHEET_INFO: {f"B{rows['sites']}": "厂" * 252}})
    write_values(EXAMPLE, long, {L.SHEET_INFO: {f"B{rows['sites']}": "长" * 253}})
    assert "E645" not in run("consolidate", fits, "-o", tmp_path / "ok.xlsm").output
    result = run("consolidate", site(tmp_path, "一厂"), long, "-o", tmp_path / "g.xlsm")
    assert result.exit_code == 2 and "[E645]" in result.output and "有 253 个字符" in result.output
    # Excel counts UTF-16 units: 𠀀 (U+20000, CJK Extension B) is two, 127 of them 254
    write_values(EXAMPLE, long, {L.SHEET_INFO: {f"B{rows['sites']}": "\U00020000" * 127}})
    result = run("consolidate", site(tmp_path, "一厂"), long, "-o", tmp_path / "g.xlsm")
    assert "[E645]" in result.output and "有 254 个字符" in result.output


def test_the_report_charts_the_largest_sites_and_the_rest_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seventeen sites: site k emits k t in scope 1 and 2k t in scope 3. The chart draws the
    fifteen largest (17 down to 3) and one bar for 其他 2 个厂区 (1 + 2 = 3 t scope 1, 6 t
    scope 3)."""
    names = [f"厂{k:02d}" for k in range(1, 18)]
    rows = []
    for k, name in enumerate(names, start=1):
        for category, amount in ((1, k), (4, 2 * k)):
            rows.append(dict(id=f"{name}-{category}", facility=name, category=category,
                             annual=amount, unit="t", factor=1.0, factor_unit="tCO2e/t",
                             factor_source="手算"))  # fmt: skip
    path = tmp_path / "g.xlsm"
    template = (ROOT / "workbook" / "ghgxl-template.xlsm").read_bytes()
    listed = [{"site": name, "file": f"{name}.xlsm", "share": 100} for name in names]
    path.write_bytes(fill.fill(template, {"company": "集团"}, rows, sites=listed))
    drawn = {}
    monkeypatch.setattr(
        render.charts, "stacked_bar_chart", lambda *args: drawn.setdefault("args", args)
    )
    render._site_chart(calculate_workbook(path))
    labels, series, _ = drawn["args"]
    assert labels == [f"厂{k:02d}" for k in range(17, 2, -1)] + ["其他 2 个厂区"]
    one, two, three = series.values()
    assert one == [*range(17, 2, -1), 3] and two == [0] * 16
    assert three == [2 * k for k in range(17, 2, -1)] + [6]


def test_a_group_of_more_source_lines_than_the_template_holds(tmp_path: Path, example) -> None:
    """Six sites of the example's 46 排放源识别 lines: 276 lines, more than the template's
    200; 排放源识别 grows for them (each new row with its 范围 formula and dropdowns)."""
    calc = calculate_workbook(EXAMPLE)
    lines = len(calc.data.sources)
    sites = [Site(EXAMPLE, f"厂{i}", 1.0, calc) for i in range(1, 7)]
    out, told = tmp_path / "group.xlsm", []
    group = write_group(consolidate(sites), out, progress=lambda *stage: told.append(stage))
    # the progress bar is told each stage from its start to its end, in order
    assert [s for s, _ in told] == sorted((s for s, _ in told), key=["make", "read", "write"].index)
    for stage in ("make", "read", "write"):
        fractions = [f for s, f in told if s == stage]
        assert fractions[0] >= 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert group.errors == [] and len(group.data.sources) == 6 * lines > L.TEMPLATE_ROWS
    assert group.result.total == pytest.approx(6 * example.total, rel=1e-12)
    last = L.FIRST_ROW + 6 * lines - 1
    sheet = openpyxl.load_workbook(out)[L.SHEET_SOURCES]
    scope = sheet[f"{L.SOURCE_COL['scope']}{last}"].value
    assert scope == F.scope_formula(f"${L.SOURCE_COL['category']}{last}")
    category = L.SOURCE_COL["category"]
    ranges = [str(v.sqref) for v in sheet.data_validations.dataValidation]
    assert any(r == f"{category}{L.FIRST_ROW}:{category}{L.last_row(6 * lines)}" for r in ranges)


def test_the_site_sheet_follows_the_sites_listed(tmp_path: Path) -> None:
    """A site line emptied since the last run is cleared (not left showing last run's
    figures); a site typed as a number (2023) is matched as Excel matches it; a workbook
    that lists no site shows no （未归属厂区） line; the figures are protected, the list not."""
    rows = [*ROWS_OF_TWO_SITES, dict(ROWS_OF_TWO_SITES[0], id="C1", facility="2023｜车间")]
    listed = [*SITE_LIST, {"site": 2023, "file": "丙.xlsm", "share": 100}]
    template = (ROOT / "workbook" / "ghgxl-template.xlsm").read_bytes()
    path, first, second = (tmp_path / f"{n}.xlsm" for n in ("g", "first", "second"))
    path.write_bytes(fill.fill(template, {"company": "集团"}, rows, sites=listed))
    assert run("calc", path, "-o", first).exit_code == 0
    c, row = L.SITE_COL, L.SITES_FIRST_ROW
    sheet = openpyxl.load_workbook(first, data_only=True)[L.SHEET_SITES]
    assert sheet[f"{c['total']}{row + 2}"].value == 2  # 2023｜车间's 2 t
    assert sheet[f"{c['total']}{L.SITES_UNASSIGNED_ROW}"].value == 3
    emptied = tmp_path / "emptied.xlsm"  # 乙厂's line deleted by hand
    book = openpyxl.load_workbook(first, keep_vba=True)
    book[L.SHEET_SITES][f"{c['site']}{row + 1}"] = None
    book.save(emptied)
    assert run("calc", emptied, "-o", second).exit_code == 0
    book = openpyxl.load_workbook(second, data_only=True)
    sheet = book[L.SHEET_SITES]
    assert sheet[f"{c['total']}{row + 1}"].value in (None, "")  # not last run's 11
    assert sheet[f"{c['total']}{L.SITES_UNASSIGNED_ROW}"].value == 3 + 11
    assert sheet.protection.sheet and not sheet[f"{c['site']}{row}"].protection.locked
    assert sheet[f"{c['total']}{row}"].protection.locked
    single = openpyxl.load_workbook(EXAMPLE, data_only=True)[L.SHEET_SITES]
    assert single[f"{c['total']}{L.SITES_ALL_ROW}"].value == pytest.approx(415_532.1116088)
    assert single[f"{c['total']}{L.SITES_UNASSIGNED_ROW}"].value in (None, "")


def test_two_names_excel_reads_as_one_site_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    a, b = site(tmp_path / "a", "1"), site(tmp_path / "b", "01")  # "=01" matches 1 in SUMIFS
    result = run("consolidate", a, b, "-o", tmp_path / "g.xlsm")
    assert result.exit_code == 2 and "[E617]" in result.output


def test_check_names_the_site_lines_the_sheet_would_count_otherwise(tmp_path: Path) -> None:
    """Typed by hand into 各厂区汇总: a site twice (乙厂/乙厂, 1/01), a wildcard, a space, a
    ｜ (甲厂｜一车间 would count 甲厂's rows twice). Each is W116 at its cell; 甲厂 is fine."""
    names = ["甲厂", "乙厂", "乙厂", "1", "01", "丙厂*", " 丁厂", "甲厂｜一车间"]
    listed = [{"site": name, "file": "x.xlsm", "share": 100} for name in names]
    template = (ROOT / "workbook" / "ghgxl-template.xlsm").read_bytes()
    path = tmp_path / "g.xlsm"
    path.write_bytes(fill.fill(template, {"company": "集团"}, ROWS_OF_TWO_SITES, sites=listed))
    _, findings = check_workbook(path)
    flagged = [f.cell for f in findings if f.code == "W116"]
    column, first = L.SITE_COL["site"], L.SITES_FIRST_ROW
    assert flagged == [f"{L.SHEET_SITES}!{column}{first + i}" for i in (2, 4, 5, 6, 7)]


def test_equity_share_scales_what_the_engine_reads_as_numbers(tmp_path: Path, example) -> None:
    """合资厂 at 50 % with its electricity typed as text "23,610,660" (calc reads it as the
    number) and an exclusion estimated at 3,000 t: both count half in the group, as its
    numbers do; by hand the group is 1.5 × the example and the estimate 1,500 t. Text in
    a month cell ("1,000"), which the sheet's SUM skips (the row counts its annual
    amount), stays text: halved into a number it would count instead of the annual one."""
    a = site(tmp_path, "一厂", equity_share=100)
    b = site(tmp_path, "合资厂", equity_share=50)
    book = openpyxl.load_workbook(b, keep_vba=True)
    book[L.SHEET_ACTIVITY][f"{L.ACT_COL['annual']}{L.FIRST_ROW + 11}"] = "23,610,660"
    book[L.SHEET_ACTIVITY][f"{L.ACT_COL['m1']}{L.FIRST_ROW + 1}"] = "1,000"
    exclusion = next(
        row for row in range(L.FIRST_ROW, 60)
        if book[L.SHEET_SOURCES][f"{L.SOURCE_COL['id']}{row}"].value == "X3"
    )  # fmt: skip
    book[L.SHEET_SOURCES][f"{L.SOURCE_COL['estimate_tco2e']}{exclusion}"] = 3000
    book.save(b)
    assert calculate_workbook(b).result.total == pytest.approx(example.total, rel=1e-12)
    out = tmp_path / "g.xlsm"
    assert run("consolidate", a, b, "-o", out, "--approach", "equity").exit_code == 0
    group = calculate_workbook(out)
    assert group.result.total == pytest.approx(1.5 * example.total, rel=1e-12)
    estimates = [v for v in group.data.sources["estimate_tco2e"].tolist() if v not in ("", None)]
    assert estimates == [1500]
    text = group.data.activity.set_index("id").loc["合资厂-2", "m1"]
    assert text == "1,000" and ("E108", "1,000") in [
        (e.code, e.details.get("value")) for e in check_workbook(out)[1]
    ]


@pytest.mark.parametrize(("typed", "share"), [(0.5, None), ("50%", 0.5), ("0.5%", 0.005)])
def test_an_equity_share_a_percent_format_makes_ambiguous_is_refused(
    tmp_path: Path, example, typed: object, share: float | None
) -> None:
    """0.5 is what a cell formatted as 50% holds: 0.5 % or 50 %? Refused (E618) rather than
    guessed; typed with its % sign it is clear."""
    a, b = site(tmp_path, "一厂", equity_share=100), site(tmp_path, "二厂", equity_share=typed)
    out = tmp_path / "g.xlsm"
    result = run("consolidate", a, b, "-o", out, "--approach", "equity", "--json", "-")
    if share is None:
        assert result.exit_code == 2 and "[E618]" in result.output and not out.exists()
        assert "0 到 1 之间的数不明确" in result.output  # why 0.5, a number from 0 to 100, is not
    else:
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["by_site"]["二厂"]["total_tco2e"] == pytest.approx(share * example.total)


def test_a_site_replacing_a_library_factor_another_site_uses_is_refused(tmp_path: Path) -> None:
    """二厂's 公司因子 replaces grid.cn.national.2021 with 0.3; in one group workbook 一厂's
    electricity would take 0.3 too (409,468.89 t instead of its 415,532.11): E620."""
    a, b = site(tmp_path, "一厂"), site(tmp_path, "二厂")
    override = {"key": "grid.cn.national.2021", "gas": "CO2", "value": 0.3, "unit": "tCO2/MWh",
                "name_zh": "供应商电力因子", "source": "供电合同（示例）"}  # fmt: skip
    b.write_bytes(fill.fill(b.read_bytes(), company=[override]))
    out = tmp_path / "g.xlsm"
    result = run("consolidate", a, b, "-o", out)
    assert (
        result.exit_code == 2
        and "[E620]" in result.output
        and "grid.cn.national.2021" in result.output
    )
    assert not out.exists()


def test_a_missing_site_or_an_output_through_a_missing_folder(tmp_path: Path) -> None:
    a = site(tmp_path, "一厂")
    original = a.read_bytes()
    missing = run("consolidate", a, tmp_path / "无此厂.xlsm", "-o", tmp_path / "g.xlsm")
    assert (
        missing.exit_code == 2 and "E901" not in missing.output and "无此厂.xlsm" in missing.output
    )
    b = site(tmp_path, "二厂")
    around = tmp_path / "no-such-folder" / ".." / "一厂.xlsm"  # 一厂.xlsm itself
    result = run("consolidate", a, b, "-o", around)
    assert result.exit_code == 2 and "[E603]" in result.output
    assert a.read_bytes() == original


def test_a_group_with_errors_is_written_but_exits_1_naming_them(tmp_path: Path) -> None:
    """The same green certificate claimed by two sites is fine in each, but claimed twice in
    the group (E623): written, as calc -o writes, and the command says so and exits 1."""
    certificate = dict(row_id=12, kind="绿证", mwh=5000, vintage=2023, certificate="GEC-1")
    a, b = site(tmp_path, "一厂"), site(tmp_path, "二厂")
    for path in (a, b):
        path.write_bytes(fill.fill(path.read_bytes(), market=[certificate]))
    out = tmp_path / "g.xlsm"
    result = run("consolidate", a, b, "-o", out)
    assert result.exit_code == 1 and "[E623]" in result.output and out.exists()


def test_a_site_inside_a_group_given_again_is_refused(tmp_path: Path) -> None:
    """北区 (a group of 一厂 and 二厂) consolidated with 一厂 again would count 一厂 twice."""
    a, b = site(tmp_path, "一厂"), site(tmp_path, "二厂")
    region = tmp_path / "北区.xlsm"
    assert run("consolidate", a, b, "-o", region, "--company", "北区").exit_code == 0
    result = run("consolidate", region, a, "-o", tmp_path / "集团.xlsm")
    assert result.exit_code == 2 and "[E617]" in result.output and "一厂" in result.output


def test_two_rows_of_one_group_id_are_refused(tmp_path: Path) -> None:
    """厂 with a row 编号 1-1 and 厂-1 with a row 编号 1 would both be 厂-1-1 (E638)."""
    a, b = site(tmp_path, "厂"), site(tmp_path, "厂-1")
    book = openpyxl.load_workbook(a, keep_vba=True)
    book[L.SHEET_ACTIVITY][f"{L.ACT_COL['id']}{L.FIRST_ROW}"] = "1-1"
    book.save(a)
    result = run("consolidate", a, b, "-o", tmp_path / "g.xlsm")
    assert result.exit_code == 2 and "[E638]" in result.output and "厂-1-1" in result.output


def test_a_year_typed_as_text_and_a_site_named_by_a_number(tmp_path: Path) -> None:
    """基本信息 报告年度 "2023" typed as text is the year 2023 of the other site, not another
    year (E616), and 2023/1/1 the day 2023-01-01; a site named by the number 2 is 厂区 "2" in
    the group, not "2.0"."""
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    a = site(tmp_path / "a", "一厂")
    b = site(  # type: ignore[arg-type]
        tmp_path / "b",
        2,
        reporting_year="2023",
        period_start="2023/1/1",
        period_end="2023年12月31日",
    )
    out = tmp_path / "group.xlsm"
    result = run("consolidate", a, b, "-o", out, "--json", tmp_path / "g.json")
    assert result.exit_code == 0, result.output
    by_site = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))["by_site"]
    assert list(by_site) == ["一厂", "2"]
    ids = calculate_workbook(out).data.activity["id"].map(str).tolist()
    assert "2-1" in ids and not any(i.startswith("2.0") for i in ids)


def test_the_group_names_its_sites_in_one_cell_as_excel_allows() -> None:
    """基本信息 厂区/场所 of a group holds every name, or as many as Excel's 32,767
    characters allow and how many there are (各厂区汇总 lists them all)."""
    from ghgxl.workbook.consolidate import CELL_TEXT_MAX, _site_names

    assert _site_names(["一厂", "二厂"]) == "一厂、二厂"
    names = [f"{n:03d}" + "厂" * 996 for n in range(40)]  # 40 × 1,000 characters
    text = _site_names(names)
    assert len(text) <= CELL_TEXT_MAX and text.endswith("等 40 个厂区（全部见各厂区汇总）")
    assert text.count("、") == 31  # 32 names of 1,000 and the rest fit


def test_sites_read_in_worker_processes_are_the_sites_read_here(tmp_path: Path) -> None:
    """Two spawned workers (the start method Windows uses) give back each site's
    calculation as reading it here does, in the order given; an error raised in a worker
    (a damaged site: E601) arrives as the same error, code and place."""
    import ghgxl.workbook.consolidate as C

    paths = [site(tmp_path, name) for name in ("一厂", "二厂", "三厂")]
    here = C.read_sites(paths)
    there = C.read_sites(paths, workers=2)
    assert [s.name for s in there] == ["一厂", "二厂", "三厂"] == [s.name for s in here]
    for a, b in zip(here, there, strict=True):
        assert b.calc.result.total == a.calc.result.total
        assert b.calc.result.rows["tco2e"].equals(a.calc.result.rows["tco2e"])
        assert [w.text() for w in b.calc.result.warnings] == [
            w.text() for w in a.calc.result.warnings
        ]
    # a released library crosses as its version: one shared copy here, not one a site
    assert all(s.calc.library is here[0].calc.library for s in there)
    damaged = tmp_path / "坏.xlsm"
    damaged.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(GhgError) as here_error:
        C.read_sites([paths[0], damaged])
    with pytest.raises(GhgError) as there_error:
        C.read_sites([paths[0], damaged], workers=2)
    assert there_error.value.text() == here_error.value.text()


def test_sites_the_workers_do_not_give_back_are_read_here(tmp_path: Path, monkeypatch) -> None:
    """Workers that cannot start (a program without the guard spawn needs) or die: every
    site is still read, in this process, in order."""
    from concurrent.futures.process import BrokenProcessPool

    import ghgxl.workbook.consolidate as C

    class Broken:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            return None

        def submit(self, *args):
            raise BrokenProcessPool("a worker died")

        def shutdown(self, **kwargs) -> None:
            pass

    monkeypatch.setattr(C, "ProcessPoolExecutor", Broken)
    paths = [site(tmp_path, name) for name in ("一厂", "二厂")]
    told: list[Path] = []
    sites = C.read_sites(paths, progress=told.append, workers=2)
    assert [s.name for s in sites] == ["一厂", "二厂"] and told == paths

    class DiesAfterOne(Broken):  # the first site comes back, then the workers die
        def submit(self, function, *args):
            from concurrent.futures import Future

            future: Future = Future()
            if args[0] == paths[0]:
                future.set_result(function(*args))
            else:
                future.set_exception(BrokenProcessPool("a worker died"))
            return future

    monkeypatch.setattr(C, "ProcessPoolExecutor", DiesAfterOne)
    told.clear()
    sites = C.read_sites(paths, progress=told.append, workers=2)
    assert [s.name for s in sites] == ["一厂", "二厂"] and told == paths


def test_how_many_workers_read_the_sites(monkeypatch) -> None:
    import ghgxl.workbook.consolidate as C

    monkeypatch.delenv("GHGXL_WORKERS", raising=False)
    monkeypatch.setattr(C.os, "sched_getaffinity", lambda _: set(range(16)), raising=False)
    assert C.workers_for(C.PARALLEL_FROM - 1) == 1  # too few to pay for starting workers
    assert C.workers_for(200) == 8  # one per core, at most 8
    monkeypatch.setattr(C.os, "sched_getaffinity", lambda _: {0, 1, 2}, raising=False)
    assert C.workers_for(200) == 3  # the cores this process may use, not the machine's
    monkeypatch.delattr(C.os, "sched_getaffinity", raising=False)  # Windows, macOS
    monkeypatch.setattr(C.os, "cpu_count", lambda: 2)
    assert C.workers_for(200) == 2
    monkeypatch.setenv("GHGXL_WORKERS", "1")
    assert C.workers_for(200) == 1
    monkeypatch.setenv("GHGXL_WORKERS", "4")
    assert C.workers_for(3) == 3
    monkeypatch.setenv("GHGXL_WORKERS", "64")
    assert C.workers_for(200) == 61  # Windows' most
    monkeypatch.setenv("GHGXL_WORKERS", "²")  # a digit to str.isdigit, not a number: ignored
    assert C.workers_for(200) == 2


def test_a_sites_own_error_in_a_worker_is_raised_and_stops_the_reading(tmp_path: Path) -> None:
    """A site that is not there (FileNotFoundError in its worker) and a site twice (E617,
    found as the sites come back): the same error as reading here, nothing read again."""
    import ghgxl.workbook.consolidate as C

    a, b = site(tmp_path, "一厂"), site(tmp_path, "二厂")
    told: list[Path] = []
    with pytest.raises(FileNotFoundError):
        C.read_sites([a, tmp_path / "无.xlsm", b], progress=told.append, workers=2)
    assert told == [a, tmp_path / "无.xlsm"]
    with pytest.raises(GhgError) as twice:
        C.read_sites([a, b, a], workers=2)
    assert twice.value.code == "E617"


def test_a_library_pickles_as_its_version_or_its_rows() -> None:
    import pickle

    from ghgxl.factors import FactorLibrary, FactorRow

    released = FactorLibrary.release()
    assert pickle.loads(pickle.dumps(released)) is released
    row = FactorRow(
        key="company.steel", gas="CO2e", value=1.85, unit="tCO2e/t", name_zh="钢",
        name_en="steel", source="供应商", verified="company",
    )  # fmt: skip
    own = released.with_overlay([row])
    back = pickle.loads(pickle.dumps(own))
    assert back is not own and back.version == own.version and not back.released
    assert back.get("company.steel", "CO2e").value == 1.85
    assert back.get("grid.cn.national.2021", "CO2").value == 0.5568


def test_a_share_bought_between_years_is_a_structural_change(tmp_path: Path) -> None:
    """二厂 counted at 50 % in 2023 and at 80 % in 2024 (both years the examples; 一厂 at
    100 %). The 30 points bought are an acquisition (GHG Protocol ch. 5, ISO 14064-1 6.4.1):
    this year's emissions of 二厂's sources of both years, × 0.8 × (1 − 50/80), count as
    added, not as activity; the sources both years share change by 1.5 × their own change
    (一厂 whole, 二厂 at last year's 50 %); 2024's new source is added at 100 % and 80 %."""
    from ghgxl.workbook.change import compare

    second = ROOT / "workbook" / "examples" / "example-2024.xlsm"
    groups = {}
    for year, source, share in ((2023, EXAMPLE, 50), (2024, second, 80)):
        folder = tmp_path / str(year)
        folder.mkdir()
        a = site(folder, "一厂", source, equity_share=100)
        b = site(folder, "二厂", source, equity_share=share)
        if year == 2024:  # the example's certificate, claimed by one site only
            certificate = f"{L.MARKET_COL['certificate']}{L.FIRST_ROW}"
            write_values(b, b, {L.SHEET_MARKET: {certificate: "GEC-2024-000999"}})
        groups[year] = folder / "group.xlsm"
        assert run("consolidate", a, b, "-o", groups[year], "--approach", "equity").exit_code == 0
    alone = compare(calculate_workbook(second), calculate_workbook(EXAMPLE)).total
    new = alone.effects["added"]  # 2024's new source (425 t), the examples' only one
    shared = alone.after - new  # 2024's sources that 2023 has too
    change = compare(calculate_workbook(groups[2024]), calculate_workbook(groups[2023]))
    total = change.total
    assert total.effects["added"] == pytest.approx(shared * 0.8 * (1 - 50 / 80) + new * 1.8)
    assert total.effects["removed"] == 0
    moved = total.effects["activity"] + total.effects["factor"]
    assert moved == pytest.approx(1.5 * (shared - alone.before), rel=1e-9)
    assert total.change == pytest.approx(total.after - total.before)
    said = [w.details["field"] for w in change.boundary]
    assert said == ["厂区“二厂”的计入比例"] and change.boundary[0].details["ours"] == "80%"
    # the other way round, 80 % → 50 %: a share sold, at the earlier year's emissions of it
    # (the 80 % group's shared sources × 0.8 × 30/80), as a removed source is at its own
    back = compare(calculate_workbook(groups[2023]), calculate_workbook(groups[2024])).total
    assert back.effects["removed"] == pytest.approx(-(shared * 0.8 * 30 / 80 + new * 1.8))
    assert back.effects["added"] == 0 and back.change == pytest.approx(-total.change)
