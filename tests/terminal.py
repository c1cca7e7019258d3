"""Driving `ftrec` in a real pseudo-terminal: what a person at a keyboard sees and types."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    def __init__(self, *args: str, cwd: str, env: dict | None = None, columns: int = 80):
        self.master, slave = pty.openpty()
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        environment = {**os.environ, "COLUMNS": str(columns), "TERM": "dumb", **(env or {})}
        self.process = subprocess.Popen([sys.executable, "-m", "recommender", *args], stdin=slave, stdout=slave,
                                        stderr=slave, cwd=cwd, env=environment, close_fds=True)
        os.close(slave)
        self.seen = ""  # everything printed so far, colour codes removed
        self.read_to = 0

    def expect(self, text: str, timeout: float = 30) -> str:
        """Wait until TEXT appears after what was already consumed; returns the output up to it."""
        deadline = time.monotonic() + timeout
        while text not in self.seen[self.read_to:]:
            if time.monotonic() > deadline:
                raise AssertionError(f"waited for {text!r}; the terminal shows:\n{self.seen[self.read_to:]}")
            self._read(deadline - time.monotonic())
        end = self.seen.index(text, self.read_to) + len(text)
        shown, self.read_to = self.seen[self.read_to:end], end
        return shown

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\r").encode())

    def finish(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        self._read(0.2)
        code = self.process.wait(timeout=max(1, deadline - time.monotonic()))
        os.close(self.master)
        return code

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the child closed the terminal
            time.sleep(0.05)
            return
        self.seen += ANSI.sub("", data.decode("utf-8", "replace")).replace("\r\n", "\n")


def wait_for_prompt(terminal: Terminal, timeout: float = 30) -> str:
    """Everything printed since the last answer, up to a prompt waiting for input (ending in ": ")."""
    deadline = time.monotonic() + timeout
    while not terminal.seen[terminal.read_to:].endswith(": "):
        if terminal.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"no prompt; the terminal shows:\n{terminal.seen[terminal.read_to:]}")
        terminal._read(min(0.5, max(0.0, deadline - time.monotonic())))
    shown, terminal.read_to = terminal.seen[terminal.read_to:], len(terminal.seen)
    return shown
