/*
 * A stand-in for Excel's JavaScript API (Office.js), held to Microsoft's published typings.
 *
 * What makes it fail where Excel fails:
 *  - Every object is a proxy of its typings class (officejs_typings.js): a member the typings do
 *    not have is a TypeError, a read-only property cannot be set, and each use is recorded with
 *    the requirement set the typings give it.
 *  - The host plays one API level (e.g. ExcelApi 1.17 for Excel 2024, 1.7 for the oldest build the
 *    manifest admits): Office.js itself comes from Microsoft's CDN, so newer members are there in
 *    JavaScript, but Excel rejects them at context.sync() with ApiNotFound, as a real older build does.
 *  - Writes are queued and take effect only at context.sync(), in order; the first failing one ends
 *    the batch (the ones before it stay, as in Excel). Properties can be read only after load() and
 *    sync() (PropertyNotLoaded otherwise) and show the state as of that sync.
 *  - Protected sheets: formats and notes need the protection's allowFormatCells / allowEditObjects,
 *    values go only into unlocked cells (AccessDenied otherwise); protecting a protected sheet is an
 *    InvalidOperation; a second note on a cell is an InvalidArgument.
 *
 *  - Number formats, formulas and hyperlinks are kept per cell (A1 address) and cleared as
 *    Range.clear() says: "Contents" clears values and formulas, "Formats" formats and fills,
 *    "Hyperlinks" the links, "All" everything. A hyperlink object may carry only the members of
 *    Excel.RangeHyperlink; with a text to display the cell shows that text, without one it keeps its
 *    value (the address where it is empty); a protected sheet takes one only if the protection allows
 *    inserting hyperlinks.
 *  - It does not calculate: a cell given a formula keeps the value written before it (the Pakt server
 *    writes the value it computed, then the formula).
 *  - Selection: Range.select() takes effect at sync, makes the range's sheet the active one and is
 *    recorded (host.selection, host.selections: {sheet, address}); WorksheetCollection.getItem of a
 *    sheet that is not there fails the batch with ItemNotFound, as Excel's does.
 *
 * A workbook is given as {sheets: [{name, values, protection?, unlocked?, formats?, formulas?, links?}],
 * names: [{name, sheet, address}], tables: [{name, sheet, ref}]}; formats, formulas and links by A1 address.
 */
"use strict";

const typings = require("./officejs_typings");
const { columnNumber, columnLetters } = require("./a1");

class OfficeError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "RichApi.Error";
    this.code = code;
    this.debugInfo = { code, message };
  }
}

