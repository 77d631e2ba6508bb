"""The QkgError family: every error qkg reports carries a location and a fix."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class QkgError(Exception):
    """An error the user can act on; rendered as one line, location first.

    :param message: what is wrong, and what to do about it.
    :param location: a file path, ``file:line`` or ``file:line:col``, or a parameter name.
    """

    message: str
    location: str | None = None
    #: exit status the CLI uses: 2 = could not run, 1 = ran and found problems.
    exit_code: int = 2

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class UsageError(QkgError):
    """A wrong argument or parameter."""


class InputError(QkgError):
    """A missing, unreadable or undecodable input file."""


class RdfSyntaxError(QkgError):
    """A Turtle (or other RDF) file that does not parse."""


class QuerySyntaxError(QkgError):
    """A SPARQL query that does not parse."""


class EndpointError(QkgError):
    """A remote SPARQL endpoint that could not be reached or refused a request."""


def location(path: str, line: int | None = None, col: int | None = None) -> str:
    """Format ``path[:line[:col]]``."""
    loc = str(path)
    if line is not None:
        loc += f":{line}"
        if col is not None:
            loc += f":{col}"
    return loc
