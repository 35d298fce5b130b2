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

_CLONE_NEWNET = 0x40000000
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


def isolate_network() -> str:
    """A new, empty network namespace when we may make one (root); otherwise the host's."""
    if os.geteuid() != 0:
        return "host"
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return "none" if libc.unshare(_CLONE_NEWNET) == 0 else "host"


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


def install_audit_hook(read_roots: list[str], workdir: str) -> None:
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
