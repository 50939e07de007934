"""Errors a user can act on: the CLI prints them as one line, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem with input, files or configuration that the user can fix.

    ``hint`` says what to do about it; the CLI prints ``error: message (hint)``.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(UserError):
    """Invalid configuration. Exit status 2, which systemd is told not to restart on."""

    exit_code = 2


class BundleError(UserError):
    """A model bundle that is missing, incomplete, corrupt or of the wrong shape."""
