"""Linux seccomp through libseccomp (ctypes): system calls student code has no use for fail.

Applied by the sandboxed child after Landlock, just before student code runs; the kernel
enforces it for the process and every child it makes, and it cannot be undone. What it
refuses (with EPERM) and why:

- sockets of every family (``socket``, ``socketpair``; ``io_uring`` too, which could make
  them): no network, no UNIX sockets (ssh-agent, docker.sock), no DNS, as root or not;
- System V IPC (``shmget``, ``shmat``, ``semget``, ``msgget``) and POSIX message queues:
  nothing shared with the host, nothing left behind;
- leaving the process group (``setsid``, ``setpgid``): every process student code starts is
  killed with the group at the end, also when the grader is not root;
- reaching into other processes or the kernel (``ptrace``, ``process_vm_*``, ``unshare``,
  ``setns``, ``mount``, ``bpf``, ``perf_event_open``, ``userfaultfd``, ``keyctl``).

System calls of another architecture (32-bit calls from a 64-bit process) kill the process
(libseccomp's default). Missing libseccomp or seccomp: ``restrict`` returns 0, changes nothing.

>>> restrict()  # doctest: +SKIP
29
"""

from __future__ import annotations

import ctypes
import errno

DENIED = ("socket", "socketpair", "io_uring_setup", "io_uring_enter", "io_uring_register",
          "shmget", "shmat", "semget", "msgget", "mq_open", "setsid", "setpgid", "ptrace",
          "process_vm_readv", "process_vm_writev", "unshare", "setns", "mount", "umount2",
          "pivot_root", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key",
          "request_key", "open_by_handle_at", "kexec_load", "init_module")
_ALLOW = 0x7FFF0000
_REFUSE = 0x00050000 | errno.EPERM  # SCMP_ACT_ERRNO(EPERM)
_library: list = []  # libseccomp, loaded by ``load`` while its file is still readable


def load() -> bool:
    """Load libseccomp (in the zygote, before Landlock hides the system's libraries)."""
    if not _library:
        try:
            lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
        except OSError:
            return False
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        lib.seccomp_release.argtypes = [ctypes.c_void_p]
        _library.append(lib)
    return True


def restrict() -> int:
    """Refuse the ``DENIED`` system calls from now on; how many were refused (0: seccomp is
    not available and nothing changed)."""
    if not load():
        return 0
    lib = _library[0]
    context = lib.seccomp_init(_ALLOW)
    if not context:
        return 0
    try:
        refused = 0
        for name in DENIED:
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number < 0:
                continue  # not a system call on this architecture
            if lib.seccomp_rule_add(context, _REFUSE, number, 0) != 0:
                raise OSError(f"seccomp_rule_add failed for {name}")
            refused += 1
        if lib.seccomp_load(context) != 0:
            raise OSError("seccomp_load failed")
    finally:
        lib.seccomp_release(context)
    return refused
