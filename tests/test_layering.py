"""The layers of ../shared/DESIGN.md, held by reading every import in tutor/ with ``ast``.

face (cli, __main__) > consumers (lessons, grading, testing) > feedback > documents > sandbox >
core. The sandbox (the confined worker) sits low so that graded code and a learner's exercises
run in the same one.
A module may import its own layer or a lower one, never a higher one; lessons and grading never
import each other; and no two modules import each other, directly or round a longer circle.
Function-local (lazy) imports count as much as top-level ones; imports under
``if TYPE_CHECKING:`` (annotations only, never run) do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tutor"

#: (module prefix, layer name, rank): the first prefix that matches a module decides its layer.
LAYERS = (
    ("tutor.cli", "face", 6),
    ("tutor.__main__", "face", 6),
    ("tutor.lessons", "lessons", 5),
    ("tutor.grading", "grading", 5),
    ("tutor.testing", "testing", 5),
    ("tutor.feedback", "feedback", 4),
    ("tutor.documents", "documents", 3),
    ("tutor.sandbox", "sandbox", 2),
    ("tutor", "core", 1),
)
#: Consumers that share a rank but must not lean on each other.
SEPARATE = {("lessons", "grading"), ("grading", "lessons"), ("testing", "grading"),
            ("testing", "lessons"), ("lessons", "testing"), ("grading", "testing")}


def layer(module: str) -> tuple[str, int]:
    for prefix, name, rank in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return name, rank
    raise AssertionError(f"{module} is in no layer")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(module: str, path: Path) -> set[str]:
    """The tutor modules ``module`` imports anywhere in its file (the package itself excluded)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for guard in ast.walk(tree):
        if isinstance(guard, ast.If) and ast.unparse(guard.test).endswith("TYPE_CHECKING"):
            guard.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from tutor.lessons import display` imports the submodule tutor.lessons.display
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                     for a in node.names]
        else:
            continue
        found.update(name for name in names if name in MODULES and name != "tutor")
    found.discard(module)
    return found


GRAPH = {module: imported(module, path) for module, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_stay_in_their_layer(module):
    name, rank = layer(module)
    wrong = []
    for target in sorted(GRAPH[module]):
        target_name, target_rank = layer(target)
        if target_rank > rank or (name, target_name) in SEPARATE:
            wrong.append(f"{module} ({name}) imports {target} ({target_name})")
    assert not wrong, "\n".join(wrong)


def test_the_import_graph_has_no_circle():
    """Tarjan's strongly connected components: any component of two or more is a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            # a package importing its own submodules (re-exports) is not a circle of design
            if len(component) > 1 and not _package_and_children(component):
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert not circles, f"import circles: {circles}"


def _package_and_children(component: list[str]) -> bool:
    shortest = min(component, key=len)
    return all(m == shortest or m.startswith(shortest + ".") for m in component) and \
        Path(MODULES[shortest]).name == "__init__.py"


def test_the_rules_catch_a_core_module_reaching_up(tmp_path):
    """The checker itself can fail: a core module importing feedback is refused."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from tutor.feedback import check_derivative\n")
    targets = imported("tutor.bad", bad)
    assert targets == {"tutor.feedback"}
    assert layer("tutor.feedback")[1] > layer("tutor.check")[1]


def rendered_keys(path: Path) -> set[str]:
    """The catalogue keys a module renders through tutor.messages.text (however it is imported
    as); a key built as an f-string counts by its fixed start ('shape_op:' for
    f"shape_op:{kind}")."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.asname or alias.name for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module == "tutor.messages"
             for alias in node.names if alias.name == "text"}
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in names and node.args:
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.add(key.value)
            elif isinstance(key, ast.JoinedStr) and isinstance(key.values[0], ast.Constant):
                keys.add(key.values[0].value)
    return keys


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if layer(m)[0] == "core"))
def test_core_modules_render_only_the_core_messages(module):
    """Every key a core module renders is in the core table (tutor.catalogue.core), so its
    words exist in every language without anything from a layer above."""
    from tutor.catalogue import core

    keys = rendered_keys(MODULES[module])
    wrong = sorted(key for key in keys
                   if key not in core.MESSAGES and not any(k.startswith(key) for k in core.MESSAGES))
    assert not wrong, f"{module} renders keys that are not core messages: {wrong}"


def test_the_key_reader_sees_aliases_and_key_prefixes(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from tutor.messages import text as say\n"
                      "say('verdict_correct')\nsay(f'rule:{name}', 'zh')\nprint('no_key')\n")
    assert rendered_keys(module) == {"verdict_correct", "rule:"}
