/*
 * Runs Pakt's task pane (plugin/static/taskpane.js) under Node against a live server, with the
 * Excel stand-in at a given API level, and presses its buttons in turn (a step "type:Meldung!B14=40"
 * types a value between presses, as the clerk correcting a cell; "select:2" picks the third entry of
 * the findings list the last press showed; "rename:Meldung=Alt" renames a sheet). Prints the workbook
 * afterwards, what the task pane told the clerk after each press, the findings lists it showed, what
 * each pick answered and selected, and every Office.js member it used with the requirement set
 * Microsoft's typings give it. (The page itself, with its buttons and keyboard, runs in Chromium:
 * taskpane_page.js.)
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
  const lists = [];
  const picks = [];
  if (token !== "-") await Pakt.setToken(token);
  for (const script of scripts.split(",")) {
    const picked = /^select:(\d+)$/.exec(script);
    if (picked) {
      const finding = lists[lists.length - 1].findings[parseInt(picked[1], 10)];
      const answer = await Pakt.selectCell(host.Excel, finding);
      picks.push({ finding, answer, selection: host.host.selection, active: host.host.active.name });
      continue;
    }
    const renamed = /^rename:(.+)=(.+)$/.exec(script);
    if (renamed) {
      host.host.sheetByName(renamed[1]).name = renamed[2];
      continue;
    }
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
    const ui = {
      say: (text, isError) => said.push({ text, isError }),
      busy: () => {},
      showFindings: (findings, options) => {
        if (findings) lists.push({ script, findings, countLine: Pakt.countLine(findings), focus: Boolean(options && options.focus) });
      },
    };
    await Pakt.runScript(host.Excel, script, ui);
    presses.push(said.slice(before));
  }
  process.stdout.write(JSON.stringify({
    sheets: host.state(), said, presses, lists, picks, selections: host.host.selections, used: host.usedMembers(), level: host.host.level,
  }));
})();
