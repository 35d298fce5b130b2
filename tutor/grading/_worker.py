"""The sandboxed side: a warm "zygote" process that forks one confined child per submission.

The zygote starts with an empty environment, imports numpy (and torch, and TensorFlow when
asked) once, and then forks on request, so a fresh process costs milliseconds instead of
seconds of imports. Each child confines itself before any student code runs (new session,
rlimits, no network, an unprivileged user, Landlock, an audit hook), then answers the
grader's requests: load the student's module, call a function at these points. It returns plain numbers as JSON; every
judgement happens in the grader. Only the standard library is imported at module level.
"""

from __future__ import annotations

import errno
import importlib
import importlib.util
import json
import os
import random
import resource
import signal
import socket
import sys
import tempfile
import traceback
import types

from tutor.grading import _landlock
from tutor.grading._frames import read_frame, write_frame

#: Imported by the zygote so that student code can use them after the child loses access
#: to the interpreter's files (the interpreter may live where the sandbox user cannot read).
PRELOAD = ("math", "cmath", "random", "statistics", "functools", "itertools", "collections",
           "typing", "dataclasses", "fractions", "decimal", "operator", "copy", "numbers", "re",
           "string", "encodings.idna", "numpy", "numpy.linalg", "numpy.random")

_CLONE_NEWNET = 0x40000000
_PR_SET_CHILD_SUBREAPER = 36
_NOBODY = 65534


# ---------------------------------------------------------------- the zygote


def zygote(fd: int, torch: bool, tensorflow: bool = False) -> None:
    """Serve spawn and reap requests on the SOCK_SEQPACKET socket ``fd`` until it closes."""
    control = socket.socket(fileno=fd)
    _become_subreaper()
    for name in PRELOAD:
        importlib.import_module(name)
    if torch:
        _warm_up_torch()
    if tensorflow:
        _warm_up_tensorflow()
    control.send(json.dumps({"ready": True}).encode())
    while True:
        data, fds, _, _ = socket.recv_fds(control, 1 << 16, 2)
        if not data:
            return
        request = json.loads(data)
        if request["op"] == "spawn":
            pid = os.fork()
            if pid == 0:
                control.close()
                _child(fds[0], fds[1], request)
            for descriptor in fds:
                os.close(descriptor)
            control.send(json.dumps({"pid": pid}).encode())
        else:  # reap
            try:
                _, status = os.waitpid(request["pid"], 0)
            except ChildProcessError:
                status = None
            _reap_orphans()
            control.send(json.dumps({"status": status}).encode())


def _become_subreaper() -> None:
    """Orphans of student code (killed forks) become our children, so we can reap them."""
    if sys.platform != "linux":
        return
    import ctypes

    ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _reap_orphans() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _warm_up_torch() -> None:
    """Run what student code typically runs, once, so that torch's lazy imports (optimizers
    pull in dynamo and sympy) and its CPU detection happen here, before any fork. Stays
    single-threaded (OMP_NUM_THREADS=1), so forking afterwards is safe."""
    import torch

    import tutor.lowering  # noqa: F401 - the children compute gradients with its backends

    x = torch.tensor([0.5, -0.5], dtype=torch.float64, requires_grad=True)
    for optimizer in (torch.optim.SGD([x], lr=0.01), torch.optim.Adam([x], lr=0.01)):
        optimizer.zero_grad()
        (torch.sigmoid(x) ** 2).sum().backward()
        optimizer.step()
    torch.autograd.grad(torch.nn.functional.softplus(x).sum(), [x])
    torch.nn.Linear(2, 1).double()(x).sum().backward()
    torch.func.grad(lambda t: (t**2).sum())(x.detach())
    torch.autograd.functional.jacobian(lambda t: t**2, x.detach())


