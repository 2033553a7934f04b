/*
 * The sidebar of Prüfen (plugin/appsscript/Pruefen.html) as a clerk uses it: Pakt's Apps Script files
 * run under Node against a live Pakt server with the stand-ins of Google's services; the page the
 * script shows with Ui.showSidebar is loaded in jsdom, its google.script.run wired to the project's
 * functions. Then the steps run in turn and after each one the page is described as a clerk (or a
 * screen reader) meets it. Prints one JSON object.
 *
 *   node sidebar.js <server> <token|-> <spreadsheet.json> <steps.json> <Pakt.js> <xlwings.js>
 *
 * Steps: "menu:<function>" (a menu item, e.g. menu:paktPruefen), "open" (the sidebar over the
 * Prüfbericht as it stands), "click:<n>" and "enter:<n>" (the n-th finding button, 0-based, clicked
 * or focused and Enter pressed), "recheck" (the button Erneut prüfen), "type:<Blatt>!<A1>=<json>"
 * (the clerk types a value), "rename:<Blatt>=<Name>" (the clerk renames a sheet).
 *
 * jsdom has no activation behaviour for keys: a browser clicks a focused <button> when Enter is
 * pressed on it (HTML, "activation behavior" of button elements); "enter" does what the browser
 * does, and nothing more: it clicks only a focused, enabled <button> whose keydown nobody cancelled.
 */
"use strict";
const fs = require("fs");
const { JSDOM, VirtualConsole } = require("jsdom");
const { services, client } = require("./gas_standins");
const { htmlFiles, scope, load, typingsReport } = require("./gas_project");
const { columnNumber } = require("./a1");

const [server, token, dataFile, stepsFile, paktFile, xlwingsFile] = process.argv.slice(2);
const settings = server === "-" ? {} : { PAKT_SERVER_URL: server, PAKT_TOKEN: token };
const { context, ContextDate } = scope();
const env = services(JSON.parse(fs.readFileSync(dataFile, "utf8")), settings, ContextDate, { files: htmlFiles(paktFile) });
load(context, [xlwingsFile, paktFile], env.globals);
context.onOpen();

const pageErrors = [];
let page = null; // {dom, window, document, google}
let shown = 0;

// The newest sidebar the script showed, loaded as the browser would (scripts run, google.script there).
function openSidebar() {
  if (env.log.sidebars.length === shown) return;
  const sidebar = env.log.sidebars[env.log.sidebars.length - 1];
  shown = env.log.sidebars.length;
  if (page) page.window.close();
  const virtualConsole = new VirtualConsole();
  virtualConsole.on("error", (...args) => pageErrors.push(args.map(String).join(" ")));
  virtualConsole.on("jsdomError", (error) => pageErrors.push(String(error && (error.stack || error.message))));
  let google = null;
  const dom = new JSDOM(sidebar.content, {
    runScripts: "dangerously",
    pretendToBeVisual: true,
    virtualConsole,
    beforeParse(window) {
      google = client(context, env, window);
      window.google = google.google;
    },
  });
  page = { dom, window: dom.window, document: dom.window.document, google, title: sidebar.title };
}

function findings() {
  return page ? [...page.document.querySelectorAll("button.finding")] : [];
}

function pressEnter(element) {
  element.focus();
  const window = page.window;
  const init = { key: "Enter", code: "Enter", bubbles: true, cancelable: true };
  const proceed = element.dispatchEvent(new window.KeyboardEvent("keydown", init));
  const focused = page.document.activeElement === element;
  if (proceed && focused && element instanceof window.HTMLButtonElement && !element.disabled) element.click();
  element.dispatchEvent(new window.KeyboardEvent("keyup", init));
}

function describeFocus() {
  const active = page.document.activeElement;
  if (!active || active === page.document.body) return "body";
  const index = findings().indexOf(active);
  if (index >= 0) return "finding:" + index;
  return active.id ? "#" + active.id : active.tagName.toLowerCase();
}

function describe() {
  if (!page) return { open: false };
  const document = page.document;
  const count = document.getElementById("count");
  const status = document.getElementById("status");
  const text = (element, selector) => { const found = element.querySelector(selector); return found ? found.textContent : null; };
  const groups = [...document.querySelectorAll("#findings section")].map((section) => ({
    heading: text(section, "h2"),
    labelledBy: section.getAttribute("aria-labelledby") === (section.querySelector("h2") || {}).id,
    entries: [...section.querySelectorAll(".finding")].map((e) => ({
      tag: e.tagName.toLowerCase(),
      type: e.getAttribute("type"),
      tabIndex: e.tabIndex,
      disabled: Boolean(e.disabled),
      sheet: e.getAttribute("data-sheet"),
      cell: e.getAttribute("data-cell"),
      where: text(e, ".where"),
      message: text(e, ".message"),
      label: e.textContent,
      tags: [...e.querySelectorAll("*")].map((inner) => inner.tagName.toLowerCase()),
    })),
  }));
  return {
    open: true,
    title: page.title,
    lang: document.documentElement.getAttribute("lang"),
    count: count.textContent,
    countHasErrors: count.classList.contains("has-errors"),
    countLive: count.getAttribute("aria-live"),
    countTabIndex: count.getAttribute("tabindex"),
    statusLive: status.getAttribute("aria-live"),
    status: status.textContent,
    focused: describeFocus(),
    recheckDisabled: document.getElementById("recheck").disabled,
    groups,
  };
}

function selection() {
  const book = env.book;
  const sheet = book.getActiveSheet();
  return { sheet: sheet.getName(), a1: book.getActiveRange().getA1Notation() };
}

async function step(text) {
  const [kind, ...rest] = text.split(":");
  const arg = rest.join(":");
  if (kind === "menu") context[arg]();
  else if (kind === "open") context.paktShowFindings_();
  else if (kind === "click") findings()[Number(arg)].click();
  else if (kind === "enter") pressEnter(findings()[Number(arg)]);
  else if (kind === "recheck") page.document.getElementById("recheck").click();
  else if (kind === "type") {
    const typed = /^(.+)!([A-Z]+)(\d+)=(.*)$/.exec(arg);
    env.book.getSheetByName(typed[1]).set(parseInt(typed[3], 10), columnNumber(typed[2]), JSON.parse(typed[4]));
  } else if (kind === "rename") {
    const [from, to] = arg.split("=");
    env.book.getSheetByName(from).name = to;
  } else throw new Error("unknown step " + text);
  openSidebar();
  if (page) await page.google.settled();
}

(async () => {
  const steps = [];
  for (const text of JSON.parse(fs.readFileSync(stepsFile, "utf8"))) {
    const calls = page ? page.google.calls.length : 0;
    const alerts = env.log.alerts.length;
    await step(text);
    steps.push({
      step: text,
      page: describe(),
      calls: page ? page.google.calls.slice(calls) : [],
      alerts: env.log.alerts.slice(alerts),
      selection: selection(),
    });
  }
  const sheets = env.book.sheets.map((s) => ({ name: s.name, values: s.values, backgrounds: s.backgrounds, notes: s.notes }));
  const consoleErrors = page ? page.google.consoleErrors : [];
  process.stdout.write(JSON.stringify({ steps, sheets, sidebars: env.log.sidebars.length, pageErrors, consoleErrors, typings: typingsReport(env.log) }));
  if (page) page.window.close();
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
