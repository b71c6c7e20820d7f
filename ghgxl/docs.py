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
    from ghgxl.workbook import guard

    return [
        "## 安全限制 / Safety limits",
        "",
        "Checked before a workbook is parsed (`ghgxl/workbook/guard.py`); beyond them ghgxl stops",
        "with E608–E610 in bounded time and memory and leaves the file untouched.",
        "",
        f"- file size ≤ {guard.MAX_FILE_BYTES // 2**20} MB; unpacked ≤ {guard.MAX_TOTAL_UNPACKED // 2**20} MB in all, "
        f"≤ {guard.MAX_MEMBER_UNPACKED // 2**20} MB per member, compression ratio ≤ {guard.MAX_RATIO} (zip bombs)",
        f"- a sheet ≤ {guard.MAX_SHEET_CELLS:,} cells (rows × columns, from its dimension and its last row),",
        "  with no column past XFD (Excel's last)",
        "- XML with a DOCTYPE or ENTITY declaration is refused (billion laughs); the package XML",
        "  ghgxl parses itself goes through defusedxml",
        "- password-protected and old .xls files are recognised and refused (E608)",
        "- every file ghgxl writes is written to a temporary file in the same folder and then",
        "  renamed over the target; `--in-place` writes a complete backup first",
    ]


if __name__ == "__main__":
    from pathlib import Path

    Path("docs/errors.md").write_text(errors_markdown(), encoding="utf-8")
