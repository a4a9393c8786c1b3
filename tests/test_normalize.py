"""Slang normalisation keeps meaning, above all negation."""

import pytest

from classify.normalize import normalize


@pytest.mark.parametrize("text, expected", [
    ("BLT ga cair", "blt tidak cair"),
    ("bantuan gk cair2", "bantuan tidak cair cair"),
    ("jln bolong2 udh 3 bln", "jalan bolong bolong sudah 3 bulan"),
    ("tlg dong min, kpn diperbaiki??", "tolong dong min kapan diperbaiki ? ?"),
    ("Silahkan lapor yg jelas", "silakan lapor yang jelas"),
])
def test_slang_becomes_standard_words(text, expected):
    assert normalize(text) == expected


def test_negation_is_never_flipped():
    for negation in ("ga", "gak", "nggak", "ngga", "enggak", "tdk", "gk", "kagak", "ndak"):
        assert normalize(f"dana {negation} cair").split()[1] == "tidak", negation
