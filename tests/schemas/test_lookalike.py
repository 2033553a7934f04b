"""Staff pseudonyms compared as people read them: written alike is one entry twice (an error, as before);
looking alike but written differently is a warning that names both cells; either way one person."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pakt.schemas import CheckContext, Code, Severity, check, comparison_key, person_key, read_draft, rules_for
from pakt.sync import open_workbook_file

WRITTEN_ALIKE = {
    "geschütztes Minus": "IM\u201107",
    "Halbgeviertstrich": "IM\u201307",
    "Minuszeichen": "IM\u221207",
    "Vollbreite": "\uff29\uff2d-07",
    "Grapheme Joiner": "IM-\u034f07",
    "Hangul-Füller": "IM\u3164-07",
    "Hangul-Füller halbbreit": "IM-07\uffa0",
    "Hangul Choseong/Jungseong": "I\u115fM-07\u1160",
    "Braille-Leerzeichen am Ende": "IM-07\u2800",
    "Tag-Zeichen": "IM-07\U000e0001\U000e0049\U000e007f",
    "mongolische Variationsselektoren": "IM\u180b-0\u180f7",
    "Variationsselektor": "IM-07\ufe0f",
    "weiches Trennzeichen": "IM-\u00ad07",
    "Nullbreite": "\u200bIM-07\u200d",
    "Kleinschreibung": "im-07",
}
LOOKING_ALIKE = {
    "kyrillisches М": "I\u041c-07",
    "kyrillisches І und М": "\u0406\u041c-07",
    "griechisches Μ": "I\u039c-07",
    "O statt Null": "IM-O7",
    "kleines L statt I": "lM-07",
    "Braille-Leerzeichen in der Mitte": "IM\u2800-07",
}


@pytest.mark.parametrize("spelling", sorted(WRITTEN_ALIKE), ids=str)
def test_pseudonyms_written_alike_share_the_exact_key(spelling):
    assert comparison_key(WRITTEN_ALIKE[spelling]) == comparison_key("IM-07") == "im-07"
    assert person_key(WRITTEN_ALIKE[spelling]) == person_key("IM-07")


@pytest.mark.parametrize("spelling", sorted(LOOKING_ALIKE), ids=str)
def test_pseudonyms_looking_alike_share_the_person_key_not_the_exact_one(spelling):
    assert comparison_key(LOOKING_ALIKE[spelling]) != comparison_key("IM-07")
    assert person_key(LOOKING_ALIKE[spelling]) == person_key("IM-07")


def test_different_pseudonyms_stay_different_people():
    keys = {person_key(p) for p in ("IM-07", "IM-08", "IM-70", "IM-7", "LRA-07", "IM-07a", "=1+1", "IM-1*")}
    assert len(keys) == 8


def test_the_confusables_data_knows_the_cyrillic_letters_that_look_latin():
    """The skeleton comes from Unicode's confusables data (confusable-homoglyphs), not a hand list: every
    Cyrillic capital and small letter that looks Latin reads as its Latin letter."""
    cyrillic, latin = "АВЕКМНОРСТХаеорсху", "ABEKMHOPCTXaeopcxy"
    for letter, looks_like in zip(cyrillic, latin, strict=True):
        assert person_key(letter) == person_key(looks_like), letter


def _checked(write_submission, *pseudonyms: str):
    def rows(template):
        return [{**template[0], "pseudonym": p, "fte": Decimal("0.30")} for p in pseudonyms]

    draft = read_draft(open_workbook_file(write_submission(managers=rows)))
    return check(draft, CheckContext(rules=rules_for(draft, None)))


@pytest.mark.parametrize("spelling", ["geschütztes Minus", "Halbgeviertstrich", "Hangul-Füller", "Tag-Zeichen"])
def test_a_pseudonym_written_alike_is_the_duplicate_error_as_before(write_submission, spelling):
    checked = _checked(write_submission, "IM-07", WRITTEN_ALIKE[spelling])
    doubled = [f for f in checked.findings if f.code is Code.KUERZEL_DOPPELT]
    assert len(doubled) == 1 and doubled[0].severity is Severity.ERROR and checked.blocking
    assert not any(f.code is Code.KUERZEL_AEHNLICH for f in checked.findings)


def test_a_pseudonym_looking_alike_is_a_warning_naming_both_cells(write_submission):
    checked = _checked(write_submission, "IM-07", "I\u041c-07")
    (similar,) = [f for f in checked.findings if f.code is Code.KUERZEL_AEHNLICH]
    assert similar.severity is Severity.WARNING and not checked.blocking
    assert (similar.sheet, similar.cell) == ("Integrationsmanager", "A7")
    assert "„I\u041c-07“ (Integrationsmanager!A7) sieht aus wie „IM-07“ (Integrationsmanager!A6)" in similar.message
    assert checked.submission is not None and len(checked.submission.managers) == 2
