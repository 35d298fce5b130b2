"""Classroom assignments: load, grade in a sandbox, report, record."""
