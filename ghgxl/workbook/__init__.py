"""Reading and writing the 盘查清册 workbook (layout, template, cells)."""
