"""Each term's scored postings, read through Whoosh once per index generation and kept.

A generation never changes, so neither does the BM25F score a term gives a document. Building
Whoosh's matcher tree for a query (a leaf matcher, a scorer and a term-info lookup per term,
then the union and intersection matchers) costs more than the rest of a search on a small help
center; reading each term's postings once and combining them in dictionaries gives the same
documents and the same scores (Whoosh sums the scores of the leaves that match, each times its
boost) for a fraction of the cost. Whoosh stays the index, the analysis and the scorer.

The memo is bounded by the number of postings it holds (least recently used terms go first),
shared by every thread of a worker, and thrown away with its generation.

A term read for the first time costs ~2 µs a posting through the matcher's one-posting-at-a-time
interface (a common word of a large help center has thousands), most of it looking up the
document's field length. For the index layout this Whoosh writes (one segment, W3 postings,
BM25F) the postings are read a block at a time and the lengths come from a table made when
the generation opens: the same numbers given to the same scoring function, so the same scores.
Any other layout takes the matcher's own path.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3PerDocReader, _lenfield
from whoosh.reading import SegmentReader
from whoosh.scoring import WeightLengthScorer
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

__all__ = ["DocScores", "ScoredPostings", "StoredDoc", "combine"]

DocScores = Mapping[int, float]  # document number → score of one term, boost not applied
MAX_POSTINGS = 2_000_000  # ~100 bytes each: at most ~200 MiB; 10,000 articles per locale used 387,000
EMPTY: dict[int, float] = {}
# A length byte as Whoosh's doc_field_length decodes it (a zero byte gives None: such a document
# has no posting in the field, so is never scored).
BYTE_TO_LENGTH: list[int | None] = [byte_to_length(b) if b else None for b in range(256)]


class StoredDoc:
    """What ranking needs of a document: its article, locale and intent."""

    __slots__ = ("article_id", "intent", "locale")

    def __init__(self, article_id: str, locale: str, intent: str):
        self.article_id, self.locale, self.intent = article_id, locale, intent


class ScoredPostings:
    """``(field, text)`` → {document number: score}, computed by Whoosh's own matcher and scorer."""

    def __init__(self, searcher: Callable[[], Searcher], max_postings: int = MAX_POSTINGS):
        self._searcher = searcher
        self._max = max_postings
        self._terms: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self._by_intent: dict[str, frozenset[int]] = {}
        reader = searcher().reader()  # the searcher's own: not closed here
        self.docs: dict[int, StoredDoc] = {
            number: StoredDoc(fields["article_id"], fields["locale"], fields.get("intent", ""))
            for number, fields in reader.iter_docs()
        }
        self.article_count = len({doc.article_id for doc in self.docs.values()})
        self._lengths = _field_lengths(searcher())

    def get(self, fieldname: str, text: str) -> DocScores:
        key = (fieldname, text)
        with self._lock:
            found = self._terms.get(key)
            if found is not None:
                self._terms.move_to_end(key)
                return found
        scores = self._read(fieldname, text)  # outside the lock: another thread may read the same
        if len(scores) <= self._max:
            with self._lock:
                if key not in self._terms:
                    self._terms[key] = scores
                    self._held += len(scores)
                    while self._held > self._max:
                        _, evicted = self._terms.popitem(last=False)
                        self._held -= len(evicted)
        return scores

    def _read(self, fieldname: str, text: str) -> dict[int, float]:
        searcher = self._searcher()
        term = searcher.schema[fieldname].to_bytes(text)
        if (fieldname, term) not in searcher.reader():
            return EMPTY
        matcher = searcher.postings(fieldname, term)  # scored with the searcher's weighting
        scores: dict[int, float] = {}
        lengths = self._lengths.get(fieldname)
        scorer = getattr(matcher, "scorer", None)
        if lengths is not None and type(matcher) is W3LeafMatcher and isinstance(scorer, WeightLengthScorer):
            score = scorer._score  # what matcher.score() calls with the posting's weight and length
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                block = zip(matcher._ids, matcher._weights, strict=True)
                scores.update({n: score(w, lengths[n]) for n, w in block})
                matcher._next_block()
            return scores
        while matcher.is_active():
            scores[matcher.id()] = matcher.score()
            matcher.next()
        return scores

    def with_intent(self, intent: str) -> frozenset[int]:
        found = self._by_intent.get(intent)
        if found is None:
            found = frozenset(n for n, doc in self.docs.items() if doc.intent == intent)
            self._by_intent[intent] = found
        return found


