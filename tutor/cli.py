"""The `tutor` command: argument parsing only, each command a few lines over the public API.

Nothing here imports torch or SymPy at module level, so `tutor --help` starts fast.
Exit codes: 0 right / ok, 1 wrong / disagrees, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from tutor.messages import text as message


def _print_json(data: dict) -> None:
    """Strict JSON: an infinite or undefined number (an error of inf, a NaN value) is null."""
    print(json.dumps(_finite(data), ensure_ascii=False, indent=2, allow_nan=False))


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _run_derive(args: argparse.Namespace) -> int:
    from tutor.numeric import format_point
    from tutor.parsing import parse, parse_point
    from tutor.render import inline, make_console
    from tutor.symbolic import derive, wrt_symbols

    expr = parse(args.expr)
    symbols = wrt_symbols(expr, args.wrt)
    if args.steps:
        from tutor.feedback.explanation import explain, format_derivation
        from tutor.feedback.tree import EXPLAIN_SECONDS, Deadline

        deadline = Deadline(EXPLAIN_SECONDS)  # one time bound for all the steps, printed
        derivations = [explain(expr, s, budget=deadline) for s in symbols]
        if args.json or args.format == "json":
            dicts = [d.to_dict(deadline) for d in derivations]
            _print_json(dicts[0] if len(dicts) == 1 else {"derivations": dicts})
        else:
            print("\n\n".join(format_derivation(d, args.format, budget=deadline)
                               for d in derivations))
        return 0
    results = derive(expr, list(symbols), order=args.order)
    point = parse_point(args.at) if args.at else None
    values = None
    if point is not None:
        subs = {s: point[s.name] for s in expr.free_symbols | set(symbols) if s.name in point}
        values = [r.subs(subs) for r in results]
    if args.json or args.format == "json":
        _print_json({
            "expression": str(expr), "wrt": [s.name for s in symbols], "order": args.order,
            "derivatives": [str(r) for r in results],
            "at": point, "values": None if values is None else [_number(v) for v in values]})
        return 0
    console = make_console()
    mark = "" if args.order == 1 else f"{args.order}"
    for i, (symbol, result) in enumerate(zip(symbols, results, strict=True)):
        console.print(f"d{_sup(mark)}/d{symbol.name}{_sup(mark)} ({inline(expr)}) = {inline(result)}")
        if values is not None:
            value = _number(values[i])
            shown = f"{value:.10g}" if isinstance(value, float) else inline(values[i])
            console.print("    " + message("value_at", point=format_point(point), value=shown))
    return 0


def _sup(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _order(text: str) -> int:
    """``--order``: a whole number from 1 to MAX_ORDER, else argparse's one-line error."""
    from tutor._limits import MAX_ORDER

    if not (text.isdigit() and 1 <= int(text) <= MAX_ORDER):
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_ORDER}, "
                                         f"got {text!r}")
    return int(text)


def _number(value: object) -> float | str:
    try:
        return float(value)
    except TypeError:
        return str(value)


def _run_check(args: argparse.Namespace) -> int:
    from tutor.check import check_answer
    from tutor.feedback import check_derivative
    from tutor.parsing import parse_point
    from tutor.render import make_console, verdict_lines

    if args.shapes is not None:
        verdict = _matrix_verdict(args)
    elif args.of is not None:
        at = parse_point(args.at) if args.at else None
        verdict = check_derivative(args.answer, args.of, args.wrt or "x", at=at)
    else:
        verdict = check_answer(args.answer, args.equals)
    if args.json:
        _print_json(verdict.to_dict())
    else:
        console = make_console()
        for line in verdict_lines(verdict):
            console.print(line)
    if verdict.unreadable:
        return 2  # the answer could not be read (or checked in time): unreadable input
    return 0 if verdict.correct else 1


def _matrix_verdict(args: argparse.Namespace):
    from tutor.errors import TutorError
    from tutor.feedback.matrix_mistakes import check_matrix_derivative
    from tutor.matrix.check import read_assignments

    if args.of is None or args.wrt is None or args.at is not None:
        raise TutorError("a matrix answer (--shapes) needs --of LOSS and --wrt VARIABLE, "
                         "and takes no --at")
    return check_matrix_derivative(
        args.answer, args.of, args.wrt, read_assignments(args.shapes, "--shapes"),
        read_assignments(args.given, "--given") if args.given else None,
        define=read_assignments(args.define, "--define") if args.define else None)


