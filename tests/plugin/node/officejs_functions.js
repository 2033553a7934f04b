/*
 * Runs the Excel formula loader the server serves (functions.js) under Node, with a
 * stand-in of Office's CustomFunctions runtime and Node's real fetch, and calls every
 * golden case as Excel would (dates as serial numbers, one argument per declared
 * parameter, the invocation last). Prints {name: result}.
 *
 *   node officejs_functions.js <server> <token> <cases.json>
 */
"use strict";
const fs = require("fs");
const vm = require("vm");

const [server, token, casesFile] = process.argv.slice(2);

class CustomFunctionsError extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

function serial(value) {
  if (value && typeof value === "object" && !Array.isArray(value) && value.date) {
    const [y, m, d] = value.date.split("-").map(Number);
    return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86400000);
  }
  if (Array.isArray(value)) return value.map(serial);
  return value;
}

(async () => {
  const associated = {};
  globalThis.CustomFunctions = {
    associate: (id, fn) => (associated[id] = fn),
    Error: CustomFunctionsError,
    ErrorCode: { invalidValue: "#VALUE!" },
  };
  globalThis.OfficeRuntime = { storage: { getItem: async (key) => (key === "pakt-token" ? token : null) } };
  const code = await (await fetch(server + "/functions.js")).text();
  vm.runInThisContext(code, { filename: "functions.js" });
  const meta = await (await fetch(server + "/functions.json", { headers: { Authorization: token } })).json();
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
  process.stdout.write(JSON.stringify(results));
})();
