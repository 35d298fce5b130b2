"""Grading code written with TensorFlow: the GradientTape path, the choice of framework per
question, the zygote that preloads TensorFlow only for code that needs it.

Tests that run TensorFlow take the ``tf`` fixture (tests/conftest.py): skipped with the reason
without the ``tensorflow`` extra, failing instead when TUTOR_REQUIRE_TENSORFLOW=1 (CI). They
share one torch zygote and one TensorFlow zygote (the latter takes seconds to start).
"""

from pathlib import Path

import pytest

from tutor.grading.grader import _Sandboxes, grade_submission, needs_tensorflow
from tutor.grading.loader import load_assignment
from tutor.grading.model import Assignment, Question
from tutor.grading.questions import StudentCode, grade_code
from tutor.grading.submissions import collect
from tutor.sandbox import StudentCodeError

EXAMPLES = Path(__file__).parents[2] / "examples"
EXAMPLE = load_assignment(EXAMPLES / "assignment.yaml")
LOSS = Question(id="loss", type="gradient-code", entry="loss", function="x sin(y)",
                variables=("x", "y"), wrt=("x", "y"))
TF_LOSS = "import tensorflow as tf\n\ndef loss(x, y):\n    return x * tf.math.sin(y)\n"
TORCH_LOSS = "import torch\n\ndef loss(x, y):\n    return x * torch.sin(y)\n"


@pytest.fixture(scope="module")
def sandboxes(tf):
    shared = _Sandboxes(EXAMPLE)
    yield shared
    shared.close()


def grade(sandboxes, source: str, question: Question = LOSS, **fields):
    question = Question(**{**question.__dict__, **fields})
    code = StudentCode(sandboxes, {"solution.py": source.encode()}, "solution")
    try:
        return grade_code(question, code, seed=0, timeout=10)
    finally:
        code.close()


def call(sandboxes, source: str, request: dict):
    """One request to ``f`` in a fresh process of the TensorFlow zygote."""
    files = {"solution.py": f"import tensorflow as tf\n{source}".encode()}
    with sandboxes(files).session(files) as session:
        session.load("solution")
        try:
            return session.request({"op": "call", "entry": "f", **request})
        except StudentCodeError as error:
            return error


# ---------------------------------------------------------------- which zygote (no TensorFlow needed)


def test_only_code_that_imports_tensorflow_or_a_tensorflow_question_needs_its_zygote():
    def needs(source: str, *questions: Question) -> bool:
        return needs_tensorflow(Assignment("a", "A", questions), {"solution.py": source.encode()})

    assert needs("import numpy as np, tensorflow as tf\n") and needs("    from keras import ops\n")
    assert needs("from tensorflow.math import sin\n")
    assert not needs(TORCH_LOSS, LOSS) and not needs("# import tensorflow\nx = 'import keras'\n")
    assert not needs("import tensorflow_probability_fake\n")
    assert needs(TORCH_LOSS, Question(**{**LOSS.__dict__, "framework": "tensorflow"}))
    assert not needs_tensorflow(EXAMPLE, {"notes.txt": b"import tensorflow"})


def test_without_tensorflow_its_students_get_a_clear_error(monkeypatch):
    from tutor.lowering import TENSORFLOW

    monkeypatch.setattr(TENSORFLOW, "installed", lambda: False)
    sandboxes = _Sandboxes(EXAMPLE)
    result = grade(sandboxes, TF_LOSS)
    assert result.status == "error" and 'pip install "tutor[tensorflow]"' in result.feedback
    assert sandboxes.sandboxes == {}  # nothing was started for it


# ---------------------------------------------------------------- the sample class


def test_the_tensorflow_students_of_the_sample_class(sandboxes):
    submissions = {s.student: s for s in collect([EXAMPLES / "submissions" / name
                                                  for name in ("alice", "grace", "heidi")])}
    alice = grade_submission(EXAMPLE, submissions["alice"], sandboxes)
    assert set(sandboxes.sandboxes) == {False}  # torch code never pays for TensorFlow
    grace = grade_submission(EXAMPLE, submissions["grace"], sandboxes)
    assert set(sandboxes.sandboxes) == {False, True}
    assert alice.score == grace.score == grace.max_score == 25
    loss = {q.id: q for q in grace.questions}["logistic-loss"]
    assert "The GradientTape gradient matches the symbolic gradient at 500 points" in loss.feedback

    heidi = {q.id: q for q in grade_submission(EXAMPLE, submissions["heidi"], sandboxes).questions}
    assert heidi["logistic-loss"].score == 2  # the values, not the gradient
    assert "GradientTape gradient is (0, " in heidi["logistic-loss"].feedback
    assert "the tape lost track" in heidi["logistic-loss"].feedback
    assert heidi["himmelblau-gradient"].status == "correct"
    assert "never converts between float32 and float64" in heidi["descent-step"].feedback
    assert "tape.gradient gives None for what the tape did not watch" in heidi["descent-loop"].feedback


# ---------------------------------------------------------------- one question, either framework


def test_auto_accepts_either_framework_for_the_same_question(sandboxes):
    both = TF_LOSS.replace("import tensorflow as tf", "import tensorflow as tf\nimport torch")
    decorated = both.replace("def loss", "@tf.function\ndef loss")  # found through python_function
    for source in (TF_LOSS, TORCH_LOSS, both, both.replace("tf.math.sin", "torch.sin"), decorated):
        result = grade(sandboxes, source)
        assert result.status == "correct", (source, result.feedback)
    assert "GradientTape" in grade(sandboxes, both).feedback
    assert "GradientTape" in grade(sandboxes, decorated).feedback
    assert "autograd" in grade(sandboxes, both.replace("tf.math.sin", "torch.sin")).feedback


