"""A small IMAP4rev1 server on loopback, standing in for the mail server's mailbox (which is
outside the system): it speaks the protocol over a real socket, so the job's imaplib calls,
literals and flags are exercised as they are in production. It knows the commands the job
uses: CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH (BODY.PEEK[]), UID STORE,
NOOP, LOGOUT."""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class StoredMail:
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    user: str = "inbox"
    password: str = "secret pass"
    folder: str = "INBOX"
    messages: dict[int, StoredMail] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    next_uid: int = 101

    def deliver(self, raw: bytes) -> int:
        uid = self.next_uid
        self.next_uid += 1
        self.messages[uid] = StoredMail(raw)
        return uid

    def seen(self) -> set[int]:
        return {uid for uid, mail in self.messages.items() if "\\Seen" in mail.flags}


_ATOM_OR_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _arguments(text: str) -> list[str]:
    return [
        re.sub(r"\\(.)", r"\1", match[1]) if match[1] is not None else match[2]
        for match in _ATOM_OR_QUOTED.finditer(text)
    ]


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        mailbox = self.server.mailbox
        selected = False
        self.send(b"* OK [CAPABILITY IMAP4rev1] stand-in ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, arguments = rest.partition(" ")
            command = command.upper()
            mailbox.commands.append(f"{command} {arguments}".strip())
            if command == "CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1")
            elif command == "NOOP":
                pass
            elif command == "LOGIN":
                user, password = _arguments(arguments)
                if (user, password) != (mailbox.user, mailbox.password):
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid".encode())
                    continue
            elif command == "SELECT":
                if _arguments(arguments)[0] != mailbox.folder:
                    self.send(f"{tag} NO no such mailbox".encode())
                    continue
                selected = True
                self.send(f"* {len(mailbox.messages)} EXISTS".encode())
                self.send(b"* OK [UIDVALIDITY 1] UIDs valid")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed".encode())
                continue
            elif command == "UID" and selected:
                self._uid(tag, arguments)
                continue
            elif command == "LOGOUT":
                self.send(b"* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed".encode())
                return
            else:
                self.send(f"{tag} BAD unknown command".encode())
                continue
            self.send(f"{tag} OK {command} completed".encode())

    def _uid(self, tag: str, arguments: str) -> None:
        mailbox = self.server.mailbox
        sub, _, rest = arguments.partition(" ")
        sub = sub.upper()
        if sub == "SEARCH" and rest.strip().upper() == "UNSEEN":
            unseen = [
                str(uid) for uid, mail in mailbox.messages.items() if "\\Seen" not in mail.flags
            ]
            self.send(("* SEARCH " + " ".join(unseen)).rstrip().encode())
        elif sub == "FETCH":
            uid_text, _, items = rest.partition(" ")
            mail = mailbox.messages.get(int(uid_text))
            if mail is not None and "BODY.PEEK[]" in items.upper():
                number = list(mailbox.messages).index(int(uid_text)) + 1
                self.send(
                    b"* %d FETCH (UID %s BODY[] {%d}" % (number, uid_text.encode(), len(mail.raw))
                )
                self.wfile.write(mail.raw)
                self.send(b")")
        elif sub == "STORE":
            uid_text, _, change = rest.partition(" ")
            mail = mailbox.messages.get(int(uid_text))
            if mail is not None and change.upper().startswith("+FLAGS"):
                flags = change.partition(" ")[2].strip("() ").split()
                mail.flags.update(flags)
        else:
            self.send(f"{tag} BAD unknown UID command".encode())
            return
        self.send(f"{tag} OK UID {sub} completed".encode())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = mailbox


class ImapServer:
    """with ImapServer() as server: server.port, server.mailbox"""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self._server = _Server(self.mailbox)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ImapServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
