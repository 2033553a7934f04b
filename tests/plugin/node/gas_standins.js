/*
 * Stand-ins for Google's Apps Script services, shaped after the real ones, for running
 * Pakt.js and xlwings' Apps Script client under Node: SpreadsheetApp (a spreadsheet
 * held in memory), UrlFetchApp (synchronous real HTTP, as in Apps Script), CacheService,
 * PropertiesService, Session, Utilities, HtmlService with Ui.showSidebar, and for the
 * page of a sidebar google.script.run and google.script.host. They record what a user
 * would see (cell values, backgrounds, notes, alerts, sidebars, the selected range) and
 * what was posted, so the tests can look at it.
 *
 * Held to Google's typings (@types/google-apps-script, @types/google.script.client-side):
 * every global and every object the stand-ins hand out is seen through gas_typings.js,
 * which records each member used and each use the typings do not publish (log.off).
 *
 * Held to Google's documentation of Apps Script:
 *  - a date cell reaches the script as the instant of its midnight in the spreadsheet's
 *    time zone; the script itself runs in its own (appsscript.json) time zone, here
 *    the TZ of the Node process;
 *  - CacheService refuses a value over 100 KB and a key over 250 characters;
 *  - "formula" mode is how Google runs a custom function: only services that need no
 *    authorization (Spreadsheet, Properties and Session read-only, UrlFetch, Cache,
 *    Utilities), SpreadsheetApp.getUi() refused, 30 seconds per call (the harness times it);
 *  - HtmlService.createHtmlOutputFromFile takes a project file's name (no extension), and the
 *    page gets it verbatim (no scriptlets); Range.activate() makes the range the selection
 *    and its sheet the active one;
 *  - google.script.run (client side) offers the project's top-level functions whose names do
 *    not end in "_", calls them asynchronously, passes only primitives and arrays or objects
 *    of them (a Date or a function is refused), turns undefined in arrays into null, and hands
 *    the result to the success handler, a thrown error to the failure handler (without one,
 *    to the browser's console), each with the user object.
 *
 * Assumed, not documented: the wording of UrlFetchApp's exceptions for DNS, refused and
 * TLS failures ("DNS error", "Address unavailable", "SSL Error"), of a missing HTML file
 * ("No HTML file named … was found") and of an illegal google.script.run argument
 * ("Failed due to illegal value in property: 0"); a result with a Date reaching the success
 * handler as null. Pakt.js matches the first loosely and docs/development.md says so; Pakt
 * relies on none of the others.
 */
"use strict";
const crypto = require("crypto");
const { execFileSync } = require("child_process");

const { columnNumber, columnLetters } = require("./a1");
const { recorder } = require("./gas_typings");
function parseA1(a1) {
  const [first, last] = a1.replace(/\$/g, "").split(":");
  const p = (c) => { const m = /^([A-Z]+)(\d+)$/i.exec(c); return [parseInt(m[2], 10), columnNumber(m[1])]; };
  const [r1, c1] = p(first);
  const [r2, c2] = last ? p(last) : [r1, c1];
  return [r1, c1, r2 - r1 + 1, c2 - c1 + 1];
}
let RealmDate = Date; // the Date of the context the Apps Script files run in (instanceof is per realm)
let SHEET_TIME_ZONE = "Europe/Berlin";
const CACHE_VALUE_BYTES = 100 * 1024;
const CACHE_KEY_CHARS = 250;

function zoneParts(instant, timeZone) {
  const parts = {};
  new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })
    .formatToParts(new Date(instant)).forEach((p) => (parts[p.type] = p.value));
  return parts;
}

// The instant of midnight of a day in a time zone (how Sheets hands a date cell to a script).
function midnightIn(timeZone, y, m, d) {
  let guess = Date.UTC(y, m - 1, d);
  for (let i = 0; i < 3; i++) {
    const p = zoneParts(guess, timeZone);
    const shown = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
    guess -= shown - Date.UTC(y, m - 1, d);
  }
  return guess;
}

function reviveDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new RealmDate(midnightIn(SHEET_TIME_ZONE, y, m, d));
}

function revive(value) {
  if (value && typeof value === "object" && value.$date) return reviveDate(value.$date);
  return value;
}

function formatDate(date, timeZone, pattern) {
  const p = zoneParts(date.getTime(), timeZone);
  return pattern.replace("yyyy", p.year).replace("MM", p.month).replace("dd", p.day)
    .replace("HH", p.hour).replace("mm", p.minute).replace("ss", p.second);
}

