"""Drive LibreOffice through UNO, as a clerk or a spreadsheet program would. Run by a Python that has `uno`.

    python3 tests/uno_tasks.py clerk-edit SRC DST   insert rows in the staff table and on Meldung, reorder sheets
    python3 tests/uno_tasks.py recalc SRC OUT.json  recalculate everything, dump every formula cell's value
    python3 tests/uno_tasks.py recalc-all OUT.json SRC...  the same for several workbooks in one LibreOffice

This file runs under the system Python (Debian's python3-uno), not the
project's: it imports nothing from Pakt and talks to a LibreOffice it starts
itself on a free loopback port with its own throw-away profile.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

FORMULA = 1  # com.sun.star.table.CellContentType.FORMULA
FORMULA_CELLS = uno.getConstantByName("com.sun.star.sheet.CellFlags.FORMULA")


def _prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Office:
    """A headless LibreOffice for one task."""

    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="pakt-lo-")
        port = _free_port()
        self.process = subprocess.Popen(
            [
                "soffice",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                f"-env:UserInstallation=file://{self.profile}",
                f"--accept=socket,host=127.0.0.1,port={port};urp;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
        for _ in range(300):
            try:
                context = resolver.resolve(url)
                break
            except NoConnectException:
                time.sleep(0.1)
        else:
            raise SystemExit("LibreOffice did not start")
        self.desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        return self

    def open(self, path):
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        return self.desktop.loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", True),))

    def __exit__(self, *exc):
        with contextlib.suppress(Exception):  # the office may already be gone; the process is waited for below
            self.desktop.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def clerk_edit(src, dst):
    """What a clerk does to a workbook: more rows in the staff table, rows on Meldung, sheets reordered."""
    with Office() as office:
        doc = office.open(src)
        sheets = doc.Sheets
        staff = sheets.getByName("Integrationsmanager")
        staff.unprotect("")
        staff.Rows.insertByIndex(6, 2)  # two blank rows inside the table, below its second data row
        report = sheets.getByName("Meldung")
        report.unprotect("")
        report.Rows.insertByIndex(3, 3)  # three rows above everything the clerk fills in
        sheets.moveByName("Kosten", 0)
        sheets.moveByName("Meldung", sheets.getCount())
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(dst)), (_prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)


def _recalculated(office, src):
    """Every formula cell of one workbook after recalculating it: {sheet: {cell: {formula, value, text, error}}}."""
    doc = office.open(src)
    doc.calculateAll()
    values = {}
    for sheet in doc.Sheets:
        cells = sheet.queryContentCells(FORMULA_CELLS).getCells().createEnumeration()  # asks for formulas only:
        while cells.hasMoreElements():  # one UNO call per cell of the used area made a workbook take a second
            cell = cells.nextElement()
            name = cell.AbsoluteName.split(".")[-1].replace("$", "")
            values.setdefault(sheet.Name, {})[name] = {
                "formula": cell.getFormula(),
                "value": cell.getValue(),
                "text": cell.getString(),
                "error": cell.getError(),
            }
    doc.close(True)
    return values


def _dump(values, out):
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(values, handle, ensure_ascii=False, indent=1)


def recalc(src, out):
    """Recalculate like a spreadsheet program and report every formula cell's value."""
    with Office() as office:
        _dump(_recalculated(office, src), out)


def recalc_all(out, *sources):
    """`recalc` for several workbooks in one LibreOffice (each start costs seconds): {file name: cells}."""
    with Office() as office:
        _dump({os.path.basename(src): _recalculated(office, src) for src in sources}, out)


TASKS = {"clerk-edit": clerk_edit, "recalc": recalc, "recalc-all": recalc_all}

if __name__ == "__main__":
    task, *arguments = sys.argv[1:]
    TASKS[task](*arguments)
