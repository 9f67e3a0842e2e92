"""Errors raised by the ``kb`` library.

The tree::

    KBError                      base
    ├── ContentError             content files are invalid (``problems`` names file and line)
    ├── IndexNotFoundError       no generation in the index directory opens and verifies
    ├── CorruptGenerationError   one generation fails its checksums or cannot be opened
    ├── IndexBusyError           another reindex holds the lock
    ├── IndexBuildError          a build failed its verification; the old index still serves
    ├── IndexWriteError          a build could not write its files; the old index still serves
    │   └── InsufficientStorageError   … because the disk (or quota) is full
    ├── LocaleError              a locale tag that cannot be parsed
    ├── ArticleNotFoundError     no article with that id in any locale
    ├── LabelError               a labelled query set is unreadable or has a bad entry
    └── EvaluationServerError    ``kb evaluate --base-url`` could not get answers from the server

The web app maps each to an HTTP status and error code at its edge (``api.errors.KB_ERRORS``);
the CLI maps each to an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass


class KBError(Exception):
    """Base of every error the library raises."""


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong in a content file: where it is and what is wrong."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ContentError(KBError):
    """The content is invalid; ``problems`` says where and what, one per problem."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class IndexNotFoundError(KBError):
    """No index has been built yet in the index directory."""


class CorruptGenerationError(KBError):
    """One generation fails its checksums or cannot be opened; it is never served."""


class IndexBusyError(KBError):
    """Another reindex holds the lock."""


class IndexBuildError(KBError):
    """A build failed its verification; the previous generation still serves."""


class IndexWriteError(KBError):
    """A build could not write its files (``reason``: what the system said); the previous
    generation still serves."""

    def __init__(self, reason: str, where: object):
        self.reason = reason
        super().__init__(f"{reason} while writing {where}")


class InsufficientStorageError(IndexWriteError):
    """A build ran out of disk space (or quota)."""


class LocaleError(KBError):
    """A locale tag that cannot be parsed."""

    def __init__(self, tag: str, reason: str = "not a valid locale tag"):
        self.tag = tag
        super().__init__(f"{tag!r} is {reason}")


class ArticleNotFoundError(KBError):
    """No article with that id in any locale."""

    def __init__(self, article_id: str):
        self.article_id = article_id
        super().__init__(f"no article with id {article_id!r}")


class LabelError(KBError):
    """A labelled query set is unreadable or has a bad entry."""


class EvaluationServerError(KBError):
    """``kb evaluate --base-url`` could not get answers from the server."""
