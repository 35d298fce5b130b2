"""tutor.documents: one bounded reader for lessons, assignments and students' answers files.

Hostile answers files (issue 11): aliases that expand to a billion values, and nesting deep
enough to exhaust the parsers' recursion, each give a clear FileError naming file and line.
"""

from pathlib import Path

import pytest

from tutor.documents import MAX_BYTES, MAX_DEPTH, read_file, read_text
from tutor.errors import AssignmentError, FileError, LessonError, TutorError
from tutor.grading.answers_file import read_answers
from tutor.grading.model import Assignment, Question

LAUGHS = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True))


def test_the_error_family():
    assert issubclass(LessonError, FileError) and issubclass(AssignmentError, FileError)
    assert issubclass(FileError, TutorError) and not issubclass(AssignmentError, LessonError)
    error = AssignmentError("unknown field 'x'", path="a.yaml", line=3)
    assert str(error) == "a.yaml:3: unknown field 'x'" and error.message == "unknown field 'x'"


def test_billion_laughs_is_refused_at_the_first_alias(tmp_path):
    assert len(LAUGHS) < 400  # 9^9 "lol"s if expanded
    path = tmp_path / "answers.yaml"
    path.write_text(LAUGHS)
    with pytest.raises(FileError) as caught:
        read_file(path)
    assert caught.value.line == 2 and "aliases (*a) are not allowed" in str(caught.value)


@pytest.mark.parametrize(("name", "text"), [
    ("flow.yaml", "q1: " + "[" * 20_000 + "]" * 20_000 + "\n"),  # 40 KB
    ("block.yaml", "".join(" " * i + "- \n" for i in range(0, 280))),  # a list in a list ...
    ("deep.json", '{"q1": ' + "[" * 100_000 + "]" * 100_000 + "}"),  # 200 KB
    ("deep.toml", "q1 = " + "[" * 50_000 + "]" * 50_000 + "\n"),  # 100 KB
    ("tables.toml", "q1 = " + "{a = " * 20_000 + "1" + "}" * 20_000 + "\n"),
    ("dotted.toml", "q1." + "a." * 100 + "b = 1\n"),  # nested tables without brackets
])
def test_deep_nesting_is_refused_in_every_format(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(FileError) as caught:  # libyaml's own bound may come first
        read_file(path)
    message = str(caught.value)
    assert f"nested more than {MAX_DEPTH} levels deep" in message or "maximum nesting" in message
    assert caught.value.path == str(path) and caught.value.line is not None


def test_nesting_within_the_bound_is_read():
    depth = MAX_DEPTH - 1
    node = read_text("[" * depth + "1" + "]" * depth, "ok.json")
    for _ in range(depth - 1):
        node = node.items[0]
    assert node.items[0].value == 1


def test_size_is_capped(tmp_path):
    path = tmp_path / "big.json"
    path.write_text('{"q1": "' + "x" * MAX_BYTES + '"}')
    with pytest.raises(AssignmentError, match="larger than 1,000,000 bytes"):
        read_file(path, AssignmentError)


def test_hostile_answers_files_cost_one_student_a_line(tmp_path):
    assignment = Assignment(id="a", title="A", questions=(Question("q1", "derivative"),))
    for name, text in [("laughs.yaml", LAUGHS), ("deep.json", "[" * 100_000 + "]" * 100_000)]:
        path = tmp_path / name
        path.write_text(text)
        answers, problems = read_answers(path, assignment)
        assert answers == {} and len(problems) == 1
        assert problems[0].startswith(f"{path}:") and "were not graded" in problems[0]


@pytest.mark.parametrize(("written", "value"), [
    ("1e-3", 0.001), ("-2E5", -200000.0), (".5", 0.5), ("no", "no"), ("on", "on"),
    ("true", True), ("010", 10), ("1:30", "1:30"), ("'1e-3'", "1e-3"), ("0x1F", 31),
])
def test_yaml_is_read_the_yaml_12_way(written, value):
    node = read_text(f"v: {written}\n", "a.yaml").get("v")
    assert node.value == value and type(node.value) is type(value)


def test_lines_of_every_format():
    toml = read_text('title = "T"\n\n[[questions]]\nid = "a"\n\n[[questions]]\nid = "b"\n',
                     "a.toml")
    assert toml.get("questions").items[1].key_lines["id"] == 7
    json_node = read_text('{\n "q": [\n  1,\n  {"x":\n   2}\n ]\n}', "a.json")
    assert json_node.get("q").items[1].line == 4 and json_node.get("q").items[1].key_lines["x"] == 4
    with pytest.raises(FileError) as caught:
        read_text("a: 1\nb: 2\na: 3\n", "a.yaml")
    assert caught.value.line == 3 and "appears twice" in str(caught.value)


def test_unknown_formats_and_missing_files(tmp_path):
    with pytest.raises(FileError, match="unknown file type '.txt'"):
        read_text("x", "a.txt")
    with pytest.raises(LessonError, match="file not found"):
        read_file(tmp_path / "none.yaml", LessonError)
    binary = Path(tmp_path / "b.yaml")
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(FileError, match="not UTF-8"):
        read_file(binary)
