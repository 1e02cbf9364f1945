# The escalation state moves to a narrow table of its own (models.RequestEscalation): every
# request gets its row, with the level and next escalation it had.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("service_requests", "0002_queue_indexes_in_due_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="RequestEscalation",
            fields=[
                (
                    "request",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="escalation",
                        serialize=False,
                        to="service_requests.servicerequest",
                    ),
                ),
                (
                    "level",
                    models.PositiveSmallIntegerField(default=0, verbose_name="escalation level"),
                ),
                ("next_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "escalation",
                "verbose_name_plural": "escalations",
            },
        ),
        migrations.RemoveIndex(
            model_name="servicerequest",
            name="request_escalation_due",
        ),
        migrations.RemoveField(
            model_name="historicalservicerequest",
            name="escalation_level",
        ),
        migrations.AddIndex(
            model_name="requestescalation",
            index=models.Index(
                condition=models.Q(("next_at__isnull", False)),
                fields=["next_at"],
                name="request_escalation_due",
            ),
        ),
        migrations.RunSQL(
            sql=(
                "INSERT INTO service_requests_requestescalation (request_id, level, next_at) "
                "SELECT id, escalation_level, next_escalation_at "
                "FROM service_requests_servicerequest"
            ),
            reverse_sql=(
                "UPDATE service_requests_servicerequest SET "
                "escalation_level = COALESCE((SELECT e.level "
                "FROM service_requests_requestescalation e "
                "WHERE e.request_id = service_requests_servicerequest.id), 0), "
                "next_escalation_at = (SELECT e.next_at FROM service_requests_requestescalation e "
                "WHERE e.request_id = service_requests_servicerequest.id)"
            ),
        ),
        migrations.RemoveField(
            model_name="servicerequest",
            name="escalation_level",
        ),
        migrations.RemoveField(
            model_name="servicerequest",
            name="next_escalation_at",
        ),
    ]
