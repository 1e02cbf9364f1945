"""Text in any label: the superset of what the label names, else UTF-8, else the likeliest of
the encodings our customers write, and never an exception."""

import pytest

from aftersales.inbox import charsets
from aftersales.inbox.tests.samples import GBK_ONLY, HKSCS_ONLY, RUSSIAN

CHINESE = f"您好，我的空调坏了，请联系{GBK_ONLY}。"
CANTONESE = f"{HKSCS_ONLY[0]}唔郁，部機壞{HKSCS_ONLY[1]}，請盡快聯絡我。"


def test_the_characters_really_are_outside_the_labelled_charsets() -> None:
    with pytest.raises(UnicodeEncodeError):
        GBK_ONLY.encode("gb2312")
    with pytest.raises(UnicodeEncodeError):
        HKSCS_ONLY.encode("big5")


@pytest.mark.parametrize("label", ["GB2312", "gb2312", '"gb2312"', "GBK", "x-gbk", "cp936"])
def test_gbk_text_labelled_gb2312_is_read_with_gb18030(label) -> None:
    decoded = charsets.decode(CHINESE.encode("gbk"), label)
    assert decoded.text == CHINESE and decoded.codec == "gb18030" and decoded.note == ""


@pytest.mark.parametrize("label", ["Big5", "big5", "x-x-big5"])
def test_hkscs_text_labelled_big5_is_read_with_big5hkscs(label) -> None:
    decoded = charsets.decode(CANTONESE.encode("big5hkscs"), label)
    assert decoded.text == CANTONESE and decoded.codec == "big5hkscs"


def test_russian_in_its_labels() -> None:
    assert charsets.decode(RUSSIAN.encode("koi8-r"), "KOI8-R").text == RUSSIAN
    assert charsets.decode(RUSSIAN.encode("cp1251"), "windows-1251").text == RUSSIAN


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (CHINESE, "gbk", "gb18030"),
        (CANTONESE, "big5hkscs", "big5hkscs"),
        (RUSSIAN, "cp1251", "cp1251"),
        (RUSSIAN, "koi8-r", "koi8_r"),
        ("Grüße aus Köln", "utf-8", "utf-8"),
    ],
)
@pytest.mark.parametrize("label", ["x-unknown", None, "us-ascii"])
def test_unknown_missing_or_wrong_labels_are_guessed(text, encoding, expected, label) -> None:
    decoded = charsets.decode(text.encode(encoding), label)
    assert decoded.text == text and decoded.codec == expected
    # The administrator's page says it was guessed (UTF-8 under an ASCII label is no guess).
    assert decoded.note or (label == "us-ascii" and expected == "utf-8")


def test_undecodable_bytes_are_replaced_not_raised() -> None:
    decoded = charsets.decode(b"ok \xff\xfe\xfd\x80\x81 ok", "utf-8")
    assert decoded.text.startswith("ok ") and decoded.text.endswith(" ok")
    assert "replaced" in decoded.note or decoded.note


def test_latin1_labels_read_windows_quotes() -> None:
    assert charsets.decode(b"\x93quoted\x94", "iso-8859-1").text == "\u201cquoted\u201d"


@pytest.mark.parametrize(
    "label", ["base64", "rot13", "zlib", "unicode_escape", "raw-unicode-escape", "idna", "x" * 80]
)
def test_transforms_and_escapes_are_not_character_sets(label) -> None:
    assert charsets.codec_for(label) is None
    assert charsets.decode(b"\\u0041 plain", label).text == "\\u0041 plain"
