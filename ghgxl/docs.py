"""Documentation generated from the code, so the docs never drift: ``docs/errors.md``."""

from __future__ import annotations

from ghgxl.errors import CATALOGUE

GROUPS = {
    "E1": "数值 / values",
    "E2": "单位 / units",
    "E3": "排放因子 / factors",
    "E4": "气体与 GWP / gases and GWPs",
    "E5": "计算方法与数据行 / methods and rows",
    "E6": "文件与工作簿 / files and workbooks",
    "E7": "Excel 与 Python 的连接 / connecting Excel to Python",
    "E9": "内部 / internal",
    "W1": "提示（不阻止计算）/ warnings (the calculation goes on)",
}


def errors_markdown() -> str:
    """The error catalogue as Markdown (what ``docs/errors.md`` holds)."""
    lines = [
        "# 错误代码 / Error codes",
        "",
        "Generated from `ghgxl/errors.py` by `python -m ghgxl.docs`; a test fails when this",
        "file and the code differ. A cell function shows `#GHG! <code> <中文> / <English>`;",
        "the CLI prints `[<code>] <place>: <中文>，<怎么办> / <English>; <what to do>`.",
        "`{...}` stands for the detail filled in (the unit, the key, the value ...).",
    ]
    for prefix, title in GROUPS.items():
        lines += [
            "",
            f"## {prefix}xx {title}",
            "",
            "| code | 中文 | English | 怎么办 / what to do |",
        ]
        lines.append("|---|---|---|---|")
        for code, spec in CATALOGUE.items():
            if code.startswith(prefix):
                todo = f"{spec.hint_zh} / {spec.hint_en}"
                lines.append(f"| {code} | {spec.zh} | {spec.en} | {todo} |")
    lines += ["", *_limits()]
    return "\n".join(lines) + "\n"


def _limits() -> list[str]:
    from ghgxl.workbook import guard, sheetsize

    return [
        "## 安全限制 / Safety limits",
        "",
        "Checked before a workbook is parsed (`ghgxl/workbook/guard.py`); beyond them ghgxl stops",
        "with E601 or E608–E610 in bounded time and memory and leaves the file untouched.",
        "",
        f"- file size ≤ {guard.MAX_FILE_BYTES // 2**20} MB, at most {guard.MAX_MEMBERS:,} parts; "
        f"unpacked ≤ {guard.MAX_TOTAL_UNPACKED // 2**20} MB in all, "
        f"≤ {guard.MAX_MEMBER_UNPACKED // 2**20} MB per part, compression ratio ≤ {guard.MAX_RATIO} "
        "(zip bombs)",
        "- an XML part with a DOCTYPE or ENTITY declaration (before its root element, where XML",
        "  allows one) is refused (E609, billion laughs), whatever the part: the workbook, its",
        "  relationships, the shared strings, the styles, any sheet; the package XML ghgxl parses",
        "  itself goes through defusedxml. A shared-string table may not claim more strings",
        "  (`uniqueCount`) than its part could hold: calamine reserves room for them up front",
        f"- a sheet ≤ {sheetsize.MAX_SHEET_CELLS:,} cells (rows × columns, counted from A1), "
        f"no column past XFD, no row past {sheetsize.MAX_ROWS:,} (E610).",
        "  A sheet is any part calamine could read as one, wherever it lives: what the workbook's",
        "  relationships point at (in `xl/worksheets/` or not), anything under `worksheets/`, any",
        "  XML part holding a `<sheetData>`. Its size is judged from the cells it holds, each where",
        "  calamine puts it: by its `r` (every `r` it has, in either case, with any namespace",
        "  prefix on the cell); without one, in the column after the last, and a row without `r`",
        "  is the row after the last. What its `<dimension>` claims counts too; a `<dimension>` that",
        "  claims less than the cells hold, or none, changes nothing",
        "- a sheet where a cell is opened before the one before it was closed is damaged XML",
        "  (E601, naming the sheet), found in time linear in its size; a cell left open at the end",
        "  of its row is refused too (E601), by calamine when it reads the sheet, by `calc` when it",
        "  writes one, before the file is changed",
        "- password-protected and old .xls files are recognised and refused (E608)",
        "- every file ghgxl writes is written to a temporary file in the same folder and then",
        "  renamed over the target; `--in-place` writes a complete backup first",
    ]


if __name__ == "__main__":
    from pathlib import Path

    Path("docs/errors.md").write_text(errors_markdown(), encoding="utf-8")
