"""A realistic help-widget query trace with a fixed seed.

A trace is a sequence of *sessions*: a customer picks a final query (Zipf-popular: a few
queries are asked again and again), types it, and the widget searches at every keystroke from
the third character (``prefix`` entries), then on enter (``final``). Some finals get a typo,
some are out of scope. Languages are mixed; a share of queries is asked in the other locale
(cross-lingual).

- ``shipped``: finals are the golden relevance queries (``tests/golden/queries.yaml``: q, locale,
  lang, article, intent, kind, split); without that file, a small built-in list.
- ``synthetic``: finals are made from the synthetic corpus vocabulary (bench/vocab.py).

    python -m bench.trace --source shipped --queries 2000 --out bench/results/trace-shipped.json
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

import yaml

from bench import vocab
from bench.common import ROOT, log

GOLDEN = ROOT / "tests" / "golden" / "queries.yaml"

# used only while tests/golden/queries.yaml does not exist yet
FALLBACK_FINALS: list[tuple[str, str]] = [
    ("fr", "je veux être remboursé"), ("en", "how do I get my money back"),
    ("en", "turn off auto renew"), ("fr", "désactiver le renouvellement automatique"),
    ("fr", "remboursement acheté chez fnac"), ("en", "refund bought at best buy"),
    ("en", "refund app store"), ("fr", "remboursement apple"), ("fr", "numéro de téléphone"),
    ("en", "contact support"), ("en", "live chat"), ("fr", "parler à un conseiller"),
    ("fr", "résilier abonnement"), ("en", "unsubscribe"), ("fr", "prélèvement non autorisé"),
    ("en", "cancel subscription"), ("fr", "remboursement fournisseur internet"),
    ("en", "bought through my internet provider"), ("fr", "délai de remboursement"),
    ("en", "refund policy"), ("fr", "clé d'abonnement"), ("en", "hotline"),
]


@dataclass(frozen=True)
class TraceParams:
    source: str = "shipped"  # or "synthetic"
    queries: int = 2000  # trace length (prefixes included)
    seed: int = 7
    zipf_s: float = 1.1  # popularity of finals: weight of rank r is 1/r**s
    pool: int = 400  # distinct finals (synthetic source; shipped uses the golden set)
    typo_rate: float = 0.10  # finals typed with one edit
    oos_rate: float = 0.05  # sessions that ask something out of scope
    cross_rate: float = 0.10  # sessions whose locale is not the query's language
    min_prefix: int = 3  # first keystroke prefix searched


def load_golden(path: Path = GOLDEN) -> list[dict]:
    """Golden queries (list, or a mapping with a ``queries`` list); [] when the file is absent."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("queries") or data.get("cases") or []
    return [d for d in data if isinstance(d, dict) and d.get("q")]