// Formula mode: what a custom function may not do throws as Apps Script throws it.
const WRITES = /^(set|clear|insert|delete|add|remove|activate|copy|move|sort|protect|append|create|show|toast|getUi)/;
function readOnly(object, what) {
  return new Proxy(object, {
    get(target, prop) {
      const value = target[prop];
      if (typeof prop === "string" && typeof value === "function" && WRITES.test(prop)) {
        return () => {
          if (prop === "getUi") throw new Error("Exception: Cannot call SpreadsheetApp.getUi() from this context.");
          throw new Error(`Exception: You do not have permission to call ${what}.${prop}. Required permissions: https://www.googleapis.com/auth/spreadsheets`);
        };
      }
      if (typeof value === "function") {
        return (...args) => {
          const result = value.apply(target, args);
          const wrap = (r) => (r && typeof r === "object" && !Array.isArray(r) && !(r instanceof RealmDate) ? readOnly(r, what) : r);
          return Array.isArray(result) && result.length && !Array.isArray(result[0]) ? result.map(wrap) : wrap(result);
        };
      }
      return value;
    },
  });
}

class Range {
  constructor(sheet, row, col, rows, cols) { Object.assign(this, { sheet, row, col, rows, cols }); }
  cells(fn) { for (let r = 0; r < this.rows; r++) for (let c = 0; c < this.cols; c++) fn(this.row + r, this.col + c, r, c); }
  a1(r, c) { return columnLetters(c) + r; }
  getA1Notation() {
    const first = this.a1(this.row, this.col);
    return this.rows === 1 && this.cols === 1 ? first : first + ":" + this.a1(this.row + this.rows - 1, this.col + this.cols - 1);
  }
  getSheet() { return this.sheet; }
  getValues() {
    const out = [];
    for (let r = 0; r < this.rows; r++) {
      const row = [];
      for (let c = 0; c < this.cols; c++) row.push(this.sheet.get(this.row + r, this.col + c));
      out.push(row);
    }
    return out;
  }
  setValues(values) { this.cells((r, c, i, j) => this.sheet.set(r, c, values[i][j])); return this; }
  setBackground(color) { this.cells((r, c) => { if (color) this.sheet.backgrounds[this.a1(r, c)] = color; else delete this.sheet.backgrounds[this.a1(r, c)]; }); return this; }
  setNote(text) { this.cells((r, c) => (this.sheet.notes[this.a1(r, c)] = text)); return this; }
  clearNote() { this.cells((r, c) => delete this.sheet.notes[this.a1(r, c)]); return this; }
  clearContent() { this.cells((r, c) => this.sheet.set(r, c, "")); return this; }
  clearFormat() { this.cells((r, c) => delete this.sheet.backgrounds[this.a1(r, c)]); return this; }
  clear() { this.clearContent(); this.clearFormat(); return this; }
  setNumberFormat() { return this; }
  activate() { this.sheet.book.active = this.sheet; this.sheet.book.selection = this; return this; }
}

class Sheet {
  constructor(book, name, values) {
    this.book = book; this.name = name;
    this.values = (values || [[]]).map((row) => row.map(revive));
    this.backgrounds = {}; this.notes = {};
  }
  getName() { return this.name; }
  getIndex() { return this.book.sheets.indexOf(this) + 1; }
  getParent() { return this.book; }
  getLastRow() { let last = 0; this.values.forEach((row, i) => { if (row.some((v) => v !== "" && v !== null)) last = i + 1; }); return last; }
  getLastColumn() { let last = 0; this.values.forEach((row) => row.forEach((v, j) => { if (v !== "" && v !== null && j + 1 > last) last = j + 1; })); return last; }
  get(r, c) { const row = this.values[r - 1]; return row && row[c - 1] !== undefined && row[c - 1] !== null ? row[c - 1] : ""; }
  set(r, c, v) {
    while (this.values.length < r) this.values.push([]);
    const row = this.values[r - 1];
    while (row.length < c) row.push("");
    row[c - 1] = v;
  }
  getRange(a, b, c, d) {
    if (typeof a === "string") { const [r, col, rows, cols] = parseA1(a); return new Range(this, r, col, rows, cols); }
    return new Range(this, a, b, c || 1, d || 1);
  }
  getDataRange() { return this.getRange(1, 1, Math.max(this.getLastRow(), 1), Math.max(this.getLastColumn(), 1)); }
  getImages() { return []; }
  clear() { this.values = [[]]; this.backgrounds = {}; this.notes = {}; return this; }
  activate() { this.book.active = this; return this; }
}

