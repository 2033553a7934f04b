/*
 * Runs Pakt's task pane (plugin/static/taskpane.js) under Node against a live server,
 * with the Excel stand-in, and presses one of its buttons. Prints the workbook afterwards
 * and what the task pane told the clerk.
 *
 *   node taskpane.js <server> <token|-> <workbook.json> <script> <taskpane.js>
 */
"use strict";
const fs = require("fs");
const { excel } = require("./excel_standin");

const [server, token, workbookFile, script, taskpaneFile] = process.argv.slice(2);
const memory = new Map();
globalThis.PAKT_BASE_URL = server;
globalThis.localStorage = { getItem: (k) => (memory.has(k) ? memory.get(k) : null), setItem: (k, v) => memory.set(k, v) };
const Pakt = require(taskpaneFile);

(async () => {
  const said = [];
  const ui = { say: (text, isError) => said.push({ text, isError }), busy: () => {} };
  if (token !== "-") await Pakt.setToken(token);
  const host = excel(JSON.parse(fs.readFileSync(workbookFile, "utf8")));
  await Pakt.runScript(host, script, ui);
  process.stdout.write(JSON.stringify({ sheets: host.state(), said }));
})();
