/**
 * Pakt für Google Sheets: the "Pakt" menu (Prüfen, Einreichen), the sidebar that lists what
 * Prüfen found, and the Pakt formulas.
 *
 * The menu runs Pakt's scripts on the server through xlwings' Apps Script
 * client (runPython, in xlwings.js beside this file). After Prüfen a sidebar
 * (Pruefen.html) lists the findings that the server wrote into the Prüfbericht
 * sheet, errors first; choosing one selects its cell. The formulas post their
 * arguments to the server's formula endpoint with UrlFetchApp, whole ranges at
 * once, and keep answers in CacheService (only answers within its 100 KB per
 * value). Dates are read in the spreadsheet's time zone, not the script's.
 * Server address and access key live in the script properties (menu Pakt >
 * Zugang einrichten). Everything the clerk reads is German; the technical
 * detail of a failed connection goes to the execution log for IT.
 *
 * Google runs this code on its own servers: the Pakt server must be reachable
 * from the internet under a publicly trusted HTTPS certificate (docs/betrieb.md).
 *
 * @OnlyCurrentDoc
 */

var PAKT_XLWINGS_VERSION = "0.37.8";
var PAKT_CACHE_SECONDS = 6 * 60 * 60;
var PAKT_CACHE_VALUE_BYTES = 100 * 1024; // CacheService refuses larger values

// The Prüfbericht as the server writes it (plugin/_marks.py): a header row, then one finding a row.
var PAKT_REPORT_SHEET = "Prüfbericht";
var PAKT_REPORT_COLUMNS = { severity: "Schwere", sheet: "Blatt", cell: "Zelle", message: "Meldung" };
var PAKT_SIDEBAR_FILE = "Pruefen";
var PAKT_SIDEBAR_TITLE = "Pakt – Prüfen";
var PAKT_A1 = /^\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}(:\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6})?$/;

function onOpen() {
  SpreadsheetApp.getUi()
    .createMenu("Pakt")
    .addItem("Prüfen", "paktPruefen")
    .addItem("Einreichen", "paktEinreichen")
    .addSeparator()
    .addItem("Zugang einrichten …", "paktZugangEinrichten")
    .addToUi();
}

function paktSettings_() {
  var properties = PropertiesService.getScriptProperties();
  return {
    url: (properties.getProperty("PAKT_SERVER_URL") || "").replace(/\/+$/, ""),
    token: properties.getProperty("PAKT_TOKEN") || "",
  };
}

function paktZugangEinrichten() {
  var ui = SpreadsheetApp.getUi();
  var url = ui.prompt("Pakt – Zugang", "Adresse des Pakt-Servers (https://…):", ui.ButtonSet.OK_CANCEL);
  if (url.getSelectedButton() !== ui.Button.OK) return;
  var token = ui.prompt("Pakt – Zugang", "Zugangsschlüssel vom Landratsamt:", ui.ButtonSet.OK_CANCEL);
  if (token.getSelectedButton() !== ui.Button.OK) return;
  PropertiesService.getScriptProperties().setProperties({
    PAKT_SERVER_URL: url.getResponseText().trim(),
    PAKT_TOKEN: token.getResponseText().trim(),
  });
  ui.alert("Pakt", "Zugang gespeichert.", ui.ButtonSet.OK);
}

// Run a Pakt script on the server; null when it ran, else what went wrong, in German.
function paktCallScript_(script) {
  var settings = paktSettings_();
  if (!settings.url || !settings.token) {
    return "Bitte zuerst im Menü Pakt > Zugang einrichten: Serveradresse und Zugangsschlüssel.";
  }
  try {
    runPython(settings.url + "/xlwings/custom-scripts-call/" + script, { auth: settings.token });
  } catch (error) {
    return paktExplain_(error);
  }
  return null;
}

function paktRun_(script) {
  var problem = paktCallScript_(script);
  if (problem) {
    var ui = SpreadsheetApp.getUi();
    ui.alert("Pakt", problem, ui.ButtonSet.OK);
  }
  return !problem;
}

// What went wrong on the way to the server, in German; Google's English text only in the execution log.
function paktConnectionProblem_(error) {
  var text = String(error && error.message ? error.message : error);
  if (/SSL|certificate|TLS|handshake/i.test(text)) {
    console.error("Pakt: " + text);
    return "Google erkennt das HTTPS-Zertifikat des Pakt-Servers nicht an, die Verbindung wurde nicht aufgebaut. " +
      "Bitte das Landratsamt informieren (der Server braucht ein öffentlich anerkanntes Zertifikat).";
  }
  if (/DNS|unknown host|getaddrinfo|ENOTFOUND/i.test(text)) {
    console.error("Pakt: " + text);
    return "Die Adresse des Pakt-Servers ist unbekannt. Bitte im Menü Pakt > Zugang einrichten die Serveradresse prüfen.";
  }
  if (/Address unavailable|timed out|Timeout|ECONNREFUSED|unreachable|Exception: Request failed/i.test(text)) {
    console.error("Pakt: " + text);
    return "Der Pakt-Server ist nicht erreichbar.";
  }
  return null;
}

