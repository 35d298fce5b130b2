# Every Python-level switch that could turn the audit hook off, then a program started.
import gc
import sys


def f(x):
    for module in list(sys.modules.values()):
        for name in ("_BLOCKED", "BLOCKED"):
            try:
                getattr(module, name).clear()
            except Exception:
                pass
            if hasattr(module, name):  # rebound for a moment (left so, it is reported as tampering)
                saved = getattr(module, name)
                setattr(module, name, ())
                setattr(module, name, saved)
    for item in gc.get_objects():
        if callable(item) and getattr(item, "__name__", "") == "audit_hook":
            for part, value in (("__defaults__", None), ("__defaults__", ()),
                                ("__code__", (lambda e, a: None).__code__)):
                try:
                    setattr(item, part, value)
                except Exception:
                    pass
    import os

    os.system("true")
    return x
