"""German presentation: names in the order a German reader expects."""

from __future__ import annotations

from pakt.schemas import file_name_part, german_sort_key, spelt_out


def test_names_sort_as_in_a_german_dictionary():
    names = [
        "Zimmern",
        "Überlingen",
        "Ötisheim",
        "Bubsheim",
        "Bärenthal",
        "Mühlheim an der Donau",
        "Muggensturm",
        "Straßberg",
        "Strasburg",
        "ärzteheim",
        "Aldingen",
        "Mühlacker",
    ]
    assert sorted(names, key=german_sort_key) == [
        "Aldingen", "ärzteheim", "Bärenthal", "Bubsheim", "Muggensturm", "Mühlacker", "Mühlheim an der Donau",
        "Ötisheim", "Strasburg", "Straßberg", "Überlingen", "Zimmern",
    ]  # fmt: skip
    assert sorted(names)[-2:] == ["Überlingen", "ärzteheim"]  # what a plain sort does, and nobody expects


def test_names_become_file_names_and_sepa_text_without_umlauts():
    assert file_name_part("Emmingen-Liptingen") == "Emmingen_Liptingen"
    assert file_name_part("Bärenthal") == "Baerenthal" and file_name_part("Straßberg (Alb)") == "Strassberg_Alb"
    assert spelt_out("Rückforderung Frühjahr") == "Rueckforderung Fruehjahr"
