"""The LibreOffice extension (.oxt): Prüfen and Einreichen in Calc, through the district's Pakt server.

The extension's files live in plugin/libreoffice/ (Python-UNO, XML, no compiled
parts); this module zips them into an .oxt with what only the district knows:
its server's address (preset in Settings.xcu, so a clerk enters just the key),
its name in the extension manager, Pakt's release as the version, and the icons
(drawn in code, like the Excel add-in's). The zip is deterministic: the same
inputs give the same bytes, so a district can tell two builds apart by their
digest alone.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from ._icons import icon_png
from ._manifest import _release
from ._origins import PublicUrlRefused, check_public_url

SOURCE = Path(__file__).parent / "libreoffice"
IDENTIFIER = "de.pakt.libreoffice"
ICONS = {"images/pakt_16.png": 16, "images/pakt_26.png": 26, "images/pakt_42.png": 42}
"""Toolbar and menu (16 px), large toolbar icons (26 px), the extension manager (42 px)."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _settings_xcu(server_url: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by `pakt extension`: the district's Pakt server, preset for every clerk who installs this file. -->
<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
                    oor:name="Settings" oor:package="{IDENTIFIER}">
  <node oor:name="Server">
    <prop oor:name="Url" oor:type="xs:string">
      <value>{escape(server_url)}</value>
    </prop>
  </node>
</oor:component-data>
"""


def _source_files() -> dict[str, bytes]:
    files = {}
    for path in sorted(SOURCE.rglob("*")):
        relative = path.relative_to(SOURCE)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix != ".pyc":
            files[relative.as_posix()] = path.read_bytes()
    return files


def extension_files(
    server_url: str = "", district_name: str | None = None, version: str | None = None
) -> dict[str, bytes]:
    """Every file of the .oxt by its path inside it."""
    files = _source_files()
    name = f"Pakt – Meldung prüfen ({district_name})" if district_name else "Pakt – Meldung prüfen"
    description = files["description.xml"].decode("utf-8")
    files["description.xml"] = (
        description.replace("{{version}}", escape(version or _release()))
        .replace("{{display_name}}", escape(name))
        .encode("utf-8")
    )
    files["Settings.xcu"] = _settings_xcu(server_url).encode("utf-8")
    files.update({path: icon_png(size) for path, size in ICONS.items()})
    return files


def _server_url(url: str) -> str:
    """The server's address as the extension keeps it; refused in the extension's words, not the manifest's."""
    try:
        return check_public_url(url)
    except PublicUrlRefused as refused:
        raise PublicUrlRefused(
            f"„{url}“ taugt nicht als Adresse des Pakt-Servers für die LibreOffice-Erweiterung: Calc schickt die "
            "Meldemappe dorthin und darf das nur verschlüsselt. Bitte die HTTPS-Adresse angeben, unter der der Pakt-Server "
            "erreichbar ist, z. B. https://pakt.landkreis.example (http:// nur für localhost zum Ausprobieren)."
        ) from refused


def oxt_bytes(server_url: str | None = None, district_name: str | None = None, version: str | None = None) -> bytes:
    """The .oxt as bytes. `server_url` is checked as the server's public address is (https, or http on this
    machine for trying it out); without it each clerk enters the address under Pakt › Zugang einrichten …."""
    url = _server_url(server_url) if server_url else ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in sorted(extension_files(url, district_name, version).items()):
            entry = zipfile.ZipInfo(path, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return buffer.getvalue()


def build_extension(
    out: Path, server_url: str | None = None, district_name: str | None = None, version: str | None = None
) -> Path:
    """Write the .oxt to `out` (whole or not at all: written beside it, then renamed)."""
    data = oxt_bytes(server_url, district_name, version)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    partial.write_bytes(data)
    os.replace(partial, out)
    return out
