"""Charts of the report (matplotlib, PNG): emissions by category, by gas, ten largest sources.

Every label is the user's text drawn as it is: matplotlib would otherwise read ``$...$`` in a
source name as mathtext (``锅炉 $x^2$ 号`` drawn as x², ``$a_$`` an exception).

Chinese labels need a CJK font: Noto Sans CJK (installed by ``.ci/run``; Debian package
fonts-noto-cjk) or, on Windows, Microsoft YaHei / SimHei.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen: render to PNG only
import matplotlib.pyplot as plt
from matplotlib import font_manager

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Microsoft YaHei", "SimHei", "PingFang SC")
COLOURS = ("#2F5597", "#5B9BD5", "#A5A5A5", "#ED7D31", "#FFC000", "#70AD47", "#264478", "#9E480E")


#: File names of the fonts of CJK_FONTS (Noto Sans CJK, YaHei, SimHei, PingFang).
CJK_FILES = ("notosanscjk", "msyh", "simhei", "pingfang")
#: Longest label drawn: a name as long as an Excel cell (32,767 characters) would make the
#: chart thousands of pixels wide, which the report then shrinks to 150 mm.
MAX_LABEL = 40
#: Text is plain text whatever the user's matplotlibrc says: no mathtext, no LaTeX.
PLAIN_TEXT_RC = {
    "text.parse_math": False,
    "text.usetex": False,
    "axes.formatter.use_mathtext": False,
}
#: Characters that have no glyph and break a label's line: control characters, line and
#: paragraph separators, lone surrogates.
_UNPRINTABLE = {"Cc", "Cs", "Zl", "Zp"}


def _font() -> list[str]:
    """The CJK fonts there are, best first. matplotlib lists the fonts once and caches the
    list; a font installed after that is looked for among the system's font files."""
    found = _cjk_fonts()
    if not found:
        for path in font_manager.findSystemFonts():
            if any(name in Path(path).name.lower() for name in CJK_FILES):
                font_manager.fontManager.addfont(path)
        found = _cjk_fonts()
    return found or ["DejaVu Sans"]


def _cjk_fonts() -> list[str]:
    available = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in available]


def plain_label(text: object, limit: int | None = MAX_LABEL) -> str:
    """``text`` as one line of at most ``limit`` characters: control characters and line
    breaks (Alt+Enter in a cell) become spaces, runs of spaces one space."""
    printable = "".join(" " if unicodedata.category(c) in _UNPRINTABLE else c for c in str(text))
    line = " ".join(printable.split())
    return line if limit is None or len(line) <= limit else line[: limit - 1] + "…"


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def bar_chart(
    labels: list[str], values: list[float], title: str, horizontal: bool = False
) -> bytes:
    """A labelled bar chart (t CO2e) as PNG bytes; labels and title are drawn as plain text."""
    labels = [plain_label(label) for label in labels]
    plain = {"parse_math": False}  # the rc below covers texts matplotlib makes while drawing
    style = {"font.sans-serif": _font(), "axes.unicode_minus": False, "font.size": 9}
    with plt.rc_context({**style, **PLAIN_TEXT_RC}):
        figure, axes = plt.subplots(
            figsize=(6.4, 3.2 if not horizontal else 0.35 * len(labels) + 1.2)
        )
        positions = range(len(labels))
        bars = (axes.barh if horizontal else axes.bar)(positions, values, color=COLOURS[0])
        if horizontal:
            axes.set_yticks(list(positions), labels, **plain)
            axes.invert_yaxis()
            axes.set_xlabel("t CO2e", **plain)
        else:
            axes.set_xticks(list(positions), labels, **plain)
            axes.set_ylabel("t CO2e", **plain)
        axes.bar_label(bars, labels=[f"{v:,.2f}" for v in values], fontsize=7, padding=2, **plain)
        axes.set_title(plain_label(title, limit=None), **plain)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)
