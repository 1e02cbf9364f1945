from django.db import migrations, models


def the_row(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Its one row, so that the first change updates it instead of racing to insert it.
    apps.get_model("core", "ConfigurationGeneration").objects.create(pk=1, value=0)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ConfigurationGeneration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "configuration generation"},
        ),
        migrations.RunPython(the_row, migrations.RunPython.noop),
    ]
