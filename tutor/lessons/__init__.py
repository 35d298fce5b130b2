"""Guided terminal lessons: lesson files are data, this package is the small engine that plays them.

- :mod:`.model` is what a lesson is (dataclasses that are also the file's schema);
  :mod:`.schema` reads a file into them (``load_lesson``, ``read_lesson``) through
  :mod:`tutor.documents`.
- :mod:`.steps` holds the step kinds, one module each (model, checks, player, lint, display).
- :mod:`.mathctx` turns the lesson's formulas (variables, tensors, ``let``) into SymPy;
  :mod:`.descend` runs gradient descent; :mod:`.plot` draws it.
- :mod:`.snippets` runs teachers' code snippets in :mod:`.snippet_process`, a separate
  process with a time limit.
- :mod:`.runner` walks a learner through the steps; :mod:`.progress` remembers where they are.
- :mod:`.lint` checks lesson files (``lint_paths``).
- :mod:`.commands` adds ``tutor list / learn / reset / lint`` to the CLI.

The authoring guide and schema reference is ``docs/lessons.md``. Nothing is imported here,
so that ``tutor --help`` stays fast.
"""
