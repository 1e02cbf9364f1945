"""Reading one inbound e-mail: RFC 822 bytes in, a plain description out, never an exception.

What the rest of the inbox needs from a message: who sent it, its subject and Message-ID, what
it answers (In-Reply-To, References), its text, its files, and whether a machine wrote it
(auto-replies and bounces, which must never be answered). Everything is decoded to text here:
RFC 2047 encoded words, RFC 2231 file names, bodies in any charset (see charsets.py), HTML
reduced to text with nh3 (scripts and event handlers never survive).

The work is bounded. The stdlib parser walks nested multiparts recursively and checks every
line against every enclosing boundary, and its parameter parser is quadratic on long headers,
so a hostile message (MIME nested thousands deep, tens of thousands of parts or encoded words,
a megabyte-long Content-Type) is refused by a cheap scan of the raw bytes before the parser
sees it; after parsing, depth, parts, encoded words and decoded size are counted again. A
message beyond a limit comes back with `too_complex` set (and its headers read as far as
safely possible): the caller keeps it for a person to look at.

compat32 is used rather than email.policy.default: it leaves header values as strings, which
are decoded here with our charset rules and our budget, while the default policy's header
parser is slow on malformed input and raises on access.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email
import email.utils
import hashlib
import html
import io
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesParser

import nh3

from aftersales.inbox import charsets

# Why a message was not read in full (the caller quarantines it). Values are stored.
TOO_LARGE = "too_large"
HEADER_TOO_LONG = "header_too_long"
TOO_DEEP = "too_deep"
TOO_MANY_PARTS = "too_many_parts"
TOO_MANY_WORDS = "too_many_encoded_words"
UNREADABLE = "unreadable"
# Why a message looks machine-written (the caller stores it and never answers it).
AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 100 * 1024 * 1024
    max_header_bytes: int = 256 * 1024  # the message's own header block
    max_content_header_bytes: int = 8 * 1024  # one Content-Type / Content-Disposition
    max_depth: int = 20
    max_parts: int = 200
    max_encoded_words: int = 1000
    max_text_chars: int = 200_000  # the body text kept (the whole message stays in the raw file)
    max_html_chars: int = 5_000_000
    # Files larger than this are described but their bytes are not kept in the result.
    max_attachment_bytes: int = 25 * 1024 * 1024


@dataclass
class Attachment:
    filename: str
    content_type: str
    size: int
    data: bytes | None = field(default=None, repr=False)  # None when over the limit

    @property
    def too_large(self) -> bool:
        return self.data is None


@dataclass
class ParsedMessage:
    message_id: str = ""
    from_address: str = ""
    from_name: str = ""
    subject: str = ""
    date: datetime.datetime | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)  # decoded, for people to read
    text: str = ""
    text_from_html: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    auto: str = ""  # AUTO_REPLY or BOUNCE when a machine wrote it
    too_complex: str = ""  # one of the limits above: not read in full
    too_complex_detail: str = ""
    notes: list[str] = field(default_factory=list)  # what was repaired on the way


class _TooComplex(Exception):  # noqa: N818 - a signal inside this module, not an error
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


class _Budget:
    """Encoded words left to decode in this message."""

    def __init__(self, words: int) -> None:
        self.words = words

    def spend(self, count: int) -> None:
        self.words -= count
        if self.words < 0:
            raise _TooComplex(TOO_MANY_WORDS)


# --- Cheap checks on the raw bytes -----------------------------------------------------------

_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_CONTENT_HEADER = re.compile(rb"content-(?:type|disposition)[ \t]*:")
_CONTAINER_TYPE = re.compile(rb"[ \t]*(?:\r?\n[ \t]+)?(multipart|message)/")
_BOUNDARY_PARAM = re.compile(rb"""boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))""")


def header_block(raw: bytes, limit: int) -> bytes:
    """The message's own headers (up to the first empty line), at most `limit` + 1 bytes."""
    found = _BLANK_LINE.search(raw, 0, limit + 4)
    return raw[: found.start()] if found else raw[: limit + 1]


