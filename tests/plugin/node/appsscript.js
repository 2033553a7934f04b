/*
 * Runs Pakt's Apps Script files (Pakt.js with xlwings' client) under Node against a live
 * Pakt server, with stand-ins for Google's services. Prints one JSON object. Formulas run as
 * Google runs a custom function (the stand-ins' formula mode, 30 seconds a call); the script's
 * time zone is the TZ of this process, the spreadsheet's is Europe/Berlin.
 *
 *   node appsscript.js formulas <server> <token> <cases.json> <Pakt.js> <xlwings.js>
 *   node appsscript.js menu <server> <token> <spreadsheet.json> <script> <Pakt.js> <xlwings.js>
 */
"use strict";
const fs = require("fs");
const { services, reviveDate } = require("./gas_standins");
const { htmlFiles, scope, load, typingsReport } = require("./gas_project");

const CUSTOM_FUNCTION_SECONDS = 30;

// Apps Script puts every file's top-level functions in one global scope; "this" is that scope.
const { context, ContextDate } = scope();

function reviveArg(value) {
  if (value && typeof value === "object" && !Array.isArray(value) && value.date) return reviveDate(value.date);
  if (Array.isArray(value)) return value.map(reviveArg);
  return value;
}

// One custom-function call as Google makes it: an exception or an overrun becomes the cell's error.
function callFormula(context, name, args) {
  const started = Date.now();
  let result;
  try {
    result = context[name].apply(null, args.map(reviveArg));
  } catch (error) {
    return { error: String(error && error.message ? error.message : error) };
  }
  if (Date.now() - started > CUSTOM_FUNCTION_SECONDS * 1000) return { error: "Exceeded maximum execution time" };
  return result;
}

const [mode, server, token, dataFile, ...rest] = process.argv.slice(2);
const settings = server === "-" ? {} : { PAKT_SERVER_URL: server, PAKT_TOKEN: token };

if (mode === "formulas") {
  const [paktFile, xlwingsFile] = rest;
  const cases = JSON.parse(fs.readFileSync(dataFile, "utf8"));
  const book = { name: "Formeln", sheets: [{ name: "Tabelle1", values: [[]] }], namedRanges: [], timeZone: "Europe/Berlin" };
  const env = services(book, settings, ContextDate, { mode: "formula", files: htmlFiles(paktFile) });
  load(context, [xlwingsFile, paktFile], env.globals);
  const results = {};
  cases.forEach((c) => {
    results[c.name] = callFormula(context, c.func.toUpperCase(), c.args);
  });
  const fetched = env.log.fetches;
  const again = callFormula(context, cases[0].func.toUpperCase(), cases[0].args);
  process.stdout.write(JSON.stringify({ results, fetches: fetched, repeatFetches: env.log.fetches - fetched, repeated: again, bodies: env.log.bodies, typings: typingsReport(env.log) }));
} else if (mode === "menu") {
  const [script, paktFile, xlwingsFile] = rest;
  const env = services(JSON.parse(fs.readFileSync(dataFile, "utf8")), settings, ContextDate, { files: htmlFiles(paktFile) });
  load(context, [xlwingsFile, paktFile], env.globals);
  context.onOpen();
  context[script]();
  const sheets = env.book.sheets.map((s) => ({ name: s.name, values: s.values, backgrounds: s.backgrounds, notes: s.notes }));
  const sidebars = env.log.sidebars.map((s) => ({ title: s.title, length: s.content.length }));
  process.stdout.write(JSON.stringify({ sheets, alerts: env.log.alerts, menus: env.log.menus, sidebars, typings: typingsReport(env.log) }));
} else {
  throw new Error("unknown mode " + mode);
}