function spreadsheetApp(data, log) {
  const book = {
    name: data.name, sheets: [], named: [],
    getName() { return this.name; },
    getId() { return "test-spreadsheet"; },
    getSheets() { return this.sheets; },
    getActiveSheet() { return this.active || this.sheets[0]; },
    // The selection, where the user (or a script's activate()) left it on the active sheet; else A1.
    getActiveRange() {
      const sheet = this.getActiveSheet();
      return this.selection && this.selection.sheet === sheet ? this.selection : sheet.getRange("A1");
    },
    getSpreadsheetTimeZone() { return SHEET_TIME_ZONE; },
    getSheetByName(name) { return this.sheets.find((s) => s.name === name) || null; },
    getNamedRanges() {
      return this.named.map((n) => ({ getName: () => n.name, getRange: () => this.getSheetByName(n.sheet).getRange(n.a1) }));
    },
    setNamedRange(name, range) { this.named.push({ name, sheet: range.getSheet().getName(), a1: range.getA1Notation() }); },
    insertSheet(name, index) {
      const sheet = new Sheet(this, name, [[]]);
      this.sheets.splice(index === undefined ? this.sheets.length : index, 0, sheet);
      return sheet;
    },
  };
  data.sheets.forEach((s) => book.sheets.push(new Sheet(book, s.name, s.values)));
  book.named = data.namedRanges.slice();
  const ui = {
    ButtonSet: { OK: "OK", OK_CANCEL: "OK_CANCEL", YES_NO: "YES_NO", YES_NO_CANCEL: "YES_NO_CANCEL" },
    Button: { OK: "ok", CANCEL: "cancel", YES: "yes", NO: "no" },
    alert(title, prompt) { log.alerts.push(prompt === undefined ? String(title) : title + ": " + prompt); return "ok"; },
    prompt() { return { getSelectedButton: () => "cancel", getResponseText: () => "" }; },
    showSidebar(output) { log.sidebars.push({ title: output.getTitle(), content: output.getContent() }); },
    createMenu(name) {
      const menu = { name, items: [] };
      const builder = {
        addItem(label, fn) { menu.items.push([label, fn]); return builder; },
        addSeparator() { return builder; },
        addToUi() { log.menus.push(menu); },
      };
      return builder;
    },
  };
  return { book, app: { getActive: () => book, getActiveSpreadsheet: () => book, getUi: () => ui, flush() {} } };
}

// HtmlService over the project's HTML files ({name: content}, names as in the Apps Script editor).
function htmlService(files) {
  class HtmlOutput {
    constructor(content) { this.content = content; this.title = ""; }
    getContent() { return this.content; }
    getTitle() { return this.title; }
    setTitle(title) { this.title = String(title); return this; }
  }
  return {
    createHtmlOutputFromFile(name) {
      if (!Object.prototype.hasOwnProperty.call(files, name)) throw new Error(`Exception: No HTML file named ${name} was found.`);
      return new HtmlOutput(files[name]);
    },
  };
}

function urlFetchApp(log) {
  const child = `
    let input = ""; process.stdin.on("data", (d) => (input += d)); process.stdin.on("end", () => {
      const [url, o] = JSON.parse(input);
      const headers = Object.assign({ "Content-Type": o.contentType || "application/json" }, o.headers || {});
      fetch(url, { method: (o.method || "get").toUpperCase(), headers, body: o.payload })
        .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))
        .catch((e) => process.stdout.write(JSON.stringify({ error: String(e.cause || e), code: (e.cause && e.cause.code) || "" })));
    });`;
  return {
    fetch(url, options) {
      log.fetches += 1;
      if (options && options.payload) { try { log.bodies.push(JSON.parse(options.payload)); } catch (e) { /* not JSON */ } }
      const out = execFileSync(process.execPath, ["-e", child], { input: JSON.stringify([url, options || {}]), maxBuffer: 256e6 });
      const result = JSON.parse(out.toString());
      if (result.error) {
        if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(result.code + " " + result.error)) throw new Error("Exception: SSL Error " + url);
        if (/ENOTFOUND|EAI_AGAIN/.test(result.code)) throw new Error("Exception: DNS error: " + url);
        throw new Error("Exception: Address unavailable: " + url);
      }
      if (!options.muteHttpExceptions && result.status >= 400) throw new Error("Exception: Request failed, code " + result.status);
      return { getResponseCode: () => result.status, getContentText: () => result.body };
    },
  };
}

function cacheService(cache) {
  const script = {
    get: (k) => (cache.has(k) ? cache.get(k) : null),
    put: (k, v, seconds) => {
      if (String(k).length > CACHE_KEY_CHARS) throw new Error("Exception: Argument too large: key");
      if (Buffer.byteLength(String(v), "utf8") > CACHE_VALUE_BYTES) throw new Error("Exception: Argument too large: value");
      if (seconds !== undefined && seconds > 21600) throw new Error("Exception: Invalid argument: expirationInSeconds");
      cache.set(k, String(v));
    },
  };
  return { getScriptCache: () => script };
}

