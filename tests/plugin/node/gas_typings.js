/*
 * Google's published typings of Apps Script, read into a table the Google stand-ins are held to:
 * every interface, enum and namespace of @types/google-apps-script (the server side: SpreadsheetApp,
 * HtmlService, Ui, ...) and @types/google.script.client-side (google.script.run and host in an
 * HtmlService page), each with its members (method or property, the number of arguments each
 * overload takes, the type a member gives back), and the globals the typings declare.
 *
 * typed() wraps a stand-in object in a proxy that records each member the script under test touches
 * ("Spreadsheet.Range.activate") and every use the typings do not know: a member Google does not
 * publish, or a call with a number of arguments no overload takes. The proxy passes everything on
 * unchanged, so the stand-in's behaviour is the same with or without it; the tests assert that the
 * record of uses outside the typings is empty.
 *
 * The typings are dev dependencies (package.json beside this file), installed with npm ci.
 *
 *   node gas_typings.js            prints the table as JSON
 */
"use strict";
const fs = require("fs");
const path = require("path");

const SERVER_PACKAGE = "@types/google-apps-script";
const CLIENT_PACKAGE = "@types/google.script.client-side";

function packageDir(pkg) {
  return path.dirname(require.resolve(pkg + "/package.json", { paths: [__dirname] }));
}

function typingsFiles() {
  const server = packageDir(SERVER_PACKAGE);
  const files = fs.readdirSync(server).filter((f) => /^google-apps-script.*\.d\.ts$/.test(f)).map((f) => path.join(server, f));
  return files.concat([path.join(packageDir(CLIENT_PACKAGE), "index.d.ts")]);
}

// Comments out, but "/** @deprecated ... */" before a member kept as a marker.
function stripComments(text) {
  return text
    .replace(/\/\*\*\s*@deprecated[^*]*\*\/\s*/g, "@deprecated ")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
}

// Split at top-level commas (outside (), [], {}, <>).
function splitTop(text) {
  const parts = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ("([{<".includes(ch)) depth++;
    if (")]}".includes(ch) || (ch === ">" && text[i - 1] !== "=")) depth--;
    if (ch === "," && depth === 0) { parts.push(current); current = ""; continue; }
    current += ch;
  }
  if (current.trim()) parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function arity(params) {
  const list = splitTop(params);
  let min = 0;
  let max = 0;
  for (const p of list) {
    if (p.startsWith("...")) return { min, max: Infinity };
    max += 1;
    if (!/^\w+\?/.test(p)) min = max;
  }
  return { min, max };
}

