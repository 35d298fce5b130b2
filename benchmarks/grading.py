"""How fast `tutor grade` is, against a naive grader measured in the same run.

1. Text answers: 300 students x 10 questions, graded end to end by the real command
   (`python -m tutor grade ... --jobs 2`, gradebook included), against a naive grader that
   parses each answer (safe parser) and asks ``simplify(answer - expected) == 0``. The naive
   grader is timed on a seeded sample and extrapolated (it is slow; the output says so).
2. Code answers: a class of students with Python solutions (gradient-code, manual-gradient,
   descent), graded with `--jobs 2`: submissions per second, and what one fresh sandboxed
   process costs forked from the warm zygote versus started cold.
3. With TensorFlow installed: the same class written with TensorFlow, what its zygote costs
   to start, and a fresh process from it, beside the torch-only zygote.
4. A class under attack: honest students plus one submission per attack in
   tests/data/attacks/ and a text answer too slow to check, against the same honest class
   alone (issue 11 asks for at most 2x): the torch attacks on a torch class, and every attack
   (TensorFlow's too) on a class where one student in four writes TensorFlow.

Run: .venv/bin/python benchmarks/grading.py [--students 300] [--naive-sample N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Each question: the function, and answers people write. Correct forms differ in shape,
# not only in spelling; mistakes are the classic ones; `unique` makes a one-off wrong answer.
QUESTIONS = [
    ("product", "x^2 sin(x)", "x",
     ["2x sin(x) + x^2 cos(x)", "x^2 cos(x) + 2x sin(x)", "x(2 sin(x) + x cos(x))"],
     ["2x cos(x)", "2x sin(x)", "x^2 cos(x)", "2x sin(x) - x^2 cos(x)"], "{k}x sin(x) + x^2 cos(x)"),
    ("chain", "sigmoid(3x + 1)", "x",
     ["3 sigmoid(3x+1)(1 - sigmoid(3x+1))", "3 exp(-3x-1)/(1 + exp(-3x-1))^2",
      "3 sigmoid(3x+1) - 3 sigmoid(3x+1)^2"],
     ["sigmoid(3x+1)(1 - sigmoid(3x+1))", "3 sigmoid(3x+1)", "sigmoid(3x+1)"],
     "{k} sigmoid(3x+1)(1 - sigmoid(3x+1))"),
    ("log", "log(1 + x^2)", "x", ["2x/(1 + x^2)", "2x (1 + x^2)^(-1)"],
     ["1/(1 + x^2)", "2x/(1 + x)^2", "2x log(1 + x^2)"], "{k}x/(1 + x^2)"),
    ("gauss", "exp(-x^2/2)", "x", ["-x exp(-x^2/2)", "-x e^(-x^2/2)"],
     ["exp(-x^2/2)", "-x^2 exp(-x^2/2)", "x exp(-x^2/2)"], "-{k}x exp(-x^2/2)"),
    ("tanh", "tanh(2x)", "x", ["2(1 - tanh(2x)^2)", "2/cosh(2x)^2", "2 - 2 tanh(2x)^2"],
     ["1 - tanh(2x)^2", "2 tanh(2x)", "2(1 + tanh(2x)^2)"], "{k}(1 - tanh(2x)^2)"),
    ("quotient", "(x^3 + 1)/x", "x", ["2x - 1/x^2", "(2x^3 - 1)/x^2", "3x - (x^3 + 1)/x^2"],
     ["3x^2", "2x + 1/x^2", "3x^2/x"], "{k}x - 1/x^2"),
    ("root", "sqrt(1 + x^2)", "x", ["x/sqrt(1 + x^2)", "x (1 + x^2)^(-1/2)"],
     ["1/(2 sqrt(1 + x^2))", "2x/sqrt(1 + x^2)", "x sqrt(1 + x^2)"], "{k}x/sqrt(1 + x^2)"),
    ("gradient", "x^2 y + sin(y)", "x, y", ["[2xy, x^2 + cos(y)]", "[2 x y, cos(y) + x^2]"],
     ["[2xy, x^2]", "[2x, x^2 + cos(y)]", "[2y, 2x + cos(y)]"], "[{k}xy, x^2 + cos(y)]"),
]
VALUES = [
    ("himmelblau", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "x, y", {"x": 1, "y": 1},
     ["[-46, -38]"], ["[-46, 38]", "[-36, -18]"]),
    ("slope", "sigmoid(x)", "x", {"x": 0}, ["0.25", "1/4"], ["0.5", "1"]),
]


def write_assignment(path: Path) -> None:
    lines = ["title: Benchmark class", "id: bench", "questions:"]
    for qid, function, wrt, *_ in QUESTIONS:
        lines.append(f"  - {{id: {qid}, type: derivative, function: '{function}', wrt: '{wrt}'}}")
    for qid, function, wrt, point, *_ in VALUES:
        at = ", ".join(f"{k}: {v}" for k, v in point.items())
        lines.append(f"  - {{id: {qid}, type: value, function: '{function}', wrt: '{wrt}', "
                     f"at: {{{at}}}, tolerance: 0.001}}")
    path.write_text("\n".join(lines) + "\n")


def respell(text: str, rng: random.Random) -> str:
    """The same expression typed differently (what a class does to one answer)."""
    choice = rng.random()
    if choice < 0.3:
        return text.replace("^", "**")
    if choice < 0.5:
        return text.replace(" ", "")
    if choice < 0.6:
        return text.replace("+", " + ").replace("  ", " ")
    return text


def student_answers(rng: random.Random) -> dict[str, object]:
    answers: dict[str, object] = {}
    for qid, _, _, correct, mistakes, unique in QUESTIONS:
        roll = rng.random()
        if roll < 0.55:
            text = respell(rng.choice(correct), rng)
        elif roll < 0.85:
            text = respell(rng.choice(mistakes), rng)
        elif roll < 0.95:
            text = unique.format(k=rng.randint(3, 60))
        elif roll < 0.98:
            text = "2x sin(x"  # unreadable
        else:
            continue  # unanswered
        answers[qid] = [p.strip() for p in text[1:-1].split(",")] if text.startswith("[") else text
    for qid, _, _, _, correct, mistakes in VALUES:
        text = rng.choice(correct if rng.random() < 0.6 else mistakes)
        answers[qid] = [p.strip() for p in text[1:-1].split(",")] if text.startswith("[") else text
    return answers


def make_class(root: Path, students: int, seed: int = 0) -> list[Path]:
    rng = random.Random(seed)
    folders = []
    for number in range(students):
        folder = root / f"student{number:03d}"
        folder.mkdir(parents=True)
        (folder / "answers.json").write_text(json.dumps(student_answers(rng)))
        folders.append(folder)
    return folders


def run_tutor(args: list[str], home: Path) -> float:
    env = {**os.environ, "TUTOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tutor", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def naive_grade(assignment, answers: list[tuple[str, object]]) -> tuple[float, list[bool]]:
    """Per answer: parse, then simplify(answer - expected) == 0 (no cache, one process)."""
    import sympy

    from tutor.errors import ParseError
    from tutor.grading.questions import expected_values
    from tutor.parsing import parse, symbol

    expected = {}
    for q in assignment.questions:
        if q.type == "derivative":
            expr = parse(q.function, list(q.variables))
            expected[q.id] = [sympy.diff(expr, symbol(w)) for w in q.wrt]
    verdicts = []
    start = time.perf_counter()
    for qid, answer in answers:
        question = assignment.question(qid)
        parts = answer if isinstance(answer, list) else [answer]
        try:
            if question.type == "value":
                right = all(abs(float(parse(str(p)).evalf()) - e) <= question.tolerance
                            for p, e in zip(parts, expected_values(question), strict=True))
            else:
                right = len(parts) == len(expected[qid]) and all(
                    sympy.simplify(parse(str(p), list(question.variables)) - e) == 0
                    for p, e in zip(parts, expected[qid], strict=True))
        except (ParseError, TypeError, ValueError):
            right = False
        verdicts.append(right)
    return time.perf_counter() - start, verdicts


def judge_every_answer(assignment, answers: list[tuple[str, object]]) -> float:
    """Seconds for tutor's checker on every answer with no verdict reused."""
    from tutor.grading import questions

    start = time.perf_counter()
    for qid, answer in answers:
        questions._grade_text_cached.cache_clear()
        questions.grade_text(assignment.question(qid), answer, seed=assignment.seed)
    return time.perf_counter() - start


