"""Errors raised by the ``kb`` library.

The tree::

    KBError                      base; ``code`` is the stable machine-readable code
    ├── ContentError             content files are invalid (``problems`` names file and line)
    ├── IndexNotFoundError       no index has been built yet in the index directory
    ├── IndexBusyError           another reindex holds the lock
    ├── IndexBuildError          a build failed its verification; the old index still serves
    ├── LocaleError              a locale tag that cannot be parsed
    ├── ArticleNotFoundError     no article with that id in any locale
    ├── LabelError               a labelled query set is unreadable or has a bad entry
    └── EvaluationServerError    ``kb evaluate --base-url`` could not get answers from the server

The web app maps each to an HTTP status at its edge; the CLI maps each to an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass


class KBError(Exception):
    code = "kb_error"


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
    code = "invalid_content"

    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class IndexNotFoundError(KBError):
    code = "index_not_found"


class IndexBusyError(KBError):
    code = "reindex_in_progress"


class IndexBuildError(KBError):
    code = "index_build_failed"


class LocaleError(KBError):
    code = "invalid_parameter"

    def __init__(self, tag: str, reason: str = "not a valid locale tag"):
        self.tag = tag
        super().__init__(f"{tag!r} is {reason}")


class ArticleNotFoundError(KBError):
    code = "article_not_found"

    def __init__(self, article_id: str):
        self.article_id = article_id
        super().__init__(f"no article with id {article_id!r}")


class LabelError(KBError):
    code = "invalid_labels"


class EvaluationServerError(KBError):
    code = "evaluation_server_unavailable"
