/*
 * Pakt task pane: the Office.js client of the Pakt add-in server.
 *
 * Reads the open workbook into the JSON that xlwings' remote Book understands
 * (sheets with values from A1, defined names, tables), posts it to a Pakt
 * script (Prüfen, Einreichen, Aktualisieren) and carries out the actions the
 * server returns (values, number formats, formulas, links, fill colours,
 * sheets, notes). After Prüfen it lists what the check found, read back from
 * the Prüfbericht sheet the server wrote: a count line, then the errors, the
 * warnings and the notes, each a button that selects its cell. Everything the
 * clerk reads is German. Written for the Excel JavaScript API; the same
 * functions run under Node with a stand-in of that API in the tests.
 */
(function (root) {
  "use strict";

  const XLWINGS_VERSION = "0.37.8";
  const TOKEN_KEY = "pakt-token";

  // The server's address is where this page came from, sub-path included (…/pakt/taskpane.html -> …/pakt).
  function baseUrl() {
    if (root.PAKT_BASE_URL) return root.PAKT_BASE_URL;
    return root.location ? new URL(".", root.location.href).href.replace(/\/$/, "") : "";
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
      culture_info_name: (root.Office && root.Office.context && root.Office.context.contentLanguage) || "de-DE",
      date_format: "dd.MM.yyyy",
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

  // Cell notes need ExcelApi 1.18 (not in Excel 2021/2024 LTSC, older Microsoft 365 and Mac builds).
  const NOTES_API = "1.18";

  function supports(version) {
    const office = root.Office;
    return Boolean(office && office.context && office.context.requirements &&
      office.context.requirements.isSetSupported("ExcelApi", version));
  }

  function rangeOf(sheets, action) {
    return sheets.items[action.sheet_position].getRangeByIndexes(
      action.start_row, action.start_column, action.row_count, action.column_count
    );
  }

  function columnLetters(n) {
    let s = "";
    for (n += 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    return s;
  }

  // Every cell of the action's range (a note belongs to one cell; a cleared range clears each).
  function cellsOf(action) {
    const cells = [];
    for (let r = 0; r < action.row_count; r++) {
      for (let c = 0; c < action.column_count; c++) cells.push(columnLetters(action.start_column + c) + (action.start_row + r + 1));
    }
    return cells;
  }

  // One value for every cell of the action's range (Range.numberFormat takes a matrix of its size).
  function filled(action, value) {
    return Array.from({ length: action.row_count }, () => new Array(action.column_count).fill(value));
  }

  // xlwings' addHyperlink: [address, text to display, screen tip]. Without a text (a figure's link) the cell
  // keeps its value; Excel shows the text only where one is given.
  function hyperlink(action) {
    const link = { address: String(action.args[0]) };
    if (action.args[1] !== null && action.args[1] !== undefined) link.textToDisplay = String(action.args[1]);
    if (action.args[2]) link.screenTip = String(action.args[2]);
    return link;
  }

  const handlers = {
    setValues: (run, a) => { rangeOf(run.sheets, a).values = a.values; },
    setNumberFormat: (run, a) => { rangeOf(run.sheets, a).numberFormat = filled(a, a.args[0]); },
    setFormula: (run, a) => { rangeOf(run.sheets, a).formulas = a.values; },
    addHyperlink: (run, a) => { rangeOf(run.sheets, a).hyperlink = hyperlink(a); },
    setRangeColor: (run, a) => {
      if (run.locked.has(a.sheet_position)) return;
      const fill = rangeOf(run.sheets, a).format.fill;
      if (a.args[0]) fill.color = a.args[0]; else fill.clear();
    },
    rangeClearContents: (run, a) => rangeOf(run.sheets, a).clear("Contents"),
    rangeClear: (run, a) => rangeOf(run.sheets, a).clear(),
    sheetClear: (run, a) => run.sheets.items[a.sheet_position].getRange().clear(),
    addSheet: (run, a) => { const sheet = run.sheets.add(a.args[1]); sheet.position = parseInt(a.args[0], 10); return "reload"; },
    activateSheet: (run, a) => run.sheets.items[parseInt(a.args[0], 10)].activate(),
    alert: (run, a) => run.said.push(a.args[0]),
    paktSetNote: (run, a) => {
      run.wantedNotes += 1;
      run.notes.set(a.sheet_position + "|" + cellsOf(a)[0], { sheet: a.sheet_position, text: a.args[0] });
    },
    paktClearNote: (run, a) => cellsOf(a).forEach((cell) => {
      run.notes.set(a.sheet_position + "|" + cell, { sheet: a.sheet_position, text: null });
    }),
  };

  // Notes are applied last, each cell's final state only: Excel refuses a second note on a cell.
  async function applyNotes(context, run) {
    const cells = [];
    run.notes.forEach((want, key) => {
      if (run.locked.has(want.sheet)) return;
      const address = key.split("|")[1];
      const sheet = run.sheets.items[want.sheet];
      const existing = sheet.notes.getItemOrNullObject(address);
      existing.load("content");
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

  const MARKING = new Set(["setRangeColor", "setNumberFormat", "addHyperlink", "paktSetNote", "paktClearNote", "rangeClear", "sheetClear"]);

  // Protected sheets (the template protects every sheet, without a password) refuse colours and notes:
  // lift the protection of each sheet the answer marks, and put the same protection back afterwards.
  async function liftProtection(context, run, actions) {
    const positions = new Set(actions.filter((a) => MARKING.has(a.func) && a.sheet_position < run.sheets.items.length).map((a) => a.sheet_position));
    const sheets = [...positions].map((position) => ({ position, sheet: run.sheets.items[position] }));
    sheets.forEach((s) => s.sheet.protection.load("protected,options"));
    await context.sync();
    const lifted = [];
    for (const s of sheets.filter((x) => x.sheet.protection.protected)) {
      s.sheet.protection.unprotect();
      try {
        await context.sync();
        lifted.push({ sheet: s.sheet, options: s.sheet.protection.options, name: run.sheets.items[s.position].name });
      } catch (error) {
        run.locked.set(s.position, run.sheets.items[s.position].name);
      }
    }
    return lifted;
  }

  async function restoreProtection(context, run, lifted) {
    for (const entry of lifted) {
      entry.sheet.protection.protect(entry.options);
      try {
        await context.sync();
      } catch (error) {
        run.said.push("Der Blattschutz von „" + entry.name + "“ ließ sich nicht wiederherstellen; bitte über Überprüfen › Blatt schützen erneut setzen.");
      }
    }
  }

  async function applyActions(context, actions) {
    const run = { sheets: context.workbook.worksheets, notes: new Map(), said: [], locked: new Map(), wantedNotes: 0 };
    run.sheets.load("items/name");
    await context.sync();
    const lifted = await liftProtection(context, run, actions);
    try {
      for (const action of actions) {
        const handler = handlers[action.func];
        if (!handler) throw new Error("Unbekannte Aktion vom Server: " + action.func);
        if (handler(run, action) === "reload") {
          await context.sync();
          run.sheets = context.workbook.worksheets;
          run.sheets.load("items/name");
          await context.sync();
        }
      }
      await context.sync();
      if (supports(NOTES_API)) await applyNotes(context, run);
    } finally {
      await restoreProtection(context, run, lifted);
    }
    if (run.wantedNotes && !supports(NOTES_API)) {
      run.said.push("Diese Excel-Version kann keine Hinweise an Zellen anzeigen: die markierten Zellen sind eingefärbt, die Hinweise dazu stehen im Blatt „Prüfbericht“.");
    }
    run.locked.forEach((name) => {
      run.said.push("Das Blatt „" + name + "“ ist mit Kennwort geschützt: dort ist nichts markiert, alle Hinweise stehen im Blatt „Prüfbericht“.");
    });
    return run.said;
  }

  // The Prüfbericht as the server writes it (plugin/_marks.py, write_report): a headline, a header row, then one
  // row per finding. Columns are found by their header, so a new column there does not shift these.
  const REPORT_SHEET = "Prüfbericht";
  const REPORT_HEADERS = { severity: "Schwere", sheet: "Blatt", cell: "Zelle", message: "Meldung" };
  const SEVERITIES = ["Fehler", "Warnung", "Hinweis"];
  const NOTE = SEVERITIES.indexOf("Hinweis");
  const FORMULA_STARTS = /^'(?=[=+\-@])/; // the server puts an apostrophe before text a spreadsheet would take for a formula

  function cellText(value) {
    return value === null || value === undefined ? "" : String(value).trim();
  }

  // The findings of a Prüfbericht's values (from A1), errors first, then warnings, then notes, each group in the
  // report's order; null when the sheet has no report in it.
  function findingsOf(rows) {
    const at = rows.findIndex((row) => row.includes(REPORT_HEADERS.severity) && row.includes(REPORT_HEADERS.message));
    if (at < 0) return null;
    const column = {};
    Object.keys(REPORT_HEADERS).forEach((key) => (column[key] = rows[at].indexOf(REPORT_HEADERS[key])));
    const read = (row, key) => (column[key] < 0 ? "" : cellText(row[column[key]]));
    const rank = (severity) => (SEVERITIES.includes(severity) ? SEVERITIES.indexOf(severity) : NOTE);
    return rows
      .slice(at + 1)
      .map((row) => ({
        severity: read(row, "severity"), sheet: read(row, "sheet"), cell: read(row, "cell"),
        message: read(row, "message").replace(FORMULA_STARTS, ""),
      }))
      .filter((finding) => finding.severity || finding.message)
      .map((finding, order) => ({ finding, order }))
      .sort((a, b) => rank(a.finding.severity) - rank(b.finding.severity) || a.order - b.order)
      .map((entry) => entry.finding);
  }

  async function readFindings(context) {
    const sheets = context.workbook.worksheets;
    sheets.load("items/name");
    await context.sync();
    const report = sheets.items.find((sheet) => sheet.name === REPORT_SHEET);
    if (!report) return null;
    const used = report.getUsedRangeOrNullObject(true);
    used.load("values,rowIndex,columnIndex");
    await context.sync();
    return findingsOf(anchoredValues(used));
  }

  function tally(findings, severity) {
    return findings.filter((finding) => finding.severity === severity).length;
  }

  function counted(number, singular, plural) {
    return number.toLocaleString("de-DE") + " " + (number === 1 ? singular : plural);
  }

  // The line above the list: how many errors and warnings, and whether the form can be submitted (the same words
  // as the Google Sheets sidebar, plugin/appsscript/Pruefen.html).
  function countLine(findings) {
    const errors = tally(findings, "Fehler");
    const warnings = tally(findings, "Warnung");
    const warned = warnings ? counted(warnings, "Warnung", "Warnungen") : "keine Warnungen";
    if (errors) return counted(errors, "Fehler", "Fehler") + ", " + warned + " — Einreichen ist erst ohne Fehler möglich";
    if (warnings) return "Keine Fehler, " + warned + " — bitte prüfen, Einreichen ist möglich";
    return "Keine Fehler, keine Warnungen – die Meldung kann eingereicht werden.";
  }

  function placeOf(finding) {
    if (finding.sheet && finding.cell) return finding.sheet + ", Zelle " + finding.cell;
    return finding.sheet ? "Blatt " + finding.sheet : "";
  }

  // Select a finding's cell in the workbook (Range.select, ExcelApi 1.1: every Excel the manifest admits). Where
  // that fails (the sheet renamed or hidden since the check), the sheet is activated if it can be, and the answer
  // names the cell for the clerk to go to.
  async function selectCell(excel, finding) {
    const place = placeOf(finding);
    const select = (withRange) => excel.run(async (context) => {
      const sheet = context.workbook.worksheets.getItem(finding.sheet);
      sheet.activate();
      if (withRange) sheet.getRange(finding.cell).select();
      await context.sync();
    });
    try {
      await select(true);
      return { selected: true, text: place + " ist ausgewählt." };
    } catch (error) {
      const activated = await select(false).then(() => true, () => false);
      const where = "im Blatt „" + finding.sheet + "“ die Zelle " + finding.cell;
      return {
        selected: false,
        text: activated
          ? "Die Zelle ließ sich nicht auswählen: bitte " + where + " aufsuchen."
          : "Das Blatt „" + finding.sheet + "“ gibt es in dieser Mappe nicht mehr (umbenannt oder gelöscht?): bitte " +
            where + " aufsuchen oder erneut prüfen.",
      };
    }
  }

  async function post(script, token, payload, fetchImpl) {
    try {
      const response = await (fetchImpl || root.fetch)(baseUrl() + "/xlwings/custom-scripts-call/" + script, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: token },
        body: JSON.stringify(payload),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      return { status: 0, text: "" };
    }
  }

  // What a run shows in the list: after Prüfen every finding; after Einreichen the findings only when errors kept
  // it from being submitted (a submitted form needs no list); Aktualisieren works on the master and shows none.
  function shownFindings(script, findings) {
    if (script === "pruefen") return findings;
    if (script === "einreichen" && findings && tally(findings, "Fehler")) return findings;
    return null;
  }

  async function runScript(excel, script, ui, fetchImpl) {
    const show = (findings, focus) => ui.showFindings && ui.showFindings(findings, { focus });
    ui.busy(true);
    show(null, false); // the last list no longer holds once the workbook is checked again
    let stage = "lesen";
    let said = [];
    try {
      const token = await getToken();
      if (!token) {
        ui.say("Bitte zuerst den Zugangsschlüssel vom Landratsamt eintragen und speichern.", true);
        return;
      }
      await excel.run(async (context) => {
        const payload = await collectPayload(context);
        stage = "senden";
        const answer = await post(script, token, payload, fetchImpl);
        if (answer.status === 0) {
          ui.say("Der Pakt-Server ist nicht erreichbar. Bitte die Netzverbindung prüfen oder später erneut versuchen.", true);
          return;
        }
        if (answer.status !== 200) {
          ui.say(answer.text || "Der Pakt-Server hat die Anfrage abgelehnt (" + answer.status + ").", true);
          return;
        }
        stage = "schreiben";
        said = await applyActions(context, JSON.parse(answer.text).actions || []);
        let findings = null;
        if (script === "pruefen" || script === "einreichen") {
          findings = await readFindings(context).catch(() => null);
          if (!findings && script === "pruefen") said.push("Das Ergebnis der Prüfung steht im Blatt „Prüfbericht“.");
        }
        const shown = shownFindings(script, findings);
        ui.say(said.length ? said.join("\n") : shown ? "" : "Fertig.", false);
        show(shown, script === "pruefen");
      });
    } catch (error) {
      const why = (error && (error.message || error.code)) || String(error);
      const what = stage === "lesen"
        ? "Die Mappe ließ sich nicht lesen: "
        : "Die Antwort des Pakt-Servers ließ sich nicht vollständig in die Mappe schreiben: ";
      ui.say(said.concat([what + why]).join("\n"), true);
    } finally {
      ui.busy(false);
    }
  }

  function span(document, className, text) {
    const element = document.createElement("span");
    element.className = className;
    element.textContent = text; // text from the workbook is never markup
    return element;
  }

  const GROUPS = [
    { severity: "Fehler", heading: "Fehler", css: "error" },
    { severity: "Warnung", heading: "Warnungen", css: "warning" },
    { severity: "Hinweis", heading: "Hinweise", css: "note" },
  ];

  // One finding: a button that selects its cell, or a paragraph where the finding has no cell.
  function findingEntry(document, finding, group, pick) {
    const place = placeOf(finding);
    const selectable = Boolean(finding.sheet && finding.cell);
    const element = document.createElement(selectable ? "button" : "p");
    element.className = "finding " + group.css;
    element.appendChild(span(document, "visually-hidden", (finding.severity || group.severity) + ": "));
    if (place) {
      element.appendChild(span(document, "where", place));
      element.appendChild(span(document, "visually-hidden", ": "));
    }
    element.appendChild(span(document, "message", finding.message));
    if (selectable) {
      element.type = "button";
      element.setAttribute("data-sheet", finding.sheet);
      element.setAttribute("data-cell", finding.cell);
      element.addEventListener("click", () => pick(finding));
    }
    return element;
  }

  function findingGroups(document, findings, pick) {
    const blocks = [];
    GROUPS.forEach((group, index) => {
      const mine = (f) => (group.severity === "Hinweis" ? !["Fehler", "Warnung"].includes(f.severity) : f.severity === group.severity);
      const own = findings.filter(mine); // notes, and whatever else a report may hold, come last
      if (!own.length) return;
      const block = document.createElement("section");
      const heading = document.createElement("h4");
      heading.id = "befunde-gruppe-" + index;
      heading.textContent = group.heading + " (" + own.length + ")";
      block.setAttribute("aria-labelledby", heading.id);
      block.appendChild(heading);
      const items = document.createElement("ul");
      own.forEach((finding) => {
        const item = document.createElement("li");
        item.appendChild(findingEntry(document, finding, group, pick));
        items.appendChild(item);
      });
      block.appendChild(items);
      blocks.push(block);
    });
    return blocks;
  }

  function pageUi(document, excel) {
    const status = document.getElementById("status");
    const buttons = ["pruefen", "einreichen", "aktualisieren"].map((id) => document.getElementById(id));
    const results = document.getElementById("befunde");
    const count = document.getElementById("befunde-zahl");
    const list = document.getElementById("befunde-liste");
    const chosen = document.getElementById("befunde-auswahl");
    const hint = document.getElementById("befunde-hinweis");
    let pressed = null;
    const pick = async (finding) => {
      chosen.setAttribute("aria-busy", "true");
      chosen.textContent = "";
      try {
        chosen.textContent = (await selectCell(excel, finding)).text;
      } finally {
        chosen.setAttribute("aria-busy", "false");
      }
    };
    return {
      say: (text, isError) => {
        status.textContent = text;
        status.className = isError ? "fehler" : "";
        status.hidden = !text;
      },
      busy: (on) => {
        if (on) pressed = document.activeElement;
        buttons.forEach((b) => (b.disabled = on));
        document.body.setAttribute("aria-busy", on ? "true" : "false");
        // a disabled button loses the focus: give it back unless the run moved it (to the count line)
        if (!on && pressed && (!document.activeElement || document.activeElement === document.body)) pressed.focus();
      },
      showFindings: (findings, options) => {
        list.textContent = ""; // (not replaceChildren: older Microsoft 365 builds show the pane in EdgeHTML)
        if (findings) findingGroups(document, findings, pick).forEach((block) => list.appendChild(block));
        chosen.textContent = "";
        results.hidden = !findings;
        if (!findings) return;
        hint.hidden = !list.querySelector("button");
        count.textContent = countLine(findings);
        count.className = tally(findings, "Fehler") ? "fehler" : "";
        if (options && options.focus) count.focus();
      },
    };
  }

  function wire(document, excel) {
    const ui = pageUi(document, excel);
    document.getElementById("pruefen").onclick = () => runScript(excel, "pruefen", ui);
    document.getElementById("einreichen").onclick = () => runScript(excel, "einreichen", ui);
    document.getElementById("aktualisieren").onclick = () => runScript(excel, "aktualisieren", ui);
    document.getElementById("speichern").onclick = async () => {
      await setToken(document.getElementById("token").value);
      document.getElementById("token").value = "";
      ui.say("Zugangsschlüssel gespeichert.", false);
    };
  }

  // Wire the buttons once Office is ready and the page is parsed, whichever comes last.
  function start() {
    const document = root.document;
    const go = () => wire(document, root.Excel);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go);
    else go();
  }

  const Pakt = {
    collectPayload, applyActions, runScript, setToken, getToken, splitAddress, anchoredValues, wire, baseUrl,
    findingsOf, readFindings, countLine, selectCell,
  };
  root.Pakt = Pakt;
  if (typeof module !== "undefined" && module.exports) module.exports = Pakt;
  if (root.Office && root.Office.onReady && root.document) root.Office.onReady(start);
})(typeof window !== "undefined" ? window : globalThis);
