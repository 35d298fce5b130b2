"""Guided terminal lessons: lesson files are data, this package is the small engine that plays them.

- :mod:`.schema` reads and validates a lesson file (``load_lesson``, ``read_lesson``) into
  :mod:`.model` objects; :mod:`.yamlnodes` keeps the line of every YAML value.
- :mod:`.mathctx` turns the lesson's formulas (variables, tensors, ``let``) into SymPy.
- :mod:`.answers`, :mod:`.compute`, :mod:`.code`, :mod:`.descend`, :mod:`.plot` do the work of
  each step kind, through the public checker API; :mod:`.display` prints their results.
- :mod:`.runner` walks a learner through the steps; :mod:`.progress` remembers where they are.
- :mod:`.lint` checks lesson files (``lint_paths``).
- :mod:`.commands` adds ``tutor list / learn / reset / lint`` to the CLI.

The authoring guide and schema reference is ``docs/lessons.md``. Nothing is imported here,
so that ``tutor --help`` stays fast.
"""
