"""Shared fixtures."""

from __future__ import annotations

import pytest

from ghgxl.factors import FactorLibrary


@pytest.fixture(scope="session")
def library() -> FactorLibrary:
    return FactorLibrary.default()