def text_benchmark(work: Path, students: int, sample: int) -> None:
    from tutor.grading.loader import load_assignment

    assignment_path = work / "bench.yaml"
    write_assignment(assignment_path)
    folders = make_class(work / "class", students)
    all_answers = [(qid, answer) for f in folders
                   for qid, answer in json.loads((f / "answers.json").read_text()).items()]
    distinct_text = len({(q, json.dumps(a)) for q, a in all_answers})
    print(f"text answers: {students} students x {len(QUESTIONS) + len(VALUES)} questions = "
          f"{len(all_answers)} answers ({distinct_text} distinct texts)")

    command = ["grade", str(assignment_path), *map(str, folders), "--out", str(work / "out"), "--quiet"]
    single = run_tutor([*command, "--jobs", "1"], work / "home1")
    ours = run_tutor([*command, "--jobs", "2"], work / "home")
    print(f"  tutor grade --jobs 2 (end to end, process start and gradebook included): {ours:6.2f} s"
          f"  (--jobs 1: {single:.2f} s)")

    assignment = load_assignment(assignment_path)
    picked = random.Random(1).sample(all_answers, min(sample or len(all_answers), len(all_answers)))
    naive, verdicts = naive_grade(assignment, picked)
    naive_total = naive * len(all_answers) / len(picked)
    note = "" if len(picked) == len(all_answers) else \
        f" (measured on a seeded sample of {len(picked)} answers: {naive:.2f} s, extrapolated)"
    print(f"  naive simplify(a - b) == 0, one process: {naive_total:6.2f} s{note}")
    print(f"  speed-up: {naive_total / ours:5.1f}x  (against the naive grader on 2 cores: "
          f"{naive_total / 2 / ours:4.1f}x)")
    anew = judge_every_answer(assignment, picked)
    print(f"  where it comes from: tutor's checker judging every answer anew, one process: "
          f"{anew * len(all_answers) / len(picked):.2f} s ({naive / anew:.1f}x the naive grader); "
          f"the rest is judging each distinct answer once")
    graded = json.loads((work / "out" / "grades.json").read_text())["results"]
    ours_right = {(r["student"], q["id"]): q["status"] == "correct"
                  for r in graded for q in r["questions"]}
    lookup = {}
    for folder in folders:
        for qid, answer in json.loads((folder / "answers.json").read_text()).items():
            lookup.setdefault((qid, json.dumps(answer)), ours_right[(folder.name, qid)])
    pairs = [(lookup[(q, json.dumps(a))], v) for (q, a), v in zip(picked, verdicts, strict=True)]
    only_ours = sum(ours_says and not naive_says for ours_says, naive_says in pairs)
    only_naive = sum(naive_says and not ours_says for ours_says, naive_says in pairs)
    print(f"  verdicts that differ: {only_ours} answers right for tutor but not proven by "
          f"simplify(), {only_naive} the other way round (of {len(pairs)})")


