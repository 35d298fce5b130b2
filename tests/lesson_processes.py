"""The real `python -m tutor` for lesson tests: in a pseudo-terminal (pexpect) or with pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(home: Path, lang: str = "en_US.UTF-8") -> dict[str, str]:
    # pexpect answers no cursor-position requests: tell prompt_toolkit not to send them
    env = {**os.environ, "TUTOR_HOME": str(home), "NO_COLOR": "1", "LANG": lang,
           "PYTHONPATH": str(ROOT), "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("LC_ALL", None)
    return env


def spawn(home: Path, *args: str, lang: str = "en_US.UTF-8", size=(24, 80)):
    """`tutor ARGS` in an 80x24 pseudo-terminal."""
    import pexpect

    return pexpect.spawn(sys.executable, ["-m", "tutor", *args], cwd=str(ROOT),
                         env=environment(home, lang), dimensions=size, encoding="utf-8", timeout=60)


def run_tutor(*args: str, home: Path, input_text: str | None = "") -> subprocess.CompletedProcess:
    """`tutor ARGS` with pipes (standard input is not a terminal)."""
    return subprocess.run([sys.executable, "-m", "tutor", *args], cwd=str(ROOT),
                          env=environment(home), input=input_text, capture_output=True, text=True,
                          timeout=120)


def saved(home: Path) -> dict:
    """The progress file's content."""
    return json.loads((home / "progress.json").read_text())
