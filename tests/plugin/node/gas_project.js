/*
 * Pakt's Apps Script project under Node: its script files run in one shared global scope (as Apps
 * Script runs every file of a project), with the stand-ins of Google's services as globals, and its
 * HTML files (beside Pakt.js, named as in the Apps Script editor: "Pruefen" for Pruefen.html) for
 * HtmlService.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

// The HTML files of the project that holds `paktFile`, by their Apps Script names.
function htmlFiles(paktFile) {
  const dir = path.dirname(paktFile);
  const files = {};
  fs.readdirSync(dir).filter((f) => f.endsWith(".html")).forEach((f) => (files[f.slice(0, -5)] = fs.readFileSync(path.join(dir, f), "utf8")));
  return files;
}

// A fresh global scope for the project; its Date is the one date cells must be made of.
function scope() {
  const context = vm.createContext({});
  return { context, ContextDate: vm.runInContext("Date", context) };
}

// Run the script files in `context` with `globals` (xlwings' client first, as the project lists it).
function load(context, files, globals) {
  Object.assign(context, globals);
  files.forEach((file) => vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file }));
  return context;
}

// What the typings check saw: each member used, and each use outside Google's typings.
function typingsReport(log) {
  return { used: [...log.used.keys()].sort(), off: log.off };
}

module.exports = { htmlFiles, scope, load, typingsReport };
