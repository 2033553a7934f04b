"""Pakt in LibreOffice Calc: Prüfen and Einreichen through the district's Pakt server.

This package runs inside LibreOffice's own Python (the extension's `pythonpath`
folder, which LibreOffice puts on `sys.path` beside the component), where Pakt
itself is not installed. So it does what Excel's task pane does: it reads the
open document into the JSON that xlwings' remote Book understands, posts it to
the server's script endpoint, and carries out the actions of the answer
(values, fill colours, comments, the Prüfbericht sheet). The checks are the
server's, the very ones of the sync service.

    _findings   the count line after Prüfen, read from the Prüfbericht (no UNO: the tests import it)
    _settings   the server's address and the access key, in LibreOffice's configuration
    _workbook   the open document as the body of a script call
    _server     the HTTP call, every failure a German message
    _actions    the answer's actions carried out in the document
    _commands   Prüfen and Einreichen from start to end: what the clerk is told
"""
