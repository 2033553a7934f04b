"""Keys compared as people read them: two staff pseudonyms that a reader takes for one are one key.

A clerk types `IM-01`; a second clerk (or a copy from a web page, a PDF, an
e-mail) brings `IM‑01` with a non-breaking hyphen, `IМ-01` with a Cyrillic
М, `IM-01` with a combining grapheme joiner or a Hangul filler in it. On
screen and on paper they are the same person. Two keys answer two questions:

- `comparison_key` (exact): Unicode NFKC; every default-ignorable code point
  removed (the Default_Ignorable_Code_Point property: zero-width characters,
  soft hyphen, joiners, Hangul fillers, tags, variation selectors, Mongolian
  free variation selectors, ...) and control characters with them; every
  character that shows as a blank (white space, the Braille blank U+2800) as
  one space, spaces at the ends dropped; every dash and hyphen (the Dash
  property) as "-"; case folded. Two pseudonyms with the same exact key are
  written alike: the same entry twice.
- `person_key` (lookalike): the exact key's confusables skeleton (Unicode
  Technical Standard #39), case-insensitively and without spaces. Two pseudonyms with the same
  person key and different exact keys look alike but are written differently
  (a Cyrillic letter, 0 for O): a reader cannot tell them apart, so the
  district counts one person and the clerk is warned.

The Unicode data comes from maintained packages, not from a hand list: the
`regex` module's Unicode property tables for the default-ignorables, dashes
and white space, and confusable-homoglyphs' copy of Unicode's confusables.txt
for the skeleton. Equal exact keys always give equal person keys (the person
key is computed from the exact key).
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

import regex

_IGNORABLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cc}--\p{White_Space}]+", regex.V1)
"""What nobody sees: removed. (Tab and line breaks are white space, so they become a space instead.)"""
_BLANK = regex.compile(r"[\p{White_Space}\u2800]+")
"""What shows as empty space: the Braille pattern blank is no white space to Unicode, but looks like one."""
_DASH = regex.compile(r"\p{Dash}")
_LEFT_TO_RIGHT_MARK = "\u200e"
"""confusables.txt wraps right-to-left characters in its comments in this mark; the generated data keeps it."""
_SKELETON_ROUNDS = 4
"""Prototypes are fixed points of the mapping; a few rounds settle a chosen representative that is not."""


def comparison_key(text: str) -> str:
    """The exact key of a pseudonym (or any key a person types): "IM\u200b-07", "im‑07 " and "IM-07" are one."""
    visible = _IGNORABLE.sub("", unicodedata.normalize("NFKC", _IGNORABLE.sub("", text)))
    unified = _DASH.sub("-", _BLANK.sub(" ", visible)).strip(" ")
    return unicodedata.normalize("NFKC", unified.casefold())


@lru_cache(maxsize=65_536)
def person_key(text: str) -> str:
    """The key that decides whether two pseudonyms name one person: the skeleton of the exact key, upper and
    lower case alike, spaces left out ("IM-01", "im-01", "IМ-01" with a Cyrillic М, "IM-O1" and "IM 01" share
    it). Upper case first catches the capitals that look Latin (Cyrillic М, Т, Н), lower case then the small
    letters (l for I); the price is that "IRN" reads as "IM", as "rn" does as "m" in most typefaces."""
    exact = comparison_key(text).replace(" ", "")
    return _skeleton(_skeleton(exact.upper()).casefold())


def _skeleton(text: str) -> str:
    """UTS #39 skeleton: every character of the NFD form replaced by its prototype, NFD again."""
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(prototypes.get(char, char) for char in decomposed))


def _strip_mark(text: str) -> str:
    return text.replace(_LEFT_TO_RIGHT_MARK, "") if len(text) > 1 else text


@cache
def _prototypes() -> dict[str, str]:
    """Each confusable character's prototype, from confusable-homoglyphs' data.

    That data lists, for every character of confusables.txt, the characters it is confusable with in both
    directions: a source character lists its one prototype, a prototype lists all its sources. So a
    character that lists several is a prototype, and one that lists one maps to it; of a pair that lists only
    each other, the longer (a prototype may be several characters, a source never is) or else the smaller
    stands for both. Any representative does for equality, as long as every member of a class gets the same.
    """
    from confusable_homoglyphs.utils import load

    listed: dict[str, list[str]] = {}
    for char, homoglyphs in load("confusables.json").items():
        listed.setdefault(_strip_mark(char), []).extend(_strip_mark(h["c"]) for h in homoglyphs)
    mapping: dict[str, str] = {}
    for char, others in listed.items():
        if len(char) != 1 or len(set(others)) != 1:
            continue  # a prototype (it lists its sources), or a sequence (never a source)
        other = others[0]
        if len(set(listed.get(other, ()))) > 1 or len(other) > 1:
            mapping[char] = other
        elif other != char:
            mapping[char] = min(char, other)
    for _ in range(_SKELETON_ROUNDS):  # representatives themselves mapped, so every member of a class agrees
        settled = {char: "".join(mapping.get(c, c) for c in target) for char, target in mapping.items()}
        if settled == mapping:
            break
        mapping = settled
    return {char: target for char, target in mapping.items() if target != char}
