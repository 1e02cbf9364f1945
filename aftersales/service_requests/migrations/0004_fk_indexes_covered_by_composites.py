# Three foreign keys lose their own index: a composite index leading with the same column
# serves every lookup (the request's log and thread, a customer's requests, the PROTECT check).
# Only the index is dropped: AlterField would also drop and re-add each foreign key, which
# re-checks every row of the tables under a lock (ten million requests in the bench).

import django.db.models.deletion
from django.db import migrations, models

DROPPED = [
    # (model, field, table, column, index Django named when it made the field)
    ("requestevent", "request", "service_requests_requestevent", "request_id", "0a14c28f"),
    ("requestmessage", "request", "service_requests_requestmessage", "request_id", "eca6ae60"),
    ("servicerequest", "customer", "service_requests_servicerequest", "customer_id", "a6ad486c"),
]
TARGETS = {
    "request": ("service_requests.servicerequest", django.db.models.deletion.CASCADE),
    "customer": ("customers.customer", django.db.models.deletion.PROTECT),
}
RELATED = {"requestevent": "events", "requestmessage": "messages", "servicerequest": "service_requests"}


def _field(model: str, name: str) -> models.ForeignKey:
    to, on_delete = TARGETS[name]
    return models.ForeignKey(
        db_index=False,
        on_delete=on_delete,
        related_name=RELATED[model],
        to=to,
        verbose_name=name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_customer_language_historicalcustomer_language"),
        ("service_requests", "0003_escalation_in_its_own_table"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name=model, name=name, field=_field(model, name))
                for model, name, _table, _column, _hash in DROPPED
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{table}_{column}_{suffix}"',
                    f'CREATE INDEX IF NOT EXISTS "{table}_{column}_{suffix}" ON "{table}" ("{column}")',
                )
                for _model, _name, table, column, suffix in DROPPED
            ],
        )
    ]
