"""The one error a user ever sees for bad input: file, field path, problem."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: reported as one line `file: path: problem`, exit code 2, nothing written."""

    def __init__(self, problem: str, file: str | None = None, path: str | None = None):
        self.problem = problem
        self.file = file
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.path) if p]
        return ": ".join([*parts, self.problem])


class EnvironmentProblem(InputError):
    """The machine, not the input, is at fault (log not writable, disk full): exit code 3.

    The message names the path and the way out (`--no-audit`, `FTREC_AUDIT_LOG`)."""
