"""`manage.py serve`: the development server and the job consumer in one process (`make run`).

The Huey consumer runs in background threads of this process, built as `run_huey` builds it
(settings.HUEY["consumer"], autodiscovered `tasks` modules), then Django's development server
runs in the foreground without the autoreloader: a reloader would run this command again in a
child process and start a second consumer. Restart it after changing code.

Production does not use this command: see docs/operations.md (gunicorn + `run_huey`).
"""

import signal
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer
from huey.consumer_options import ConsumerConfig

# Seconds to let running jobs finish on exit before the (daemon) worker threads are abandoned.
SHUTDOWN_TIMEOUT = 10.0


@contextmanager
def _signal_handlers_kept():  # type: ignore[no-untyped-def]
    """Consumer.start() installs the standalone consumer's SIGINT/SIGTERM/SIGHUP handlers (which
    a `run()` loop would act on). Here the development server owns the main thread, so restore
    whatever was installed before."""
    signums = [signal.SIGINT, signal.SIGTERM] + (
        [signal.SIGHUP] if hasattr(signal, "SIGHUP") else []
    )
    saved = {signum: signal.getsignal(signum) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


class Command(BaseCommand):
    help = (
        "Run the development server with the job consumer in background threads "
        "(no autoreloader). Production: gunicorn + run_huey, see docs/operations.md."
    )
    # runserver runs the system checks itself.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            help="Address and port of the development server (default 127.0.0.1:8000).",
        )
        parser.add_argument(
            "--no-jobs",
            action="store_true",
            help="Do not start the job consumer (jobs stay queued until a consumer runs).",
        )
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Start the consumer without the periodic schedule (aftersales/core/schedule.py).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        consumer = None
        if options["no_jobs"]:
            self.stdout.write("Jobs: consumer not started (--no-jobs).")
        else:
            consumer = self.start_consumer(periodic=not options["no_periodic"])

        # SIGTERM (e.g. from `timeout` or a process manager) ends the server like Ctrl-C does,
        # so the `finally` below stops the consumer instead of the process dying mid-job.
        previous_sigterm = signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            call_command("runserver", options["addrport"], use_reloader=False, skip_checks=False)
        finally:
            signal.signal(signal.SIGTERM, previous_sigterm)
            if consumer is not None:
                self.stdout.write("Jobs: stopping the consumer…")
                consumer.stop(graceful=True)
                self.stdout.write("Jobs: consumer stopped.")

    def start_consumer(self, *, periodic: bool) -> Consumer | None:
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            self.stdout.write("Jobs: HUEY immediate mode is on, jobs run inline; no consumer.")
            return None

        options: dict[str, Any] = {}
        if isinstance(settings.HUEY, dict):
            options.update(settings.HUEY.get("consumer", {}))
        # Threads only: process workers would fork the development server.
        options["worker_type"] = "thread"
        options["periodic"] = periodic
        options.setdefault("shutdown_timeout", SHUTDOWN_TIMEOUT)
        config = ConsumerConfig(**options)
        config.validate()

        autodiscover_modules("tasks")  # as run_huey does: registers the periodic schedule
        consumer = HUEY.create_consumer(**config.values)
        with _signal_handlers_kept():
            consumer.start()  # non-blocking: starts the scheduler and worker threads
        self.stdout.write(
            f"Jobs: Huey consumer started in-process ({config.workers} worker thread(s), "
            f"periodic {'on' if periodic else 'off'}, {type(HUEY).__name__} {HUEY.name!r})."
        )
        return consumer
