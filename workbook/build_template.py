"""Rebuild workbook/ghgxl-template.xlsm: python workbook/build_template.py (needs .[dev])."""

from pathlib import Path

from ghgxl.workbook.template import TEMPLATE_NAME, build_template

if __name__ == "__main__":
    out = Path(__file__).with_name(TEMPLATE_NAME)
    build_template(out)
    print(f"built {out}")
