"""Index the search column per database (see aftersales/customers/search_text.py).

PostgreSQL: a GIN index over the tokens taken as lexemes as they are (array_to_tsvector), so
no text-search parser ever splits or drops Han characters whatever the server's locale.
SQLite: an FTS5 table over the same column, kept in step by triggers."""

from django.db import migrations

POSTGRES_UP = [
    "CREATE INDEX customers_customer_search ON customers_customer "
    "USING gin (array_to_tsvector(string_to_array(search_text, ' ')))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS customers_customer_search"]

SQLITE_UP = [
    "CREATE VIRTUAL TABLE customers_customer_fts USING fts5(search_text, "
    "content='customers_customer', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER customers_customer_fts_ai AFTER INSERT ON customers_customer BEGIN "
    "INSERT INTO customers_customer_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER customers_customer_fts_ad AFTER DELETE ON customers_customer BEGIN "
    "INSERT INTO customers_customer_fts(customers_customer_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER customers_customer_fts_au AFTER UPDATE OF search_text ON customers_customer "
    "BEGIN INSERT INTO customers_customer_fts(customers_customer_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO customers_customer_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS customers_customer_fts_au",
    "DROP TRIGGER IF EXISTS customers_customer_fts_ad",
    "DROP TRIGGER IF EXISTS customers_customer_fts_ai",
    "DROP TABLE IF EXISTS customers_customer_fts",
]


def _run(statements_by_vendor):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
