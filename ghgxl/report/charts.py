"""Charts of the report (matplotlib, PNG): emissions by category, by gas, ten largest sources.

Chinese labels need a CJK font: Noto Sans CJK (installed by ``.ci/run``; Debian package
fonts-noto-cjk) or, on Windows, Microsoft YaHei / SimHei.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen: render to PNG only
import matplotlib.pyplot as plt
from matplotlib import font_manager

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Microsoft YaHei", "SimHei", "PingFang SC")
COLOURS = ("#2F5597", "#5B9BD5", "#A5A5A5", "#ED7D31", "#FFC000", "#70AD47", "#264478", "#9E480E")


#: File names of the fonts of CJK_FONTS (Noto Sans CJK, YaHei, SimHei, PingFang).
CJK_FILES = ("notosanscjk", "msyh", "simhei", "pingfang")


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


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def bar_chart(
    labels: list[str], values: list[float], title: str, horizontal: bool = False
) -> bytes:
    """A labelled bar chart (t CO2e) as PNG bytes."""
    with plt.rc_context({"font.sans-serif": _font(), "axes.unicode_minus": False, "font.size": 9}):
        figure, axes = plt.subplots(
            figsize=(6.4, 3.2 if not horizontal else 0.35 * len(labels) + 1.2)
        )
        positions = range(len(labels))
        bars = (axes.barh if horizontal else axes.bar)(positions, values, color=COLOURS[0])
        if horizontal:
            axes.set_yticks(list(positions), labels)
            axes.invert_yaxis()
            axes.set_xlabel("t CO2e")
        else:
            axes.set_xticks(list(positions), labels)
            axes.set_ylabel("t CO2e")
        axes.bar_label(bars, labels=[f"{v:,.2f}" for v in values], fontsize=7, padding=2)
        axes.set_title(title)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)