def _precheck(raw: bytes, headers: bytes, limits: Limits) -> tuple[str, str] | None:
    """A reason to refuse `raw` before the stdlib parser sees it, or None. Linear in the size
    of the message, with C-speed scans."""
    if len(raw) > limits.max_message_bytes:
        return TOO_LARGE, f"{len(raw)} bytes"
    if len(headers) > limits.max_header_bytes:
        return HEADER_TOO_LONG, f"over {limits.max_header_bytes} bytes of headers"
    words = headers.count(b"=?")
    if words > limits.max_encoded_words:
        return TOO_MANY_WORDS, f"{words} encoded words in the headers"
    lowered = raw.lower()
    containers = 0
    content_headers = 0
    for match in _CONTENT_HEADER.finditer(lowered):
        start = match.start()
        if start and lowered[start - 1 : start] not in (b"\n", b"\r"):
            continue
        content_headers += 1
        if content_headers > 4 * limits.max_parts + 8:
            return TOO_MANY_PARTS, f"over {content_headers} content headers"
        length = _folded_length(lowered, match.end(), limits.max_content_header_bytes + 1)
        if length > limits.max_content_header_bytes:
            return (
                HEADER_TOO_LONG,
                f"a content header of over {limits.max_content_header_bytes} bytes",
            )
        # The stdlib's parameter parser is quadratic in the semicolons of a header.
        if lowered.count(b";", match.end(), match.end() + length) > MAX_PARAMETERS:
            return HEADER_TOO_LONG, f"a content header with over {MAX_PARAMETERS} parameters"
        is_type = lowered[start + 8 : start + 12] == b"type"
        if is_type and _CONTAINER_TYPE.match(lowered, match.end()):
            containers += 1
    if containers > limits.max_parts:
        return TOO_MANY_PARTS, f"{containers} multipart or message containers"
    boundaries: dict[bytes, int] = {}
    for match in _BOUNDARY_PARAM.finditer(lowered):
        boundaries.setdefault((match.group(1) or match.group(2)).rstrip(), match.start())
        if len(boundaries) > limits.max_parts:
            return TOO_MANY_PARTS, f"over {limits.max_parts} boundaries"
    dash_lines = lowered.count(b"\n--")
    if dash_lines <= 2 * limits.max_parts + 8 and len(boundaries) <= limits.max_depth:
        return None  # the usual message: nothing more to check
    if dash_lines > MAX_DASH_LINES:
        return TOO_MANY_PARTS, f"{dash_lines} lines starting with --"
    delimiters, depth = _delimiters_and_depth(lowered, boundaries)
    if delimiters > 2 * limits.max_parts + 8:
        return TOO_MANY_PARTS, f"{delimiters} part delimiters"
    if depth > limits.max_depth:
        return TOO_DEEP, f"multiparts nested {depth} deep"
    return None


# Parameters of one Content-Type or Content-Disposition (a long RFC 2231 file name in
# continuations has a few dozen).
MAX_PARAMETERS = 100
# Lines starting with "--" looked at one by one at most (a real message has a few per part).
MAX_DASH_LINES = 50_000


def _folded_length(data: bytes, start: int, cap: int) -> int:
    """Length of a header value starting at `start`, continuation lines included (≤ cap)."""
    end = start
    while end - start < cap:
        newline = data.find(b"\n", end, start + cap)
        if newline < 0:
            return min(cap, len(data) - start)
        end = newline + 1
        if data[end : end + 1] not in (b" ", b"\t"):
            return end - start
    return cap


