"""Sandboxed side: a warm "zygote" process that forks one confined child per submission.

The zygote starts with an empty environment, imports numpy (and torch, and TensorFlow when
asked) once, and then forks on request, so a fresh process costs milliseconds instead of
seconds of imports. Each child confines itself before any student code runs
(``confinement``, ``landlock``), then runs the request ``server``, which calls the student's
functions through the ``adapters`` and returns plain numbers; every judgement happens in the
grader. Only the standard library is imported at module level.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import socket
import sys

from tutor.sandbox import confinement, integrity, landlock, seccomp
from tutor.sandbox.frames import write_frame
from tutor.sandbox.server import Server

#: Imported by the zygote so that student code can use them after the child loses access
#: to the interpreter's files (the interpreter may live where the sandbox user cannot read).
PRELOAD = ("math", "cmath", "random", "statistics", "functools", "itertools", "collections",
           "typing", "dataclasses", "fractions", "decimal", "operator", "copy", "numbers", "re",
           "string", "encodings.idna", "numpy", "numpy.linalg", "numpy.random")

_PR_SET_CHILD_SUBREAPER = 36


def zygote(fd: int, torch: bool, tensorflow: bool = False) -> None:
    """Serve spawn and reap requests on the SOCK_SEQPACKET socket ``fd`` until it closes."""
    control = socket.socket(fileno=fd)
    _become_subreaper()
    for name in PRELOAD:
        importlib.import_module(name)
    seccomp.load()
    if torch:
        _warm_up_torch()
    if tensorflow:
        _warm_up_tensorflow()
    integrity.trust()
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
        confinement.set_limits(spec["limits"])
        network = confinement.isolate_namespaces()
        os.chdir(workdir)
        confinement.redirect_output(os.path.join(workdir, ".output"))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing past the size cap fails, not kills
        uid = confinement.drop_privileges(spec["uid"])
        resource.setrlimit(resource.RLIMIT_NPROC, (spec["limits"]["processes"],) * 2)
        if "tensorflow" in sys.modules:
            _start_tensorflow()
        landlock_abi = landlock.restrict(read=spec["read"], write=[workdir])
        refused = seccomp.restrict()
        confinement.reset_environment(workdir)
        sys.path[:] = [workdir] + [p for p in sys.path if confinement.below(p, spec["read"])]
        sys.dont_write_bytecode = True
        if spec["audit"]:
            confinement.install_audit_hook(spec["read"], workdir, integrity.PROFILER)
        write_frame(reply_fd, {"ready": True, "uid": uid, "landlock": landlock_abi, "network": network,
                               "seccomp": refused})
        Server(request_fd, reply_fd, workdir, spec["limits"]).serve()
    except BaseException as error:  # noqa: BLE001 - report set-up failures, never return to the zygote
        try:
            write_frame(reply_fd, {"ready": False, "error": f"{type(error).__name__}: {error}"})
        finally:
            os._exit(70)
    os._exit(0)

