"""Contour plots of descent paths (matplotlib, the optional extra ``plot``).

>>> import sympy, tempfile, pathlib
>>> x, y = sympy.symbols("x y", real=True)
>>> path = numpy.array([[[1.0, 1.0]], [[0.5, 0.5]], [[0.0, 0.0]]])
>>> out = pathlib.Path(tempfile.mkdtemp()) / "bowl.png"
>>> contour_plot(x**2 + y**2, ["x", "y"], path, [(0.0, 0.0)], out, "bowl") == out
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy
import sympy

from tutor.lowering import numeric_function
from tutor.messages import text as message

#: Font families with Chinese glyphs, as systems install them (Debian's fonts-noto-cjk and
#: fonts-wqy-zenhei, macOS, Windows); matplotlib's own DejaVu Sans has none.
HAN_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN", "PingFang SC",
                "Heiti SC", "Microsoft YaHei", "SimHei")


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed."""


def han_font() -> str | None:
    """The first installed font family that can draw Chinese, or None (labels in Chinese
    would be drawn as empty boxes; or matplotlib is not installed)."""
    try:
        from matplotlib import font_manager
    except ImportError:
        return None

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in HAN_FAMILIES if family in installed), None)


def contour_plot(function: sympy.Expr, variables: Sequence[str], path: numpy.ndarray,
                 marks: Sequence[Sequence[float]], out: Path, title: str,
                 others: Sequence[tuple[str, numpy.ndarray]] = (), lang: str = "en",
                 font: str | None = None) -> Path:
    """Save the contours of ``function`` (two variables) with each start's path ([steps, starts, 2]),
    crosses at ``marks`` and ``others``, labelled paths ([points, 2]) to compare with (Newton's
    step, say); raises PlotUnavailable without matplotlib. The colours follow log f where f is
    positive throughout, else f itself (a log scale would paint f <= 0 in one flat colour).
    Labels are in ``lang``, drawn with ``font`` (for Chinese, the one :func:`han_font` finds)."""
    try:
        from matplotlib import rc_context
    except ImportError as error:
        raise PlotUnavailable("matplotlib is not installed (pip install 'tutor[plot]')") from error
    with rc_context({"font.sans-serif": [font, "DejaVu Sans"]} if font else {}):
        return _draw(function, variables, path, marks, out, title, others, lang)


def _draw(function, variables, path, marks, out, title, others, lang) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    points = numpy.concatenate([path.reshape(-1, 2), numpy.asarray(marks, dtype=float).reshape(-1, 2),
                                *(numpy.asarray(other, dtype=float).reshape(-1, 2) for _, other in others)])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = numpy.maximum((high - low) * 0.15, 0.5)
    grid = [numpy.linspace(low[i] - pad[i], high[i] + pad[i], 300) for i in range(2)]
    gx, gy = numpy.meshgrid(*grid)
    values = numpy.broadcast_to(numeric_function(function, list(variables))(gx, gy), gx.shape)
    lowest, highest = float(numpy.nanmin(values)), float(numpy.nanmax(values))
    figure = Figure(figsize=(6.4, 6.0), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    name = f"f({', '.join(variables)})"
    if lowest > 0:
        floor = max(lowest, 1e-3)
        levels = numpy.geomspace(floor, max(highest, floor * 10), 30)
        filled = axes.contourf(gx, gy, numpy.maximum(values, floor), levels=levels, norm=LogNorm(),
                               cmap="viridis", alpha=0.85)
        decades = 10.0 ** numpy.arange(numpy.ceil(numpy.log10(levels[0])),
                                       numpy.floor(numpy.log10(levels[-1])) + 1)
        figure.colorbar(filled, ax=axes, ticks=decades, format="%g", label=message("plot_log_scale", lang, name=name))
    else:
        filled = axes.contourf(gx, gy, values, levels=numpy.linspace(lowest, highest, 30),
                               cmap="viridis", alpha=0.85)
        figure.colorbar(filled, ax=axes, ticks=MaxNLocator(8), format="%g", label=name)
    for start in range(path.shape[1]):
        trail = path[:, start, :]
        line, = axes.plot(trail[:, 0], trail[:, 1], linewidth=1.8,
                          label=message("plot_from", lang, x=trail[0, 0], y=trail[0, 1]))
        axes.plot(*trail[0], "o", color=line.get_color())
        axes.plot(*trail[-1], "s", color=line.get_color(), markersize=5)
    for label, other in others:
        other = numpy.asarray(other, dtype=float).reshape(-1, 2)
        axes.plot(other[:, 0], other[:, 1], "--", color="orangered", linewidth=1.8, marker="D",
                  markersize=5, label=label)
    for mark in marks:
        axes.plot(*mark, "x", color="white", markersize=9, markeredgewidth=2)
    axes.set_xlabel(variables[0])
    axes.set_ylabel(variables[1])
    axes.set_title(title)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1),
                ncol=min(path.shape[1] + len(others), 4),
                fontsize="small", frameon=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out)
    return out
