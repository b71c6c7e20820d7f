"""The 盘查清册 template and its examples, shipped as the package ghgxl.workbook_files."""