def test_a_question_may_ask_for_one_framework(sandboxes):
    result = grade(sandboxes, TORCH_LOSS, framework="tensorflow")
    assert result.status == "error" and "This question asks for TensorFlow; your loss uses torch" in result.feedback
    result = grade(sandboxes, TF_LOSS, framework="torch")
    assert "This question asks for torch; your loss uses TensorFlow" in result.feedback
    helper = "import tensorflow as tf\n\ndef wave(y):\n    return tf.sin(y)\n\ndef loss(x, y):\n    return x * wave(y)\n"
    assert grade(sandboxes, helper, framework="tensorflow").status == "correct"  # found through wave


def test_a_framework_neutral_loss_runs_under_the_one_asked_for(sandboxes):
    neutral = "import tensorflow\n\ndef loss(x, y):\n    return x * y\n"
    result = grade(sandboxes, neutral, function="x y", framework="tensorflow")
    assert result.status == "correct" and "GradientTape" in result.feedback


def test_float32_tensorflow_is_judged_with_the_float32_tolerance(sandboxes):
    source = TF_LOSS.replace("x * tf.math.sin(y)", "tf.cast(x, tf.float32) * tf.math.sin(tf.cast(y, tf.float32))")
    reply = call(sandboxes, source.replace("import tensorflow as tf\n", "").replace("loss", "f"),
                 {"mode": "gradient", "framework": "auto", "args": [[1.0], [2.0]], "grad": [True, True]})
    assert reply["framework"] == "tensorflow" and reply["dtype"] == "float32"
    assert grade(sandboxes, source).status == "correct"


def test_mixing_float32_into_float64_math_is_explained(sandboxes):
    result = grade(sandboxes, TF_LOSS.replace("x * tf", "tf.constant(2.0) * x * tf"), function="2 x sin(y)")
    assert result.status == "error" and "code: type" in result.components[0].mistake
    assert "TensorFlow never converts between float32 and float64" in result.feedback
    assert "tf.constant(2.0, x.dtype)" in result.feedback


@pytest.mark.parametrize(("body", "words"), [
    ("    return tf.reduce_sum(x * y)\n", "one value per point (no tf.reduce_sum, tf.reduce_mean or .numpy())"),
    ("    return (x * y).numpy()\n", "returned numpy.ndarray; it must return a TensorFlow tensor"),
    ("    return tf.Variable(x)\n", "it must return a TensorFlow tensor"),
])
def test_wrong_results_are_explained_in_tensorflow_terms(sandboxes, body, words):
    error = call(sandboxes, f"def f(x, y):\n{body}",
                 {"mode": "gradient", "framework": "tensorflow", "args": [[1.0, 2.0], [3.0, 4.0]],
                  "grad": [True, False]})
    assert isinstance(error, StudentCodeError) and error.kind == "type" and words in str(error)


# ---------------------------------------------------------------- the TensorFlow zygote


def test_tf_function_runs_as_a_graph_after_the_fork(sandboxes):
    """TensorFlow's thread pools do not survive a fork: a runtime started in the zygote would
    make this child wait forever. 3000 steps as one graph take well under a second (run op by
    op they take seconds)."""
    source = ("@tf.function\ndef run(x, steps):\n    for _ in tf.range(steps):\n"
              "        x = x - 0.001 * 2 * (x - 3)\n    return x\n\n"
              "def f(start, lr, steps):\n    return run(tf.identity(start), tf.constant(steps))\n")
    reply = call(sandboxes, source, {"mode": "loop", "framework": "tensorflow", "start": [0.0],
                                     "lr": 0.001, "steps": 3000})
    assert reply["point"] == pytest.approx([3 - 3 * 0.998**3000])


def test_descent_hands_tensorflow_code_a_variable(sandboxes):
    source = ("def f(x, lr):\n    with tf.GradientTape() as tape:\n        y = tf.reduce_sum((x - 1) ** 2)\n"
              "    return x - lr * tape.gradient(y, x)\n")
    reply = call(sandboxes, source, {"mode": "step", "framework": "auto", "start": [0.0, 3.0],
                                     "lr": 0.25, "steps": 2})
    assert reply["path"] == [[0.0, 3.0], [0.5, 2.0], [0.75, 1.5]]
    optimizer = ("def f(x, lr, steps):\n    sgd = tf.optimizers.SGD(lr)\n    for _ in range(steps):\n"
                 "        with tf.GradientTape() as tape:\n            y = tf.reduce_sum((x - 1) ** 2)\n"
                 "        sgd.apply_gradients([(tape.gradient(y, x), x)])\n")  # updates x, returns None
    reply = call(sandboxes, optimizer, {"mode": "loop", "framework": "auto", "start": [0.0, 3.0],
                                        "lr": 0.25, "steps": 2})
    assert reply["point"] == pytest.approx([0.75, 1.5])


def test_the_tensorflow_zygote_is_single_threaded_and_memory_counts_beyond_it(sandboxes):
    box = sandboxes({"solution.py": TF_LOSS.encode()})
    box.session({}).close()
    assert len(list(Path(f"/proc/{box._zygote.pid}/task").iterdir())) == 1  # safe to fork
    numpy_call = {"mode": "numpy", "args": [[1.0]], "parts": 1}
    # TensorFlow and torch already map about 2 GB; memory_mb (4096) comes on top of that
    assert call(sandboxes, "import numpy as np\ndef f(x):\n    hoard = np.zeros(3 * 1024**3 // 8)\n"
                "    return x\n", numpy_call)["parts"] == [[1.0]]  # (zeros: the pages stay untouched)
    error = call(sandboxes, "def f(x):\n    hoard = bytearray(50 * 1024**3)\n    return x\n", numpy_call)
    assert error.kind == "memory" and "4096 MB" in str(error)
