/**
 * Pakt für Google Sheets: the "Pakt" menu (Prüfen, Einreichen) and the Pakt formulas.
 *
 * The menu runs Pakt's scripts on the server through xlwings' Apps Script
 * client (runPython, in xlwings.js beside this file). The formulas post their
 * arguments to the server's formula endpoint with UrlFetchApp, whole ranges at
 * once, and keep answers in CacheService. Server address and access key live
 * in the script properties (menu Pakt > Zugang einrichten). Everything the
 * clerk reads is German.
 *
 * @OnlyCurrentDoc
 */

var PAKT_XLWINGS_VERSION = "0.37.8";
var PAKT_CACHE_SECONDS = 6 * 60 * 60;

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

function paktRun_(script) {
  var settings = paktSettings_();
  var ui = SpreadsheetApp.getUi();
  if (!settings.url || !settings.token) {
    ui.alert("Pakt", "Bitte zuerst im Menü Pakt > Zugang einrichten: Serveradresse und Zugangsschlüssel.", ui.ButtonSet.OK);
    return;
  }
  try {
    runPython(settings.url + "/xlwings/custom-scripts-call/" + script, { auth: settings.token });
  } catch (error) {
    ui.alert("Pakt", paktExplain_(error), ui.ButtonSet.OK);
  }
}

function paktExplain_(error) {
  var text = String(error && error.message ? error.message : error);
  if (/Address unavailable|DNS|timed out|Timeout|ECONNREFUSED|unreachable|Exception: Request failed/i.test(text)) {
    return "Der Pakt-Server ist nicht erreichbar. Bitte später erneut versuchen oder das Landratsamt anrufen. (" + text + ")";
  }
  return text;
}

function paktPruefen() {
  paktRun_("pruefen");
}

function paktEinreichen() {
  paktRun_("einreichen");
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

function paktCell_(value) {
  if (Object.prototype.toString.call(value) === "[object Date]") {
    // Spreadsheet serial number (days since 30.12.1899), as Excel sends dates
    var utc = Date.UTC(value.getFullYear(), value.getMonth(), value.getDate());
    return Math.round((utc - Date.UTC(1899, 11, 30)) / 86400000);
  }
  return value === "" ? null : value;
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
    return [["Fehler: Der Pakt-Server ist nicht erreichbar. Bitte später neu berechnen."]];
  }
  if (response.getResponseCode() !== 200) {
    return [["Fehler: " + response.getContentText()]];
  }
  var result = JSON.parse(response.getContentText()).result;
  cache.put(key, JSON.stringify(result), PAKT_CACHE_SECONDS);
  return result;
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
