"""Contour plots: colours that show the function's shape whatever its sign, compared paths drawn."""

import numpy as np
import pytest
import sympy

from tutor.lessons.plot import contour_plot

pytest.importorskip("matplotlib")
from matplotlib.image import imread  # noqa: E402

X, Y = sympy.symbols("x y", real=True)
QUADRATIC = X**2 + X * Y + Y**2 - 3 * X  # minimum -3 at (2, -1)
PATH = np.array([[[0.0, 0.0]], [[1.0, -0.5]], [[2.0, -1.0]]])


def flattest(png) -> float:
    """The share of the axes' pixels that have its most common colour."""
    image = (imread(png)[60:500, 80:460, :3] * 255).astype(int).reshape(-1, 3)
    _, counts = np.unique(image, axis=0, return_counts=True)
    return counts.max() / counts.sum()


@pytest.mark.parametrize("function", [QUADRATIC, QUADRATIC + 3, QUADRATIC + 3.5])
def test_a_function_of_any_sign_is_drawn_in_many_colours(function, tmp_path):
    png = contour_plot(function, ["x", "y"], PATH, [(2.0, -1.0)], tmp_path / "q.png", "q")
    assert flattest(png) < 0.2  # a log scale floored at 1e-3 painted 3/4 of it (f <= 0) flat


def test_a_compared_path_is_drawn(tmp_path):
    plain = contour_plot(QUADRATIC, ["x", "y"], PATH, [], tmp_path / "a.png", "q")
    newton = contour_plot(QUADRATIC, ["x", "y"], PATH, [], tmp_path / "b.png", "q",
                          [("Newton", np.array([[0.0, 0.0], [2.0, -1.0]]))])
    red = [((imread(p)[..., 0] > 0.9) & (imread(p)[..., 1] < 0.4) & (imread(p)[..., 2] < 0.2)).sum()
           for p in (plain, newton)]
    assert red[0] == 0 and red[1] > 100


def test_chinese_labels_only_with_a_font_that_has_chinese_glyphs(tmp_path, monkeypatch, code_worker):
    """Without such a font (as on this machine), the lesson draws the labels in English and
    says so, in Chinese, instead of saving a plot of empty boxes."""
    import io
    import warnings

    from tutor.lessons import plot
    from tutor.lessons.catalog import find_lesson
    from tutor.lessons.progress import ProgressStore
    from tutor.lessons.runner import Options, Runner
    from tutor.lessons.schema import load_lesson
    from tutor.lessons.ui import AutoPrompter
    from tutor.render import make_console

    monkeypatch.setattr(plot, "han_font", lambda: None)
    lesson = load_lesson(find_lesson("higher-order"))
    out = io.StringIO()
    console = make_console(file=out)
    options = Options(lang="zh", prompter=AutoPrompter(console.print), out_dir=tmp_path, descent_cap=50,
                      only=frozenset({"plain-descent"}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Runner(lesson, ProgressStore.scratch(), console, options, worker=code_worker).run()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert "图中的文字用英文" in out.getvalue()
    assert list(tmp_path.glob("*.png"))
