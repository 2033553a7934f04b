"""German presentation: names in the order a German reader expects."""

from __future__ import annotations

from pakt.schemas import german_sort_key


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
