"""The message catalogue: complete in English and Chinese, the same parameters in both,
full-width punctuation in Chinese, and the core's words rendered in the caller's language."""

import io
import itertools
import string

import pytest
from rich.console import Console

from tutor.catalogue import MESSAGES, TABLES
from tutor.check import check_answer
from tutor.errors import ParseError
from tutor.feedback import check_derivative
from tutor.feedback.explanation import explain, format_derivation
from tutor.messages import current_language, language, set_language, text
from tutor.parsing import parse
from tutor.render import make_console

HAN = range(0x4E00, 0xA000)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_keys_are_unique_across_the_tables():
    assert sum(len(table) for table in TABLES.values()) == len(MESSAGES)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_parameters(key):
    english, chinese = MESSAGES[key]
    assert english.strip() and chinese.strip()
    # Chinese has no plural ending and no article
    assert fields(english) - fields(chinese) <= {"plural", "article"}
    assert fields(chinese) <= fields(english)
    if any(ord(char) in HAN for char in chinese):
        for ascii_mark, wide in ((",", "，"), (":", "："), (";", "；"), ("(", "（")):
            after_han = any(ord(a) in HAN and b == ascii_mark for a, b in itertools.pairwise(chinese))
            assert not after_han, f"{key}: {ascii_mark!r} after a Chinese character; use {wide!r}"


def test_the_language_is_the_callers():
    assert current_language() == "en"
    assert text("verdict_correct") == "Correct."
    with language("zh"):
        assert text("verdict_correct") == "正确。"
        assert text("verdict_correct", "en") == "Correct."
    assert text("verdict_correct") == "Correct."
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        set_language("fr")


def test_core_messages_in_chinese():
    with language("zh"):
        with pytest.raises(ParseError) as caught:
            parse("2 +")
        assert str(caught.value) == "'+' 后面缺少运算对象（第 3 列）"
        assert caught.value.column == 3
        verdict = check_answer("3x", "x^2")
        assert verdict.message.startswith("还不对：在 x = ") and "期望值是" in verdict.message
        assert check_answer("2x+", "x^2").message.startswith("无法读取你的答案：")
        two = check_answer("3y", "x y", variables=["x", "y"]).message
        assert "，y = " in two and ", y" not in two  # a point's coordinates, full-width
        named = check_derivative("x + 3x^2", "x^2 + x^3 + 5", "x")
        assert "漏了因子 2" in named.message and named.mistake == "square-factor-2-missing"
        derivation = format_derivation(explain("sin(3x)", "x"), "text")
        assert "三角函数法则 + 链式法则" in derivation and "结果：d/dx sin(3x) = 3cos(3x)" in derivation
    with pytest.raises(ParseError, match="missing operand after '\\+' at column 3"):
        parse("2 +")  # English again outside the block


def test_matrix_verdicts_in_chinese():
    from tutor.feedback.matrix_mistakes import check_matrix_derivative as named
    from tutor.matrix import check_matrix_derivative

    shapes = {"X": "n×d", "w": "d", "y": "n"}
    with language("zh"):
        shape_error = check_matrix_derivative("2 X (X w - y)", "‖X w - y‖²", "w", shapes).message
        assert shape_error == ("你的答案中的形状对不上：X(Xw − y) 要求 d = n（X 是一个 n×d 矩阵，"
                               "Xw − y 是一个 n 维向量）（第 5 列）；Xᵀ(Xw − y) 是一个 d 维向量。")
        half = named("X^T (X w - y)", "‖X w - y‖²", "w", shapes)
        assert half.message.startswith("还不对：在 n = ") and "个元素中有" in half.message
        assert half.message.endswith("漏了因子 2：∂L/∂w 是你的答案的 2 倍。")
        right = check_matrix_derivative("2 X^T (X w - y)", "‖X w - y‖²", "w", shapes).message
        assert right.startswith("正确：在 3 组尺寸下（") and right.endswith("一致。")
        assert check_matrix_derivative("X^T", "‖X w - y‖²", "w", shapes).message == (
            "你的答案 Xᵀ 是一个 d×n 矩阵；∂L/∂w 的形状与 w 相同：一个 d 维向量。")
    assert check_matrix_derivative("X^T", "‖X w - y‖²", "w", shapes).message == (
        "Your answer Xᵀ is a d×n matrix; ∂L/∂w has the shape of w: a d-vector.")


def test_chinese_lines_break_after_punctuation_not_inside_words():
    make_console()  # teaches rich where Chinese lines may break
    console = Console(width=40, record=True, file=io.StringIO())
    console.print("神经网络的每一步训练都离不开同一样东西：损失函数对每个参数的导数。"
                  "PyTorch 和 TensorFlow 都会自动求导，我们应用链式法则（chain rule）来推导。")
    lines = console.export_text().splitlines()
    assert lines[0] == "神经网络的每一步训练都离不开同一样东西："
    assert "链式法则（chain rule）来推导。" in lines[-1]
    assert all(line.rstrip()[-1] in "：。，" or line.rstrip().endswith("PyTorch 和")
               for line in lines[:-1])


def test_the_cli_speaks_the_language_asked_for(capsys):
    from tutor.cli import main

    assert main(["check", "2x+", "--equals", "x^2", "--lang", "zh"]) == 2
    assert "无法读取你的答案：'+' 后面缺少运算对象（第 3 列）。" in capsys.readouterr().out
    assert main(["check", "3x", "--of", "x^2"]) == 1  # English unless asked
    assert "Not quite: at x = " in capsys.readouterr().out
    assert main(["learn", "polynomail", "--lang", "zh"]) == 2
    assert "tutor：错误：没有名为 'polynomail' 的课程；你是不是想找 'polynomial'？" in (
        capsys.readouterr().err)
