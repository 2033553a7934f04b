"""Zip packages (xlsx, ODS) written byte for byte the same for the same content.

Whether a form in a folder may be replaced is judged by comparing bytes, and the
sample district is checked against its generator the same way: a package must
not carry the time it was written.
"""

from __future__ import annotations

import io
import zipfile


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip package (xlsx, ODS) with fixed member timestamps, so equal content gives equal bytes.

    Members keep their order and compression: an ODS package must begin with its `mimetype`, stored.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stored = info.compress_type == zipfile.ZIP_STORED
            fixed.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
