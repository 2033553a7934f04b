/*
 * Runs Pakt's task pane page as Excel shows it, in headless Chromium, and acts as the clerk: real mouse clicks
 * and key presses (input events of the Chrome DevTools Protocol, so a button reacts to Enter and Space the way a
 * browser's own button does, not the way a test says it should).
 *
 * The page, its script and styles come from the live server; the one thing replaced is Office.js from Microsoft's
 * CDN: the request is answered with the Excel stand-in (excel_standin.js, held to Microsoft's typings) at the given
 * API level, holding the given workbook. The loader of the formulas (functions.js) gets a CustomFunctions with
 * `associate`, as in Excel's shared runtime.
 *
 *   node taskpane_page.js <page url> <workbook.json> <steps.json> [ExcelApi level] [screenshot.png]
 *
 * Steps, in order:  {"key": "pakt_…"}            types the access key and presses "Schlüssel speichern"
 *                   {"click": "#pruefen"}          a mouse click on the element (a CSS selector)
 *                   {"press": "Tab" | "Enter" | " " | "Shift+Tab"}   one key
 *                   {"type": "Meldung!B14", "value": 40}           the clerk changes a cell in the workbook
 * After each step it waits until the page is idle (no run, no selection under way) and takes a snapshot: the
 * status line, the count line, the findings as the page shows them, the focused element, the stand-in's
 * selection. With a screenshot path, the page as it is at the end is saved there (the whole page, 380 px wide).
 * Prints {snapshots, selections, exceptions, used}.
 */
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawn } = require("child_process");
const typings = require("./officejs_typings");

const [pageUrl, workbookFile, stepsFile, level, screenshot] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || "chromium";
const WIDTH = 380;
const OFFICE_JS = "https://appsforoffice.microsoft.com/*";

// ---------------------------------------------------------------- Chromium over --remote-debugging-pipe