def _warm_up_tensorflow() -> None:
    """Import TensorFlow quietly (Keras comes with it) but run no op: the first op starts
    TensorFlow's runtime and its thread pools, which a forked child would not have (a child
    that hands them work waits forever). Each child starts its own: ``_start_tensorflow``."""
    from tutor.lowering import TENSORFLOW

    tf = TENSORFLOW.library()
    tf.config.threading.set_intra_op_parallelism_threads(1)  # per child: few threads (RLIMIT_NPROC)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def _start_tensorflow() -> None:
    """Start this child's own TensorFlow runtime, before Landlock: starting reads /dev/urandom."""
    tf = sys.modules["tensorflow"]
    tf.constant(0.0) + 1.0


def _child(request_fd: int, reply_fd: int, spec: dict) -> None:
    """Confine this fresh process, report, then serve requests; never returns."""
    try:
        os.setsid()
        workdir = spec["workdir"]
        _set_limits(spec["limits"])
        network = _isolate_network()
        os.chdir(workdir)
        _redirect_output(os.path.join(workdir, ".output"))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing past the size cap fails, not kills
        uid = _drop_privileges(spec["uid"])
        resource.setrlimit(resource.RLIMIT_NPROC, (spec["limits"]["processes"],) * 2)
        if "tensorflow" in sys.modules:
            _start_tensorflow()
        landlock = _landlock.restrict(read=spec["read"], write=[workdir])
        _reset_environment(workdir)
        sys.path[:] = [workdir] + [p for p in sys.path if _below(p, spec["read"])]
        sys.dont_write_bytecode = True
        if spec["audit"]:
            _install_audit_hook(spec["read"], workdir)
        write_frame(reply_fd, {"ready": True, "uid": uid, "landlock": landlock, "network": network})
        _Server(request_fd, reply_fd, workdir, spec["limits"]).serve()
    except BaseException as error:  # noqa: BLE001 - report set-up failures, never return to the zygote
        try:
            write_frame(reply_fd, {"ready": False, "error": f"{type(error).__name__}: {error}"})
        finally:
            os._exit(70)
    os._exit(0)


def _set_limits(limits: dict) -> None:
    """``memory_mb`` is what student code may add to the address space the preloaded
    libraries already map (torch about 0.7 GB, TensorFlow another 0.9 GB)."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    memory = mapped + limits["memory_mb"] * 1024 * 1024
    for name, value in (("RLIMIT_CORE", 0), ("RLIMIT_AS", memory), ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_FSIZE", limits["output_bytes"]), ("RLIMIT_NOFILE", 256)):
        resource.setrlimit(getattr(resource, name), (value, value))


def _isolate_network() -> str:
    """A new, empty network namespace when we may make one (root); otherwise the host's."""
    if os.geteuid() != 0:
        return "host"
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return "none" if libc.unshare(_CLONE_NEWNET) == 0 else "host"


def _redirect_output(path: str) -> None:
    """stdin from /dev/null; stdout and stderr to one file, capped by RLIMIT_FSIZE."""
    null = os.open(os.devnull, os.O_RDONLY)
    output = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(null)
    os.close(output)


def _drop_privileges(uid: int | None) -> int:
    """Become ``uid`` (or nobody if the kernel refuses it) when running as root."""
    if os.geteuid() != 0:
        return os.getuid()
    os.setgroups([])
    for candidate in (uid, _NOBODY):
        try:
            os.setgid(candidate)
            os.setuid(candidate)
            break
        except (OSError, TypeError):
            continue
    if os.getuid() == 0 or os.geteuid() == 0:
        raise PermissionError("could not leave the root user")
    return os.getuid()


def _reset_environment(workdir: str) -> None:
    os.environ.clear()
    os.environ.update(HOME=workdir, TMPDIR=workdir, PATH="/usr/bin:/bin", LANG="C.UTF-8",
                      OMP_NUM_THREADS="1")
    tempfile.tempdir = workdir  # the zygote's choice (/tmp) is cached; AutoGraph writes there


def _below(path: str, roots: list[str]) -> bool:
    path = os.path.join(os.path.abspath(path), "")
    return any(path.startswith(os.path.join(root, "")) for root in roots)


