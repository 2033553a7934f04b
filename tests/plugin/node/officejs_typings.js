/*
 * Microsoft's published typings of Office.js, read into a table the stand-ins are built from:
 * for each class or interface of the namespaces Excel, Office, CustomFunctions and OfficeRuntime,
 * its members (property or method, read-only or not, the type a property returns) and the
 * requirement set each one needs, as the JSDoc `[Api set: ExcelApi 1.18]` line says.
 *
 * The typings come from the npm registry as dev dependencies (package.json beside this file):
 * @types/office-js, @types/office-runtime, @types/custom-functions-runtime.
 *
 *   node officejs_typings.js            prints the table as JSON (for the Python tests)
 */
"use strict";
const fs = require("fs");
const path = require("path");

const PACKAGES = ["@types/office-js", "@types/office-runtime", "@types/custom-functions-runtime"];
const NAMESPACES = new Set(["Excel", "Office", "CustomFunctions", "OfficeRuntime", "OfficeExtension", "OfficeCore"]);
const NAMESPACE_MEMBERS = "<namespace>";

function typingsFile(pkg) {
  return require.resolve(pkg + "/index.d.ts", { paths: [__dirname] });
}

// "[Api set: ExcelApi 1.2 for options; 1.7 for password]" -> {set: "ExcelApi", version: "1.2", params: {...}}
function apiSet(doc) {
  const m = /\[Api set: ([A-Za-z]+) ([^\]]+)\]/.exec(doc || "");
  if (!m) return null;
  const found = { set: m[1], version: null, params: {} };
  for (const part of m[2].split(";").map((p) => p.trim().replace(/^[A-Za-z]+ /, ""))) {
    const pm = /^(\d+\.\d+)(?: for (\w+))?/.exec(part);
    if (!pm) continue;
    if (pm[2] && pm[2] !== "options") found.params[pm[2]] = pm[1];
    else if (!found.version) found.version = pm[1];
  }
  return found;
}

function parse(text, table) {
  let namespace = null;
  let unit = 4; // the file's indentation step: 4 spaces in office-js, 2 in office-runtime
  let owner = null;
  let doc = "";
  let inDoc = false;
  for (const raw of text.split("\n")) {
    const top = /^declare namespace (\w+) \{/.exec(raw);
    if (top) { namespace = NAMESPACES.has(top[1]) ? top[1] : null; owner = null; unit = null; continue; }
    if (!namespace) continue;
    if (unit === null && raw.trim()) unit = /^ */.exec(raw)[0].length;
    const indent = /^ */.exec(raw)[0].length;
    const line = " ".repeat((indent * 4) / unit) + raw.slice(indent); // as if indented by 4
    if (/^\s*\/\*\*/.test(line)) { inDoc = !/\*\/\s*$/.test(line); doc = line; continue; }
    if (inDoc) { doc += "\n" + line; if (/\*\/\s*$/.test(line)) inDoc = false; continue; }
    const space = table[namespace] || (table[namespace] = {});
    const block = /^ {4}(?:export )?(?:abstract )?(class|interface|enum) (\w+)(?:<[^>]*>)?(?: extends ([\w.]+))?/.exec(line);
    if (block) {
      const parent = block[3] ? (block[3].includes(".") ? block[3] : namespace + "." + block[3]) : null;
      owner = space[block[2]] = space[block[2]] || { kind: block[1], requirement: apiSet(doc), members: {}, parent };
      doc = "";
      if (/\}\s*$/.test(line)) owner = null;
      continue;
    }
    if (/^ {4}\}/.test(line)) { owner = null; doc = ""; continue; }
    const loose = /^ {4}(?:export )?(function|const|var|let) (\w+)\s*(?:<[^>]*>)?\s*[(:]\s*(.*)$/.exec(line);
    if (loose && !owner) {
      const holder = (space[NAMESPACE_MEMBERS] = space[NAMESPACE_MEMBERS] || { kind: "namespace", requirement: null, members: {} });
      addMember(holder, loose[2], { kind: loose[1] === "function" ? "method" : "property", readonly: loose[1] !== "var",
        type: loose[1] === "function" ? null : loose[3].replace(/;$/, ""), requirement: apiSet(doc) });
      doc = "";
      continue;
    }
    if (!owner) { doc = ""; continue; }
    const method = /^ {8}(\w+)\??(?:<[^>]*>)?\(/.exec(line);
    const property = /^ {8}(readonly )?(\w+)\??: ([^;]+);/.exec(line);
    const value = owner.kind === "enum" ? /^ {8}(\w+)\s*=/.exec(line) : null;
    if (method) addMember(owner, method[1], { kind: "method", readonly: true, type: null, requirement: apiSet(doc) });
    else if (property) addMember(owner, property[2], { kind: "property", readonly: Boolean(property[1]), type: property[3], requirement: apiSet(doc) });
    else if (value) addMember(owner, value[1], { kind: "property", readonly: true, type: null, requirement: owner.requirement });
    doc = "";
  }
}

function addMember(owner, name, member) {
  const known = owner.members[name];
  if (!known) { owner.members[name] = member; return; }
  // Overloads: the member is there from the earliest set any overload names.
  const version = (r) => (r && r.version) || null;
  if (version(member.requirement) && (!version(known.requirement) || older(version(member.requirement), version(known.requirement)))) {
    known.requirement = member.requirement;
  }
}

function older(a, b) {
  return compareVersions(a, b) < 0;
}

function compareVersions(a, b) {
  const pa = String(a).split(".").map(Number);
  const pb = String(b).split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d) return d;
  }
  return 0;
}

let cached = null;

// A table read elsewhere (where there is no file system: the stand-in in a browser page, taskpane_page.js).
function use(table) {
  cached = table;
}

function load() {
  if (cached) return cached;
  const table = {};
  const versions = {};
  for (const pkg of PACKAGES) {
    const file = typingsFile(pkg);
    parse(fs.readFileSync(file, "utf8"), table);
    versions[pkg] = JSON.parse(fs.readFileSync(path.join(path.dirname(file), "package.json"), "utf8")).version;
  }
  cached = { namespaces: table, packages: versions };
  return cached;
}

// A member of a class or of the classes it extends (Excel.Range extends OfficeExtension.ClientObject).
function memberOf(namespace, className, member) {
  for (let owner = load().namespaces[namespace][className]; owner; ) {
    if (Object.prototype.hasOwnProperty.call(owner.members, member)) return { owner, member: owner.members[member] };
    if (!owner.parent) break;
    const [ns, cls] = owner.parent.split(".");
    owner = (load().namespaces[ns] || {})[cls];
  }
  return null;
}

// The requirement a member needs: its own, else its class's (a class of ExcelApi 1.18 brings its members).
function requirementOf(namespace, className, member) {
  const hit = memberOf(namespace, className, member);
  if (!hit) return undefined;
  const { owner, member: found } = hit;
  const own = found.requirement && found.requirement.version ? found.requirement : null;
  return own || owner.requirement || null;
}

function newestExcelApi() {
  let newest = "1.1";
  for (const owner of Object.values(load().namespaces.Excel)) {
    for (const m of Object.values(owner.members)) {
      const r = m.requirement;
      if (r && r.set === "ExcelApi" && r.version && compareVersions(r.version, newest) > 0) newest = r.version;
    }
  }
  return newest;
}

module.exports = { load, use, memberOf, requirementOf, compareVersions, newestExcelApi, NAMESPACE_MEMBERS };

if (require.main === module) process.stdout.write(JSON.stringify(load()));