def _run_gradcheck(args: argparse.Namespace) -> int:
    from tutor.gradcheck import check_gradient
    from tutor.render import gradient_table, make_console, pairs_table

    report = check_gradient(args.expr, args.wrt, points=args.points, dtype=args.dtype, seed=args.seed,
                            backend=args.backend)
    if args.json:
        _print_json(report.to_dict())
    else:
        console = make_console()
        console.print(gradient_table(report))
        if len(report.pairs) > 1:
            console.print(pairs_table(report))
        mark = f"[green]{message('mark_ok')}[/]" if report.ok else f"[red]{message('mark_failed')}[/]"
        console.print(f"{mark}  {report.message}")
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    from tutor import __version__
    from tutor.messages import LANGUAGES

    parser = argparse.ArgumentParser(
        prog="tutor",
        description="Learn and check derivatives: SymPy derives, PyTorch autograd checks.",
        epilog="Run `tutor` alone for the lesson menu.")
    parser.add_argument("--version", action="version", version=f"tutor {__version__}")
    parser.add_argument("--lang", dest="top_lang", choices=LANGUAGES,
                        help="language of the lesson menu, and of the command after it when "
                             "that command is given none (`tutor --lang zh`)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    derive = commands.add_parser("derive", help="differentiate an expression")
    derive.add_argument("expr", help='the expression, e.g. "x^2 + x^3 + 5"')
    derive.add_argument("--wrt", default="x", help="variable(s), comma-separated (default x)")
    derive.add_argument("--at", help='evaluate at a point, e.g. "x=2" or "x=1, y=2"')
    derive.add_argument("--order", type=_order, default=1, help="order of the derivative (default 1)")
    derive.add_argument("--steps", action="store_true", help="show the derivation rule by rule")
    derive.add_argument("--format", choices=["text", "markdown", "latex", "json"], default="text")
    derive.add_argument("--json", action="store_true", help="machine-readable output")
    _language_option(derive)
    derive.set_defaults(run=_run_derive)

    check = commands.add_parser("check", help="check an answer (exit 0 right, 1 wrong)")
    check.add_argument("answer", help='your answer, e.g. "2x + 3x^2"')
    target = check.add_mutually_exclusive_group(required=True)
    target.add_argument("--of", help="the function whose derivative the answer should be")
    target.add_argument("--equals", help="an expression the answer should equal")
    check.add_argument("--wrt", help="variable(s) for --of, comma-separated (default x)")
    check.add_argument("--at", help="the answer is the derivative's value at this point")
    check.add_argument("--shapes", help='a matrix answer: the shapes, e.g. "X=n×d, w=d, y=n"')
    check.add_argument("--given", help='with --shapes: structure, e.g. "Y=one-hot"')
    check.add_argument("--define", help='with --shapes: named formulas, e.g. "P=softmax(X W)"')
    check.add_argument("--json", action="store_true", help="machine-readable output")
    _language_option(check)
    check.set_defaults(run=_run_check)

    gradcheck = commands.add_parser(
        "gradcheck", help="compare autograd with the symbolic gradient (exit 0 agree, 1 not)")
    gradcheck.add_argument("expr", help='the function, e.g. "(x^2+y-11)^2 + (x+y^2-7)^2"')
    gradcheck.add_argument("--wrt", required=True, help="variables, comma-separated")
    gradcheck.add_argument("--points", type=int, default=1000, help="random points (default 1000)")
    gradcheck.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    gradcheck.add_argument("--seed", type=int, default=0)
    gradcheck.add_argument(
        "--backend", choices=["torch", "tensorflow", "all"], default="torch",
        help="autodiff to check: PyTorch (default), TensorFlow, or all three of SymPy, PyTorch "
             'and TensorFlow against each other (TensorFlow: pip install "tutor[tensorflow]")')
    gradcheck.add_argument("--json", action="store_true", help="machine-readable output")
    _language_option(gradcheck)
    gradcheck.set_defaults(run=_run_gradcheck)

    for module in _subsystem_commands():
        module.register(commands)

    lint = commands.add_parser(
        "lint", help="check lesson and assignment files (default: the bundled lessons)")
    lint.add_argument("paths", nargs="*", metavar="PATH", help="files or directories")
    lint.set_defaults(run=_run_lint)
    return parser


def _language_option(command: argparse.ArgumentParser) -> None:
    from tutor.messages import LANGUAGES

    command.add_argument("--lang", choices=LANGUAGES,
                         help="language of the messages (default en)")


def _run_lint(args: argparse.Namespace) -> int:
    """Lessons and assignments in one command: the one place that knows both kinds."""
    from tutor.grading.lint import assignment_linter
    from tutor.lessons.commands import run_lint

    return run_lint(args, other_kinds=[assignment_linter])


def _subsystem_commands():
    """The lesson and grading command modules; each registers its own subcommands."""
    from tutor.grading import commands as grading
    from tutor.lessons import commands as lessons

    return lessons, grading


def main(argv: Sequence[str] | None = None) -> int:
    from tutor.errors import TutorError
    from tutor.messages import set_language

    args = build_parser().parse_args(argv)
    if args.command is None or hasattr(args, "lang"):
        args.lang = getattr(args, "lang", None) or args.top_lang
    if args.command in ("derive", "check", "gradcheck"):
        set_language(args.lang or "en")  # the lesson commands choose theirs (remembered, LANG)
    try:
        if getattr(args, "run", None) is None:
            from tutor.lessons.commands import default

            return default(args)
        return args.run(args)
    except TutorError as error:
        print(message("cli_error", error=error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n" + message("cli_interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:
    """The program (console script and ``python -m tutor``): :func:`main`, then exit at once.

    Python's own teardown of torch, SymPy and TensorFlow takes 0.3 s to seconds after the last
    line; by the time ``main`` returns every file is saved and the code worker stopped, so the
    output is flushed, the ``atexit`` handlers run, and the process ends without it.
    """
    import atexit
    import os

    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    run()
