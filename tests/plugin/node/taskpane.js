/*
 * Runs Pakt's task pane (plugin/static/taskpane.js) under Node against a live server, with the
 * Excel stand-in at a given API level, and presses its buttons in turn (a step "type:Meldung!B14=40"
 * types a value between presses, as the clerk correcting a cell). Prints the workbook
 * afterwards, what the task pane told the clerk after each press, and every Office.js member it
 * used with the requirement set Microsoft's typings give it.
 *
 *   node taskpane.js <server> <token|-> <workbook.json> <step[,step…]> <taskpane.js> [ExcelApi level]
 */
"use strict";
const fs = require("fs");
const { excel } = require("./excel_standin");

const [server, token, workbookFile, scripts, taskpaneFile, level] = process.argv.slice(2);
const memory = new Map();
if (server.endsWith(".html")) globalThis.location = new URL(server); // the page's own address, as in Excel
else globalThis.PAKT_BASE_URL = server;
globalThis.localStorage = { getItem: (k) => (memory.has(k) ? memory.get(k) : null), setItem: (k, v) => memory.set(k, v) };
const host = excel(JSON.parse(fs.readFileSync(workbookFile, "utf8")), { excelApi: level || undefined });
const Pakt = require(taskpaneFile); // loaded as a module: no page to wire, the presses below stand in for clicks
globalThis.Office = host.Office;
globalThis.Excel = host.Excel;

(async () => {
  const said = [];
  const presses = [];
  if (token !== "-") await Pakt.setToken(token);
  for (const script of scripts.split(",")) {
    const typed = /^type:(.+)!([A-Z]+)(\d+)=(.*)$/.exec(script);
    if (typed) {
      const sheet = host.host.sheetByName(typed[1]);
      const column = typed[2].split("").reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
      let value = typed[4];
      try { value = JSON.parse(value); } catch (e) { /* text as typed */ }
      sheet.set(parseInt(typed[3], 10) - 1, column, value);
      continue;
    }
    const before = said.length;
    const ui = { say: (text, isError) => said.push({ text, isError }), busy: () => {} };
    await Pakt.runScript(host.Excel, script, ui);
    presses.push(said.slice(before));
  }
  process.stdout.write(JSON.stringify({ sheets: host.state(), said, presses, used: host.usedMembers(), level: host.host.level }));
})();
