"""Drive Pakt's LibreOffice extension through UNO, as a clerk in Calc would. Run by a Python that has `uno`.

    python3 tests/uno_oxt.py press PROFILE FORM STEPS OUT.json [SAVED.xlsx]
        open FORM in a LibreOffice on PROFILE (where the extension was installed with unopkg), then for each
        step of STEPS (separated by "|"): "zugang:URL:KEY" sets the access (Pakt › Zugang einrichten … with its
        values given), "Prüfen" or "Einreichen" dispatches the command of the toolbar button of that label,
        "type:Blatt!B14=40" types a value, "kennwort:Blatt=geheim" protects a sheet with that password
        (instead of none); after each button the outcome and the document's state are written to OUT.json. With SAVED.xlsx the document is saved there at the end.
    python3 tests/uno_oxt.py addons PROFILE OUT.json
        the installed extension's menu and toolbar entries, as LibreOffice's configuration holds them, and
        whether a Calc window offers each command enabled (what greys a button out or not)

Like tests/uno_tasks.py this runs under the system Python, imports nothing of
Pakt, and starts its own headless LibreOffice, here on the given profile so that
the installed extension is there.
"""

from __future__ import annotations

import json
import os
import sys
from unittest import mock

import uno
import uno_tasks
import unohelper
from com.sun.star.frame import XStatusListener
from uno_tasks import Office, _prop

ADDONS = "/org.openoffice.Office.Addons/AddonUI"
MENU = "de.pakt.libreoffice.menu"
TOOLBAR = "de.pakt.libreoffice.toolbar"


class InstalledOffice(Office):
    """uno_tasks' headless LibreOffice, started on the profile the extension was installed into."""

    def __init__(self, profile):
        self.installed = profile

    def __enter__(self):
        # LibreOffice's own Python (pyuno, in the office process) finds its standard library through the first
        # python3 on PATH; a test run from another Python (pyenv, a venv) must not hand it that one's.
        os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
        with mock.patch.object(uno_tasks.tempfile, "mkdtemp", lambda **_: self.installed):
            super().__enter__()
        accept = next(a for a in self.process.args if a.startswith("--accept="))[len("--accept=") :]
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        self.context = resolver.resolve(f"uno:{accept}StarOffice.ComponentContext")  # the office's own context
        return self

    def service(self, name):
        return self.context.ServiceManager.createInstanceWithContext(name, self.context)


def _config(office, path, locale=None):
    provider = office.service("com.sun.star.configuration.ConfigurationProvider")
    arguments = [_prop("nodepath", path)] + ([_prop("Locale", locale)] if locale else [])
    return provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationAccess", tuple(arguments))


def _items(node):
    return [
        {"name": name, "url": item.getByName("URL"), "title": item.getByName("Title")}
        for name, item in ((n, node.getByName(n)) for n in sorted(node.getElementNames()))
    ]


def _addons(office, locale=None):
    root = _config(office, ADDONS, locale)
    menus = root.getByName("OfficeMenuBar")
    menu = menus.getByName(MENU) if menus.hasByName(MENU) else None
    toolbars = root.getByName("OfficeToolBar")
    return {
        "menu": None
        if menu is None
        else {"title": menu.getByName("Title"), "context": menu.getByName("Context"), "items": _items(menu.Submenu)},
        "toolbar": _items(toolbars.getByName(TOOLBAR)) if toolbars.hasByName(TOOLBAR) else None,
    }


class _Enabled(unohelper.Base, XStatusListener):
    """What a toolbar button hears from the command's dispatch: enabled or not."""

    def __init__(self):
        self.enabled = None

    def statusChanged(self, event):
        self.enabled = event.IsEnabled

    def disposing(self, source):
        pass


def _offered(office, urls):
    """{url: enabled} for each command in a new Calc window: None when no handler takes the command."""
    doc = office.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (_prop("Hidden", True),))
    frame = doc.getCurrentController().getFrame()
    transformer = office.service("com.sun.star.util.URLTransformer")
    offered = {}
    for url in urls:
        command = uno.createUnoStruct("com.sun.star.util.URL")
        command.Complete = url
        _, command = transformer.parseStrict(command)
        dispatch = frame.queryDispatch(command, "", 0)
        listener = _Enabled()
        if dispatch is not None:
            dispatch.addStatusListener(listener, command)
            dispatch.removeStatusListener(listener, command)
        offered[url] = listener.enabled
    doc.close(True)
    return offered