def _delimiters_and_depth(lowered: bytes, boundaries: dict[bytes, int]) -> tuple[int, int]:
    """(delimiter lines, deepest nesting of multiparts), read from the boundary declarations
    and the delimiter lines alone, without parsing: a boundary opens where it is declared and
    closes at its closing delimiter."""
    events: list[tuple[int, int, bytes]] = [(at, 0, name) for name, at in boundaries.items()]
    delimiters = 0
    position = lowered.find(b"\n--")
    while position >= 0:
        line_end = lowered.find(b"\n", position + 1)
        line = lowered[position + 3 : line_end if line_end >= 0 else len(lowered)].rstrip()
        closing = line.endswith(b"--") and line[:-2] in boundaries
        if closing or line in boundaries:
            delimiters += 1
            if closing:
                events.append((position, 1, line[:-2]))
        position = lowered.find(b"\n--", position + 3)
    stack: list[bytes] = []
    deepest = 0
    for _position, kind, name in sorted(events):
        if kind == 0:
            stack.append(name)
            deepest = max(deepest, len(stack))
        elif name in stack:
            del stack[stack.index(name) :]
    return delimiters, deepest


# --- Headers ---------------------------------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?\s]*)\?=")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_FOLDING = re.compile(r"(?:\r?\n[ \t]*)+")
_MSG_ID = re.compile(r"<[^<>\s]{1,250}>")
HEADER_VALUE_LIMIT = 2000  # characters of one header kept for display and matching


def one_line(value: str) -> str:
    """Text fit for one line: folding undone, line breaks and other control characters become
    a space (nothing decoded from a header may carry CR/LF further)."""
    return charsets.storable(_CONTROL.sub(" ", _FOLDING.sub(" ", value)).strip())


def _has_raw_bytes(value: str) -> bool:
    # compat32 keeps 8-bit header bytes as lone surrogates (surrogateescape).
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def decode_header(value: str | None, budget: _Budget, fallback: str | None = None) -> str:
    """A header value as text: raw 8-bit bytes read in `fallback` (the message's charset) or
    guessed, RFC 2047 encoded words decoded (adjacent words of one charset joined before
    decoding, so a character split across two words survives), on one line."""
    if value is None:
        return ""
    value = str(value)[: HEADER_VALUE_LIMIT * 4]
    if _has_raw_bytes(value):
        value = charsets.decode(value.encode("ascii", "surrogateescape"), fallback).text
    budget.spend(value.count("=?"))
    pieces: list[str] = []
    pending_charset: str | None = None
    pending = bytearray()
    position = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset is not None:
            pieces.append(charsets.decode(bytes(pending), pending_charset).text)
            pending.clear()
            pending_charset = None

    for match in _ENCODED_WORD.finditer(value):
        gap = value[position : match.start()]
        if pending_charset is None or gap.strip():
            flush()
            pieces.append(gap)
        label = match.group(1).split("*", 1)[0]  # RFC 2231 language suffix: utf-8*en
        data = _decode_word(match.group(2), match.group(3))
        if pending_charset is not None and pending_charset.lower() != label.lower():
            flush()
        pending_charset = pending_charset or label
        pending.extend(data)
        position = match.end()
    flush()
    pieces.append(value[position:])
    return one_line("".join(pieces))[:HEADER_VALUE_LIMIT]


def _decode_word(kind: str, text: str) -> bytes:
    if kind in "bB":
        text = text + "=" * (-len(text) % 4)
        try:
            return base64.b64decode(text)
        except (binascii.Error, ValueError):
            return text.encode("ascii", "replace")
    return binascii.a2b_qp(text.encode("ascii", "replace"), header=True)


def message_ids(value: str | None, limit: int = 50) -> list[str]:
    """The <…> identifiers in a Message-ID, In-Reply-To or References value (the last `limit`:
    the nearest ancestors)."""
    if not value:
        return []
    found = _MSG_ID.findall(str(value)[-40_000:])
    return [one_line(_CONTROL.sub("", item)) for item in found[-limit:]]


def _header(msg: Message, name: str) -> str | None:
    """The first `name` header as stored: raw 8-bit bytes still there as surrogates (the
    policy's own accessor would turn them into replacement characters)."""
    name = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == name:
            return str(value)
    return None


