"""Rebuild templates/report-template.docx: python templates/build_report_template.py"""

from pathlib import Path

from ghgxl.report.template import build_report_template

if __name__ == "__main__":
    out = Path(__file__).with_name("report-template.docx")
    build_report_template(out)
    print(f"built {out}")
