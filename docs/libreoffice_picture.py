"""The clerks' picture of Pakt in LibreOffice Calc (docs/libreoffice.png): the menu Pakt open, the toolbar Pakt.

make_pictures.py calls `libreoffice(work)`. It builds the extension with
`pakt extension`, installs it per user with `unopkg add` into a throw-away
profile, opens Aldingen's sample form in Calc on a virtual screen (Xvfb), opens
the menu from the keyboard (F10, P; xdotool) and cuts the top of the screen.

Needs Xvfb and xdotool (Debian: `apt-get install xvfb xdotool`) and a LibreOffice
that draws windows. Debian's libreoffice-calc-nogui, which the tests use, draws
none: then the same version's libreoffice-core, libreoffice-calc and
libreoffice-l10n-de are fetched with `apt-get download` and unpacked into the
work folder beside a copy of the installed LibreOffice; nothing is installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import zlib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SYSTEM_OFFICE = Path("/usr/lib/libreoffice")
SCREEN = (1280, 720)
CUT = (0, 0, 960, 300)
"""The part of the screen the picture shows: menu bar, the open menu Pakt, the toolbars, the form's first rows."""
NOBODY = 65534


def _draws_windows(program: Path) -> bool:
    return any((program / f"libvclplug_{kind}lo.so").exists() for kind in ("gen", "gtk3", "kf5", "qt5"))


def _unpacked_office(work: Path) -> Path:
    """A LibreOffice that draws windows: the installed one plus the window-drawing packages of its version."""
    version = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "libreoffice-core-nogui"], check=True, capture_output=True, text=True
    ).stdout
    debs = work / "debs"
    debs.mkdir()
    wanted = [f"{name}={version}" for name in ("libreoffice-core", "libreoffice-calc", "libreoffice-l10n-de")]
    subprocess.run(["apt-get", "download", *wanted], cwd=debs, check=True, capture_output=True)
    office = work / "libreoffice"
    subprocess.run(["cp", "-rL", str(SYSTEM_OFFICE), str(office)], check=True)  # links resolved where they lie
    unpacked = work / "unpacked"
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(unpacked)], check=True)

    def links(folder: str, names: list[str]) -> list[str]:
        return [name for name in names if (Path(folder) / name).is_symlink()]

    shutil.copytree(unpacked / SYSTEM_OFFICE.relative_to("/"), office, ignore=links, dirs_exist_ok=True)
    # Debian's LibreOffice names its own folders absolutely; this copy is to use its own.
    rc = office / "program" / "fundamentalrc"
    rc.write_text(
        rc.read_text(encoding="utf-8")
        .replace("BRAND_BASE_DIR=file:///usr/lib/libreoffice", "BRAND_BASE_DIR=${ORIGIN}/..")
        .replace("file:///etc/libreoffice/registry", "${BRAND_BASE_DIR}/share/.registry"),
        encoding="utf-8",
    )
    return office / "program" / "soffice"


def _office(work: Path) -> Path:
    if _draws_windows(SYSTEM_OFFICE / "program"):
        return Path(shutil.which("soffice") or "soffice")
    return _unpacked_office(work)


def _installed(oxt: Path) -> Path:
    """A profile with the extension installed by `unopkg add`, per user (as nobody when run as root: unopkg
    refuses per-user work as root)."""
    home = Path(tempfile.mkdtemp(prefix="pakt-picture-"))
    shutil.copy(oxt, home / oxt.name)
    command = ["unopkg", "add", str(home / oxt.name), f"-env:UserInstallation=file://{home / 'profile'}"]
    if os.geteuid() == 0:
        os.chown(home, NOBODY, NOBODY)
        (home / oxt.name).chmod(0o644)
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, "HOME": str(home)}, timeout=180)
    return home / "profile"


def _png(xwd: bytes, box: tuple[int, int, int, int]) -> bytes:
    """A part of an X window dump (Xvfb's screen file, 24 bits in 32) as an RGB PNG."""
    fields = struct.unpack(">25I", xwd[:100])
    header_size, byte_order, bytes_per_line = fields[0], fields[7], fields[12]
    red, green, blue, colours = fields[14], fields[15], fields[16], fields[19]
    pixels = xwd[header_size + 12 * colours :]
    left, top, right, bottom = box
    order = "<" if byte_order == 0 else ">"
    rows = []
    for y in range(top, bottom):
        line = struct.unpack_from(f"{order}{right}I", pixels, y * bytes_per_line)[left:]
        rows.append(b"\0" + b"".join(bytes(((v & red) >> 16, (v & green) >> 8, v & blue)) for v in line))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", right - left, bottom - top, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def _settled(screen: Path, timeout_s: float = 90) -> bytes:
    """The screen once it has stopped changing for three seconds (LibreOffice has drawn the window)."""
    deadline, last, same = time.monotonic() + timeout_s, b"", 0
    while time.monotonic() < deadline:
        time.sleep(1)
        now = screen.read_bytes() if screen.exists() else b""
        same = same + 1 if now == last and len(set(now[-4096:])) > 1 else 0
        if same >= 3:
            return now
        last = now
    raise RuntimeError("LibreOffice hat auf dem virtuellen Bildschirm kein Fenster gezeigt")


def _free_display() -> int:
    return next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())


def libreoffice(work: Path) -> Path:
    oxt = work / "Pakt.oxt"
    subprocess.run(
        ["pakt", "extension", "--out", str(oxt), "--server", "https://pakt.landkreis.example"],
        cwd=work,
        check=True,
        capture_output=True,
    )
    profile = _installed(oxt)
    soffice = _office(work)
    form = work / "Meldung_Aldingen.xlsx"
    shutil.copy(work / "sample_workbooks" / "08327002_Aldingen.xlsx", form)
    display = _free_display()
    frames = work / "screen"
    frames.mkdir()
    size = f"{SCREEN[0]}x{SCREEN[1]}x24"
    xvfb = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", size, "-fbdir", str(frames), "-nolisten", "tcp"])
    environment = {
        **os.environ,
        "DISPLAY": f":{display}",
        "SAL_USE_VCLPLUGIN": "gen",
        "LANG": "de_DE.UTF-8",
        "LANGUAGE": "de",
        "HOME": str(profile.parent),
        "PATH": os.pathsep.join(["/usr/bin", os.environ.get("PATH", "")]),  # LibreOffice's Python: the system's
    }
    office = subprocess.Popen(
        [str(soffice), f"-env:UserInstallation=file://{profile}", "--norestore", "--nologo", str(form)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # soffice starts soffice.bin: ended together, by their group
    )
    try:
        screen = frames / "Xvfb_screen0"
        _settled(screen)
        # F10 and P, as a clerk opens the menu from the keyboard (no window manager: keys go to the pointer's window)
        keys = [
            "xdotool",
            "mousemove",
            str(SCREEN[0] // 2),
            str(SCREEN[1] // 2),
            "key",
            "F10",
            "sleep",
            "1",
            "key",
            "p",
        ]
        subprocess.run(keys, env=environment, check=True)
        target = DOCS / "libreoffice.png"
        target.write_bytes(_png(_settled(screen), CUT))
        return target
    finally:
        os.killpg(office.pid, signal.SIGTERM)
        office.wait(timeout=30)
        xvfb.terminate()
        xvfb.wait(timeout=10)
        shutil.rmtree(profile.parent, ignore_errors=True)
