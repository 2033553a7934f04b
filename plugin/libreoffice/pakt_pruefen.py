"""Pakt's command handler in LibreOffice: the menu's and the toolbar's commands de.pakt.libreoffice:….

    de.pakt.libreoffice:pruefen      Prüfen: mark the cells, fill the Prüfbericht, say the counts
    de.pakt.libreoffice:einreichen   Einreichen: the same, then the sign-off when nothing blocks it
    de.pakt.libreoffice:zugang       Zugang einrichten …: the server's address and the access key

A ProtocolHandler (registered in ProtocolHandler.xcu, implemented in Python, no
compiled parts): LibreOffice creates one per frame and asks it for a dispatch
when the clerk picks a menu entry or presses a toolbar button. The work is in
the package pakt_libreoffice beside this file (LibreOffice puts the folder
`pythonpath` on sys.path for the extension's components).

A command ends with a message box. Dispatched with a result listener (as
`com.sun.star.frame.DispatchHelper` does) the text of that box is also the
dispatch's result, which is how the tests read it from a headless LibreOffice,
where message boxes return at once.
"""

from __future__ import annotations

import traceback

import uno
import unohelper
from com.sun.star.frame import XDispatchProvider, XNotifyingDispatch
from com.sun.star.frame.DispatchResultState import FAILURE, SUCCESS
from com.sun.star.lang import XInitialization, XServiceInfo
from pakt_libreoffice._commands import FAILED, FINDINGS, OK, TITLES, Outcome, run_script
from pakt_libreoffice._settings import read_access, store_access

IMPLEMENTATION = "de.pakt.libreoffice.ProtocolHandler"
PROTOCOL = "de.pakt.libreoffice:"
ACCESS_TITLE = "Pakt – Zugang einrichten"


def _property(name: str, value):
    item = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    item.Name, item.Value = name, value
    return item


def _message_box(frame, title: str, outcome: Outcome) -> None:
    """The result in a box the clerk closes with OK (returns at once in a headless LibreOffice)."""
    from com.sun.star.awt.MessageBoxType import ERRORBOX, INFOBOX, WARNINGBOX

    kind = {FAILED: ERRORBOX, FINDINGS: WARNINGBOX}.get(outcome.state, INFOBOX)
    window = frame.getContainerWindow()
    box = window.getToolkit().createMessageBox(window, kind, 1, title, outcome.text)  # 1: MessageBoxButtons.BUTTONS_OK
    box.execute()
    box.dispose()


class AccessDialog:
    """The two fields of Zugang einrichten …: the server's address (the district's preset shown) and the key."""

    WIDTH = 230

    def __init__(self, ctx, url: str) -> None:
        self.ctx = ctx
        smgr = ctx.ServiceManager
        self.model = smgr.createInstanceWithContext("com.sun.star.awt.UnoControlDialogModel", ctx)
        self.model.setPropertyValues(
            ("Height", "PositionX", "PositionY", "Title", "Width"), (118, 60, 60, ACCESS_TITLE, self.WIDTH)
        )
        self._add("UrlLabel", "FixedText", 8, 8, 14, Label="Adresse des Pakt-Servers (vom Landratsamt):")
        self._add("Url", "Edit", 8, 22, 14, Text=url)
        self._add("KeyLabel", "FixedText", 8, 44, 14, Label="Zugangsschlüssel der Gemeinde:")
        self._add("Key", "Edit", 8, 58, 14, EchoChar=ord("•"))
        self._add("Ok", "Button", self.WIDTH - 116, 92, 16, Label="Speichern", PushButtonType=1, DefaultButton=True)
        self._add("Cancel", "Button", self.WIDTH - 58, 92, 16, Label="Abbrechen", PushButtonType=2)
        self.dialog = smgr.createInstanceWithContext("com.sun.star.awt.UnoControlDialog", ctx)
        self.dialog.setModel(self.model)

    def _add(self, name: str, kind: str, x: int, y: int, height: int, **properties) -> None:
        control = self.model.createInstance(f"com.sun.star.awt.UnoControl{kind}Model")
        width = 50 if kind == "Button" else self.WIDTH - 16
        names = ("Height", "PositionX", "PositionY", "Width", *properties)
        control.setPropertyValues(names, (height, x, y, width, *properties.values()))
        self.model.insertByName(name, control)

    def ask(self, frame) -> tuple[str, str] | None:
        """(address, key) as entered, or None when the clerk cancelled (or nobody can answer, headless)."""
        self.dialog.createPeer(frame.getContainerWindow().getToolkit(), None)
        try:
            if self.dialog.execute() != 1:
                return None
            return self.dialog.getControl("Url").getText(), self.dialog.getControl("Key").getText()
        finally:
            self.dialog.dispose()


