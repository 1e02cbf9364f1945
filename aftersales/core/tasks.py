"""Discovery hook, not job code: djhuey's consumer (`run_huey`, and `serve`) imports the `tasks`
module of every installed app, and this one loads the periodic schedule. Jobs themselves live in
each app's jobs.py, written against django.tasks."""

from aftersales.core import schedule  # noqa: F401
