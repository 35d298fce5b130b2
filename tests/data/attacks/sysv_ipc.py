# Creates a 128 MB System V shared memory segment, and looks for the host's segment with the
# key in HOST_KEY; returns how many worked.
import ctypes

HOST_KEY = 0
IPC_PRIVATE, IPC_CREAT = 0, 0o1000


def f(x):
    libc = ctypes.CDLL(None, use_errno=True)
    created = libc.shmget(IPC_PRIVATE, ctypes.c_size_t(128 << 20), IPC_CREAT | 0o666) >= 0
    found = libc.shmget(HOST_KEY, ctypes.c_size_t(0), 0) >= 0
    return [float(created + found)] * len(x)