def addons(profile, out):
    with InstalledOffice(profile) as office:
        found = {"default": _addons(office), "de": _addons(office, "de-DE")}
        urls = [item["url"] for item in found["default"]["menu"]["items"] if item["url"] != "private:separator"]
        found["enabled"] = _offered(office, [*urls, "de.pakt.libreoffice:unbekannt"])
    _dump(found, out)


def _a1(column, row):
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _fills(sheet):
    """Every cell with a fill colour, {A1: "#RRGGBB"}, read per block of equal formatting (one call a block)."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    blocks = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow).getCellFormatRanges()
    fills = {}
    for index in range(blocks.getCount()):
        block = blocks.getByIndex(index)
        if block.CellBackColor == -1:
            continue
        area = block.getRangeAddress()
        for row in range(area.StartRow, area.EndRow + 1):
            for column in range(area.StartColumn, area.EndColumn + 1):
                fills[_a1(column, row)] = f"#{block.CellBackColor:06X}"
    return fills


def _state(doc):
    sheets = []
    for index in range(doc.Sheets.getCount()):
        sheet = doc.Sheets.getByIndex(index)
        comments = sheet.getAnnotations()
        notes = {}
        for n in range(comments.getCount()):
            comment = comments.getByIndex(n)
            notes[_a1(comment.getPosition().Column, comment.getPosition().Row)] = comment.getString()
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.getRangeAddress()
        values = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow).getDataArray()
        sheets.append(
            {
                "name": sheet.Name,
                "protected": sheet.isProtected(),
                "fills": _fills(sheet),
                "notes": notes,
                "values": [list(row) for row in values],
            }
        )
    return sheets


def _result(value):
    """The dispatch's result: DispatchHelper hands back the result event's Result, or the event itself."""
    if hasattr(value, "Result"):
        return {"state": value.State, "text": value.Result}
    return {"state": None, "text": value}


def _type(doc, target):
    where, value = target.split("=", 1)
    sheet_name, cell = where.split("!")
    sheet = doc.Sheets.getByName(sheet_name)
    sheet.getCellRangeByName(cell).setFormula(value)  # as typed: "40" is a number, "abc" a text


def press(profile, form, steps, out, saved=None):
    with InstalledOffice(profile) as office:
        doc = office.open(form)
        frame = doc.getCurrentController().getFrame()
        helper = office.service("com.sun.star.frame.DispatchHelper")
        buttons = {item["title"]: item["url"] for item in _addons(office)["toolbar"]}
        presses = []
        for step in steps.split("|"):
            if step.startswith("type:"):
                _type(doc, step[5:])
                continue
            if step.startswith("kennwort:"):
                name, password = step[9:].split("=", 1)
                protected = doc.Sheets.getByName(name)
                protected.unprotect("")
                protected.protect(password)
                continue
            if step.startswith("zugang:"):
                url, key = step[7:].rsplit(":", 1)
                arguments = (_prop("Server", url), _prop("Schluessel", key))
                result = helper.executeDispatch(frame, "de.pakt.libreoffice:zugang", "", 0, arguments)
            else:
                result = helper.executeDispatch(frame, buttons[step], "", 0, ())
            undo = doc.getUndoManager()
            last = undo.getCurrentUndoActionTitle() if undo.isUndoPossible() else None
            presses.append({"step": step, **_result(result), "undo": last, "sheets": _state(doc)})
        if saved:
            target = uno.systemPathToFileUrl(os.path.abspath(saved))
            doc.storeToURL(target, (_prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
    _dump(presses, out)


def _dump(values, out):
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(values, handle, ensure_ascii=False, indent=1)


TASKS = {"press": press, "addons": addons}

if __name__ == "__main__":
    task, *arguments = sys.argv[1:]
    TASKS[task](*arguments)