_ANGLE_ADDRESS = re.compile(r"<\s*([^<>\s@]{1,64}@[^<>\s@]{1,255})\s*>")
_BARE_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _address(value: str | None, budget: _Budget, fallback: str | None) -> tuple[str, str]:
    """(display name, address) of a From-like header."""
    if not value:
        return "", ""
    value = value[:HEADER_VALUE_LIMIT]
    if _has_raw_bytes(value):
        value = charsets.decode(value.encode("ascii", "surrogateescape"), fallback).text
    value = one_line(value)
    # "Name <address>" is read by hand first: an encoded name may hold ":" or "@", which
    # the stdlib's strict address parser rightly refuses.
    angle = _ANGLE_ADDRESS.search(value)
    if angle:
        name, address = value[: angle.start()].strip().strip('"').replace('\\"', '"'), angle[1]
    else:
        name, address = email.utils.parseaddr(value)
        if not address or "@" not in address:
            found = _BARE_ADDRESS.search(value)
            address = found.group(0) if found else ""
    return decode_header(name, budget, fallback)[:200], one_line(address)[:254]


# --- Bodies ----------------------------------------------------------------------------------

_BLOCK_END = re.compile(
    r"<\s*(?:br|hr|/p|/div|/tr|/li|/h[1-6]|/table|/blockquote|/pre|p|div|tr|li)\b[^>]{0,200}>",
    re.IGNORECASE,
)
# Control characters other than tab and line feed: never meaningful in a message's text.
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(markup: str, limit: int = Limits.max_html_chars) -> str:
    """Readable text of an HTML body: tags dropped by nh3 (the contents of script, style and
    head with them), block ends kept as line breaks, entities resolved. The result is plain
    text, to be escaped wherever it is shown."""
    markup = _BLOCK_END.sub("\n", markup[:limit])
    cleaned = nh3.clean(
        markup,
        tags=set(),
        attributes={},
        clean_content_tags={"script", "style", "head", "title", "noscript", "template"},
        strip_comments=True,
    )
    text = html.unescape(cleaned)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _payload(part: Message, notes: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as error:  # noqa: BLE001 - a damaged part is kept as what can be read
        notes.append(f"part not decoded: {type(error).__name__}")
        raw = part.get_payload()
        return raw.encode("ascii", "surrogateescape") if isinstance(raw, str) else b""
    if data is None:
        return b""
    return data if isinstance(data, bytes) else str(data).encode("utf-8", "replace")


def _clearly_too_large(part: Message, limit: int) -> int:
    """The approximate decoded size of a part that is certainly over `limit` (judged from its
    encoded length, so that it need not be decoded at all), else 0."""
    encoded = part.get_payload()
    if not isinstance(encoded, str) or len(encoded) <= limit:
        return 0
    encoding = (_header(part, "Content-Transfer-Encoding") or "").strip().lower()
    if encoding in ("base64", "x-uuencode", "uuencode", "x-uue", "uue"):
        whitespace = encoded.count("\n") + encoded.count("\r") + encoded.count(" ")
        padding = len(encoded.rstrip()) - len(encoded.rstrip().rstrip("="))
        estimate = (len(encoded) - whitespace - padding) * 3 // 4
        return estimate if estimate > limit * 1.01 else 0
    if encoding == "quoted-printable":
        return len(encoded) if len(encoded) > 3 * limit else 0
    return len(encoded)


def _text_of(part: Message, data: bytes, notes: list[str]) -> str:
    label = part.get_param("charset")
    label = label if isinstance(label, str) else None
    decoded = charsets.decode(data, label)
    if decoded.note:
        notes.append(decoded.note)
    return decoded.text


def _filename(part: Message, budget: _Budget, fallback: str | None) -> str:
    value = part.get_param("filename", None, "content-disposition")
    if value is None:
        value = part.get_param("name", None, "content-type")
    if value is None:
        return ""
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text as latin-1)
        label, _language, text = value
        raw = email.utils.unquote(text).encode("latin-1", "replace")
        name = charsets.decode(raw, label or fallback).text
    else:
        name = email.utils.unquote(str(value))
    name = decode_header(name, budget, fallback)
    # Only the last path component: a name may not say where the file goes.
    name = re.split(r"[\\/]", name)[-1].strip(" .")
    return name[:200]


def _default_name(content_type: str, number: int) -> str:
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"part-{number}{extension}"