def synthetic_finals(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` distinct (lang, query) pairs in the words customers would use for the corpus."""
    out: dict[tuple[str, str], None] = {}
    topics = list(vocab.TOPICS.values())
    for _ in range(n * 20):
        if len(out) >= n:
            break
        _intent, objects, keywords = rng.choice(topics)
        fr_def, fr_bare, en = rng.choice(objects)
        vfr, ven = rng.choice(vocab.VERBS)
        pfr, pen = rng.choice(vocab.PLACES)
        form = rng.randrange(6)
        fr, eng = {
            0: (f"{vfr} {fr_bare}", f"{ven} {en}"),
            1: (f"comment {vfr} {fr_def}", f"how to {ven} my {en}"),
            2: (fr_bare, en),
            3: (f"{fr_bare} {pfr.split(' ', 1)[1]}", f"{en} {pen.split(' ', 1)[1]}"),
            4: (f"problème {fr_bare}", f"{en} not working"),
            5: (f"{rng.choice(keywords)[0]} {fr_bare}", f"{rng.choice(keywords)[1]} {en}"),
        }[form]
        lang = "fr" if rng.random() < 0.55 else "en"
        out[(lang, (fr if lang == "fr" else eng).lower())] = None
    return list(out)


def typo(q: str, rng: random.Random) -> str:
    """One edit in one word of at least 4 letters: swap, deletion, doubling or substitution."""
    words = q.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not idx:
        return q
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    elif kind == 1:
        w = w[:j] + w[j + 1:]
    elif kind == 2:
        w = w[:j] + w[j] + w[j:]
    else:
        w = w[:j] + rng.choice("aeioustrnl") + w[j + 1:]
    words[i] = w
    return " ".join(words)


def make_trace(params: TraceParams, golden: list[dict] | None = None) -> dict:
    """Build the trace; returns {"params", "stats", "entries": [{q, locale, kind, ...}]}."""
    rng = random.Random(params.seed)
    if params.source == "shipped":
        golden = load_golden() if golden is None else golden
        finals = [(str(g.get("lang") or g.get("locale") or "en"), str(g["q"]),
                   str(g.get("locale") or g.get("lang") or "en")) for g in golden]
        origin = "golden" if finals else "fallback"
        if not finals:
            finals = [(lang, q, lang) for lang, q in FALLBACK_FINALS]
    else:
        origin = "synthetic"
        finals = [(lang, q, lang) for lang, q in synthetic_finals(params.pool, rng)]
    rng.shuffle(finals)  # popularity rank is random with respect to the source order
    cum, acc = [], 0.0
    for rank in range(1, len(finals) + 1):
        acc += 1.0 / rank**params.zipf_s
        cum.append(acc)
    entries: list[dict] = []
    session = 0
    while len(entries) < params.queries:
        if rng.random() < params.oos_rate:
            lang, q = rng.choice(vocab.OUT_OF_SCOPE)
            locale, kind = lang, "oos"
        else:
            lang, q, locale = rng.choices(finals, cum_weights=cum)[0]
            kind = "in_scope"
            if rng.random() < params.typo_rate:
                q, kind = typo(q, rng), "typo"
            if rng.random() < params.cross_rate:
                locale = "en" if lang == "fr" else "fr"
        for n in range(params.min_prefix, len(q)):
            if not q[n - 1].isspace():
                entries.append({"q": q[:n], "locale": locale, "kind": "prefix", "session": session})
        entries.append({"q": q, "locale": locale, "kind": "final", "class": kind,
                        "session": session})
        session += 1
    entries = entries[: params.queries]
    distinct = Counter((e["q"], e["locale"]) for e in entries)
    finals_only = [e for e in entries if e["kind"] == "final"]
    stats = {
        "origin": origin,
        "entries": len(entries),
        "sessions": session,
        "finals": len(finals_only),
        "prefix_share": round(1 - len(finals_only) / max(1, len(entries)), 3),
        "distinct_queries": len(distinct),
        "repetition": round(1 - len(distinct) / max(1, len(entries)), 3),
        "top10_share": round(sum(c for _, c in distinct.most_common(10)) / max(1, len(entries)), 3),
        "locales": dict(Counter(e["locale"] for e in entries)),
        "final_classes": dict(Counter(e["class"] for e in finals_only)),
    }
    return {"params": asdict(params), "stats": stats, "entries": entries}


def request_paths(entries: list[dict], endpoint: str = "/v1/search") -> list[str]:
    """URL-encoded request targets for an HTTP load generator."""
    return [f"{endpoint}?q={quote(e['q'], safe='')}&locale={e['locale']}" for e in entries]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", choices=["shipped", "synthetic"], default="shipped")
    ap.add_argument("--queries", type=int, default=TraceParams.queries)
    ap.add_argument("--seed", type=int, default=TraceParams.seed)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    params = TraceParams(source=args.source, queries=args.queries, seed=args.seed)
    log(f"trace parameters: {asdict(params)}")
    trace = make_trace(params)
    log(f"trace stats: {trace['stats']}")
    text = json.dumps(trace, ensure_ascii=False, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
