"""spiders/encoding.py: page bytes to text, with the usual wrong charset declarations corrected."""

import pytest

from spiders.encoding import decode_html

TEXT = "Pemerintah Kabupaten — Desa Tegalsiwalan, café “Bromo” – Rp 5.000"
PAGE = f"<html><head><title>Berita</title></head><body><p>{TEXT}</p></body></html>"


def test_utf8_body_declared_latin1_in_the_header_is_read_as_utf8():
    text, encoding = decode_html(PAGE.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert TEXT in text
    assert encoding == "utf-8"


@pytest.mark.parametrize("declaration", ['<meta charset="windows-1252">', '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'])
def test_utf8_body_declared_western_in_a_meta_tag_is_read_as_utf8(declaration):
    body = PAGE.replace("<head>", "<head>" + declaration).encode("utf-8")
    text, encoding = decode_html(body, "text/html")
    assert TEXT in text
    assert encoding == "utf-8"


def test_real_cp1252_bytes_declared_in_meta_stay_cp1252():
    body = PAGE.replace("<head>", '<head><meta charset="windows-1252">').encode("cp1252")
    text, encoding = decode_html(body, None)
    assert TEXT in text
    assert encoding == "cp1252"


def test_undeclared_non_utf8_bytes_fall_back_to_cp1252():
    text, encoding = decode_html(PAGE.encode("cp1252"), "text/html")
    assert TEXT in text
    assert encoding == "cp1252"


def test_undeclared_utf8_is_utf8():
    text, encoding = decode_html(PAGE.encode("utf-8"), None)
    assert TEXT in text
    assert encoding == "utf-8"


def test_header_declaration_of_a_non_western_encoding_is_respected():
    body = "<p>Ж</p>".encode("koi8-r")
    text, encoding = decode_html(body, "text/html; charset=koi8-r")
    assert "Ж" in text
    assert encoding == "koi8-r"


def test_byte_order_mark_wins_over_a_wrong_header():
    body = "\ufeff<p>café</p>".encode("utf-16-le")
    text, encoding = decode_html(body, "text/html; charset=iso-8859-1")
    assert "<p>café</p>" in text
    assert encoding.startswith("utf-16")


def test_pure_ascii_keeps_the_declared_encoding():
    assert decode_html(b"<p>jalan rusak</p>", "text/html; charset=iso-8859-1") == ("<p>jalan rusak</p>", "cp1252")


def test_invalid_utf8_sequences_become_replacement_characters():
    body = b"<p>Jalan \xff\xfe rusak caf\xc3 di Paiton</p>"
    text, encoding = decode_html(body, "text/html; charset=utf-8")
    assert encoding == "utf-8"
    assert text.startswith("<p>Jalan ") and text.endswith(" di Paiton</p>")
    assert "\ufffd" in text


@pytest.mark.parametrize("content_type", [None, "", "text/html; charset=bogus-charset", "text/html; charset="])
def test_odd_inputs_never_raise(content_type):
    for body in (b"", b"\x00\x81\x8d\x8f\x90\x9d", "<p>café</p>".encode("utf-8"), b"\xef\xbb\xbf<p>x</p>"):
        text, encoding = decode_html(body, content_type)
        assert isinstance(text, str) and isinstance(encoding, str)
