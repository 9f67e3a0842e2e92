"""helpcenter-kb: a French/English help-center knowledge base over Whoosh.

The public API (what the web app, the CLI and integrators import)::

    load_content(content_dir)              -> ContentSet     validate the markdown articles
    build_index(content, index_dir)        -> BuildReport    new generation, atomic switch
    KnowledgeBase(index_dir, ...)                           the served generation, switched on reindex
    KnowledgeBase.current()                -> KnowledgeView  one generation: search / answer / articles
    Settings                                                 KB_* configuration (edges only)
    parse_since(text), report_locale(tag, supported)         arguments of the content-gap report
    DURATION_PATTERN                                         the durations parse_since reads

Errors are ``kb.errors.KBError`` and its subclasses.
"""

from .config import Settings
from .content import Article, ContentSet, load_content
from .errors import (
    ArticleNotFoundError,
    ContentError,
    ContentProblem,
    IndexBuildError,
    IndexBusyError,
    IndexNotFoundError,
    KBError,
    LocaleError,
)
from .indexing import BuildReport, build_index
from .models import AnswerResponse, SearchResponse
from .report_args import DURATION_PATTERN, parse_since, report_locale
from .service import KnowledgeBase
from .view import KnowledgeView

__all__ = [
    "DURATION_PATTERN",
    "AnswerResponse",
    "Article",
    "ArticleNotFoundError",
    "BuildReport",
    "ContentError",
    "ContentProblem",
    "ContentSet",
    "IndexBuildError",
    "IndexBusyError",
    "IndexNotFoundError",
    "KBError",
    "KnowledgeBase",
    "KnowledgeView",
    "LocaleError",
    "SearchResponse",
    "Settings",
    "build_index",
    "load_content",
    "parse_since",
    "report_locale",
]