class Browser {
  constructor(child) {
    this.child = child;
    this.next = 0;
    this.pending = new Map();
    this.listeners = [];
    let buffer = "";
    child.stdio[4].on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let end;
      while ((end = buffer.indexOf("\0")) >= 0) {
        const message = JSON.parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
        this.receive(message);
      }
    });
  }

  static launch(profile) {
    const flags = [
      "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--disable-extensions",
      "--remote-debugging-pipe", `--user-data-dir=${profile}`, "--lang=de-DE", "about:blank",
    ];
    return new Browser(spawn(CHROMIUM, flags, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] }));
  }

  receive(message) {
    if (message.id !== undefined) {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting.reject(new Error(`${waiting.method}: ${message.error.message}`));
      else waiting.resolve(message.result);
      return;
    }
    this.listeners.forEach((listen) => listen(message));
  }

  send(method, params = {}, sessionId = undefined) {
    const id = ++this.next;
    this.child.stdio[3].write(JSON.stringify({ id, method, params, sessionId }) + "\0");
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }

  on(method, listen) {
    this.listeners.push((message) => message.method === method && listen(message.params, message.sessionId));
  }

  async close() {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.send("Browser.close").catch(() => {});
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- Office.js as the page gets it

// The stand-in's modules (CommonJS) in one script for the page; the typings table is handed over ready-made.
function officeJs(workbook) {
  const modules = ["a1", "officejs_typings", "excel_standin"].map((name) => {
    const source = fs.readFileSync(path.join(__dirname, name + ".js"), "utf8");
    return `${JSON.stringify("./" + name)}: function (module, exports, require) {\n${source}\n}`;
  });
  return `(function () {
  "use strict";
  const sources = {${modules.join(",\n")}};
  const loaded = {};
  function require(name) {
    if (!(name in sources)) return {}; // fs, path: the typings come ready-made below
    if (!loaded[name]) {
      const module = { exports: {} };
      loaded[name] = module;
      sources[name](module, module.exports, require);
    }
    return loaded[name].exports;
  }
  require("./officejs_typings").use(${JSON.stringify(typings.load())});
  const standin = require("./excel_standin");
  const host = standin.excel(${JSON.stringify(workbook)}, { excelApi: ${JSON.stringify(level || undefined) || "undefined"} });
  const context = { host: host.host, add: () => {}, make: () => null };
  window.Office = host.Office;
  window.Excel = host.Excel;
  window.CustomFunctions = standin.typed(context, "CustomFunctions", "<namespace>", { associate: () => {} });
  window.__paktExcel = host;
})();`;
}

// ---------------------------------------------------------------- the clerk

const KEYS = {
  Enter: { key: "Enter", code: "Enter", windowsVirtualKeyCode: 13, text: "\r" },
  " ": { key: " ", code: "Space", windowsVirtualKeyCode: 32, text: " " },
  Tab: { key: "Tab", code: "Tab", windowsVirtualKeyCode: 9 },
  "Shift+Tab": { key: "Tab", code: "Tab", windowsVirtualKeyCode: 9, modifiers: 8 },
};

const SNAPSHOT = `(() => {
  const q = (selector) => document.querySelector(selector);
  const text = (element) => (element ? element.textContent : null);
  const active = document.activeElement;
  const status = q("#status");
  return {
    status: { text: status.textContent, hidden: status.hidden, isError: status.className === "fehler" },
    results: {
      hidden: q("#befunde").hidden,
      count: text(q("#befunde-zahl")),
      countIsError: q("#befunde-zahl").className === "fehler",
      chosen: text(q("#befunde-auswahl")),
      hint: q("#befunde-hinweis").hidden ? null : text(q("#befunde-hinweis")),
    },
    groups: [...document.querySelectorAll("#befunde-liste section")].map((block) => ({
      heading: text(block.querySelector("h4")),
      labelledBy: text(document.getElementById(block.getAttribute("aria-labelledby"))),
      entries: [...block.querySelectorAll(".finding")].map((entry) => ({
        tag: entry.tagName, type: entry.getAttribute("type"), name: entry.textContent, where: text(entry.querySelector(".where")),
        message: text(entry.querySelector(".message")), markup: entry.querySelector(".message").children.length,
        sheet: entry.getAttribute("data-sheet"), cell: entry.getAttribute("data-cell"),
      })),
    })),
    live: [...document.querySelectorAll("[aria-live]")].map((element) => element.id),
    focus: active && active !== document.body
      ? { id: active.id || null, tag: active.tagName, cell: active.getAttribute("data-cell"), text: active.textContent.slice(0, 300) }
      : null,
    selection: window.__paktExcel.host.selection,
  };
})()`;

async function main() {
  const workbook = JSON.parse(fs.readFileSync(workbookFile, "utf8"));
  const steps = JSON.parse(fs.readFileSync(stepsFile, "utf8"));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "pakt-chromium-"));
  const browser = (running = Browser.launch(profile));
  const exceptions = [];
  try {
    const { targetId } = await browser.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await browser.send("Target.attachToTarget", { targetId, flatten: true });
    const page = (method, params) => browser.send(method, params, sessionId);
    const script = Buffer.from(officeJs(workbook), "utf8").toString("base64");
    browser.on("Fetch.requestPaused", (params) => {
      page("Fetch.fulfillRequest", {
        requestId: params.requestId, responseCode: 200, body: script,
        responseHeaders: [{ name: "Content-Type", value: "application/javascript; charset=utf-8" }],
      }).catch((error) => exceptions.push(String(error)));
    });
    browser.on("Runtime.exceptionThrown", (params) => {
      const d = params.exceptionDetails;
      exceptions.push(`${(d.exception && d.exception.description) || d.text} (${d.url || ""}:${d.lineNumber})`);
    });
    await page("Runtime.enable");
    await page("Page.enable");
    await page("Fetch.enable", { patterns: [{ urlPattern: OFFICE_JS, requestStage: "Request" }] });
    await page("Emulation.setDeviceMetricsOverride", { width: WIDTH, height: 900, deviceScaleFactor: 1, mobile: false });
    const loaded = new Promise((resolve) => browser.on("Page.loadEventFired", resolve));
    await page("Page.navigate", { url: pageUrl });
    await loaded;

    const evaluate = async (expression) => {
      const answer = await page("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
      if (answer.exceptionDetails) throw new Error(`${expression.slice(0, 80)}: ${answer.exceptionDetails.text}`);
      return answer.result.value;
    };
    const until = async (expression, what) => {
      for (const started = Date.now(); Date.now() - started < 30000; ) {
        if (await evaluate(expression)) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error("the page did not get " + what);
    };
    const idle = () => until(
      `document.body.getAttribute("aria-busy") !== "true" && document.getElementById("befunde-auswahl").getAttribute("aria-busy") !== "true"`,
      "idle",
    );
    const click = async (selector) => {
      const at = await evaluate(`(() => {
        const element = document.querySelector(${JSON.stringify(selector)});
        if (!element) return null;
        element.scrollIntoView({ block: "center" });
        const box = element.getBoundingClientRect();
        return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
      })()`);
      if (!at) throw new Error("no element " + selector);
      for (const type of ["mouseMoved", "mousePressed", "mouseReleased"]) {
        await page("Input.dispatchMouseEvent", { type, x: at.x, y: at.y, button: "left", clickCount: 1 });
      }
    };
    const press = async (name) => {
      const key = KEYS[name];
      if (!key) throw new Error("no such key " + name);
      const { text, ...rest } = key;
      await page("Input.dispatchKeyEvent", { type: text ? "keyDown" : "rawKeyDown", ...rest, ...(text ? { text } : {}) });
      await page("Input.dispatchKeyEvent", { type: "keyUp", ...rest });
    };

    await until(`Boolean(document.getElementById("pruefen").onclick)`, "its buttons wired (Office.onReady)");
    const snapshots = [];
    for (const step of steps) {
      if (step.key !== undefined) {
        await click("#token");
        await page("Input.insertText", { text: step.key });
        await click("#speichern");
        await until(`document.getElementById("status").textContent === "Zugangsschlüssel gespeichert."`, "the key saved");
      } else if (step.click) {
        await click(step.click);
      } else if (step.press) {
        await press(step.press);
      } else if (step.type) {
        const [sheet, cell] = step.type.split("!");
        await evaluate(`(() => {
          const m = /^([A-Z]+)(\\d+)$/.exec(${JSON.stringify(cell)});
          const column = m[1].split("").reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
          window.__paktExcel.host.sheetByName(${JSON.stringify(sheet)}).set(parseInt(m[2], 10) - 1, column, ${JSON.stringify(step.value)});
        })()`);
      } else {
        throw new Error("unknown step " + JSON.stringify(step));
      }
      await idle();
      snapshots.push({ step, ...(await evaluate(SNAPSHOT)) });
    }
    if (screenshot) {
      const height = await evaluate("document.documentElement.scrollHeight");
      await page("Emulation.setDeviceMetricsOverride", { width: WIDTH, height, deviceScaleFactor: 1, mobile: false });
      const shot = await page("Page.captureScreenshot", { format: "png" });
      fs.writeFileSync(screenshot, Buffer.from(shot.data, "base64"));
    }
    const host = await evaluate(`({ selections: window.__paktExcel.host.selections, used: window.__paktExcel.usedMembers() })`);
    process.stdout.write(JSON.stringify({ snapshots, exceptions, ...host }));
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

let running = null; // the Chromium of this run, ended with it
const deadline = setTimeout(() => {
  process.stderr.write("taskpane_page.js: no result after 100 s\n");
  if (running) running.child.kill("SIGKILL");
  process.exit(1);
}, 100000);
main().then(
  () => clearTimeout(deadline),
  (error) => {
    process.stderr.write(String((error && error.stack) || error) + "\n");
    process.exit(1);
  },
);