const a1 = (row, col) => columnLetters(col + 1) + (row + 1);
function parseRef(ref) {
  const [first, last] = ref.replace(/\$/g, "").split("!").pop().split(":");
  const cell = (c) => { const m = /^([A-Z]+)(\d+)$/i.exec(c); return [parseInt(m[2], 10) - 1, columnNumber(m[1]) - 1]; };
  const [r1, c1] = cell(first);
  const [r2, c2] = last ? cell(last) : [r1, c1];
  return { row: r1, col: c1, rows: r2 - r1 + 1, cols: c2 - c1 + 1 };
}
const quoted = (sheet) => (/^[A-Za-z_][\w.]*$/.test(sheet) ? sheet : "'" + sheet.replace(/'/g, "''") + "'");

const PROTECTION_DEFAULTS = {
  allowAutoFilter: false, allowDeleteColumns: false, allowDeleteRows: false, allowEditObjects: false,
  allowEditScenarios: false, allowFormatCells: false, allowFormatColumns: false, allowFormatRows: false,
  allowInsertColumns: false, allowInsertHyperlinks: false, allowInsertRows: false, allowPivotTables: false,
  allowSort: false, selectionMode: "Normal",
};

// ---------------------------------------------------------------- the workbook itself

class SheetModel {
  constructor(spec) {
    this.name = spec.name;
    this.values = (spec.values || [[]]).map((r) => r.slice());
    this.fills = {};
    this.notes = {};
    this.formats = { ...(spec.formats || {}) };
    this.formulas = { ...(spec.formulas || {}) };
    this.links = { ...(spec.links || {}) };
    this.visibility = "Visible";
    const p = spec.protection || {};
    this.protection = { protected: Boolean(p.protected), options: { ...PROTECTION_DEFAULTS, ...(p.options || {}) }, password: p.password || null };
    this.unlocked = (spec.unlocked || []).map(parseRef);
  }
  get(r, c) { const row = this.values[r]; return row && row[c] !== undefined && row[c] !== null ? row[c] : ""; }
  set(r, c, v) { while (this.values.length <= r) this.values.push([]); const row = this.values[r]; while (row.length <= c) row.push(""); row[c] = v; }
  isLocked(r, c) { return !this.unlocked.some((u) => r >= u.row && r < u.row + u.rows && c >= u.col && c < u.col + u.cols); }
  guard(what, allowed) {
    if (this.protection.protected && !allowed) {
      throw new OfficeError("AccessDenied", `${what} on the protected sheet '${this.name}' is not allowed.`);
    }
  }
}

// ---------------------------------------------------------------- host, context, typed proxies

class Host {
  constructor(workbook, options = {}) {
    this.level = options.excelApi || typings.newestExcelApi();
    this.online = Boolean(options.online);
    this.culture = options.culture || { name: "de-DE", shortDatePattern: "dd.MM.yyyy", contentLanguage: "de-DE" };
    this.sheets = workbook.sheets.map((s) => new SheetModel(s));
    this.names = workbook.names || [];
    this.tables = workbook.tables || [];
    this.active = this.sheets[0];
    this.selection = null;
    this.selections = [];
    this.used = new Map();
    this.syncs = 0;
  }

  supports(set, version) {
    const v = version || "1.1";
    if (set === "ExcelApi") return typings.compareVersions(v, this.level) <= 0;
    if (set === "ExcelApiOnline") return this.online;
    if (set === "SharedRuntime") return typings.compareVersions(v, "1.1") <= 0;
    if (set === "CustomFunctionsRuntime") return typings.compareVersions(v, "1.4") <= 0;
    return false;
  }

  available(requirement) { return !requirement || !requirement.version || this.supports(requirement.set, requirement.version); }

  record(namespace, cls, member, requirement) {
    const key = `${namespace}.${cls}.${member}`;
    if (!this.used.has(key)) this.used.set(key, requirement || null);
  }

  sheetByName(name) { return this.sheets.find((s) => s.name === name); }

  run(batch) { return Promise.resolve().then(() => batch(new Context(this).typed)); }

  state() {
    return this.sheets.map((s) => ({
      name: s.name, values: s.values, fills: s.fills, notes: s.notes, protection: s.protection,
      formats: s.formats, formulas: s.formulas, links: s.links,
    }));
  }

  usedMembers() { return [...this.used.entries()].map(([member, requirement]) => ({ member, requirement })); }
}

class Context {
  constructor(host) {
    this.host = host;
    this.queue = [];
    this.typed = typed(this, "Excel", "RequestContext", new RequestContextImpl(this));
  }
  add(op) { this.queue.push(op); }
  async sync() {
    const ops = this.queue;
    this.queue = [];
    this.host.syncs += 1;
    for (const op of ops) op(); // the first throw ends the batch; what ran before it stays
  }
  make(cls, impl) { return typed(this, "Excel", cls, impl); }
}

function unavailable(context, what) {
  // A member of a newer API set: present in the CDN's Office.js, refused by this Excel at sync.
  const fail = () => { throw new OfficeError("ApiNotFound", `The requested API ${what} could not be found (this Excel does not have it).`); };
  const dead = new Proxy(function () {}, {
    get: (t, prop) => (prop === "then" ? undefined : dead),
    set: () => { context.add(fail); return true; },
    apply: () => { context.add(fail); return dead; },
  });
  return dead;
}

function typed(context, namespace, cls, impl) {
  const host = context.host;
  if (!typings.load().namespaces[namespace][cls]) throw new Error(`stand-in: no typings for ${namespace}.${cls}`);
  const lookup = (prop) => {
    const hit = typings.memberOf(namespace, cls, prop);
    if (!hit) throw new TypeError(`${namespace}.${cls}.${String(prop)} is not in Microsoft's Office.js typings`);
    const member = hit.member;
    const requirement = typings.requirementOf(namespace, cls, prop);
    host.record(namespace, cls, prop, requirement);
    return { member, requirement };
  };
  return new Proxy(impl, {
    get(target, prop) {
      if (typeof prop === "symbol" || prop === "then" || String(prop).startsWith("_")) return target[prop];
      const { member, requirement } = lookup(prop);
      if (!host.available(requirement)) {
        const what = `${namespace}.${cls}.${prop}`;
        if (member.kind === "method") return () => unavailable(context, what)();
        return unavailable(context, what);
      }
      if (!(prop in target)) throw new Error(`stand-in: ${namespace}.${cls}.${prop} is in the typings but not implemented here`);
      const value = target[prop];
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(target, prop, value) {
      if (String(prop).startsWith("_")) { target[prop] = value; return true; }
      const { member, requirement } = lookup(prop);
      if (member.readonly) throw new TypeError(`Cannot assign to read only property '${prop}' of ${namespace}.${cls}`);
      if (!host.available(requirement)) { unavailable(context, `${namespace}.${cls}.${prop}`).x = value; return true; }
      target[prop] = value;
      return true;
    },
  });
}

// Loadable objects: load() queues a snapshot; reading a scalar needs that snapshot.
class Loadable {
  constructor(context) { this._context = context; this._loaded = {}; this._nullable = false; }
  load(names) {
    const list = typeof names === "string" ? names.split(",").map((n) => n.trim()).filter(Boolean) : Array.isArray(names) ? names : [];
    this._context.add(() => this._snapshot(list));
    return this._context.make(this._cls, this);
  }
  _snapshot(list) {
    if (this._nullable) this._loaded.isNullObject = this._isNull();
    if (this._nullable && this._loaded.isNullObject) return;
    for (const name of list.length ? list : this._scalars) this._loaded[name] = this._read(name);
  }
  _value(name) {
    if (!(name in this._loaded)) throw new OfficeError("PropertyNotLoaded", `The property '${name}' is not available. Before reading the property's value, call the load method on the containing object and call "context.sync()" on the associated request context.`);
    return this._loaded[name];
  }
  _asNullable() {
    this._nullable = true;
    this._context.add(() => { this._loaded.isNullObject = this._isNull(); });
    return this;
  }
  get isNullObject() { return this._value("isNullObject"); }
  toJSON() { return this._loaded; }
}

class RequestContextImpl {
  constructor(context) {
    this._context = context;
    this.workbook = context.make("Workbook", new WorkbookImpl(context));
    this.application = context.make("Application", new ApplicationImpl(context));
  }
  sync() { return this._context.sync(); }
}

class ApplicationImpl {
  constructor(context) {
    const culture = new CultureInfoImpl(context);
    this.cultureInfo = context.make("CultureInfo", culture);
  }
}

class CultureInfoImpl extends Loadable {
  constructor(context) {
    super(context);
    this._cls = "CultureInfo";
    this._scalars = ["name"];
    this.datetimeFormat = context.make("DatetimeFormatInfo", new DatetimeFormatImpl(context));
  }
  _read(name) { if (name === "name") return this._context.host.culture.name; throw new Error("stand-in: CultureInfo." + name); }
  get name() { return this._value("name"); }
}

class DatetimeFormatImpl extends Loadable {
  constructor(context) { super(context); this._cls = "DatetimeFormatInfo"; this._scalars = ["shortDatePattern"]; }
  _read(name) { if (name === "shortDatePattern") return this._context.host.culture.shortDatePattern; throw new Error("stand-in: DatetimeFormatInfo." + name); }
  get shortDatePattern() { return this._value("shortDatePattern"); }
}

class WorkbookImpl {
  constructor(context) {
    this.worksheets = context.make("WorksheetCollection", new WorksheetCollectionImpl(context));
    this.names = context.make("NamedItemCollection", new CollectionImpl(context, "NamedItemCollection", () =>
      context.host.names.map((n) => context.make("NamedItem", new NamedItemImpl(context, n)))));
    this.tables = context.make("TableCollection", new CollectionImpl(context, "TableCollection", () =>
      context.host.tables.map((t) => context.make("Table", new TableImpl(context, t)))));
  }
}

class CollectionImpl extends Loadable {
  constructor(context, cls, make) { super(context); this._cls = cls; this._make = make; this._scalars = ["items"]; }
  load(names) {
    const wanted = typeof names === "string" ? names.split(",").map((n) => n.trim()) : [];
    const itemProps = wanted.filter((n) => n.startsWith("items/")).map((n) => n.slice(6));
    this._context.add(() => {
      const items = this._make();
      items.forEach((item) => item._snapshot(itemProps));
      this._loaded.items = items;
    });
    return this._context.make(this._cls, this);
  }
  get items() { return this._value("items"); }
}

class WorksheetCollectionImpl extends CollectionImpl {
  constructor(context) {
    super(context, "WorksheetCollection", () => context.host.sheets.map((m) => this._sheet(m)));
  }
  _sheet(model) { return this._context.make("Worksheet", new WorksheetImpl(this._context, model)); }
  getActiveWorksheet() { return this._sheet(this._context.host.active); }
  getItem(key) {
    const host = this._context.host;
    const wanted = String(key).toLowerCase(); // Excel's sheet names differ in more than case
    const model = host.sheets.find((s) => s.name.toLowerCase() === wanted);
    if (model) return this._sheet(model);
    this._context.add(() => { throw new OfficeError("ItemNotFound", `The requested resource '${key}' doesn't exist.`); });
    return this._sheet(new SheetModel({ name: String(key), values: [[]] }));
  }
  add(name) {
    const model = new SheetModel({ name, values: [[]] });
    this._context.add(() => {
      if (this._context.host.sheetByName(name)) throw new OfficeError("ItemAlreadyExists", `A sheet named '${name}' already exists.`);
      this._context.host.sheets.push(model);
    });
    return this._sheet(model);
  }
}

class WorksheetImpl extends Loadable {
  constructor(context, model) {
    super(context);
    this._cls = "Worksheet";
    this._model = model;
    this._scalars = ["name", "position", "visibility"];
    this.protection = context.make("WorksheetProtection", new ProtectionImpl(context, model));
    this.notes = context.make("NoteCollection", new NoteCollectionImpl(context, model));
  }
  _read(name) {
    if (name === "name") return this._model.name;
    if (name === "position") return this._context.host.sheets.indexOf(this._model);
    if (name === "visibility") return this._model.visibility;
    throw new Error("stand-in: Worksheet." + name);
  }
  get name() { return this._value("name"); }
  get position() { return this._value("position"); }
  set position(index) {
    this._context.add(() => {
      const list = this._context.host.sheets;
      list.splice(list.indexOf(this._model), 1);
      list.splice(index, 0, this._model);
    });
  }
  get visibility() { return this._value("visibility"); }
  activate() { this._context.add(() => { this._context.host.active = this._model; }); }
  getRange(ref) {
    if (!ref) return this._range(() => this._whole());
    const p = parseRef(ref);
    return this._range(() => p);
  }
  getRangeByIndexes(row, col, rows, cols) { return this._range(() => ({ row, col, rows, cols })); }
  getUsedRangeOrNullObject(valuesOnly) {
    const model = this._model;
    const impl = new RangeImpl(this._context, model, () => {
      let top = -1, left = Infinity, bottom = -1, right = -1;
      model.values.forEach((row, r) => row.forEach((v, c) => {
        if (v !== "" && v !== null) { if (top < 0) top = r; bottom = r; left = Math.min(left, c); right = Math.max(right, c); }
      }));
      return top < 0 ? null : { row: top, col: left, rows: bottom - top + 1, cols: right - left + 1 };
    });
    return this._context.make("Range", impl._asNullable());
  }
  _range(where) { return this._context.make("Range", new RangeImpl(this._context, this._model, where)); }
  // The whole sheet, as far as anything is in it (values, fills, formats, formulas, links).
  _whole() {
    const m = this._model;
    let rows = Math.max(m.values.length, 1);
    let cols = Math.max(1, ...m.values.map((r) => r.length));
    for (const key of [m.fills, m.formats, m.formulas, m.links].flatMap(Object.keys)) {
      const p = parseRef(key);
      rows = Math.max(rows, p.row + 1);
      cols = Math.max(cols, p.col + 1);
    }
    return { row: 0, col: 0, rows, cols };
  }
}

class ProtectionImpl extends Loadable {
  constructor(context, model) { super(context); this._cls = "WorksheetProtection"; this._model = model; this._scalars = ["protected", "options"]; }
  _read(name) {
    if (name === "protected") return this._model.protection.protected;
    if (name === "options") return { ...this._model.protection.options };
    throw new Error("stand-in: WorksheetProtection." + name);
  }
  get protected() { return this._value("protected"); }
  get options() { return this._value("options"); }
  protect(options, password) {
    this._context.add(() => {
      if (this._model.protection.protected) throw new OfficeError("InvalidOperation", `The sheet '${this._model.name}' is already protected.`);
      this._model.protection = { protected: true, options: { ...PROTECTION_DEFAULTS, ...(options || {}) }, password: password || null };
    });
  }
  unprotect(password) {
    this._context.add(() => {
      const p = this._model.protection;
      if (p.protected && p.password && p.password !== password) throw new OfficeError("InvalidArgument", "The password is incorrect.");
      p.protected = false;
    });
  }
}

class NoteCollectionImpl {
  constructor(context, model) { this._context = context; this._model = model; }
  add(cellAddress, content) {
    const key = String(cellAddress).split("!").pop().replace(/\$/g, "");
    this._context.add(() => {
      this._model.guard("Adding a note", this._model.protection.options.allowEditObjects);
      if (key in this._model.notes) throw new OfficeError("InvalidArgument", `The cell ${key} already has a note.`);
      this._model.notes[key] = content;
    });
    return this._context.make("Note", new NoteImpl(this._context, this._model, key));
  }
  getItemOrNullObject(key) {
    return this._context.make("Note", new NoteImpl(this._context, this._model, String(key).split("!").pop().replace(/\$/g, ""))._asNullable());
  }
}

class NoteImpl extends Loadable {
  constructor(context, model, key) { super(context); this._cls = "Note"; this._model = model; this._key = key; this._scalars = ["content"]; }
  _isNull() { return !(this._key in this._model.notes); }
  _read(name) { if (name === "content") return this._model.notes[this._key]; throw new Error("stand-in: Note." + name); }
  get content() { return this._value("content"); }
  delete() {
    this._context.add(() => {
      this._model.guard("Deleting a note", this._model.protection.options.allowEditObjects);
      if (!(this._key in this._model.notes)) throw new OfficeError("ItemNotFound", `There is no note at ${this._key}.`);
      delete this._model.notes[this._key];
    });
  }
}

class RangeImpl extends Loadable {
  constructor(context, model, where) {
    super(context);
    this._cls = "Range";
    this._model = model;
    this._where = where;
    this._scalars = ["address", "values", "rowIndex", "columnIndex"];
    const fill = new FillImpl(context, this);
    this.format = context.make("RangeFormat", { fill: context.make("RangeFill", fill) });
  }
  _isNull() { return this._where() === null; }
  _each(fn) {
    const w = this._where();
    for (let r = 0; r < w.rows; r++) for (let c = 0; c < w.cols; c++) fn(w.row + r, w.col + c, r, c);
  }
  _read(name) {
    const w = this._where();
    if (name === "rowIndex") return w.row;
    if (name === "columnIndex") return w.col;
    if (name === "address") {
      const end = w.rows === 1 && w.cols === 1 ? "" : ":" + a1(w.row + w.rows - 1, w.col + w.cols - 1);
      return quoted(this._model.name) + "!" + a1(w.row, w.col) + end;
    }
    if (name === "values") {
      const out = [];
      for (let r = 0; r < w.rows; r++) { const row = []; for (let c = 0; c < w.cols; c++) row.push(this._model.get(w.row + r, w.col + c)); out.push(row); }
      return out;
    }
    throw new Error("stand-in: Range." + name);
  }
  get address() { return this._value("address"); }
  get values() { return this._value("values"); }
  set values(values) {
    this._context.add(() => {
      this._each((r, c, i, j) => {
        if (this._model.protection.protected && this._model.isLocked(r, c)) {
          throw new OfficeError("AccessDenied", `The cell ${a1(r, c)} on the protected sheet '${this._model.name}' is locked.`);
        }
      });
      this._each((r, c, i, j) => { this._model.set(r, c, values[i][j]); delete this._model.formulas[a1(r, c)]; });
    });
  }
  get rowIndex() { return this._value("rowIndex"); }
  get columnIndex() { return this._value("columnIndex"); }
  _lockedCheck(what) {
    const model = this._model;
    this._each((r, c) => {
      if (model.protection.protected && model.isLocked(r, c)) {
        throw new OfficeError("AccessDenied", `${what}: the cell ${a1(r, c)} on the protected sheet '${model.name}' is locked.`);
      }
    });
  }
  set numberFormat(matrix) {
    this._context.add(() => {
      const model = this._model;
      model.guard("Formatting cells", model.protection.options.allowFormatCells);
      this._each((r, c, i, j) => { model.formats[a1(r, c)] = Array.isArray(matrix) ? matrix[i][j] : matrix; });
    });
  }
  get numberFormat() { throw new OfficeError("PropertyNotLoaded", "stand-in: Range.numberFormat is write-only here"); }
  set formulas(matrix) {
    this._context.add(() => {
      this._lockedCheck("Entering a formula");
      this._each((r, c, i, j) => {
        const formula = Array.isArray(matrix) ? matrix[i][j] : matrix;
        if (typeof formula === "string" && formula.startsWith("=")) this._model.formulas[a1(r, c)] = formula;
        else { delete this._model.formulas[a1(r, c)]; this._model.set(r, c, formula); }
      });
    });
  }
  get formulas() { throw new OfficeError("PropertyNotLoaded", "stand-in: Range.formulas is write-only here"); }
  set hyperlink(link) {
    const allowed = typings.load().namespaces.Excel.RangeHyperlink.members;
    for (const key of Object.keys(link || {})) {
      if (!(key in allowed)) throw new TypeError(`Excel.RangeHyperlink has no member '${key}' in Microsoft's typings`);
    }
    this._context.add(() => {
      const model = this._model;
      model.guard("Inserting a hyperlink", model.protection.options.allowInsertHyperlinks);
      const w = this._where();
      const key = a1(w.row, w.col);
      if (link.textToDisplay !== undefined) { model.set(w.row, w.col, link.textToDisplay); delete model.formulas[key]; }
      else if (model.get(w.row, w.col) === "") model.set(w.row, w.col, link.address || link.documentReference || "");
      this._each((r, c) => { model.links[a1(r, c)] = { address: link.address, screenTip: link.screenTip }; });
    });
  }
  get hyperlink() { throw new OfficeError("PropertyNotLoaded", "stand-in: Range.hyperlink is write-only here"); }
  select() {
    this._context.add(() => {
      const host = this._context.host;
      if (!host.sheets.includes(this._model)) throw new OfficeError("ItemNotFound", `The sheet '${this._model.name}' doesn't exist.`);
      const w = this._where();
      const end = w.rows === 1 && w.cols === 1 ? "" : ":" + a1(w.row + w.rows - 1, w.col + w.cols - 1);
      host.active = this._model;
      host.selection = { sheet: this._model.name, address: a1(w.row, w.col) + end };
      host.selections.push(host.selection);
    });
  }
  clear(applyTo) {
    const what = applyTo || "All";
    this._context.add(() => {
      const model = this._model;
      if (what === "All" || what === "Formats") model.guard("Clearing formats", model.protection.options.allowFormatCells);
      if (what === "All" || what === "Contents") this._lockedCheck("Clearing");
      this._each((r, c) => {
        const key = a1(r, c);
        if (what === "All" || what === "Contents") { model.set(r, c, ""); delete model.formulas[key]; }
        if (what === "All" || what === "Formats") { delete model.fills[key]; delete model.formats[key]; }
        if (what === "All" || what === "Hyperlinks" || what === "RemoveHyperlinks") delete model.links[key];
      });
    });
  }
}

class FillImpl {
  constructor(context, range) { this._context = context; this._range = range; }
  set color(value) {
    this._context.add(() => {
      const model = this._range._model;
      model.guard("Formatting cells", model.protection.options.allowFormatCells);
      this._range._each((r, c) => (model.fills[a1(r, c)] = value));
    });
  }
  get color() { throw new OfficeError("PropertyNotLoaded", "stand-in: RangeFill.color is write-only here"); }
  clear() {
    this._context.add(() => {
      const model = this._range._model;
      model.guard("Formatting cells", model.protection.options.allowFormatCells);
      this._range._each((r, c) => delete model.fills[a1(r, c)]);
    });
  }
}

class NamedItemImpl extends Loadable {
  constructor(context, spec) { super(context); this._cls = "NamedItem"; this._spec = spec; this._scalars = ["name", "type", "visible"]; }
  _read(name) {
    if (name === "name") return this._spec.name;
    if (name === "type") return "Range";
    if (name === "visible") return true;
    throw new Error("stand-in: NamedItem." + name);
  }
  get name() { return this._value("name"); }
  get type() { return this._value("type"); }
  get visible() { return this._value("visible"); }
  getRangeOrNullObject() {
    const host = this._context.host;
    const model = host.sheetByName(this._spec.sheet);
    const p = parseRef(this._spec.address);
    return this._context.make("Range", new RangeImpl(this._context, model, () => (model && host.sheets.includes(model) ? p : null))._asNullable());
  }
}

class TableImpl extends Loadable {
  constructor(context, spec) {
    super(context);
    this._cls = "Table";
    this._spec = spec;
    this._scalars = ["name", "showHeaders", "showTotals"];
    this._model = context.host.sheetByName(spec.sheet);
    this.worksheet = context.make("Worksheet", new WorksheetImpl(context, this._model));
  }
  _read(name) {
    if (name === "name") return this._spec.name;
    if (name === "showHeaders") return true;
    if (name === "showTotals") return false;
    throw new Error("stand-in: Table." + name);
  }
  get name() { return this._value("name"); }
  get showHeaders() { return this._value("showHeaders"); }
  get showTotals() { return this._value("showTotals"); }
  _part(shift) {
    const p = parseRef(this._spec.ref);
    return this._context.make("Range", new RangeImpl(this._context, this._model, () => shift(p)));
  }
  getRange() { return this._part((p) => p); }
  getHeaderRowRange() { return this._part((p) => ({ ...p, rows: 1 })); }
  getDataBodyRange() { return this._part((p) => ({ ...p, row: p.row + 1, rows: p.rows - 1 })); }
}

// ---------------------------------------------------------------- the globals an add-in sees

function officeGlobals(host) {
  const context = { host, add: () => {}, make: () => null };
  const requirements = typed(context, "Office", "RequirementSetSupport", { isSetSupported: (set, version) => host.supports(set, version) });
  const officeContext = typed(context, "Office", "Context", { requirements, contentLanguage: host.culture.contentLanguage, displayLanguage: host.culture.contentLanguage });
  const office = typed(context, "Office", typings.NAMESPACE_MEMBERS, {
    context: officeContext,
    onReady: (callback) => Promise.resolve({ host: "Excel", platform: "PC" }).then((info) => (callback ? callback(info) : info)),
  });
  const excel = typed(context, "Excel", typings.NAMESPACE_MEMBERS, { run: (batch) => host.run(batch) });
  return { Office: office, Excel: excel };
}

function excel(workbook, options) {
  const host = new Host(workbook, options);
  const globals = officeGlobals(host);
  return {
    host,
    Office: globals.Office,
    Excel: globals.Excel,
    run: (batch) => globals.Excel.run(batch),
    state: () => host.state(),
    usedMembers: () => host.usedMembers(),
  };
}

module.exports = { excel, OfficeError, typed };