CODE_ASSIGNMENT = """\
title: Code benchmark
id: code-bench
questions:
  - {id: loss, type: gradient-code, entry: loss, function: '(sigmoid(w x + b) - y)^2',
     variables: [w, b, x, y], wrt: [w, b], samples: 500}
  - {id: manual, type: manual-gradient, entry: grad, function: '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
     variables: [x, y]}
  - {id: descent, type: descent, entry: step, function: '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
     variables: [x, y], start: [0, 0], lr: 0.001, steps: 100}
"""
CODE = """\
import numpy as np
import torch


def loss(w, b, x, y):
    return (torch.sigmoid(w * x + b) - y) ** {power}


def grad(x, y):
    a = x**2 + y - 11
    b = x + y**2 - 7
    return 4 * x * a + 2 * b, 2 * a + {factor} * y * b


def step(p, lr):
    f = (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2
    (g,) = torch.autograd.grad(f, [p])
    return p.detach() - lr * g
"""


TF_CODE = """\
import tensorflow as tf


def loss(w, b, x, y):
    return (tf.math.sigmoid(w * x + b) - y) ** {power}


def grad(x, y):
    a = x**2 + y - 11
    b = x + y**2 - 7
    return 4 * x * a + 2 * b, 2 * a + {factor} * y * b


def step(p, lr):
    with tf.GradientTape() as tape:
        f = (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2
    p.assign_sub(lr * tape.gradient(f, p))
"""


