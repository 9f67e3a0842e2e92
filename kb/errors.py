"""Errors raised by the ``kb`` library.

The tree::

    KBError                      base
    ├── ContentError             content files are invalid (``problems`` names file and line)
    ├── IndexNotFoundError       no index has been built yet in the index directory
    ├── IndexBusyError           another reindex holds the lock
    ├── IndexBuildError          a build failed its verification; the old index still serves
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


class IndexBusyError(KBError):
    """Another reindex holds the lock."""


class IndexBuildError(KBError):
    """A build failed its verification; the previous generation still serves."""


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
