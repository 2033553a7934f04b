/*
 * Runs the Excel formula loader the server serves (functions.js) under Node, as Excel's shared runtime
 * runs it: the globals Office, Excel, CustomFunctions and OfficeRuntime are stand-ins held to Microsoft's
 * typings (officejs_typings.js) at a given ExcelApi level, fetch is Node's real one. Fetches the metadata
 * and the loader without a key, as Excel does, and calls every golden case as Excel would (dates as serial
 * numbers, one argument per declared parameter, the invocation last). Prints {results, bodies, used}:
 * each case's result, the bodies the loader posted, the Office.js members it used.
 *
 *   node officejs_functions.js <server> <token> <cases.json> [ExcelApi level] [culture]
 */
"use strict";
const fs = require("fs");
const vm = require("vm");
const { excel, typed } = require("./excel_standin");

const [server, token, casesFile, level, culture] = process.argv.slice(2);

function serial(value) {
  if (value && typeof value === "object" && !Array.isArray(value) && value.date) {
    const [y, m, d] = value.date.split("-").map(Number);
    return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86400000);
  }
  if (Array.isArray(value)) return value.map(serial);
  return value;
}

function customFunctionsGlobals(host, associated) {
  const context = { host, add: () => {}, make: () => null };
  class CustomFunctionsError extends Error {
    constructor(code, message) { super(message); this.code = code; }
  }
  const codes = { invalidValue: "#VALUE!", notAvailable: "#N/A", divisionByZero: "#DIV/0!", invalidNumber: "#NUM!", nullReference: "#NULL!", invalidName: "#NAME?", invalidReference: "#REF!" };
  return {
    CustomFunctions: typed(context, "CustomFunctions", "<namespace>", { associate: (id, fn) => (associated[id] = fn), Error: CustomFunctionsError, ErrorCode: typed(context, "CustomFunctions", "ErrorCode", codes) }),
    OfficeRuntime: typed(context, "OfficeRuntime", "<namespace>", {
      storage: typed(context, "OfficeRuntime", "Storage", { getItem: async (key) => (key === "pakt-token" ? token : null) }),
    }),
  };
}

(async () => {
  const [name, pattern] = (culture || "de-DE|dd.MM.yyyy").split("|");
  const host = excel({ sheets: [{ name: "Meldung", values: [[]] }] }, { excelApi: level || undefined, culture: { name, shortDatePattern: pattern, contentLanguage: name } });
  const associated = {};
  const { CustomFunctions, OfficeRuntime } = customFunctionsGlobals(host.host, associated);
  Object.assign(globalThis, { Office: host.Office, Excel: host.Excel, CustomFunctions, OfficeRuntime });
  const bodies = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, options) => { bodies.push(JSON.parse(options.body)); return realFetch(url, options); };
  const code = await (await realFetch(server + "/functions.js")).text();
  vm.runInThisContext(code, { filename: "functions.js" });
  const meta = await (await realFetch(server + "/functions.json")).json();
  const arity = {};
  meta.functions.forEach((f) => (arity[f.id] = f.parameters.length));
  const cases = JSON.parse(fs.readFileSync(casesFile, "utf8"));
  const results = {};
  for (const c of cases) {
    const id = c.func.toUpperCase();
    const args = c.args.map(serial);
    while (args.length < arity[id]) args.push(null);
    args.push({ address: "Meldung!C20" });
    try {
      results[c.name] = await associated[id](...args);
    } catch (error) {
      results[c.name] = { error: error.message, code: error.code };
    }
  }
  process.stdout.write(JSON.stringify({ results, bodies, used: host.usedMembers() }));
})();
