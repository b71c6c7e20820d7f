"""Shared fixtures, and the hypothesis profiles: ``ci`` (default, a few thousand cases in
all) and ``bench`` (>= 10,000 cases per property; ``HYPOTHESIS_PROFILE=bench``)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from ghgxl.factors import FactorLibrary

settings.register_profile("ci", max_examples=600, deadline=None)
settings.register_profile(
    "bench", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def library() -> FactorLibrary:
    return FactorLibrary.default()
