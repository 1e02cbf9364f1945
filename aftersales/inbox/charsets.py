"""Turning the bytes of an e-mail into text, whatever its label says.

Mail clients label text by the standard that names the characters they mostly use, not by the
encoding they actually write: "GB2312" text routinely holds GBK characters (镕, 喆, 玥…),
"Big5" text holds Hong Kong (HKSCS) characters, "ISO-8859-1" holds Windows-1252 quotes. So a
label is read as its superset (gb18030, big5hkscs, cp1252…). When the label is unknown, missing
or wrong, the bytes are tried as UTF-8 and then guessed among the encodings our customers write
(Chinese simplified and traditional, Russian); decoding never fails, the worst case replaces
the bytes it cannot read.

Pure functions over bytes; no Django.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# Label (lowercased, as written in mail) → the codec that reads everything written under it.
SUPERSETS = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "euccn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "chinese": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "csbig5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "utf-8",  # 8-bit bytes under an ASCII label are nearly always UTF-8
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-2022-jp": "iso2022_jp_ext",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "koi8-r": "koi8_r",
    "koi8-u": "koi8_u",
    "windows-1251": "cp1251",
    "x-cp1251": "cp1251",
}
# The alternative readings tried when a superset fails on the bytes (e.g. cp950's euro sign).
SECOND_CHOICE = {"big5hkscs": "cp950", "cp950": "big5hkscs", "cp1252": "latin-1"}
# Python codecs that are not character sets a mail client writes: escapes and transforms that
# would turn plain text into something else.
REFUSED_CODECS = frozenset(
    {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "uu_codec", "undefined"}
)
# What a label-less or mislabelled message is guessed among, most likely first.
GUESSES = ("gb18030", "big5hkscs", "cp1251", "koi8_r")

# The most frequent characters of written Chinese, simplified and traditional. A real Chinese
# text is full of them; the same bytes read in the wrong one of the two encodings give rare
# characters instead.
_COMMON_HANZI = frozenset(
    "的一是不了人在有我他这个们中来上大为和国地到以说时要就出也得里后自会家可下而过天去能对小多"
    "然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行"
    "意动方期它头经长儿回位分爱老因很给名法间知世什两次使身者被高已亲其进此话常与活正感请您问题修"
    "维服务电话号码谢产品保换退货收到联系公司时间客户坏机器空调冰箱洗衣售后"
    "這個們來為國說時裡後會過對於學麼發當沒還樣種開總從無現兩親進話與感請問題維務電號碼謝產"
    "換貨聯繫間戶壞機調洗衣售後"
)


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` without lone surrogates (from raw bytes kept by surrogateescape, or a UTF-7 or
    escape trick), which no database or template can encode: each becomes U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


@dataclass(frozen=True)
class Decoded:
    text: str
    # The codec actually used, and what happened when it was not simply the label's superset.
    codec: str
    note: str = ""


def codec_for(label: str | None) -> str | None:
    """The codec to read text labelled `label` with (its superset), or None when the label
    names no character set Python knows (or one we refuse)."""
    label = (label or "").strip().strip("\"'").lower()
    if not label or len(label) > 40:
        return None
    label = SUPERSETS.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    name = info.name
    # Transforms (base64, zlib, rot13…) are codecs too, but not character sets.
    if name.replace("-", "_") in REFUSED_CODECS or not getattr(info, "_is_text_encoding", True):
        return None
    return SUPERSETS.get(name, name)


def decode(data: bytes, label: str | None = None) -> Decoded:
    """`data` as text: the label's superset; else UTF-8; else the best guess; never raises."""
    codec = codec_for(label)
    if codec is not None:
        for candidate in (codec, SECOND_CHOICE.get(codec)):
            if candidate is None:
                continue
            try:
                return Decoded(storable(data.decode(candidate)), candidate)
            except UnicodeDecodeError:
                continue
    if data.isascii():
        return Decoded(data.decode("ascii"), "ascii")
    if codec != "utf-8":
        try:
            return Decoded(storable(data.decode("utf-8")), "utf-8", _note(label, "utf-8"))
        except UnicodeDecodeError:
            pass
    guessed = guess(data)
    if guessed is not None:
        return Decoded(storable(data.decode(guessed)), guessed, _note(label, guessed))
    fallback = codec or "utf-8"
    return Decoded(
        storable(data.decode(fallback, errors="replace")),
        fallback,
        _note(label, fallback) + " (unreadable bytes replaced)",
    )


def _note(label: str | None, used: str) -> str:
    return f"charset {(label or 'not given')[:40]!r} read as {used}"


def guess(data: bytes) -> str | None:
    """The encoding among GUESSES that reads `data` most plausibly, or None if none reads it."""
    best, best_score = None, 0.0
    for codec in GUESSES:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text, codec)
        if score > best_score:
            best, best_score = codec, score
    return best


def _plausibility(text: str, codec: str) -> float:
    """How much `text` looks like real writing in the script `codec` is for (0..1)."""
    foreign = [ch for ch in text if ord(ch) > 127]
    if not foreign:
        return 0.0
    if codec in ("gb18030", "big5hkscs"):
        hanzi = [
            ch for ch in foreign if "\u4e00" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0002ffff"
        ]
        punctuation = sum(
            1 for ch in foreign if "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
        )
        if not hanzi:
            return 0.0
        common = sum(1 for ch in hanzi if ch in _COMMON_HANZI)
        share = (len(hanzi) + punctuation) / len(foreign)
        return share * (0.3 + 0.7 * common / len(hanzi))
    cyrillic = [ch for ch in foreign if "\u0400" <= ch <= "\u04ff"]
    if not cyrillic:
        return 0.0
    # Running Russian text is mostly lower case; KOI8-R read as cp1251 (or the reverse) swaps
    # the cases, so the right reading is the one with more lower-case letters.
    lower = sum(1 for ch in cyrillic if ch.islower())
    return len(cyrillic) / len(foreign) * (0.3 + 0.7 * lower / len(cyrillic))
