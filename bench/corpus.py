"""Synthetic French/English help-center knowledge base with a fixed seed.

Writes ``<out>/fr/<id>.md`` and ``<out>/en/<id>.md`` (same ids, translations of each other) in
the format of docs/authoring.md, an almost empty ``<out>/synonyms.yaml``, and
``<out>/corpus.json`` with the parameters and vocabulary statistics.

    python -m bench.corpus --out bench/results/corpus-10000 --articles 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import vocab
from bench.common import log

WORD = re.compile(r"\w+", re.UNICODE)
_ELIDE = re.compile(r"\b([Dd]e|[Qq]ue) ([aeiouéèêâîôûAEIOUÉ])")


@dataclass(frozen=True)
class CorpusParams:
    articles: int = 1000  # per locale
    seed: int = 20261126
    min_sections: int = 3  # "## " sections per article, the steps section included
    max_sections: int = 6
    min_steps: int = 0
    max_steps: int = 8
    min_sentences: int = 2  # per section paragraph
    max_sentences: int = 4
    feature_names: int = 3000  # rare proper nouns (feature names), Zipf-used: vocabulary size
    feature_zipf_s: float = 1.05


def feature_names(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct pronounceable names ("Velorix"), the long tail of a real vocabulary."""
    names: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        word = "".join(rng.choice(vocab.SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in names:
            names.add(word)
            out.append(word.capitalize())
    return out


class _Renderer:
    """One article's random choices, rendered identically in both languages."""

    def __init__(self, rng: random.Random, features: list[str], weights: list[float]) -> None:
        self.rng = rng
        self.features = features
        self.cum = weights

    def slots(self, objects: list[tuple[str, str, str]], main: tuple[str, str, str],
              verb: tuple[str, str]) -> dict[str, tuple[str, str]]:
        r = self.rng
        o2 = r.choice(objects)
        v2 = r.choice(vocab.VERBS)
        feat = r.choices(self.features, cum_weights=self.cum)[0]
        code = f"{r.randint(1000, 9999)}.{r.randint(100, 999)}"
        ver = f"{r.randint(18, 25)}.{r.randint(0, 9)}"
        n, d = str(r.randint(2, 15)), str(r.choice([2, 3, 5, 7, 10, 14, 30]))
        prod = r.choice(vocab.PRODUCTS)
        same = {"feat": feat, "code": code, "ver": ver, "n": n, "d": d, "prod": prod}
        s: dict[str, tuple[str, str]] = {k: (v, v) for k, v in same.items()}
        s.update(o=(main[0], main[2]), o2=(o2[0], o2[2]), v=verb, v2=v2,
                 p=r.choice(vocab.PLACES), ui=r.choice(vocab.UI), btn=r.choice(vocab.BUTTONS))
        s["O"] = (main[0][:1].upper() + main[0][1:], main[2])
        s["V"] = (verb[0].capitalize(), verb[1].capitalize())
        return s

    @staticmethod
    def fill(pair: tuple[str, str], s: dict[str, tuple[str, str]]) -> tuple[str, str]:
        fr = _ELIDE.sub(lambda m: m.group(1)[0] + "'" + m.group(2),
                        pair[0].format(**{k: v[0] for k, v in s.items()}))
        en = pair[1].format(**{k: v[1] for k, v in s.items()})
        return fr[:1].upper() + fr[1:], en[:1].upper() + en[1:]


def _front(meta: dict[str, object]) -> str:
    lines = ["---"]
    for key, value in meta.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines)


def generate(out: Path, params: CorpusParams) -> dict[str, object]:
    """Write the corpus; return parameters and statistics (also written to corpus.json)."""
    rng = random.Random(params.seed)
    features = feature_names(params.feature_names, rng)
    weights, acc = [], 0.0
    for rank in range(1, len(features) + 1):
        acc += 1.0 / rank**params.feature_zipf_s
        weights.append(acc)
    render = _Renderer(rng, features, weights)
    for loc in ("fr", "en"):
        (out / loc).mkdir(parents=True, exist_ok=True)
    (out / "synonyms.yaml").write_text(
        "# synthetic corpus: almost no synonyms\nfr:\n  résilier: [désactiver, annuler]\n"
        "en:\n  money back: [refund]\n", encoding="utf-8")
    topics = list(vocab.TOPICS)
    words: dict[str, Counter[str]] = {"fr": Counter(), "en": Counter()}
    sections_total = steps_total = 0
    base_date = dt.date(2023, 1, 1)
    for i in range(params.articles):
        topic = topics[i % len(topics)] if i < len(topics) else rng.choice(topics)
        intent, objects, keywords = vocab.TOPICS[topic]
        main, verb = rng.choice(objects), rng.choice(vocab.VERBS)
        s = render.slots(objects, main, verb)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{verb[1]} {main[2]}".lower()).strip("-")
        article_id = f"{topic}-{slug}-{i:05d}"
        title = render.fill(rng.choice(vocab.TITLES), s)
        summary = render.fill(rng.choice(vocab.SUMMARIES), s)
        kws = rng.sample(keywords, rng.randint(0, min(3, len(keywords))))
        updated = (base_date + dt.timedelta(days=rng.randint(0, 1000))).isoformat()
        n_sections = rng.randint(params.min_sections, params.max_sections)
        n_steps = rng.randint(params.min_steps, params.max_steps)
        headings = rng.sample(vocab.HEADINGS, n_sections - (1 if n_steps else 0))
        if n_steps:
            headings.insert(rng.randint(0, min(1, len(headings))), vocab.STEPS_HEADING)
        docs: dict[str, list[str]] = {"fr": [], "en": []}
        for li, loc in enumerate(("fr", "en")):
            meta = {"id": article_id, "title": title[li], "intent": intent,
                    "summary": summary[li], "updated": updated, "tags": [topic]}
            if kws:
                meta["keywords"] = [k[li] for k in kws]
            docs[loc].append(_front(meta))
        intro = render.fill(rng.choice(vocab.SENTENCES), render.slots(objects, main, verb))
        for li, loc in enumerate(("fr", "en")):
            docs[loc].append("\n" + intro[li] + "\n")
        for heading in headings:
            for li, loc in enumerate(("fr", "en")):
                docs[loc].append(f"## {heading[li]} {{#{heading[2]}}}\n")
            sentences = [render.fill(rng.choice(vocab.SENTENCES), render.slots(objects, main, verb))
                         for _ in range(rng.randint(params.min_sentences, params.max_sentences))]
            for li, loc in enumerate(("fr", "en")):
                docs[loc].append(" ".join(x[li] for x in sentences) + "\n")
            if heading is vocab.STEPS_HEADING:
                steps = [render.fill(rng.choice(vocab.STEPS), render.slots(objects, main, verb))
                         for _ in range(n_steps)]
                for li, loc in enumerate(("fr", "en")):
                    docs[loc].append("\n".join(f"{k}. {st[li]}" for k, st in enumerate(steps, 1))
                                     + "\n")
        sections_total += len(headings)
        steps_total += n_steps
        for loc in ("fr", "en"):
            text = "\n".join(docs[loc])
            (out / loc / f"{article_id}.md").write_text(text, encoding="utf-8")
            words[loc].update(w.lower() for w in WORD.findall(text))
    stats = {
        "params": asdict(params),
        "articles_per_locale": params.articles,
        "sections_mean": round(sections_total / max(1, params.articles), 2),
        "steps_mean": round(steps_total / max(1, params.articles), 2),
        "distinct_words": {loc: len(c) for loc, c in words.items()},
        "total_words": {loc: sum(c.values()) for loc, c in words.items()},
        "topics": topics,
    }
    (out / "corpus.json").write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
    return stats


def ensure_corpus(out: Path, params: CorpusParams) -> dict[str, object]:
    """Generate ``out`` unless it already holds a corpus made with the same parameters."""
    meta = out / "corpus.json"
    if meta.exists():
        stats = json.loads(meta.read_text())
        if stats.get("params") == asdict(params):
            return stats
    if out.exists():
        for loc in ("fr", "en"):
            for f in (out / loc).glob("*.md"):
                f.unlink()
    return generate(out, params)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--articles", type=int, default=CorpusParams.articles)
    ap.add_argument("--seed", type=int, default=CorpusParams.seed)
    ap.add_argument("--feature-names", type=int, default=CorpusParams.feature_names)
    args = ap.parse_args(argv)
    params = CorpusParams(articles=args.articles, seed=args.seed, feature_names=args.feature_names)
    log(f"corpus parameters: {asdict(params)}")
    stats = ensure_corpus(args.out, params)
    print(json.dumps(stats, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
