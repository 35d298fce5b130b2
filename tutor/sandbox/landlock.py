"""Linux Landlock through ctypes: let this process read only some directories and write one.

Used by the sandbox worker just before student code runs. Once applied, the kernel enforces
it for the process and every child it makes; it cannot be undone. Missing on old kernels
(before 5.13) or when disabled: ``restrict`` then returns 0 and changes nothing.

>>> restrict(read=["/usr/lib/python3"], write=["/tmp/work"])  # doctest: +SKIP
7
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from collections.abc import Iterable

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same on every architecture
_VERSION = 1 << 0  # landlock_create_ruleset flag: ask for the ABI version
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_ALL_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_TCP = 0b11  # bind and connect (ABI 4)
_SCOPES = 0b11  # abstract unix sockets and signals outside the domain (ABI 6)


def _all_fs(abi: int) -> int:
    return _ALL_FS_BY_ABI[max(level for level in _ALL_FS_BY_ABI if level <= abi)]


def abi_version() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is not available."""
    if sys.platform != "linux":  # the system call numbers mean something else elsewhere
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        version = libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(version, 0)


def restrict(read: Iterable[str], write: Iterable[str]) -> int:
    """Allow reading (and executing) below ``read``, anything below ``write``; deny all else,
    including TCP and signals to processes outside. Returns the ABI version used (0: not applied).
    """
    abi = abi_version()
    if abi == 0:
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    handled = _all_fs(abi)
    attr = struct.pack("=Q", handled)
    if abi >= 4:
        attr += struct.pack("=Q", _NET_TCP)
    if abi >= 6:
        attr += struct.pack("=Q", _SCOPES)
    ruleset = libc.syscall(_CREATE_RULESET, attr, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        rules = [(path, _EXECUTE | _READ_FILE | _READ_DIR) for path in read]
        rules += [(path, handled) for path in write]
        for path, access in rules:
            _add_rule(libc, ruleset, path, access)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi


def _add_rule(libc, ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC | os.O_DIRECTORY)
    except OSError:
        return  # a directory that does not exist needs no rule
    try:
        rule = struct.pack("=Qi", access, fd)
        if libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, rule, ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
