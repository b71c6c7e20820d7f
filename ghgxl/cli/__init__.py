"""The ``ghgxl`` command: a thin layer over :mod:`ghgxl.api`, :mod:`ghgxl.factors` and
:mod:`ghgxl.inventory`. Anything a user could have done wrong ends in a bilingual message
and a non-zero exit code, never a traceback.

Exit codes: 0 done; 1 findings (invalid rows, overlay errors); 2 bad input (unknown key,
unreadable file, an output that would overwrite an input or cannot be written); 3 internal
error; 130 and 143 interrupted (SIGINT, SIGTERM), nothing left half-written.

Commands by what they work on: :mod:`~ghgxl.cli.inventory_commands` (calc, check, report),
:mod:`~ghgxl.cli.library` (factors, gwp), :mod:`~ghgxl.cli.setup` (workbook, excel),
:mod:`~ghgxl.cli.group` (consolidate); the
group, the consoles and the error handling in :mod:`~ghgxl.cli.base`.
"""

from ghgxl.cli import group, inventory_commands, library, setup  # noqa: F401  (registers)
from ghgxl.cli.base import main

__all__ = ["main"]
