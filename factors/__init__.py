"""The factor library data files, shipped as the package ghgxl.factor_data."""
