"""The Word report template, shipped as the package ghgxl.templates_files."""
