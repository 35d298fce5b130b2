"""Pure printers: a SymPy expression as elementwise code text, one class per array library.

As SymPy's own printers, they only turn an expression into text; running it is the
backends' work (:mod:`tutor.lowering.backends`). Each lowers a whitelist: constants (as
Python floats), symbols, + * **, comparisons, logic, Piecewise, Max/Min and the functions
in its ``templates``; any other node raises ``Unsupported``, never printing a wrong function.
The per-library tables below are parallel by design.

>>> import sympy
>>> TorchPrinter(["x"]).doprint(sympy.sin(sympy.Symbol("x")) + 2)
'torch.sin(x) + 2.0'
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any, ClassVar

import sympy
from sympy import Piecewise, S, Symbol
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import AbstractPythonCodePrinter

from tutor.functions import sigmoid, softplus

#: f(u) = 1 / g(u), and f(u) = g(1 / u): lowered through the library's g.
_RECIPROCAL = {sympy.cot: sympy.tan, sympy.sec: sympy.cos, sympy.csc: sympy.sin,
               sympy.coth: sympy.tanh, sympy.sech: sympy.cosh, sympy.csch: sympy.sinh}
_INVERSE_RECIPROCAL = {sympy.acot: sympy.atan, sympy.asec: sympy.acos, sympy.acsc: sympy.asin,
                       sympy.acoth: sympy.atanh, sympy.asech: sympy.acosh, sympy.acsch: sympy.asinh}

#: Functions that PyTorch names as SymPy does (and NumPy too, but for arcsin, ...).
_ELEMENTARY = (sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan, sympy.asin, sympy.acos,
               sympy.atan, sympy.sinh, sympy.cosh, sympy.tanh, sympy.asinh, sympy.acosh,
               sympy.atanh, sympy.floor)

#: Max and Min as plain functions of the same names while code is generated: SymPy's own
#: compare their arguments whenever a tree holding them is rebuilt (CSE rebuilds every node),
#: which takes seconds for a few nested relus.
INERT = {f: type(f.__name__, (sympy.Function,), {}) for f in (sympy.Max, sympy.Min)}


class Unsupported(Exception):
    """Raised by a printer on a node it has no lowering for; turned into a LoweringError."""

    def __init__(self, node: sympy.Basic):
        super().__init__(node)
        self.node = node


class ArrayPrinter(AbstractPythonCodePrinter):
    """Elementwise code for one array library. Subclasses name the library's functions.

    A printer is made for one list of variables (the generated function's arguments).
    ``evaluating`` is the constant being evaluated right now (for a message when that
    takes too long).
    """

    printmethod = "_tutor_array_code"  # no SymPy class defines it: every node comes through here
    module: ClassVar[str]  # the name the generated code uses for the library
    templates: ClassVar[dict[type, str]]  # SymPy function -> code, arguments as {0}, {1}
    where: ClassVar[str]
    maximum: ClassVar[str]
    minimum: ClassVar[str]
    logical: ClassVar[dict[type, str]]
    nan: ClassVar[str]
    inf: ClassVar[str]
    #: Names the generated code uses besides ``module``: no variable may take them.
    reserved: ClassVar[tuple[str, ...]] = ()
    #: Nodes whose printed argument appears more than once: it is made a temporary first.
    hoisted: ClassVar[tuple[type, ...]] = ()
    _structural = frozenset({sympy.Add, sympy.Mul, sympy.Pow, sympy.And, sympy.Or, sympy.Not,
                             Piecewise, *INERT.values()})

    def __init__(self, variables: Sequence[str] = ()) -> None:
        super().__init__({"fully_qualified_modules": True, "inline": True, "strict": False})
        self.variables = tuple(variables)
        self.evaluating: sympy.Expr | None = None

    # -- dispatch -----------------------------------------------------------------------------
    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, sympy.Expr) and not expr.is_Symbol and expr.is_number:
            return self._print_constant(expr)
        if isinstance(expr, sympy.Basic):
            kind = type(expr)
            template = self.templates.get(kind)
            if template is not None and all(f"{{{i}}}" in template for i in range(len(expr.args))):
                return template.format(*map(self._print_operand, expr.args))
            if template is not None or not (
                    kind in self._structural or isinstance(expr, (Symbol, Relational, BooleanAtom))):
                raise Unsupported(expr)
        return super()._print(expr, **kwargs)

    def _print_operand(self, expr: sympy.Basic) -> str:
        return self._array_operand(expr) if expr.is_number else self._print(expr)

    def _array_operand(self, expr: sympy.Expr) -> str:
        """A constant where the library needs an array operand (not a bare Python float)."""
        return self._print_constant(expr)

    def _print_constant(self, expr: sympy.Expr) -> str:
        """A real constant as a Python float literal; a non-real one is NaN (undefined here)."""
        self.evaluating = expr
        number = _constant_value(expr)
        self.evaluating = None
        if math.isnan(number):
            return self.nan
        if math.isinf(number):
            return self.inf if number > 0 else f"-{self.inf}"
        return repr(number)

    def parenthesize(self, item: Any, level: int, strict: bool = False) -> str:
        if isinstance(item, sympy.Expr) and item.is_number:  # a literal: only a sign needs them
            text = self._print(item)
            return f"({text})" if text.startswith("-") else text
        return super().parenthesize(item, level, strict)

    # -- structure ----------------------------------------------------------------------------
    def _print_Symbol(self, expr: Symbol) -> str:
        if not expr.name.isidentifier():  # names are validated before; never let one become code
            raise Unsupported(expr)
        return expr.name

    _print_Dummy = _print_Symbol  # matched by name, like every symbol

    def _print_Add(self, expr: sympy.Add, order: Any = None) -> str:
        rest, constant = _split_constants(expr)
        if constant is None:
            return super()._print_Add(expr, order)
        text = self._print_constant(constant)
        sign, text = ("-", text[1:]) if text.startswith("-") else ("+", text)
        return f"{self._print(sympy.Add(*rest))} {sign} {text}"

    def _print_Mul(self, expr: sympy.Mul) -> str:
        rest, constant = _split_constants(expr)
        if constant is None:
            return super()._print_Mul(expr)
        factors = self.parenthesize(sympy.Mul(*rest), PRECEDENCE["Mul"], strict=False)
        return f"{self._print_constant(constant)}*{factors}"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, power = expr.args
        if power == S.Half:
            return f"{self.module}.sqrt({self._print(base)})"
        if power == -S.Half:
            return f"(1.0/{self.module}.sqrt({self._print(base)}))"
        base_text = self.parenthesize(base, PRECEDENCE["Pow"], strict=False)
        if power == -1:
            return f"1.0/{base_text}"
        if power.is_Integer:
            return f"{base_text}**{int(power)}" if power > 0 else f"{base_text}**({int(power)})"
        return f"{base_text}**{self.parenthesize(power, PRECEDENCE['Pow'], strict=False)}"

    def _print_Relational(self, expr: Relational) -> str:
        if expr.rel_op not in ("==", "!=", "<", "<=", ">", ">="):
            raise Unsupported(expr)
        return f"({self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)})"

    def _fold(self, function: str, args: Sequence[sympy.Basic]) -> str:
        printed = [self._print_operand(arg) for arg in sorted(args, key=lambda a: a.is_number)]
        return functools.reduce(lambda left, right: f"{function}({left}, {right})", printed)

    def _print_And(self, expr: sympy.And) -> str:
        return self._fold(self.logical[sympy.And], expr.args)

    def _print_Or(self, expr: sympy.Or) -> str:
        return self._fold(self.logical[sympy.Or], expr.args)

    def _print_Not(self, expr: sympy.Not) -> str:
        return f"{self.logical[sympy.Not]}({self._print(expr.args[0])})"

    def _print_Max(self, expr: sympy.Max) -> str:
        return self._fold(self.maximum, expr.args)

    def _print_Min(self, expr: sympy.Min) -> str:
        return self._fold(self.minimum, expr.args)

    def _print_Piecewise(self, expr: Piecewise) -> str:
        """Nested ``where``, first condition outermost; NaN where no condition holds."""
        pieces = list(expr.args)
        if pieces[-1].cond == S.true:
            value = pieces.pop().expr
            result, constant = self._print(value), value.is_number
        else:
            result, constant = self.nan, True
        for value, condition in reversed(pieces):
            both_constant = constant and value.is_number
            chosen = self._branch(value, both_constant)
            result = f"{self.where}({self._print(condition)}, {chosen}, {result})"
            constant = both_constant
        return result

    def _branch(self, value: sympy.Expr, both_constant: bool) -> str:
        """The value chosen where a Piecewise condition holds; an array if the other is not."""
        return self._array_operand(value) if both_constant else self._print(value)


def _numpy_name(function: type) -> str:
    name = function.__name__
    return "arc" + name[1:] if name.startswith("a") else name  # asin -> arcsin, ...


def _elementwise(names: dict[type, str]) -> dict[type, str]:
    """Templates for one-argument functions, with the reciprocal trig family derived."""
    templates = {function: f"{name}({{0}})" for function, name in names.items()}
    templates |= {f: f"(1.0/{names[g]}({{0}}))" for f, g in _RECIPROCAL.items()}
    templates |= {f: f"{names[g]}(1.0/({{0}}))" for f, g in _INVERSE_RECIPROCAL.items()}
    return templates


def _dirac_delta(where: str, absolute: str, sign: str, nan: str) -> str:
    """0 away from 0 (with a graph, zero gradient), undefined at 0: the argument is hoisted."""
    return f"{where}({absolute}({{0}}) > 0.0, 0.0*{sign}({{0}}), {nan})"


class AutodiffPrinter(ArrayPrinter):
    """Code for a library with automatic differentiation: every lowering keeps the graph
    (piecewise-constant parts give a zero gradient)."""

    sign: ClassVar[str]
    hoisted = (sympy.Heaviside, sympy.sign, sympy.DiracDelta)
    _structural = ArrayPrinter._structural | {sympy.Heaviside, sympy.sign}

    def _sign(self, arg: str) -> str:
        """sign of ``arg``, a name (see ``hoisted``): NaN for NaN, as in SymPy."""
        return f"{self.sign}({arg})"

    def _print_sign(self, expr: sympy.sign) -> str:
        return self._sign(self._print(expr.args[0]))

    def _print_Heaviside(self, expr: sympy.Heaviside) -> str:
        """0, 1/2, 1 from the sign: unlike the libraries' heaviside it has a (zero) gradient."""
        arg = self._print(expr.args[0])
        step = f"(0.5*{self._sign(arg)} + 0.5)"
        at_zero = expr.args[1] if len(expr.args) > 1 else S.Half
        if at_zero == S.Half:
            return step
        return f"{self.where}({arg} == 0.0, {self._print_operand(at_zero)}, {step})"


class TorchPrinter(AutodiffPrinter):
    """PyTorch code."""

    module = "torch"
    sign = "torch.sign"
    nan = "torch.nan"
    inf = "torch.inf"
    templates = _elementwise({f: f"torch.{f.__name__}" for f in _ELEMENTARY} | {
        sympy.Abs: "torch.abs", sympy.ceiling: "torch.ceil", sympy.erf: "torch.erf",
        sympy.erfc: "torch.erfc", sigmoid: "torch.sigmoid",
    }) | {
        sympy.DiracDelta: _dirac_delta("torch.where", "torch.abs", "torch.sign", "torch.nan"),
        # past 30 the default threshold=20 would cut float64 accuracy; exp(30) fits float32
        softplus: "torch.nn.functional.softplus({0}, threshold=30.0)",
        sympy.atan2: "torch.atan2({0}, {1})",
    }
    where = "torch.where"
    maximum = "torch.maximum"
    minimum = "torch.minimum"
    logical = {sympy.And: "torch.logical_and", sympy.Or: "torch.logical_or",
               sympy.Not: "torch.logical_not"}

    def _array_operand(self, expr: sympy.Expr) -> str:
        # float64 and 0-dimensional: it takes the dtype of the tensors it meets
        return f"torch.tensor({self._print_constant(expr)}, dtype=torch.float64)"

    def _sign(self, arg: str) -> str:
        # torch.sign(nan) is 0; SymPy's sign(nan) is nan.
        return f"torch.where({arg} == {arg}, torch.sign({arg}), {arg})"


class TensorFlowPrinter(AutodiffPrinter):
    """TensorFlow code. TensorFlow never converts between float types, and a Python float it
    meets first becomes float32, so constants that stand as array operands take the dtype of
    the first variable (the backend has cast every input to one dtype)."""

    module = "tf"
    sign = "tf.math.sign"  # NaN for NaN already
    nan = 'float("nan")'
    inf = 'float("inf")'
    reserved = ("float",)
    templates = _elementwise({f: f"tf.math.{f.__name__}" for f in _ELEMENTARY} | {
        sympy.Abs: "tf.math.abs", sympy.ceiling: "tf.math.ceil", sympy.erf: "tf.math.erf",
        sympy.erfc: "tf.math.erfc", sigmoid: "tf.math.sigmoid", softplus: "tf.math.softplus",
    }) | {
        sympy.DiracDelta: _dirac_delta("tf.where", "tf.math.abs", "tf.math.sign", nan),
        sympy.atan2: "tf.math.atan2({0}, {1})",
    }
    where = "tf.where"
    maximum = "tf.maximum"
    minimum = "tf.minimum"
    logical = {sympy.And: "tf.math.logical_and", sympy.Or: "tf.math.logical_or",
               sympy.Not: "tf.math.logical_not"}

    def _array_operand(self, expr: sympy.Expr) -> str:
        if not self.variables:
            return self._print_constant(expr)
        return f"tf.constant({self._print_constant(expr)}, {self.variables[0]}.dtype)"

    def _branch(self, value: sympy.Expr, both_constant: bool) -> str:
        # tf.where's first value fixes its dtype: never a bare Python float there
        return self._print_operand(value)


class NumPyPrinter(ArrayPrinter):
    """NumPy float64 code."""

    module = "_numpy"  # no variable can start with '_': every name is free (code never shown)
    nan = "_numpy.nan"
    inf = "_numpy.inf"
    templates = _elementwise({f: f"_numpy.{_numpy_name(f)}" for f in _ELEMENTARY} | {
        sympy.Abs: "_numpy.absolute", sympy.ceiling: "_numpy.ceil", sympy.sign: "_numpy.sign",
    }) | {
        sigmoid: "(1.0/(1.0 + _numpy.exp(-({0}))))",
        softplus: "_numpy.logaddexp(0.0, {0})",
        sympy.Heaviside: "_numpy.heaviside({0}, {1})",
        sympy.DiracDelta: "_numpy.where(_numpy.abs({0}) > 0.0, 0.0, _numpy.nan)",
        sympy.atan2: "_numpy.arctan2({0}, {1})",
    }
    where = "_numpy.where"
    maximum = "_numpy.maximum"
    minimum = "_numpy.minimum"
    logical = {sympy.And: "_numpy.logical_and", sympy.Or: "_numpy.logical_or",
               sympy.Not: "_numpy.logical_not"}


def _constant_value(expr: sympy.Expr) -> float:
    """The float nearest to a constant expression; NaN when it is not a real number."""
    value = expr.evalf(30)
    if value is S.NaN or value is S.ComplexInfinity:
        return math.nan
    real, imag = value.as_real_imag()
    if not (real.is_Number and imag.is_Number):
        raise Unsupported(expr)
    return math.nan if imag != 0 else float(real)


def _split_constants(expr: sympy.Basic) -> tuple[list[sympy.Basic], sympy.Expr | None]:
    """The non-constant arguments of a sum (product) and, if worth folding, its constant part.

    ``x/2*sqrt(2)/sqrt(pi)`` prints as ``0.3989...*x``: one literal, rounded once.
    """
    constants = [arg for arg in expr.args if arg.is_number]
    if len(constants) < 2 and all(arg.is_Number for arg in constants):
        return list(expr.args), None
    return [arg for arg in expr.args if not arg.is_number], expr.func(*constants)