function services(data, settings, dateClass, options = {}) {
  RealmDate = dateClass || Date;
  SHEET_TIME_ZONE = data.timeZone || "Europe/Berlin";
  const formula = options.mode === "formula";
  const log = { alerts: [], menus: [], sidebars: [], fetches: 0, bodies: [], used: new Map(), off: [] };
  const types = recorder(log);
  const sheets = spreadsheetApp(data, log);
  const cache = new Map();
  const properties = new Map(Object.entries(settings || {}));
  const scriptProperties = {
    getProperty: (k) => (properties.has(k) ? properties.get(k) : null),
    setProperties: (o) => Object.entries(o).forEach(([k, v]) => properties.set(k, v)),
  };
  const globals = {
    SpreadsheetApp: formula ? readOnly(sheets.app, "SpreadsheetApp") : sheets.app,
    UrlFetchApp: urlFetchApp(log),
    CacheService: cacheService(cache),
    PropertiesService: { getScriptProperties: () => (formula ? readOnly(scriptProperties, "Properties") : scriptProperties) },
    Session: { getActiveUser: () => ({ getEmail: () => (formula ? "" : "sachbearbeitung@gemeinde.example") }) },
    Utilities: {
      formatDate,
      DigestAlgorithm: { SHA_256: "sha256" },
      computeDigest: (algorithm, text) => Array.from(crypto.createHash(algorithm).update(text, "utf8").digest()).map((b) => (b > 127 ? b - 256 : b)),
      base64Encode: (bytes) => Buffer.from(bytes.map((b) => (b + 256) % 256)).toString("base64"),
      base64Decode: (text) => Array.from(Buffer.from(text, "base64")),
      newBlob: () => ({}),
    },
    Logger: { log: () => {} },
    HtmlService: htmlService(options.files || {}),
    console,
  };
  Object.keys(globals).forEach((name) => (globals[name] = types.global(name, globals[name])));
  return { log, book: sheets.book, globals, types };
}

// What google.script.run may carry (Google's "legal parameters and return values").
function legal(value, seen = new Set()) {
  if (value === null || value === undefined) return true;
  if (["number", "boolean", "string"].includes(typeof value)) return true;
  if (typeof value !== "object" || seen.has(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== null && Object.getPrototypeOf(proto) !== null) return false; // Date, DOM nodes, class instances
  seen.add(value);
  const ok = Object.values(value).every((v) => legal(v, seen));
  seen.delete(value);
  return ok;
}

const carried = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/*
 * google.script for a page the script showed (a sidebar): run calls the project's public functions in
 * `scope` (the context the Apps Script files run in), host closes the page or gives the editor focus.
 * `page.Error` is the page's own Error (what a failure handler receives); the log records the calls.
 */
function client(scope, env, page) {
  const pending = { count: 0 };
  const calls = [];
  const consoleErrors = [];
  const publicNames = () => Object.keys(scope).filter((name) => typeof scope[name] === "function" && !name.endsWith("_"));
  function runner(handlers) {
    const run = {
      withSuccessHandler: (fn) => runner({ ...handlers, success: fn }),
      withFailureHandler: (fn) => runner({ ...handlers, failure: fn }),
      withUserObject: (object) => runner({ ...handlers, user: object }),
    };
    publicNames().forEach((name) => {
      run[name] = (...args) => {
        args.forEach((arg, i) => { if (!legal(arg)) throw new page.Error("Failed due to illegal value in property: " + i); });
        const sent = args.map(carried);
        calls.push({ name, args: sent });
        pending.count += 1;
        setTimeout(() => {
          try {
            let result;
            try {
              result = scope[name](...sent);
            } catch (error) {
              const failure = new page.Error(String(error && error.message ? error.message : error));
              if (handlers.failure) handlers.failure(failure, handlers.user);
              else consoleErrors.push(failure.message);
              return;
            }
            if (handlers.success) handlers.success(legal(result) ? carried(result) : null, handlers.user);
          } finally {
            pending.count -= 1;
          }
        }, 0);
      };
    });
    return run;
  }
  const host = {
    origin: "https://docs.google.com",
    closed: false,
    close() { host.closed = true; },
    editor: { focus() { env.log.editorFocus = (env.log.editorFocus || 0) + 1; } },
    setHeight() {},
    setWidth() {},
  };
  const google = env.types.typed({ script: { run: runner({}), host } }, { type: "google" });
  async function settled() {
    while (pending.count) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return { google, calls, consoleErrors, host, settled };
}

module.exports = { services, client, columnLetters, reviveDate };
