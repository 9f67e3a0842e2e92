"""The index's own words held in memory: typo candidates in microseconds, prefix completions,
and the accented spelling of a folded word for "did you mean" suggestions.

Typo tolerance grows with word length: one edit from 4 letters, two from 8, where swapping two
neighbouring letters counts as one edit (optimal string alignment distance). Candidates come
from a deletion index (the SymSpell idea): a word and a typo within ``d`` edits share a string
obtained by deleting at most ``d`` letters from each.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

MAX_WORD = 40


def max_edits(word: str) -> int:
    """How many edits a word of this length may carry and still be corrected."""
    n = len(word)
    return 0 if n < 4 else 1 if n < 8 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two letters is one edit); ``limit + 1`` if more."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        row_min = i
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    for k in range(1, depth + 1):
        if len(word) - k < 2:
            break
        for positions in combinations(range(len(word)), k):
            found.add("".join(ch for i, ch in enumerate(word) if i not in positions))
    return found


class Vocabulary:
    """Folded words with their document frequency and their most common accented spelling."""

    def __init__(self, frequencies: dict[str, int], spellings: dict[str, str] | None = None):
        self.frequencies = {w: f for w, f in frequencies.items() if 2 <= len(w) <= MAX_WORD}
        self.spellings = spellings or {}
        self._sorted = sorted(self.frequencies)
        self._deletes: dict[str, list[str]] = defaultdict(list)
        for word in self._sorted:
            if len(word) >= 4 and not word.isdigit():
                for variant in _deletes(word, max_edits(word)):
                    self._deletes[variant].append(word)

    def __contains__(self, word: object) -> bool:
        return word in self.frequencies

    def __len__(self) -> int:
        return len(self.frequencies)

    def spelling(self, word: str) -> str:
        return self.spellings.get(word, word)

    def completions(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` words that start with ``prefix`` (not the prefix itself), most frequent first."""
        start = bisect_left(self._sorted, prefix)
        found: list[str] = []
        for word in self._sorted[start:]:
            if not word.startswith(prefix):
                break
            if word != prefix:
                found.append(word)
            if len(found) >= 400:  # bound the scan on very short prefixes
                break
        found.sort(key=lambda w: (-self.frequencies[w], w))
        return found[:limit]

    def corrections(self, word: str, limit: int = 3) -> list[tuple[str, int]]:
        """Known words within the allowed edits of ``word``, closest and most frequent first."""
        allowed = max_edits(word)
        if allowed == 0 or word in self.frequencies or word.isdigit():
            return []
        candidates: set[str] = set()
        for variant in _deletes(word, allowed):
            candidates.update(self._deletes.get(variant, ()))
        scored = []
        for candidate in candidates:
            distance = edit_distance(word, candidate, allowed)
            # The candidate must itself be long enough to carry that many edits.
            if distance <= min(allowed, max(max_edits(candidate), 1)):
                scored.append((distance, -self.frequencies[candidate], candidate))
        scored.sort()
        return [(c, d) for d, _, c in scored[:limit]]

    @classmethod
    def from_terms(cls, accented: Iterable[tuple[str, int]]) -> Vocabulary:
        """From (word as written, document frequency) pairs: folded words with summed frequencies,
        each remembering its most frequent accented spelling."""
        from .analysis import fold

        frequencies: dict[str, int] = defaultdict(int)
        best: dict[str, tuple[int, str]] = {}
        for term, freq in accented:
            key = fold(term)
            frequencies[key] += freq
            if key != term and freq > best.get(key, (0, ""))[0]:
                best[key] = (freq, term)
        return cls(dict(frequencies), {k: term for k, (_, term) in best.items()})
