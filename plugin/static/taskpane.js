/*
 * Pakt task pane: the Office.js client of the Pakt add-in server.
 *
 * Reads the open workbook into the JSON that xlwings' remote Book understands
 * (sheets with values from A1, defined names, tables), posts it to a Pakt
 * script (Prüfen, Einreichen, Aktualisieren) and carries out the actions the
 * server returns (values, fill colours, sheets, notes). Everything the clerk
 * reads is German. Written for the Excel JavaScript API; the same functions
 * run under Node with a stand-in of that API in the tests.
 */
(function (root) {
  "use strict";

  const XLWINGS_VERSION = "0.37.8";
  const TOKEN_KEY = "pakt-token";

  function baseUrl() {
    if (root.PAKT_BASE_URL) return root.PAKT_BASE_URL;
    return root.location ? root.location.origin : "";
  }

  async function storage() {
    if (root.OfficeRuntime && root.OfficeRuntime.storage) return root.OfficeRuntime.storage;
    const local = root.localStorage;
    return {
      getItem: async (key) => (local ? local.getItem(key) : null),
      setItem: async (key, value) => local && local.setItem(key, value),
    };
  }

  async function getToken() {
    return (await (await storage()).getItem(TOKEN_KEY)) || "";
  }

  async function setToken(token) {
    await (await storage()).setItem(TOKEN_KEY, token.trim());
  }

  // "'Meldung'!$B$14:$B$15" -> { sheet: "Meldung", address: "B14:B15" }
  function splitAddress(address) {
    const bang = address.lastIndexOf("!");
    let sheet = address.slice(0, bang);
    if (sheet.startsWith("'") && sheet.endsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
    return { sheet: sheet, address: address.slice(bang + 1).replace(/\$/g, "") };
  }

  // Values of a used range, padded so that row 0 / column 0 are A1.
  function anchoredValues(used) {
    if (!used || used.isNullObject) return [[]];
    const width = used.columnIndex + (used.values[0] || []).length;
    const rows = [];
    for (let r = 0; r < used.rowIndex; r++) rows.push(new Array(width).fill(""));
    used.values.forEach((row) => rows.push(new Array(used.columnIndex).fill("").concat(row)));
    return rows;
  }

  async function collectPayload(context) {
    const workbook = context.workbook;
    const sheets = workbook.worksheets;
    sheets.load("items/name,items/visibility");
    const names = workbook.names;
    names.load("items/name,items/type,items/visible");
    const tables = workbook.tables;
    tables.load("items/name,items/showHeaders,items/showTotals");
    const active = sheets.getActiveWorksheet();
    active.load("position");
    await context.sync();

    const used = sheets.items.map((sheet) => {
      const range = sheet.getUsedRangeOrNullObject(true);
      range.load("values,rowIndex,columnIndex");
      return range;
    });
    const nameRanges = names.items
      .filter((n) => n.type === "Range")
      .map((n) => ({ name: n.name, range: n.getRangeOrNullObject() }));
    nameRanges.forEach((n) => n.range.load("address"));
    const tableParts = tables.items.map((t) => {
      const parts = { table: t, sheet: t.worksheet, range: t.getRange(), header: t.getHeaderRowRange(), body: t.getDataBodyRange() };
      parts.sheet.load("name");
      [parts.range, parts.header, parts.body].forEach((r) => r.load("address"));
      return parts;
    });
    await context.sync();

    const sheetIndex = {};
    sheets.items.forEach((sheet, ix) => (sheetIndex[sheet.name] = ix));
    const tablesBySheet = {};
    tableParts.forEach((p) => {
      (tablesBySheet[p.sheet.name] = tablesBySheet[p.sheet.name] || []).push({
        name: p.table.name,
        range_address: splitAddress(p.range.address).address,
        header_row_range_address: splitAddress(p.header.address).address,
        data_body_range_address: splitAddress(p.body.address).address,
        total_row_range_address: null,
        show_headers: p.table.showHeaders,
        show_totals: p.table.showTotals,
        show_autofilter: false,
        table_style: "",
        columns: [],
      });
    });
    const payload = {
      client: "Office.js",
      version: XLWINGS_VERSION,
      runtime: "1.4",
      culture_info_name: "de-DE",
      date_format: "TT.MM.JJJJ",
      book: { name: "Mappe", active_sheet_index: active.position, selection: "A1" },
      names: nameRanges
        .filter((n) => !n.range.isNullObject)
        .map((n) => {
          const where = splitAddress(n.range.address);
          return {
            name: n.name,
            sheet_index: sheetIndex[where.sheet],
            address: where.address,
            book_scope: true,
            scope_sheet_name: null,
            scope_sheet_index: null,
          };
        }),
      sheets: sheets.items.map((sheet, ix) => ({
        name: sheet.name,
        values: anchoredValues(used[ix]),
        pictures: [],
        tables: tablesBySheet[sheet.name] || [],
        notes: [],
        notes_supported: false,
        shapes: [],
        charts: [],
        pivot_tables: [],
        show_gridlines: true,
        visibility: sheet.visibility,
      })),
    };
    return payload;
  }

  function rangeOf(sheets, action) {
    return sheets.items[action.sheet_position].getRangeByIndexes(
      action.start_row, action.start_column, action.row_count, action.column_count
    );
  }

  const handlers = {
    setValues: (c, s, a) => { rangeOf(s, a).values = a.values; },
    setRangeColor: (c, s, a) => {
      const fill = rangeOf(s, a).format.fill;
      if (a.args[0]) fill.color = a.args[0]; else fill.clear();
    },
    rangeClearContents: (c, s, a) => rangeOf(s, a).clear("Contents"),
    rangeClear: (c, s, a) => rangeOf(s, a).clear(),
    sheetClear: (c, s, a) => s.items[a.sheet_position].getRange().clear(),
    addSheet: (c, s, a) => { const sheet = s.add(a.args[1]); sheet.position = parseInt(a.args[0], 10); return "reload"; },
    activateSheet: (c, s, a) => s.items[parseInt(a.args[0], 10)].activate(),
    alert: (c, s, a, ui) => ui.say(a.args[0], false),
    paktSetNote: (c, s, a, ui, notes) => notes.set(noteKey(a), { sheet: a.sheet_position, text: a.args[0] }),
    paktClearNote: (c, s, a, ui, notes) => notes.set(noteKey(a), { sheet: a.sheet_position, text: null }),
  };

  function columnLetters(n) {
    let s = "";
    for (n += 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    return s;
  }

  function noteKey(action) {
    return action.sheet_position + "|" + columnLetters(action.start_column) + (action.start_row + 1);
  }

  // Notes are applied last, each cell's final state only: Excel refuses a second note on a cell.
  async function applyNotes(context, sheets, notes) {
    const cells = [];
    notes.forEach((want, key) => {
      const address = key.split("|")[1];
      const sheet = sheets.items[want.sheet];
      const existing = sheet.notes.getItemOrNullObject(address);
      existing.load("isNullObject");
      cells.push({ sheet, address, existing, text: want.text });
    });
    if (!cells.length) return;
    await context.sync();
    cells.forEach((cell) => {
      if (!cell.existing.isNullObject) cell.existing.delete();
      if (cell.text) cell.sheet.notes.add(cell.address, cell.text);
    });
    await context.sync();
  }

  async function applyActions(context, actions, ui) {
    let sheets = context.workbook.worksheets;
    sheets.load("items/name");
    await context.sync();
    const notes = new Map();
    for (const action of actions) {
      const handler = handlers[action.func];
      if (!handler) throw new Error("Unbekannte Aktion vom Server: " + action.func);
      if (handler(context, sheets, action, ui, notes) === "reload") {
        await context.sync();
        sheets = context.workbook.worksheets;
        sheets.load("items/name");
        await context.sync();
      }
    }
    await context.sync();
    await applyNotes(context, sheets, notes);
  }

  async function runScript(excel, script, ui, fetchImpl) {
    const token = await getToken();
    if (!token) {
      ui.say("Bitte zuerst den Zugangsschlüssel vom Landratsamt eintragen und speichern.", true);
      return;
    }
    ui.busy(true);
    try {
      await excel.run(async (context) => {
        const payload = await collectPayload(context);
        const response = await (fetchImpl || root.fetch)(baseUrl() + "/xlwings/custom-scripts-call/" + script, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: token },
          body: JSON.stringify(payload),
        });
        const text = await response.text();
        if (response.status !== 200) {
          ui.say(text || "Der Pakt-Server hat die Anfrage abgelehnt (" + response.status + ").", true);
          return;
        }
        ui.say("Fertig.", false);
        await applyActions(context, JSON.parse(text).actions || [], ui);
      });
    } catch (error) {
      ui.say("Der Pakt-Server ist nicht erreichbar oder die Mappe ließ sich nicht lesen: " + (error.message || error), true);
    } finally {
      ui.busy(false);
    }
  }

  function pageUi(document) {
    const status = document.getElementById("status");
    const buttons = ["pruefen", "einreichen", "aktualisieren"].map((id) => document.getElementById(id));
    return {
      say: (text, isError) => { status.textContent = text; status.className = isError ? "fehler" : ""; },
      busy: (on) => buttons.forEach((b) => (b.disabled = on)),
    };
  }

  function wire(document, excel) {
    const ui = pageUi(document);
    document.getElementById("pruefen").onclick = () => runScript(excel, "pruefen", ui);
    document.getElementById("einreichen").onclick = () => runScript(excel, "einreichen", ui);
    document.getElementById("aktualisieren").onclick = () => runScript(excel, "aktualisieren", ui);
    document.getElementById("speichern").onclick = async () => {
      await setToken(document.getElementById("token").value);
      document.getElementById("token").value = "";
      ui.say("Zugangsschlüssel gespeichert.", false);
    };
  }

  const Pakt = { collectPayload, applyActions, runScript, setToken, getToken, splitAddress, anchoredValues, wire };
  root.Pakt = Pakt;
  if (typeof module !== "undefined" && module.exports) module.exports = Pakt;
  if (root.Office && root.Office.onReady) {
    root.Office.onReady(() => wire(root.document, root.Excel));
  }
})(typeof window !== "undefined" ? window : globalThis);
