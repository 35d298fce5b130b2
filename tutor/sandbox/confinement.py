"""Sandboxed side: how a fresh child confines itself before any student code runs.

rlimits, a network namespace and an unprivileged user (as root), stdin/stdout/stderr, the
environment, and the audit hook that turns common attempts into readable messages. Landlock
is in ``landlock``. Only the standard library is imported at module level.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import types

_CLONE_NEWNET = 0x40000000
_CLONE_NEWIPC = 0x08000000
_NOBODY = 65534


def set_limits(limits: dict) -> None:
    """``memory_mb`` is what student code may add to the address space the preloaded
    libraries already map (torch about 0.7 GB, TensorFlow another 0.9 GB)."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    memory = mapped + limits["memory_mb"] * 1024 * 1024
    for name, value in (("RLIMIT_CORE", 0), ("RLIMIT_AS", memory), ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_FSIZE", limits["output_bytes"]), ("RLIMIT_NOFILE", 256)):
        resource.setrlimit(getattr(resource, name), (value, value))


def isolate_namespaces() -> str:
    """New, empty network and System V IPC namespaces when we may make them (root): "none";
    otherwise "host" (seccomp still refuses sockets and System V IPC)."""
    if os.geteuid() != 0:
        return "host"
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return "none" if libc.unshare(_CLONE_NEWNET | _CLONE_NEWIPC) == 0 else "host"


def redirect_output(path: str) -> None:
    """stdin from /dev/null; stdout and stderr to one file, capped by RLIMIT_FSIZE."""
    null = os.open(os.devnull, os.O_RDONLY)
    output = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(null)
    os.close(output)


def drop_privileges(uid: int | None) -> int:
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


def reset_environment(workdir: str) -> None:
    os.environ.clear()
    os.environ.update(HOME=workdir, TMPDIR=workdir, PATH="/usr/bin:/bin", LANG="C.UTF-8",
                      OMP_NUM_THREADS="1")
    tempfile.tempdir = workdir  # the zygote's choice (/tmp) is cached; AutoGraph writes there


def below(path: str, roots: list[str]) -> bool:
    path = os.path.join(os.path.abspath(path), "")
    return any(path.startswith(os.path.join(root, "")) for root in roots)


#: Audit events refused, and why. Copied into the hook's own defaults (immutable), so no
#: Python-level switch (clearing a table, replacing a global) turns the hook off.
BLOCKED = (
    ("os.fork", "starting processes"), ("os.forkpty", "starting processes"),
    ("os.posix_spawn", "starting processes"), ("os.spawn", "starting processes"),
    ("os.exec", "running programs"), ("os.system", "running programs"),
    ("subprocess.Popen", "running programs"), ("os.kill", "sending signals"),
    ("os.killpg", "sending signals"), ("socket.__new__", "network access"),
    ("ctypes.dlopen", "loading C libraries"), ("ctypes.dlsym", "loading C libraries"),
    ("ctypes.cdata", "raw memory access"), ("sys.settrace", "tracing"), ("sys.setprofile", "tracing"),
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
#: Setting these on a function would rewrite the hook: refused for every function.
_FUNCTION_PARTS = frozenset({"__code__", "__defaults__", "__kwdefaults__"})


def install_audit_hook(read_roots: list[str], workdir: str,
                       profiler: types.CodeType | None = None) -> None:
    """Turn common escapes into clear errors. Not a security boundary (Python's docs say so:
    native code can get around it); the boundaries are the OS layers (user, rlimits,
    namespaces, Landlock, seccomp); this makes the reasons readable. The hook is a function
    whose every name is a parameter with an immutable default (a tuple, which cannot be
    edited): no table to clear, no global or builtin to replace; and it refuses having its
    code or defaults replaced. ``profiler``: the one code object that may call
    ``sys.setprofile`` (the worker's check that no student code runs during a gradient,
    ``integrity``), which only ever sets its own watcher."""
    readable = tuple(os.path.join(root, "") for root in [*read_roots, workdir])
    defaults = (frozenset(name for name, _ in BLOCKED), BLOCKED, readable, os.path.join(workdir, ""),
                workdir, os.path.join, os.path.normpath, os.fsdecode, isinstance, int, str, bool,
                PermissionError, _WRITE_FLAGS, _FUNCTION_PARTS, types.FunctionType, sys._getframe,
                profiler)
    sys.addaudithook(types.FunctionType(_hook.__code__, {"__builtins__": {}}, "audit_hook", defaults))


def _hook(event, args, blocked=None, reasons=None, readable=None, writable=None, workdir=None,
          join=None, normpath=None, fsdecode=None, isinstance_=None, int_=None, str_=None,
          bool_=None, refuse=None, write_flags=None, function_parts=None, function_type=None,
          frame=None, profiler=None):
    """The audit hook's code (run with the defaults ``install_audit_hook`` gives it)."""
    if event == "sys.setprofile" and profiler is not None and frame(1).f_code is profiler:
        return
    if event in blocked:
        for name, reason in reasons:
            if name == event:
                raise refuse(f"sandbox: {reason} is not allowed ({event})")
    if (event == "object.__setattr__" or event == "object.__delattr__") \
            and isinstance_(args[0], function_type) and args[1] in function_parts:
        raise refuse(f"sandbox: replacing a function's {args[1]} is not allowed")
    if event == "open":
        path, mode, flags = args
        if isinstance_(path, int_):
            return
        mode = mode or ""
        writing = "w" in mode or "a" in mode or "x" in mode or "+" in mode \
            or bool_((flags or 0) & write_flags)
        if not join(normpath(join(workdir, fsdecode(path))), "").startswith(
                writable if writing else readable):
            verb = "writing" if writing else "reading"
            raise refuse(f"sandbox: {verb} {str_(fsdecode(path))!r} is not allowed; "
                         "only files in the submission's own folder")
    elif event in ("os.listdir", "os.scandir"):
        path = args[0] or "."
        if not isinstance_(path, int_) and \
                not join(normpath(join(workdir, fsdecode(path))), "").startswith(readable):
            raise refuse(f"sandbox: listing {str_(fsdecode(path))!r} is not allowed")