const SCOPE_HEAD = /^(?:declare\s+)?(?:export\s+)?(namespace|interface|enum|class)\s+([\w.]+)(?:<[^{]*?>)?(?:\s+extends\s+([^{]+))?$/;

// The typings as a table: types by qualified name, with raw type texts resolved afterwards.
function parse(files) {
  const types = Object.create(null);
  const globals = {};
  const ensure = (name, kind) => (types[name] = types[name] || { kind, members: Object.create(null), open: false, extends: [], scope: name.split(".").slice(0, -1) });

  for (const file of files) {
    const text = stripComments(fs.readFileSync(file, "utf8"));
    const scopes = []; // {name (qualified), kind}
    let buf = "";
    let paren = 0;
    let brace = 0;
    const here = () => scopes[scopes.length - 1];
    const statement = (raw) => {
      const s = raw.replace(/\s+/g, " ").trim();
      if (!s) return;
      const scope = here();
      if (!scope) {
        const g = /^declare (?:var|const|let) (\w+)\s*:\s*(.+)$/.exec(s);
        if (g) globals[g[1]] = { text: g[2], scope: [] };
        return;
      }
      const owner = types[scope.name];
      const deprecated = s.startsWith("@deprecated ");
      const body = s.replace(/^@deprecated /, "").replace(/^(?:export |readonly |static )+/, "");
      if (scope.kind === "enum") {
        const m = /^(\w+)/.exec(body);
        if (m) owner.members[m[1]] = { kind: "enum member" };
        return;
      }
      if (/^\[\w+\s*:\s*(string|number)\]\s*:/.test(body)) {
        owner.open = true;
        const m = /^\[\w+\s*:\s*\w+\]\s*:\s*(.+)$/.exec(body);
        owner.index = { text: m[1], scope: scope.name.split(".") };
        return;
      }
      if (/^type /.test(body) || /^new\s*\(/.test(body) || /^\(/.test(body)) return; // aliases, constructors, call signatures
      const method = /^(?:function )?(\w+)\??(?:<[^(]*>)?\s*\(([\s\S]*)\)\s*:\s*([\s\S]+)$/.exec(body);
      if (method && !/^\w+\??\s*:/.test(body)) {
        let member = owner.members[method[1]];
        if (!member || member.kind !== "method") member = owner.members[method[1]] = { kind: "method", overloads: [] };
        member.overloads.push({ ...arity(method[2]), returns: { text: method[3], scope: scope.name.split(".") }, deprecated });
        return;
      }
      const property = /^(?:const |let |var )?(\w+)\??\s*:\s*([\s\S]+)$/.exec(body);
      if (property) owner.members[property[1]] = { kind: "property", type: { text: property[2], scope: scope.name.split(".") }, deprecated };
    };

    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === "(" || ch === "[") paren++;
      if (ch === ")" || ch === "]") paren--;
      if (ch === "{") {
        const head = SCOPE_HEAD.exec(buf.replace(/\s+/g, " ").trim());
        if (paren === 0 && brace === 0 && head) {
          const parent = here();
          const name = (parent ? parent.name + "." : "") + head[2];
          const kind = head[1];
          // "declare namespace google.script" also makes "google" a namespace holding "script".
          const parts = name.split(".");
          for (let k = 1; k < parts.length; k++) {
            const outer = ensure(parts.slice(0, k).join("."), "namespace");
            const inner = parts.slice(0, k + 1).join(".");
            if (k === parts.length - 1 && kind !== "namespace") continue;
            outer.members[parts[k]] = outer.members[parts[k]] || { kind: "property", type: { text: "typeof " + inner, scope: [] } };
          }
          const owner = ensure(name, kind);
          owner.kind = kind;
          if (head[3]) owner.extends = owner.extends.concat(splitTop(head[3]).map((e) => ({ text: e, scope: parts.slice(0, -1) })));
          scopes.push({ name, kind });
          buf = "";
          continue;
        }
        brace++;
      }
      if (ch === "}") {
        if (brace > 0) { brace--; buf += ch; continue; }
        statement(buf);
        buf = "";
        scopes.pop();
        continue;
      }
      const ends = ch === ";" || (ch === "," && here() && here().kind === "enum");
      if (ends && paren === 0 && brace === 0) { statement(buf); buf = ""; continue; }
      buf += ch;
    }
  }
  return { types, globals };
}

const PRIMITIVE = /^(void|any|unknown|never|string|number|boolean|null|undefined|object|Object|Integer|Number|String|Boolean|Byte|Char|BigNumber|Date|Function|this)$/;

// A type text as a reference: {type}, {array}, {all}, {typeofValue} or null (a primitive or unknown).
function resolver(types) {
  function findType(name, scope) {
    for (let k = scope.length; k >= 0; k--) {
      const candidate = scope.slice(0, k).concat([name]).join(".");
      if (types[candidate]) return candidate;
    }
    return null;
  }
  function resolve(ref) {
    let text = ref.text.trim().replace(/;$/, "");
    const scope = ref.scope;
    const union = splitUnion(text, "|").filter((t) => !/^(null|undefined)$/.test(t));
    if (union.length !== 1) return null;
    text = union[0];
    const all = splitUnion(text, "&");
    if (all.length > 1) return { all: all.map((t) => resolve({ text: t, scope })).filter(Boolean) };
    if (/\[\]$/.test(text)) { const inner = resolve({ text: text.slice(0, -2), scope }); return inner && { array: inner }; }
    const generic = /^(?:Array|ReadonlyArray)<(.+)>$/.exec(text);
    if (generic) { const inner = resolve({ text: generic[1], scope }); return inner && { array: inner }; }
    const of = /^typeof ([\w.]+)$/.exec(text);
    if (of) {
      const found = findType(of[1], scope);
      if (found) return { type: found };
      // typeof a value: a const or property declared in a namespace ("typeof run" in google.script)
      const dot = of[1].lastIndexOf(".");
      const where = dot < 0 ? scope : scope.concat(of[1].slice(0, dot).split("."));
      const name = of[1].slice(dot + 1);
      for (let k = where.length; k >= 0; k--) {
        const owner = types[where.slice(0, k).join(".")];
        if (owner && owner.members[name] && owner.members[name].type) return resolve(owner.members[name].type);
      }
      return null;
    }
    if (PRIMITIVE.test(text) || !/^[\w.]+$/.test(text)) return null;
    const found = findType(text, scope);
    return found ? { type: found } : null;
  }
  return resolve;
}

function splitUnion(text, sep) {
  const parts = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ("([{<".includes(ch)) depth++;
    if (")]}".includes(ch) || (ch === ">" && text[i - 1] !== "=")) depth--;
    if (ch === sep && depth === 0) { parts.push(current.trim()); current = ""; continue; }
    current += ch;
  }
  parts.push(current.trim());
  return parts.filter(Boolean);
}

let cached = null;

function table() {
  if (cached) return cached;
  let files;
  try {
    files = typingsFiles();
  } catch (error) {
    throw new Error(`Google's typings are missing: run "npm ci" in ${__dirname} (${error.message})`);
  }
  const parsed = parse(files);
  const resolve = resolver(parsed.types);
  const resolved = { types: Object.create(null), globals: Object.create(null) };
  for (const [name, t] of Object.entries(parsed.types)) {
    const members = Object.create(null);
    for (const [m, member] of Object.entries(t.members)) {
      if (member.kind === "method") members[m] = { kind: "method", overloads: member.overloads.map((o) => ({ min: o.min, max: o.max, returns: resolve(o.returns), deprecated: o.deprecated })) };
      else if (member.kind === "property") members[m] = { kind: "property", type: resolve(member.type), deprecated: member.deprecated };
      else members[m] = member;
    }
    resolved.types[name] = {
      kind: t.kind,
      members,
      open: t.open,
      index: t.index ? resolve(t.index) : null,
      extends: t.extends.map(resolve).filter(Boolean).map((r) => r.type),
    };
  }
  for (const [name, g] of Object.entries(parsed.globals)) resolved.globals[name] = resolve(g);
  cached = resolved;
  return resolved;
}

const short = (name) => name.replace(/^GoogleAppsScript\./, "");

// A member of a type (its own, an extended type's, or one of an intersection's parts).
function lookup(t, ref, member) {
  if (!ref) return null;
  if (ref.all) {
    for (const part of ref.all) { const found = lookup(t, part, member); if (found) return found; }
    return null;
  }
  const type = t.types[ref.type];
  if (!type) return null;
  if (Object.prototype.hasOwnProperty.call(type.members, member)) return { owner: ref.type, member: type.members[member] };
  for (const parent of type.extends) { const found = lookup(t, { type: parent }, member); if (found) return found; }
  if (type.open) return { owner: ref.type, member: { kind: "index", type: type.index } };
  return null;
}

function refName(ref) {
  if (ref.all) return ref.all.map(refName).join("&");
  return short(ref.type);
}

/*
 * Typed views of stand-in objects: typed(value, ref) gives a proxy that records in `record.used` each
 * member touched and in `record.off` each use the typings do not publish. Arguments are unwrapped before
 * they reach the stand-in, so the stand-in sees its own objects.
 */
function recorder(record) {
  const t = table();
  const targets = new WeakMap();
  const unwrap = (v) => (v !== null && (typeof v === "object" || typeof v === "function") && targets.has(v) ? targets.get(v) : v);
  const note = (name) => record.used.set(name, (record.used.get(name) || 0) + 1);
  const off = (what) => { if (!record.off.includes(what)) record.off.push(what); };

  function typed(value, ref) {
    if (value === null || value === undefined || !ref) return value;
    if (ref.array) return Array.isArray(value) ? value.map((v) => typed(v, ref.array)) : value;
    if (typeof value !== "object" && typeof value !== "function") return value;
    if (Array.isArray(value) || targets.has(value)) return value;
    const name = refName(ref);
    const proxy = new Proxy(value, {
      get(target, prop) {
        const got = Reflect.get(target, prop);
        if (typeof prop !== "string") return got;
        const found = lookup(t, ref, prop);
        const label = found ? short(found.owner) + "." + prop : name + "." + prop;
        note(label);
        if (!found) { off(label + " (not in Google's typings)"); return got; }
        const member = found.member;
        if (member.kind === "enum member") return got;
        if (member.kind === "property") return typed(got, member.type);
        if (typeof got !== "function") return got; // a member the stand-in lacks: the script fails as it would
        if (member.kind === "index") return (...args) => got.apply(target, args.map(unwrap));
        return (...args) => {
          const overload = member.overloads.find((o) => args.length >= o.min && args.length <= o.max);
          if (!overload) off(`${label} with ${args.length} argument(s) (Google's typings: ${member.overloads.map((o) => (o.min === o.max ? o.min : o.min + "–" + o.max)).join(", ")})`);
          if (overload && overload.deprecated) off(label + " (deprecated in Google's typings)");
          const result = got.apply(target, args.map(unwrap));
          return typed(result, (overload || member.overloads[0]).returns);
        };
      },
    });
    targets.set(proxy, value);
    return proxy;
  }

  // A global under the type the typings declare for it (unchanged if they declare none).
  function global(name, value) {
    return Object.prototype.hasOwnProperty.call(t.globals, name) ? typed(value, t.globals[name]) : value;
  }

  return { typed, global, unwrap };
}

module.exports = { table, recorder, short };

if (require.main === module) process.stdout.write(JSON.stringify(table()));