def _field_lengths(searcher: Searcher) -> dict[str, list[int | None]]:
    """Each scored field's length in every document, as ``doc_field_length(n, field, 1)`` gives
    it, read from the length columns whole; empty when the index is not one known segment."""
    reader = searcher.reader()
    perdoc = getattr(reader, "_perdoc", None)
    if not searcher.is_atomic() or type(reader) is not SegmentReader or not isinstance(perdoc, W3PerDocReader):
        return {}
    doccount = searcher.doc_count_all()
    found: dict[str, list[int | None]] = {}
    for fieldname in searcher.schema.scorable_names():
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:  # no document has the field: doc_field_length gives the default
            found[fieldname] = [1] * doccount
            continue
        if getattr(column, "_typecode", None) != "B" or getattr(column, "_fixedlen", None) != 1:
            return {}
        raw = column._dbfile.get(column._basepos, column._count)  # one byte a document
        found[fieldname] = [BYTE_TO_LENGTH[b] for b in raw] + [None] * (doccount - column._count)
    return found


def combine(
    groups: Iterable[Iterable[tuple[DocScores, float]]],
    *,
    every_group: bool,
    allowed: frozenset[int] | None = None,
    limit: int,
) -> list[tuple[int, float, tuple[int, ...]]]:
    """Documents matching the groups of ``(postings, boost)``, best first: (number, score, the
    indexes of the matching postings in reading order).

    With ``every_group`` a document must match some postings of every group (Whoosh's ``And``
    of ``Or``); otherwise any postings will do (one ``Or``). A document's score is the sum of
    score × boost over all the postings that hold it. The first ``limit`` by score, then by
    document number, as Whoosh orders its hits.
    """
    groups = [list(group) for group in groups]
    flat = [pair for group in groups for pair in group]
    candidates: set[int] | None = None
    if every_group:
        for group in sorted(groups, key=lambda g: sum(len(p) for p, _ in g)):  # smallest first
            docs = set().union(*(p.keys() for p, _ in group))
            candidates = docs if candidates is None else candidates & docs
            if not candidates:
                return []
    if allowed is not None:
        candidates = set(allowed) if candidates is None else candidates & allowed
    # The scores first, in reading order (so that each sum is the same float whatever the path);
    # which postings hold a document only for the few that make the cut. Comprehensions, not a
    # loop of dictionary updates: a union of common words holds tens of thousands of postings.
    totals: dict[int, float] = {}
    for postings, boost in flat:
        if candidates is None:
            pairs: Iterable[tuple[int, float]] = postings.items()
        elif len(candidates) < len(postings):  # walk the smaller side
            pairs = [(n, postings[n]) for n in candidates if n in postings]
        else:
            pairs = [(n, score) for n, score in postings.items() if n in candidates]
        get = totals.get
        totals.update({number: get(number, 0.0) + score * boost for number, score in pairs})
    best = _best(totals, limit)
    return [(number, score, tuple(i for i, (p, _) in enumerate(flat) if number in p)) for number, score in best]


def _best(totals: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (document, score) pairs, by score then document number."""
    if len(totals) > limit:
        cut = heapq.nlargest(limit, totals.values())[-1]
        items = [(number, score) for number, score in totals.items() if score >= cut]
    else:
        items = list(totals.items())
    items.sort(key=lambda item: (-item[1], item[0]))
    return items[:limit]