def grade_class(work: Path, name: str, template: str, students: int) -> tuple[float, float]:
    """Seconds to grade ``students`` submissions of ``template`` with --jobs 1 and --jobs 2."""
    assignment = work / "code.yaml"
    assignment.write_text(CODE_ASSIGNMENT)
    rng = random.Random(2)
    folders = []
    for number in range(students):
        folder = work / name / f"student{number:03d}"
        folder.mkdir(parents=True)
        (folder / "solution.py").write_text(template.format(power=rng.choice([2, 2, 2, 3]),
                                                            factor=rng.choice([4, 4, 2])))
        folders.append(folder)
    command = ["grade", str(assignment), *map(str, folders), "--out", str(work / f"{name}-out"),
               "--quiet", "--no-gradebook"]
    return (run_tutor([*command, "--jobs", "1"], work / "home"),
            run_tutor([*command, "--jobs", "2"], work / "home"))


def fresh_process(**preload) -> tuple[float, float]:
    """Seconds for a zygote to start (median of 3), and for a fresh process forked from it
    (median of 20)."""
    from tutor.sandbox import Limits, Sandbox

    ready, warm = [], []
    for attempt in range(3):
        with Sandbox(Limits(), **preload) as sandbox:
            start = time.perf_counter()
            sandbox.session({}).close()  # the zygote starts once per grader process
            ready.append(time.perf_counter() - start)
            for _ in range(20 if attempt == 0 else 0):
                start = time.perf_counter()
                sandbox.session({"solution.py": b""}).close()
                warm.append(time.perf_counter() - start)
    return statistics.median(ready), statistics.median(warm)


def code_benchmark(work: Path, students: int) -> None:
    single, elapsed = grade_class(work, "torch-class", CODE, students)
    print(f"code answers: {students} submissions x 3 code questions, --jobs 2: {elapsed:.2f} s "
          f"end to end = {students / elapsed:.1f} submissions/s "
          f"(--jobs 1: {students / single:.1f} submissions/s)")

    cold = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy, torch"], check=True)
        cold.append(time.perf_counter() - start)
    _, warm = fresh_process(torch=True)
    print(f"  a fresh confined process from the warm zygote: {warm * 1000:.0f} ms "
          f"(median of 20); a cold `python -c 'import numpy, torch'`: "
          f"{statistics.median(cold) * 1000:.0f} ms: {statistics.median(cold) / warm:.0f}x")