_BLOCKED = {
    "os.fork": "starting processes", "os.forkpty": "starting processes",
    "os.posix_spawn": "starting processes", "os.spawn": "starting processes",
    "os.exec": "running programs", "os.system": "running programs",
    "subprocess.Popen": "running programs", "os.kill": "sending signals",
    "os.killpg": "sending signals", "socket.__new__": "network access",
    "ctypes.dlopen": "loading C libraries", "ctypes.dlsym": "loading C libraries",
    "ctypes.cdata": "raw memory access", "sys.settrace": "tracing", "sys.setprofile": "tracing",
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _install_audit_hook(read_roots: list[str], workdir: str) -> None:
    """Turn common escapes into clear errors. Not a security boundary (Python's docs say so):
    the boundary is the OS (user, rlimits, Landlock); this makes the reasons readable."""
    readable = tuple(os.path.join(root, "") for root in [*read_roots, workdir])
    writable = os.path.join(workdir, "")

    def allowed(path, roots) -> bool:
        if isinstance(path, int):
            return True
        full = os.path.join(os.path.normpath(os.path.join(workdir, os.fsdecode(path))), "")
        return full.startswith(roots)

    def hook(event: str, args: tuple) -> None:
        if event in _BLOCKED:
            raise PermissionError(f"sandbox: {_BLOCKED[event]} is not allowed ({event})")
        if event == "open":
            path, mode, flags = args
            writing = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & _WRITE_FLAGS)
            if not allowed(path, writable if writing else readable):
                verb = "writing" if writing else "reading"
                raise PermissionError(f"sandbox: {verb} {os.fsdecode(path)!r} is not allowed; "
                                      "only files in the submission's own folder")
        elif event in ("os.listdir", "os.scandir") and not allowed(args[0] or ".", readable):
            raise PermissionError(f"sandbox: listing {os.fsdecode(args[0])!r} is not allowed")

    sys.addaudithook(hook)


# ---------------------------------------------------------------- serving requests


class _WrongResult(Exception):
    """The student's function returned something of the wrong type or shape."""


