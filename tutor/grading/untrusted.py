"""Text a student controls (names, printed output, exception messages), made safe to report.

Every report (JSON, CSV, JUnit XML, Gradescope's results.json), the gradebook and the
terminal summary show results through ``clean_result``: whatever a submission printed or
raised, the files stay valid and a rerun gives the same bytes.

- ANSI escape sequences are removed; other control characters (and the bidirectional
  overrides that reorder text on screen, and lone surrogates, which file names that are not
  UTF-8 decode to) become visible escapes such as ``\\x07``. Newlines and tabs stay.
- What changes from run to run is masked: the sandbox's random folder (``<sandbox>``),
  process ids (3 digits or more) printed after "pid" or "process", ``/proc/N``, the sandbox's user ids and
  object addresses (``at 0x7f...``).
- Each text is cut at ``MAX_CHARS``.

>>> clean("\\x1b[31mred\\x1b[0m \\x07 /tmp/tutor-sandbox-ab12cd34/solution.py pid 4242")
'red \\\\x07 <sandbox>/solution.py pid <pid>'
>>> spreadsheet_cell("=HYPERLINK(1)"), spreadsheet_cell("2x")
("'=HYPERLINK(1)", '2x')
"""

from __future__ import annotations

import dataclasses
import re

from tutor.grading.model import SubmissionResult

MAX_CHARS = 20_000
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
                     "\ud800-\udfff]")
_VARYING = (
    (re.compile(r"(?:[^\s'\"<>:]*/)?tutor-sandbox-[a-z0-9_]{8}"), "<sandbox>"),
    (re.compile(r"\b((?:pid|PID|Pid|process|Process)(?: id)?[\s:=#]*)\d{3,}\b"), r"\1<pid>"),
    (re.compile(r"/proc/\d+\b"), "/proc/<pid>"),
    (re.compile(r"\b1500\d{6}\b"), "<uid>"),  # the sandbox's user ids (SANDBOX_UID_BASE + n)
    (re.compile(r"\bat 0x[0-9a-fA-F]+\b"), "at <address>"),
)
#: What spreadsheets read as the start of a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(text: str) -> str:
    """``text`` safe for every report format and the terminal, and the same on every run."""
    text = _ANSI.sub("", text.replace("\r\n", "\n"))
    text = _UNSAFE.sub(_escape, text)
    for pattern, replacement in _VARYING:
        text = pattern.sub(replacement, text)
    if len(text) > MAX_CHARS:
        text = f"{text[:MAX_CHARS]}... ({len(text) - MAX_CHARS} more characters)"
    return text


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean_result(result: SubmissionResult) -> SubmissionResult:
    """``result`` with every text in it (feedback, problems, names) passed through ``clean``."""
    return _clean_value(result)


def _clean_value(value):
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, tuple):
        return tuple(_clean_value(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{
            f.name: _clean_value(getattr(value, f.name)) for f in dataclasses.fields(value)})
    return value


def spreadsheet_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading quote before anything that would
    start a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text