# --- The message -----------------------------------------------------------------------------

_AUTO_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Autogenerated",
    "X-AutoReply-From",
    "X-Mail-Autoreply",
)
_AUTO_SUBJECTS = re.compile(
    r"^\s*(?:automatic reply|auto[- ]?reply|auto[- ]?response|out of (?:the )?office|"
    r"自动回复|自動回覆|自动答复|Автоматический ответ|Автоответ)",
    re.IGNORECASE,
)
_DAEMONS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "maildaemon"})


def _machine_written(msg: Message, from_address: str, subject: str) -> str:
    """AUTO_REPLY or BOUNCE when a machine wrote `msg` (RFC 3834 and the usual vendor
    headers, delivery reports, the null sender), else ""."""
    local_part = from_address.rpartition("@")[0].lower()
    unixfrom = (msg.get_unixfrom() or "").lower()
    return_path = _header(msg, "Return-Path")
    if (
        msg.get_content_type() == "multipart/report"
        or local_part in _DAEMONS
        or (return_path is not None and return_path.strip() in ("<>", ""))
        or unixfrom.startswith(("from mailer-daemon", "from <>"))
    ):
        return BOUNCE
    auto_submitted = (_header(msg, "Auto-Submitted") or "").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return AUTO_REPLY
    if any(_header(msg, name) is not None for name in _AUTO_HEADERS):
        return AUTO_REPLY
    precedence = (_header(msg, "Precedence") or _header(msg, "X-Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return AUTO_REPLY
    if _AUTO_SUBJECTS.match(subject):
        return AUTO_REPLY
    return ""


def parse(raw: bytes, limits: Limits | None = None) -> ParsedMessage:
    """Read `raw` within `limits`. Never raises; a message beyond a limit comes back with
    `too_complex` set and whatever of its headers could be read safely."""
    limits = limits or Limits()
    result = ParsedMessage()
    headers = header_block(raw, limits.max_header_bytes)
    refused = _precheck(raw, headers, limits)
    if refused is not None:
        result.too_complex, result.too_complex_detail = refused
        _read_headers_only(result, headers, limits)
        return result
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception as error:  # noqa: BLE001 - RecursionError, MemoryError, the parser's bugs
        result.too_complex, result.too_complex_detail = UNREADABLE, type(error).__name__
        _read_headers_only(result, headers, limits)
        return result
    budget = _Budget(limits.max_encoded_words)
    fallback = _message_charset(msg)
    try:
        _read_body(result, msg, limits, budget, fallback)
    except _TooComplex as refusal:
        result.too_complex, result.too_complex_detail = refusal.code, refusal.detail
        result.text, result.attachments = "", []
    except RecursionError:
        result.too_complex, result.too_complex_detail = TOO_DEEP, "RecursionError"
        result.text, result.attachments = "", []
    except Exception as error:  # noqa: BLE001 - a stdlib surprise must not lose the message
        result.too_complex, result.too_complex_detail = UNREADABLE, type(error).__name__
        result.text, result.attachments = "", []
    try:
        _read_headers(result, msg, budget, fallback)
    except _TooComplex as refusal:
        result.too_complex = result.too_complex or refusal.code
        result.too_complex_detail = result.too_complex_detail or refusal.detail
    except Exception as error:  # noqa: BLE001 - as above
        result.too_complex = result.too_complex or UNREADABLE
        result.too_complex_detail = result.too_complex_detail or type(error).__name__
    if msg.defects:
        result.notes.append(
            "MIME defects: " + ", ".join(sorted({type(d).__name__ for d in msg.defects}))
        )
    return result


def _read_headers_only(result: ParsedMessage, headers: bytes, limits: Limits) -> None:
    """Headers of a message that is not parsed in full: from its first bytes only, with a
    small word budget (a hostile header is left partly undecoded rather than decoded slowly)."""
    try:
        # headersonly: the parser does not look for boundaries (no parameter parsing at all).
        msg = BytesParser(policy=policy.compat32).parsebytes(
            headers[: limits.max_header_bytes] + b"\n\n", headersonly=True
        )
        _read_headers(result, msg, _Budget(min(limits.max_encoded_words, 100)), None)
    except Exception:  # noqa: BLE001 - best effort: the message is quarantined either way
        return


def _message_charset(msg: Message) -> str | None:
    """The charset the sender's client writes in (for raw 8-bit headers): the first declared."""
    stack, seen = [msg], 0
    while stack and seen < 50:
        part = stack.pop()
        seen += 1
        label = part.get_param("charset")
        if isinstance(label, str) and charsets.codec_for(label):
            return label
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend(reversed(payload[:50]))
    return None


def _read_headers(
    result: ParsedMessage, msg: Message, budget: _Budget, fallback: str | None
) -> None:
    """The headers that route and describe the message. The identifiers come first (they need
    no decoding); a header beyond the word budget is kept as written, and the message is
    marked too complex."""
    ids = message_ids(_header(msg, "Message-ID"), 1)
    result.message_id = ids[0] if ids else one_line(_header(msg, "Message-ID") or "")[:250]
    result.in_reply_to = message_ids(_header(msg, "In-Reply-To"), 10)
    result.references = message_ids(_header(msg, "References"))
    result.date = _date(_header(msg, "Date"))

    def decoded(value: str | None) -> str:
        try:
            return decode_header(value, budget, fallback)
        except _TooComplex as refusal:
            if not result.too_complex:
                result.too_complex, result.too_complex_detail = refusal.code, refusal.detail
            return one_line(str(value or ""))[:HEADER_VALUE_LIMIT]

    raw_from = _header(msg, "From")
    try:
        result.from_name, result.from_address = _address(raw_from, budget, fallback)
    except _TooComplex:
        result.from_name, result.from_address = _address(raw_from, _Budget(10**9), None)
        result.from_name = ""
    result.subject = decoded(_header(msg, "Subject"))
    result.headers = [
        (one_line(str(name))[:80], decoded(value))
        for _index, (name, value) in zip(range(200), msg.raw_items(), strict=False)
    ]
    if not result.too_complex:
        result.auto = _machine_written(msg, result.from_address, result.subject)


def _date(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(one_line(value)[:200])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def _read_body(
    result: ParsedMessage, msg: Message, limits: Limits, budget: _Budget, fallback: str | None
) -> None:
    """Walk the parts (iteratively, depth-first, in order): pick the body text, keep the files."""
    plain: list[str] = []
    markup: list[str] = []
    decoded_total = 0
    parts = 0
    stack: list[tuple[Message, int, bool]] = [(msg, 1, False)]
    while stack:
        part, depth, inside_forward = stack.pop()
        parts += 1
        if parts > limits.max_parts:
            raise _TooComplex(TOO_MANY_PARTS, f"over {limits.max_parts} parts")
        if depth > limits.max_depth:
            raise _TooComplex(TOO_DEEP, f"over {limits.max_depth} levels")
        for name in ("Content-Type", "Content-Disposition"):
            value = _header(part, name) or ""
            if len(value) > limits.max_content_header_bytes:
                raise _TooComplex(HEADER_TOO_LONG, f"{name} of {len(value)} characters")
        content_type = part.get_content_type()
        payload = part.get_payload()
        if isinstance(payload, list):
            if len(payload) > limits.max_parts:
                raise _TooComplex(TOO_MANY_PARTS, f"{len(payload)} parts in one container")
            if content_type.startswith("message/") and depth > 1:
                # A forwarded or returned message: kept whole as a file, walked only to count.
                _attach_message(result, payload, limits, budget, fallback)
                inside = True
            else:
                inside = inside_forward
            children = payload
            if content_type == "multipart/alternative" and not inside:
                children = [_preferred_alternative(payload)] if payload else []
                parts += len(payload) - len(children)
            stack.extend((child, depth + 1, inside) for child in reversed(children))
            continue
        size = _clearly_too_large(part, limits.max_attachment_bytes)
        data = b"" if size else _payload(part, result.notes)
        decoded_total += size or len(data)
        if decoded_total > limits.max_message_bytes:
            raise _TooComplex(TOO_LARGE, "decoded parts exceed the message limit")
        if inside_forward:
            continue
        filename = _filename(part, budget, fallback)
        disposition = (_header(part, "Content-Disposition") or "").split(";")[0].strip().lower()
        is_body = not filename and disposition != "attachment"
        if is_body and content_type == "text/html":
            markup.append(_text_of(part, data, result.notes))
        elif is_body and (
            content_type == "text/plain" or part.get_content_maintype() in ("multipart", "message")
        ):
            # A multipart that lost its boundary is shown as the text it is.
            plain.append(_text_of(part, data, result.notes))
        elif data or size or filename:
            number = len(result.attachments) + 1
            size = size or len(data)
            result.attachments.append(
                Attachment(
                    filename=filename or _default_name(content_type, number),
                    content_type=content_type[:100],
                    size=size,
                    data=data if size <= limits.max_attachment_bytes else None,
                )
            )
    plain = [chunk.replace("\r\n", "\n").replace("\r", "\n").strip("\n") for chunk in plain]
    if plain:
        text = "\n\n".join(chunk for chunk in plain if chunk.strip())
    elif markup:
        text = html_to_text("\n".join(markup), limits.max_html_chars)
        result.text_from_html = True
    else:
        text = ""
    text = _BODY_CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
        result.notes.append(f"text cut at {limits.max_text_chars} characters")
    result.text = text


def _preferred_alternative(alternatives: list[Message]) -> Message:
    """Of multipart/alternative: the plain text if there is one, else the richest (last)."""
    for candidate in alternatives:
        if candidate.get_content_type() == "text/plain":
            return candidate
    for candidate in reversed(alternatives):
        if candidate.get_content_type() == "text/html" or candidate.is_multipart():
            return candidate
    return alternatives[-1]


def _attach_message(
    result: ParsedMessage,
    payload: list,
    limits: Limits,
    budget: _Budget,
    fallback: str | None,
) -> None:
    try:
        data = b"".join(_serialise(inner) for inner in payload)
    except Exception:  # noqa: BLE001 - RecursionError included; kept whole in the raw file anyway
        result.notes.append("an enclosed message could not be re-serialised")
        return
    subject = decode_header(_header(payload[0], "Subject"), budget, fallback) if payload else ""
    name = re.sub(r"[\\/:*?\"<>|]+", " ", subject[:60]).strip()
    name = name or f"message-{len(result.attachments) + 1}"
    result.attachments.append(
        Attachment(
            filename=f"{name}.eml",
            content_type="message/rfc822",
            size=len(data),
            data=data if len(data) <= limits.max_attachment_bytes else None,
        )
    )


def _serialise(msg: Message) -> bytes:
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=policy.compat32).flatten(msg)
    return out.getvalue()


def fingerprint(raw: bytes, headers: bytes) -> str:
    """What makes two deliveries the same message: its body and its From, Date and Subject,
    line endings normalised; relays add headers (Received, Delivered-To) that do not count."""
    digest = hashlib.sha256()
    for name in (b"from", b"date", b"subject"):
        match = re.search(rb"(?im)^" + name + rb"[ \t]*:(.*(?:\r?\n[ \t].*)*)", headers[:65536])
        digest.update(match.group(1).replace(b"\r\n", b"\n").strip() if match else b"")
        digest.update(b"\0")
    body = raw[len(headers) :].lstrip(b"\r\n")
    digest.update(body.replace(b"\r\n", b"\n"))
    return digest.hexdigest()


def message_id_of(headers: bytes) -> str:
    """The Message-ID from a header block, cheaply (for finding duplicates before parsing)."""
    match = re.search(rb"(?im)^message-id[ \t]*:(.*(?:\r?\n[ \t].*)*)", headers[:262144])
    if not match:
        return ""
    value = match.group(1).decode("ascii", "replace")
    ids = message_ids(value, 1)
    return ids[0] if ids else one_line(value)[:250]
