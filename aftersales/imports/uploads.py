"""Refusing an oversized upload while it arrives, before it is spooled to disk.

Django streams a multipart file above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file, so a
200 MB upload would fill the disk before any form could look at its size. This handler, put
first by the upload page, stops the upload once the request announces (or sends) more than
IMPORT_MAX_BYTES; the rest of the body is read and dropped, and the page says why."""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from aftersales.imports.services import max_bytes

# The multipart envelope and the other fields of the form around the file.
ENVELOPE_BYTES = 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # type: ignore[no-untyped-def]  # noqa: N803
        self.announced = content_length or 0
        return

    def _refuse(self) -> None:
        self.request.import_upload_too_big = True  # type: ignore[union-attr]
        raise StopUpload(connection_reset=False)

    def new_file(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if getattr(self, "announced", 0) > max_bytes() + ENVELOPE_BYTES:
            self._refuse()
        return super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > max_bytes():
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