class _Server:
    def __init__(self, request_fd: int, reply_fd: int, workdir: str, limits: dict):
        self.request_fd, self.reply_fd = request_fd, reply_fd
        self.workdir = workdir
        self.limits = limits
        self.module = None

    def serve(self) -> None:
        pid = os.getpid()
        while True:
            try:
                request = read_frame(self.request_fd)
            except EOFError:
                os._exit(0)
            reply = self.handle(request)
            if os.getpid() != pid:  # a fork made by student code came back here
                os._exit(0)
            write_frame(self.reply_fd, reply)

    def handle(self, request: dict) -> dict:
        _reseed()
        try:
            if request["op"] == "load":
                return self.load(request["module"])
            function = getattr(self.module, request["entry"], None)
            if not callable(function):
                return {"ok": False, "kind": "missing",
                        "message": f"No function named {request['entry']!r} in your code"}
            if "framework" in request:  # torch or TensorFlow: the one asked for, or the one used
                request = {**request, "framework": _framework(function, request, self.module, self.workdir)}
            return {"ok": True, **_CALLS[request["mode"]](function, request)}
        except _WrongResult as error:
            return {"ok": False, "kind": "type", "message": str(error)}
        except BaseException as error:  # noqa: BLE001 - student code may raise anything
            return self.failure(error)

    def load(self, name: str) -> dict:
        path = os.path.join(self.workdir, f"{name}.py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        self.module = module
        return {"ok": True}

    def failure(self, error: BaseException) -> dict:
        if isinstance(error, SystemExit):
            return {"ok": False, "kind": "exit", "message": f"The code called sys.exit({error.code!r})"}
        if isinstance(error, MemoryError):
            return {"ok": False, "kind": "memory",
                    "message": f"Ran out of memory (the limit is {self.limits['memory_mb']} MB)"}
        if isinstance(error, OSError) and error.errno == errno.EFBIG:
            return {"ok": False, "kind": "output", "message": "Wrote more output than allowed "
                    f"({self.limits['output_bytes']} bytes)"}
        if isinstance(error, SyntaxError):
            where = f"{os.path.basename(error.filename or '?')}, line {error.lineno}"
            return {"ok": False, "kind": "syntax", "message": f"{where}: SyntaxError: {error.msg}"}
        return {"ok": False, "kind": "exception", "message": _describe(error, self.workdir)}


#: What TensorFlow's own messages leave students guessing about: (words in it, the hint).
_TENSORFLOW_HINTS = (
    (("double tensor", "float tensor"), "TensorFlow never converts between float32 and float64: "
                                        "make constants with the inputs' dtype, e.g. tf.constant(lr, x.dtype)"),
    (("NoneType",), "With TensorFlow, tape.gradient gives None for what the tape did not watch: "
                    "use a tf.Variable, or tape.watch(x) for a tensor"),
)


def _describe(error: BaseException, workdir: str) -> str:
    """``solution.py, line 4, in loss: ZeroDivisionError: division by zero``."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(workdir)]
    text = f"{type(error).__name__}: {error}"[:500]
    hints = [hint for words, hint in _TENSORFLOW_HINTS if all(w in text for w in words)]
    if hints and "tensorflow" in sys.modules:
        text = f"{text.rstrip().removesuffix('name:').rstrip(' .')}. {'. '.join(hints)}"
    if not frames:
        return text
    frame = frames[-1]
    return f"{os.path.basename(frame.filename)}, line {frame.lineno}, in {frame.name}: {text}"


def _reseed() -> None:
    random.seed(0)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(0)
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(0)


# ---------------------------------------------------------------- torch or TensorFlow

_LIBRARIES = {"torch": "torch", "tensorflow": "tensorflow", "keras": "tensorflow"}
_SPELLED = {"torch": "torch", "tensorflow": "TensorFlow"}


def _library(value) -> str | None:
    """"torch" or "tensorflow" when ``value`` is (or comes from) that library's module."""
    name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
    return _LIBRARIES.get(name.partition(".")[0]) if isinstance(name, str) else None


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def _unwrapped(value):
    """A decorated function's own function (``tf.function`` keeps it as ``python_function``,
    ``functools.wraps`` as ``__wrapped__``)."""
    for _ in range(8):
        inner = getattr(value, "python_function", None) or getattr(value, "__wrapped__", None)
        if inner is None:
            break
        value = inner
    return value


def _used_library(function, module, workdir: str) -> str | None:
    """The autodiff library the student's function uses, found through the global names it
    (and every function of the student's that it calls) refers to; failing that, the one the
    student's module imported. None when it uses neither, or both."""
    found, seen, todo = set(), set(), [function]
    while todo:
        item = _unwrapped(todo.pop())
        if not isinstance(item, types.FunctionType) or item.__code__ in seen \
                or not item.__code__.co_filename.startswith(workdir):
            continue
        seen.add(item.__code__)
        for name in _global_names(item.__code__):
            value = item.__globals__.get(name)
            if _library(value):
                found.add(_library(value))
            else:
                todo.append(value)
    if not found:
        found = {_library(value) for value in vars(module).values()} - {None}
    return found.pop() if len(found) == 1 else None


def _framework(function, request: dict, module, workdir: str) -> str:
    """The library to call the student's function with: the question's, or with "auto" the
    one the function uses (torch when that cannot be told)."""
    asked, used = request["framework"], _used_library(function, module, workdir)
    if asked == "auto":
        return used or "torch"
    if used not in (None, asked):
        raise _WrongResult(f"This question asks for {_SPELLED[asked]}; your {request['entry']} "
                           f"uses {_SPELLED[used]}")
    return asked


def _call_gradient(function, request: dict) -> dict:
    """The student's loss at every point, and its automatic gradient: the tutor's backend
    (torch or TensorFlow) computes both in one call, on float64 inputs."""
    from tutor.errors import TutorError
    from tutor.lowering import BACKENDS

    framework = request.get("framework", "torch")
    autodiff = BACKENDS[framework]
    n, name = len(request["args"][0]), request["entry"]
    names = [f"arg{i}" for i in range(len(request["args"]))]
    dtypes = []

    def checked(*tensors):
        out = function(*tensors)
        try:
            autodiff.one_value_per_point(out, n, f"Your {name}", api=False)
        except TutorError as error:
            raise _WrongResult(str(error)) from None
        dtypes.append(autodiff.dtype_name(out))
        return out

    wanted = [arg for arg, need in zip(names, request["grad"], strict=True) if need]
    try:
        values, grads = autodiff.value_and_gradient(
            checked, dict(zip(names, request["args"], strict=True)), wanted)
    except TutorError as error:
        advice = str(error).split(", or check with dtype=")[0]  # the rest is for API users
        raise _WrongResult(f"Your {name}: {advice.removeprefix('the ')}") from None
    return {"value": values.tolist(), "dtype": dtypes[0], "grads": grads.tolist(),
            "framework": framework}


def _call_numpy(function, request: dict) -> dict:
    """The student's numpy gradient function: one array per variable."""
    import numpy as np

    n, parts = len(request["args"][0]), request["parts"]
    result = function(*[np.array(column, dtype=np.float64) for column in request["args"]])
    name = request["entry"]
    try:
        arrays = [np.asarray(p) for p in (result if parts > 1 else [result])]
        table = np.array([np.broadcast_to(a.astype(np.float64), (n,)) for a in arrays])
    except (TypeError, ValueError) as error:
        raise _WrongResult(f"Your {name} must return {parts} numpy array(s) of shape ({n},) "
                           f"(one per variable); it returned {type(result).__name__} ({error})") from None
    if table.shape != (parts, n):
        raise _WrongResult(f"Your {name} must return {parts} array(s) (one per variable); "
                           f"it returned {table.shape[0]}")
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    dtype = max(floats, key=lambda d: np.finfo(d).eps) if floats else np.dtype(np.float64)
    return {"parts": table.tolist(), "dtype": dtype.name}


def _start(point: list[float], framework: str):
    """A point to descend from: a float64 leaf tensor that requires grad, or a tf.Variable."""
    if framework == "tensorflow":
        import tensorflow as tf

        return tf.Variable(point, dtype=tf.float64)
    import torch

    return torch.tensor(point, dtype=torch.float64, requires_grad=True)


def _plain(value):
    """TensorFlow tensors and variables (also inside lists) as numpy arrays."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value.numpy() if _library(type(value)) == "tensorflow" else value


def _point(value, size: int, name: str) -> list[float]:
    import torch

    try:
        value = _plain(value)
        point = torch.as_tensor(value.detach() if isinstance(value, torch.Tensor) else value,
                                dtype=torch.float64).reshape(-1)
    except (TypeError, ValueError, RuntimeError) as error:
        raise _WrongResult(f"Your {name} must return a point (a tensor, array or list of {size} "
                           f"numbers); it returned {type(value).__name__} ({error})") from None
    if point.numel() != size:
        raise _WrongResult(f"Your {name} must return a point with {size} coordinates; got {point.numel()}")
    return point.tolist()


def _call_step(function, request: dict) -> dict:
    """Apply the student's ``step(x, lr)`` ``steps`` times; the whole path comes back."""
    size, name = len(request["start"]), request["entry"]
    path = [list(map(float, request["start"]))]
    for _ in range(request["steps"]):
        x = _start(path[-1], request.get("framework", "torch"))
        result = function(x, request["lr"])
        path.append(_point(x if result is None else result, size, name))
    return {"path": path}


def _call_loop(function, request: dict) -> dict:
    """The student's ``descend(start, lr, steps)``: the point it ends at."""
    start = _start(request["start"], request.get("framework", "torch"))
    result = _plain(function(start, request["lr"], request["steps"]))
    size = len(request["start"])
    if isinstance(result, list | tuple) and result and isinstance(result[0], list | tuple):
        result = result[-1]  # a whole path: its last point
    elif hasattr(result, "ndim") and result.ndim == 2:
        result = result[-1]
    return {"point": _point(start if result is None else result, size, request["entry"])}


_CALLS = {"gradient": _call_gradient, "numpy": _call_numpy, "step": _call_step, "loop": _call_loop}
