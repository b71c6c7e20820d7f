"""ghgxl — the engine under the 温室气体盘查清册 (GHG inventory workbook).

ISO 14064-1:2018 / GHG Protocol calculations, a cited factor library, Excel cell functions
(xlwings) and a command line, sharing one engine so a number never differs between them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ghgxl")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