class ProtocolHandler(unohelper.Base, XInitialization, XDispatchProvider, XNotifyingDispatch, XServiceInfo):
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.frame = None

    # XInitialization: LibreOffice passes the frame the handler serves
    def initialize(self, arguments) -> None:
        if arguments:
            self.frame = arguments[0]

    # XDispatchProvider
    def queryDispatch(self, url, target, flags):
        return self if url.Protocol == PROTOCOL and url.Path in (*TITLES, "zugang") else None

    def queryDispatches(self, requests):
        return tuple(self.queryDispatch(r.FeatureURL, r.FrameName, r.SearchFlags) for r in requests)

    # XDispatch / XNotifyingDispatch
    def dispatch(self, url, arguments) -> None:
        self._run(url.Path, arguments)

    def dispatchWithNotification(self, url, arguments, listener) -> None:
        outcome = self._run(url.Path, arguments)
        if listener is not None:
            event = uno.createUnoStruct("com.sun.star.frame.DispatchResultEvent")
            event.Source, event.State, event.Result = (
                self,
                FAILURE if outcome.state == FAILED else SUCCESS,
                outcome.text,
            )
            listener.dispatchFinished(event)

    def addStatusListener(self, listener, url) -> None:
        """The commands are always available: said once, or the menu and the toolbar show them greyed out."""
        state = uno.createUnoStruct("com.sun.star.frame.FeatureStateEvent")
        state.Source, state.FeatureURL, state.IsEnabled, state.Requery = self, url, True, False
        listener.statusChanged(state)

    def removeStatusListener(self, listener, url) -> None:
        pass  # nothing kept: the state never changes

    # XServiceInfo
    def getImplementationName(self) -> str:
        return IMPLEMENTATION

    def supportsService(self, name: str) -> bool:
        return name in self.getSupportedServiceNames()

    def getSupportedServiceNames(self):
        return ("com.sun.star.frame.ProtocolHandler",)

    def _run(self, command: str, arguments) -> Outcome:
        given = {a.Name: a.Value for a in arguments or ()}
        title = TITLES.get(command, ACCESS_TITLE)
        try:
            if command == "zugang":
                outcome = self._access(given)
            else:
                outcome = run_script(self.ctx, self.frame.getController().getModel(), command)
        except Exception:  # the last stop before the clerk: a German box instead of nothing, the detail kept
            outcome = Outcome(
                "Pakt ist auf einen unerwarteten Fehler gestoßen. Bitte die IT des Landratsamts verständigen "
                "und diesen Text mitschicken:\n" + traceback.format_exc(limit=4),
                FAILED,
            )
        if self.frame is not None:
            _message_box(self.frame, title, outcome)
        return outcome

    def _access(self, given: dict) -> Outcome:
        """Zugang einrichten: the dialog, or the values given as arguments Server and Schluessel (for IT's
        scripted set-up and the tests)."""
        if "Server" in given or "Schluessel" in given:
            entered = given.get("Server"), given.get("Schluessel")
        else:
            entered = AccessDialog(self.ctx, read_access(self.ctx).url).ask(self.frame)
            if entered is None:
                return Outcome("Zugang unverändert.", OK)
        url, key = entered
        store_access(self.ctx, url=url, key=key or None)
        now = read_access(self.ctx)
        where = now.url or "(keine Adresse)"
        keyed = "gespeichert" if now.key else "fehlt noch"
        return Outcome(f"Zugang gespeichert: Pakt-Server {where}, Zugangsschlüssel {keyed}.", OK)


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(ProtocolHandler, IMPLEMENTATION, ("com.sun.star.frame.ProtocolHandler",))
