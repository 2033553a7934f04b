/*
 * Runs Pakt's Apps Script files (Pakt.js with xlwings' client) under Node against a live
 * Pakt server, with stand-ins for Google's services. Prints one JSON object.
 *
 *   node appsscript.js formulas <server> <token> <cases.json> <Pakt.js> <xlwings.js>
 *   node appsscript.js menu <server> <token> <spreadsheet.json> <script> <Pakt.js> <xlwings.js>
 */
"use strict";
const fs = require("fs");
const vm = require("vm");
const { services } = require("./gas_standins");

// Apps Script puts every file's top-level functions in one global scope; "this" is that scope.
const context = vm.createContext({});
const ContextDate = vm.runInContext("Date", context);

function load(files, globals) {
  Object.assign(context, globals);
  files.forEach((file) => vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file }));
  return context;
}

function reviveArg(value) {
  if (value && typeof value === "object" && !Array.isArray(value) && value.date) {
    const [y, m, d] = value.date.split("-").map(Number);
    return new ContextDate(y, m - 1, d);
  }
  if (Array.isArray(value)) return value.map(reviveArg);
  return value;
}

const [mode, server, token, dataFile, ...rest] = process.argv.slice(2);
const settings = server === "-" ? {} : { PAKT_SERVER_URL: server, PAKT_TOKEN: token };

if (mode === "formulas") {
  const [paktFile, xlwingsFile] = rest;
  const cases = JSON.parse(fs.readFileSync(dataFile, "utf8"));
  const env = services({ name: "Formeln", sheets: [{ name: "Tabelle1", values: [[]] }], namedRanges: [] }, settings, ContextDate);
  const context = load([xlwingsFile, paktFile], env.globals);
  const results = {};
  cases.forEach((c) => {
    results[c.name] = context[c.func.toUpperCase()].apply(null, c.args.map(reviveArg));
  });
  const again = context[cases[0].func.toUpperCase()].apply(null, cases[0].args.map(reviveArg));
  process.stdout.write(JSON.stringify({ results, fetches: env.log.fetches, repeated: again }));
} else if (mode === "menu") {
  const [script, paktFile, xlwingsFile] = rest;
  const env = services(JSON.parse(fs.readFileSync(dataFile, "utf8")), settings, ContextDate);
  const context = load([xlwingsFile, paktFile], env.globals);
  context.onOpen();
  context[script]();
  const sheets = env.book.sheets.map((s) => ({ name: s.name, values: s.values, backgrounds: s.backgrounds, notes: s.notes }));
  process.stdout.write(JSON.stringify({ sheets, alerts: env.log.alerts, menus: env.log.menus }));
} else {
  throw new Error("unknown mode " + mode);
}
