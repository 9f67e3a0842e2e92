"""Scrub personal data out of customer text before it is stored for analytics.

:func:`scrub` first normalizes the text to NFKC (a full-width ``＠`` or ``０６`` is then an ``@``
or ``06``, so they cannot slip past the patterns), then replaces, in this order:

1. e-mail addresses → ``[email]``;
2. subscription keys → ``[key]``: 25-character product keys in five groups of five
   (``AB1CD-2EF3G-H4IJ5-KL6MN-7OP8Q``), other dash-separated key-like groups that mix letters and
   digits (licence codes, UUIDs), and long alphanumeric tokens that look random (many
   letter/digit alternations, or 20+ characters with a digit);
3. phone numbers written with an international prefix (``+33 6 12 34 56 78``,
   ``0044 20 7946 0958``, ``+1 (555) 123-4567``) and US numbers with an area code in
   parentheses → ``[phone]``;
4. every other cluster of digits, where a cluster is digit groups joined by single spaces, dots
   or dashes, judged by its number of digits: 13–19 → ``[card]`` (the Luhn check is deliberately
   not required: a mistyped card number is still a card number); 20 or more → ``[key]``;
   9–12 → ``[phone]`` (``06 12 34 56 78``, ``555-123-4567``, ``0612345678``) unless it is written
   as a thousands-grouped amount (``1 000 000 000``).

Short numbers are left alone: years (``2024``), durations (``60 jours``), ``25 caractères``,
dates (``2024-01-15``, ``15.01.2024``). The placeholders contain no digit and no ``@``, so
scrubbing is idempotent: ``scrub(scrub(t)) == scrub(t)``.

The scrubber favours privacy over precision: a number that merely looks like a phone or a card
is replaced too.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["PLACEHOLDERS", "scrub"]

PLACEHOLDERS: tuple[str, ...] = ("[email]", "[phone]", "[key]", "[card]")

_EMAIL = re.compile(
    # Local part (Unicode letters allowed), possessive and anchored at the start of its run so
    # that a long run without a domain is rejected in linear time.
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]++"
    r"(?:@[\w-]+(?:\.[\w-]+)*"  # jean@example.com, jean@localhost
    r"|[ \t]@[ \t]?[\w-]+(?:\.[\w-]+)+)"  # "jean @ example.com", but not "twitter @handle"
)

# Five groups of five characters: the 25-character product key printed on the box card.
_PRODUCT_KEY = re.compile(r"(?<![\w-])[A-Za-z0-9]{5}(?:([- ])[A-Za-z0-9]{5})(?:\1[A-Za-z0-9]{5}){3}(?![\w-])")
# Three or more dash-separated groups of 4–12 characters (licence codes, UUIDs).
_DASHED_KEY = re.compile(r"(?<![\w-])[A-Za-z0-9]{4,12}(?:-[A-Za-z0-9]{4,12}){2,}(?![\w-])")
_TOKEN = re.compile(r"(?<!\w)[A-Za-z0-9_]{12,}+(?!\w)")
_LETTER_DIGIT_SWITCH = re.compile(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")

# "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "0044 20 7946 0958", "+1 (555) 123-4567".
_INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])(?<![0-9][ .-])(?:\+|00)[ ]?[1-9][0-9 .()\-]{5,24}[0-9]")
_GROUP_END = re.compile(r"[0-9](?=[ .()\-])")
_US_PHONE_PARENS = re.compile(r"(?<![\w+])(?:1[ .-]?)?\([2-9][0-9]{2}\)[ .-]?[0-9]{3}[ .-]?[0-9]{4}(?![0-9])")
# Possessive: a cluster is taken whole or not at all, so hostile input cannot make it backtrack.
_DIGIT_CLUSTER = re.compile(r"(?<![0-9])[0-9]++(?:[ .-][0-9]++)*+")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:([ .])[0-9]{3})(?:\1[0-9]{3})*")


def _has_letter_and_digit(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def _product_key(match: re.Match[str]) -> str:
    token = match.group(0)
    # Spaced groups need a digit, so that five five-letter words are never taken for a key.
    if match.group(1) == " " and not any(c.isdigit() for c in token):
        return token
    return "[key]"


def _dashed_key(match: re.Match[str]) -> str:
    token = match.group(0)
    alnum = token.replace("-", "")
    return "[key]" if len(alnum) >= 12 and _has_letter_and_digit(alnum) else token


def _key_like_token(match: re.Match[str]) -> str:
    token = match.group(0)
    if not _has_letter_and_digit(token):
        return token  # a long word ("anticonstitutionnellement") or a number (handled later)
    switches = len(_LETTER_DIGIT_SWITCH.findall(token))
    # "norton360deluxe2024" switches 3 times; a random key of 12+ characters switches far more.
    if switches >= 4 or len(token) >= 20:
        return "[key]"
    return token


def _count_digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _international_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    if _count_digits(text) < 8:
        return text
    # Too many digits: a number follows the phone ("+33 6 12 34 56 78 2024"); keep the longest
    # prefix that ends a digit group and still has at most 15 digits.
    end = len(text)
    while _count_digits(text[:end]) > 15:
        ends = [m.end() for m in _GROUP_END.finditer(text, 0, end - 1)]
        if not ends:
            return text
        end = ends[-1]
    if _count_digits(text[:end]) < 8:
        return text
    return "[phone]" + text[end:]


def _digit_cluster(match: re.Match[str]) -> str:
    cluster = match.group(0)
    digits = sum(c.isdigit() for c in cluster)
    if 13 <= digits <= 19:
        return "[card]"
    if digits >= 20:
        return "[key]"
    if digits >= 9 and not _THOUSANDS.fullmatch(cluster):
        return "[phone]"
    return cluster


def scrub(text: str) -> str:
    """Return ``text`` with e-mails, phone numbers, keys and card-like numbers replaced.

    The placeholders are ``[email]``, ``[phone]``, ``[key]`` and ``[card]``; everything else
    (words, spacing, short numbers such as years or "60 jours") is kept, in NFKC form.
    """
    if not text:
        return text
    text = unicodedata.normalize("NFKC", text)
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    text = _PRODUCT_KEY.sub(_product_key, text)
    text = _DASHED_KEY.sub(_dashed_key, text)
    text = _TOKEN.sub(_key_like_token, text)
    if "+" in text or "00" in text:
        text = _INTERNATIONAL_PHONE.sub(_international_phone, text)
    if "(" in text:
        text = _US_PHONE_PARENS.sub("[phone]", text)
    return _DIGIT_CLUSTER.sub(_digit_cluster, text)
