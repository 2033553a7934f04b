/*
 * Stand-ins for Google's Apps Script services, shaped after the real ones, for running
 * Pakt.js and xlwings' Apps Script client under Node: SpreadsheetApp (a spreadsheet
 * held in memory), UrlFetchApp (synchronous real HTTP, as in Apps Script), CacheService,
 * PropertiesService, Session, Utilities. They record what a user would see (cell
 * values, backgrounds, notes, alerts) and what was posted, so the tests can look at it.
 *
 * Held to Google's documentation of Apps Script:
 *  - a date cell reaches the script as the instant of its midnight in the spreadsheet's
 *    time zone; the script itself runs in its own (appsscript.json) time zone, here
 *    the TZ of the Node process;
 *  - CacheService refuses a value over 100 KB and a key over 250 characters;
 *  - "formula" mode is how Google runs a custom function: only services that need no
 *    authorization (Spreadsheet, Properties and Session read-only, UrlFetch, Cache,
 *    Utilities), SpreadsheetApp.getUi() refused, 30 seconds per call (the harness times it).
 *
 * Assumed, not documented: the wording of UrlFetchApp's exceptions for DNS, refused and
 * TLS failures ("DNS error", "Address unavailable", "SSL Error"). Pakt.js matches them
 * loosely and docs/development.md says so.
 */
"use strict";
const crypto = require("crypto");
const { execFileSync } = require("child_process");

const { columnNumber, columnLetters } = require("./a1");
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
  getImages() { return []; }
  clear() { this.values = [[]]; this.backgrounds = {}; this.notes = {}; return this; }
  activate() { this.book.active = this; }
}

function spreadsheetApp(data, log) {
  const book = {
    name: data.name, sheets: [], named: [],
    getName() { return this.name; },
    getId() { return "test-spreadsheet"; },
    getSheets() { return this.sheets; },
    getActiveSheet() { return this.active || this.sheets[0]; },
    getActiveRange() { return this.getActiveSheet().getRange("A1"); },
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
  const log = { alerts: [], menus: [], fetches: 0, bodies: [] };
  const sheets = spreadsheetApp(data, log);
  const cache = new Map();
  const properties = new Map(Object.entries(settings || {}));
  const scriptProperties = {
    getProperty: (k) => (properties.has(k) ? properties.get(k) : null),
    setProperties: (o) => Object.entries(o).forEach(([k, v]) => properties.set(k, v)),
  };
  return {
    log, book: sheets.book,
    globals: {
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
      console,
    },
  };
}

module.exports = { services, columnLetters, reviveDate };