function paktExplain_(error) {
  var problem = paktConnectionProblem_(error);
  if (problem === "Der Pakt-Server ist nicht erreichbar.") {
    return problem + " Bitte später erneut versuchen oder das Landratsamt anrufen.";
  }
  if (problem) return problem;
  var text = String(error && error.message ? error.message : error);
  if (/^Exception:|Error:/.test(text)) {
    console.error("Pakt: " + text);
    return "Pakt konnte die Aktion nicht ausführen. Bitte später erneut versuchen oder das Landratsamt anrufen.";
  }
  return text; // the Pakt server's own (German) answer
}

function paktPruefen() {
  if (paktRun_("pruefen")) paktShowFindings_();
}

// Einreichen refused for errors (the server said so in an alert): the list of them beside the sheet.
function paktEinreichen() {
  if (paktRun_("einreichen") && paktFindings().findings.some(function (f) { return f.severity === "Fehler"; })) {
    paktShowFindings_();
  }
}

// --- the sidebar of Prüfen (Pruefen.html calls the three public functions below) ---------

function paktShowFindings_() {
  var page = HtmlService.createHtmlOutputFromFile(PAKT_SIDEBAR_FILE).setTitle(PAKT_SIDEBAR_TITLE);
  SpreadsheetApp.getUi().showSidebar(page);
}

/**
 * What the last Prüfen found, read from the Prüfbericht the server wrote: {checked, findings:
 * [{severity, sheet, cell, message}]} in the report's order. Columns are found by their headers.
 */
function paktFindings() {
  var report = SpreadsheetApp.getActive().getSheetByName(PAKT_REPORT_SHEET);
  if (!report) return { checked: false, findings: [] };
  var rows = report.getDataRange().getValues();
  for (var head = 0; head < rows.length; head++) {
    var columns = paktReportColumns_(rows[head]);
    if (columns) return { checked: true, findings: paktReportRows_(rows.slice(head + 1), columns) };
  }
  return { checked: false, findings: [] };
}

function paktReportColumns_(row) {
  var labels = row.map(function (value) { return String(value).trim(); });
  var columns = {};
  for (var key in PAKT_REPORT_COLUMNS) {
    columns[key] = labels.indexOf(PAKT_REPORT_COLUMNS[key]);
    if (columns[key] < 0) return null;
  }
  return columns;
}

function paktReportRows_(rows, columns) {
  var findings = [];
  rows.forEach(function (row) {
    var text = function (key) {
      var value = row[columns[key]];
      return value === undefined || value === null ? "" : String(value).trim();
    };
    if (!text("severity") || !text("message")) return;
    findings.push({ severity: text("severity"), sheet: text("sheet"), cell: text("cell").replace(/\$/g, ""), message: text("message") });
  });
  return findings;
}

/**
 * Select a finding's cell for the clerk: {selected: "Meldung!B14"}, or {problem} in German when the
 * sheet is gone (renamed or deleted since Prüfen) or the address is not one.
 */
function paktSelect(sheetName, a1) {
  var name = String(sheetName);
  var address = String(a1).toUpperCase();
  var sheet = SpreadsheetApp.getActive().getSheetByName(name);
  if (!sheet) return { problem: "Das Blatt „" + name + "“ gibt es in dieser Tabelle nicht mehr. Bitte erneut prüfen." };
  if (!PAKT_A1.test(address)) return { problem: "„" + a1 + "“ ist keine Zelladresse. Bitte erneut prüfen." };
  sheet.activate();
  var range = sheet.getRange(address).activate();
  return { selected: name + "!" + range.getA1Notation() };
}

/** Prüfen again from the sidebar: the new findings, or {problem} in German if the server could not check. */
function paktRecheck() {
  var problem = paktCallScript_("pruefen");
  if (problem) return { checked: false, findings: [], problem: problem };
  return paktFindings();
}

// Actions the Pakt server adds to xlwings' own (xlwings.js dispatches by name).
function paktSetNote(workbook, action) {
  getRange(workbook, action).setNote(action.args[0]);
}

function paktClearNote(workbook, action) {
  getRange(workbook, action).clearNote();
}

// --- formulas -------------------------------------------------------------------------

function paktMatrix_(value) {
  if (value === undefined || value === null || value === "") return [[null]];
  if (Object.prototype.toString.call(value) === "[object Array]") {
    return value.map(function (row) {
      return (Object.prototype.toString.call(row) === "[object Array]" ? row : [row]).map(paktCell_);
    });
  }
  return [[paktCell_(value)]];
}

var paktTimeZoneCache_ = null;

// A date cell arrives as the instant of its midnight in the spreadsheet's time zone; read the day there,
// not in the script's time zone (which may be a different one).
function paktTimeZone_() {
  if (paktTimeZoneCache_ === null) paktTimeZoneCache_ = SpreadsheetApp.getActiveSpreadsheet().getSpreadsheetTimeZone();
  return paktTimeZoneCache_;
}

