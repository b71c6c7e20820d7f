"""The Word report (温室气体盘查报告) generated from a workbook: every number from the engine."""

from ghgxl.report.render import render_docx, write_report

__all__ = ["render_docx", "write_report"]
