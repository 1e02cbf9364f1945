"""The search column: a customer's searchable text reduced to tokens both databases can index.

PostgreSQL cannot segment Chinese and SQLite's FTS5 trigram tokenizer misses two-character
words, so the application tokenises: each run of Han characters gives its single characters
and its character bigrams (张伟明 → 张 伟 明 张伟 伟明), other words are lowercased with
ё→е. A query is tokenised the same way and every token must match (prefix match for the last
Latin/Cyrillic word, so "ivan" finds "Ivanov"). Names of customers are short; bigrams give full
recall on them without a dictionary (see docs/decisions.md)."""

import re
import unicodedata

# CJK Unified Ideographs with extension A and the compatibility block.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_HAN}]+|[^\W_]+", re.UNICODE)
_HAN_RUN = re.compile(rf"[{_HAN}]+")
MAX_QUERY_TOKENS = 8


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").lower().replace("ё", "е")
    return _TOKEN.findall(text)


def _han_tokens(run: str) -> list[str]:
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def document_tokens(*texts: str) -> str:
    """The search column's value for these texts (space-separated, duplicates removed)."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _words(text):
            tokens = _han_tokens(word) if _HAN_RUN.fullmatch(word) else [word]
            for token in tokens:
                seen.setdefault(token, None)
    return " ".join(seen)


def query_tokens(query: str) -> list[str]:
    """Tokens a query must all match: Han runs as bigrams (a single character as itself),
    other words as typed (lowercased). Only letters and digits survive, so a token can never
    carry query syntax into the database."""
    tokens: list[str] = []
    for word in _words(query):
        if _HAN_RUN.fullmatch(word):
            tokens.extend(
                [word] if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)]
            )
        else:
            tokens.append(word)
    unique = list(dict.fromkeys(tokens))
    return unique[:MAX_QUERY_TOKENS]


def customer_search_text(
    name: str,
    code: str | None = "",
    contact_names: tuple[str, ...] | list[str] = (),
    addresses: tuple[str, ...] | list[str] = (),
) -> str:
    """The search column of a customer. Every writer (card, merge, import) goes through here so
    that the column means the same whoever wrote it."""
    return document_tokens(code or "", name, *contact_names, *addresses)