function paktCell_(value) {
  if (Object.prototype.toString.call(value) === "[object Date]") {
    // Spreadsheet serial number (days since 30.12.1899), as Excel sends dates
    var day = Utilities.formatDate(value, paktTimeZone_(), "yyyy-MM-dd").split("-");
    var utc = Date.UTC(Number(day[0]), Number(day[1]) - 1, Number(day[2]));
    return Math.round((utc - Date.UTC(1899, 11, 30)) / 86400000);
  }
  return value === "" ? null : value;
}

function paktUtf8Bytes_(text) {
  return encodeURIComponent(text).replace(/%[0-9A-F]{2}/g, "x").length;
}

function paktCall_(funcName, args) {
  var settings = paktSettings_();
  if (!settings.url || !settings.token) {
    return [["Fehler: Pakt ist nicht eingerichtet (Menü Pakt > Zugang einrichten)."]];
  }
  var body = JSON.stringify({
    client: "Google Apps Script",
    version: PAKT_XLWINGS_VERSION,
    runtime: "1.4",
    func_name: funcName,
    args: args.map(paktMatrix_),
    caller_address: "",
    culture_info_name: "de-DE",
    date_format: "TT.MM.JJJJ",
  });
  var cache = CacheService.getScriptCache();
  var key = "pakt:" + Utilities.base64Encode(Utilities.computeDigest(Utilities.DigestAlgorithm.SHA_256, body));
  var cached = cache.get(key);
  if (cached) return JSON.parse(cached);
  var response;
  try {
    response = UrlFetchApp.fetch(settings.url + "/xlwings/custom-functions-call", {
      method: "post",
      contentType: "application/json",
      headers: { Authorization: settings.token },
      payload: body,
      muteHttpExceptions: true,
    });
  } catch (error) {
    var problem = paktConnectionProblem_(error) || "Der Pakt-Server ist nicht erreichbar.";
    return [["Fehler: " + problem + " Bitte später neu berechnen."]];
  }
  if (response.getResponseCode() !== 200) {
    return [["Fehler: " + response.getContentText()]];
  }
  var text = JSON.stringify(JSON.parse(response.getContentText()).result);
  if (paktUtf8Bytes_(text) <= PAKT_CACHE_VALUE_BYTES) {
    try {
      cache.put(key, text, PAKT_CACHE_SECONDS);
    } catch (error) {
      console.warn("Pakt: Antwort nicht zwischengespeichert: " + error);
    }
  }
  return JSON.parse(text);
}

/**
 * Pro-Kopf-Pauschale in Euro: Personen mal Satz des Förderzeitraums am Stichtag.
 * @param {number|number[][]} personen Anzahl Personen (eine Zelle oder eine Spalte)
 * @param {Date} stichtag Stichtag; leer: Stichtag der laufenden Meldung
 * @return Pauschale in Euro
 * @customfunction
 */
function PAUSCHALE(personen, stichtag) {
  return paktCall_("pauschale", [personen, stichtag]);
}

/**
 * Satz der Pro-Kopf-Pauschale je Person in Euro am Stichtag.
 * @param {Date} stichtag Stichtag; leer: Stichtag der laufenden Meldung
 * @return Satz in Euro
 * @customfunction
 */
function SATZ(stichtag) {
  return paktCall_("satz", [stichtag]);
}

/**
 * Anteil der Gemeinde an den Integrationsmanager-Stellen nach Personen (Schritte von 0,05 VZÄ).
 * @param {number|number[][]} personen Personen der Gemeinde
 * @param {number} personen_kreis Personen im Landkreis
 * @param {number} vza_kreis Vollzeitstellen im Landkreis
 * @return Anteil in VZÄ
 * @customfunction
 */
function IM_ANTEIL(personen, personen_kreis, vza_kreis) {
  return paktCall_("im_anteil", [personen, personen_kreis, vza_kreis]);
}

/**
 * Verteilt die Stellen des Landkreises nach Personen auf alle Gemeinden der Spalte (größte Reste).
 * @param {number[][]} personen Spalte mit den Personen aller Gemeinden
 * @param {number} vza_kreis Vollzeitstellen im Landkreis
 * @return Anteile in VZÄ, Summe stimmt immer
 * @customfunction
 */
function IM_VERTEILUNG(personen, vza_kreis) {
  return paktCall_("im_verteilung", [personen, vza_kreis]);
}

/**
 * Fallzahl: Personen je Vollzeitstelle Integrationsmanagement.
 * @param {number|number[][]} personen Personen
 * @param {number|number[][]} vza Vollzeitstellen
 * @return Personen je VZÄ
 * @customfunction
 */
function FALLZAHL(personen, vza) {
  return paktCall_("fallzahl", [personen, vza]);
}

/**
 * Prüft einen Gemeindeschlüssel gegen das Gemeindeverzeichnis.
 * @param {string|string[][]} ags Gemeindeschlüssel, achtstellig
 * @return Name der Gemeinde oder der Fehler
 * @customfunction
 */
function AGS_PRUEFEN(ags) {
  return paktCall_("ags_pruefen", [ags]);
}