def tensorflow_benchmark(work: Path, students: int) -> None:
    from tutor.lowering import TENSORFLOW

    if not TENSORFLOW.installed():
        print("TensorFlow: not installed, not measured")
        return
    torch_single, torch_jobs = grade_class(work, "torch-class-again", CODE, students)
    single, elapsed = grade_class(work, "tf-class", TF_CODE, students)
    print(f"TensorFlow code answers: the same {students} submissions written with TensorFlow, --jobs 2: "
          f"{elapsed:.2f} s = {students / elapsed:.1f} submissions/s (--jobs 1: {students / single:.1f}/s); "
          f"torch in this run: {students / torch_jobs:.1f}/s (--jobs 1: {students / torch_single:.1f}/s)")
    torch_ready, torch_fresh = fresh_process(torch=True)
    tf_ready, tf_fresh = fresh_process(torch=True, tensorflow=True)
    print(f"  zygote start: numpy + torch {torch_ready:.2f} s, numpy + torch + TensorFlow {tf_ready:.2f} s; a fresh "
          f"process from it: {torch_fresh * 1000:.0f} ms, with TensorFlow {tf_fresh * 1000:.0f} ms "
          "(each child starts its own TensorFlow runtime)")


ATTACKS = ROOT / "tests" / "data" / "attacks"  # the attack submissions, their assignment, an honest one


def attack_benchmark(work: Path, students: int) -> None:
    """Seconds to grade ``students`` honest submissions with --jobs 2, alone and with every
    attack of tests/data/attacks/ (one submission each) and a hanging text answer added: the
    torch attacks on a torch class, then (with TensorFlow installed) every attack, the
    TensorFlow ones too, on a class where one student in four writes TensorFlow (the
    question accepts either, and only such a class starts TensorFlow's zygotes anyway)."""
    from tutor.lowering import TENSORFLOW

    assignment = work / "attacked.yaml"
    assignment.write_text((ATTACKS / "assignment.yaml").read_text())

    def submission(name: str, code: str, answer: str = "2x sin(x) + x^2 cos(x)") -> str:
        folder = work / "attack-class" / name
        folder.mkdir(parents=True)
        (folder / "solution.py").write_text(code)
        (folder / "answers.yaml").write_text(f"d1: {answer}\n")
        return str(folder)

    honest_code = (ATTACKS / "honest" / "solution.py").read_text()
    tensorflow_code = (ATTACKS / "honest" / "tensorflow_solution.py").read_text()
    files = sorted(ATTACKS.glob("*.py"))
    options = ["--quiet", "--no-gradebook", "--jobs", "2", "--out"]
    classes = [("torch", 0, [path for path in files if "tensorflow" not in path.read_text()])]
    if TENSORFLOW.installed():
        classes.append(("mixed", 4, files))
    for kind, every, attack_files in classes:
        honest = [submission(f"{kind}-student{n:03d}", tensorflow_code if every and n % every == 0
                             else honest_code) for n in range(students)]
        attacks = [submission(f"{kind}-{path.stem}", path.read_text()) for path in attack_files]
        attacks.append(submission(f"{kind}-hanging-answer", honest_code, "x + sin(exp(exp(exp(5))))"))
        alone = run_tutor(["grade", str(assignment), *honest, *options, str(work / f"{kind}-honest-out")],
                          work / "home")
        attacked = run_tutor(["grade", str(assignment), *honest, *attacks, *options,
                              str(work / f"{kind}-attacked-out")], work / "home")
        graded = json.loads((work / f"{kind}-attacked-out" / "grades.json").read_text())["results"]
        who = ("the torch attacks on a torch class" if kind == "torch" else
               "every attack (TensorFlow's too) on a class where 1 in 4 writes TensorFlow")
        print(f"a class under attack, {who}: {students} honest submissions + {len(attacks)} attacks "
              f"(a hanging text answer among them), --jobs 2: {attacked:.2f} s; the honest class "
              f"alone: {alone:.2f} s: {attacked / alone:.2f}x; students graded: {len(graded)} of "
              f"{students + len(attacks)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--naive-sample", type=int, default=0, help="0: every answer")
    parser.add_argument("--code-students", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        text_benchmark(Path(work), args.students, args.naive_sample)
        code_benchmark(Path(work), args.code_students)
        tensorflow_benchmark(Path(work), args.code_students)
        attack_benchmark(Path(work), args.code_students)


if __name__ == "__main__":
    main()
