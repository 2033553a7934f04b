/*
 * A stand-in for the Excel JavaScript API (Office.js), enough for Pakt's task pane:
 * worksheets, used ranges, ranges by index, fills, notes, defined names and tables.
 * Like Office, a proxy's properties can only be read after load() and context.sync().
 * It holds a workbook given as {sheets: [{name, values}], names: [{name, sheet, address}],
 * tables: [{name, sheet, ref}]} and records what the task pane changes.
 */
"use strict";

const { columnNumber, columnLetters } = require("./a1");
function a1(row, col) { return columnLetters(col + 1) + (row + 1); }
function parse(ref) {
  const [first, last] = ref.split(":");
  const p = (c) => { const m = /^([A-Z]+)(\d+)$/.exec(c); return [parseInt(m[2], 10) - 1, columnNumber(m[1]) - 1]; };
  const [r1, c1] = p(first);
  const [r2, c2] = last ? p(last) : [r1, c1];
  return { row: r1, col: c1, rows: r2 - r1 + 1, cols: c2 - c1 + 1 };
}
function quoted(sheet) { return /^[A-Za-z_][\w.]*$/.test(sheet) ? sheet : "'" + sheet.replace(/'/g, "''") + "'"; }

class Context {
  constructor(book) { this.book = book; this.pending = []; this.workbook = new WorkbookProxy(this); }
  track(proxy) { this.pending.push(proxy); }
  async sync() { this.pending.forEach((p) => (p._synced = true)); this.pending = []; }
}

class Proxy {
  constructor(context) { this.context = context; this._synced = false; }
  load() { this.context.track(this); return this; }
  need(what) { if (!this._synced) throw new Error("PropertyNotLoaded: " + what + " (load + sync first)"); }
}

class RangeProxy extends Proxy {
  constructor(context, sheet, row, col, rows, cols) {
    super(context); Object.assign(this, { sheet, row, col, rows, cols });
    const self = this;
    this.format = { fill: {
      set color(value) { self.each((r, c) => (self.sheet.fills[a1(r, c)] = value)); },
      clear() { self.each((r, c) => delete self.sheet.fills[a1(r, c)]); },
    } };
  }
  each(fn) { for (let r = 0; r < this.rows; r++) for (let c = 0; c < this.cols; c++) fn(this.row + r, this.col + c, r, c); }
  get address() {
    this.need("address");
    const end = this.rows === 1 && this.cols === 1 ? "" : ":" + a1(this.row + this.rows - 1, this.col + this.cols - 1);
    return quoted(this.sheet.name) + "!" + a1(this.row, this.col) + end;
  }
  get values() {
    this.need("values");
    const out = [];
    for (let r = 0; r < this.rows; r++) { const row = []; for (let c = 0; c < this.cols; c++) row.push(this.sheet.get(this.row + r, this.col + c)); out.push(row); }
    return out;
  }
  set values(values) { this.each((r, c, i, j) => this.sheet.set(r, c, values[i][j])); }
  get rowIndex() { this.need("rowIndex"); return this.row; }
  get columnIndex() { this.need("columnIndex"); return this.col; }
  clear() { this.each((r, c) => { this.sheet.set(r, c, ""); delete this.sheet.fills[a1(r, c)]; }); }
}

class NullRange extends Proxy { get isNullObject() { this.need("isNullObject"); return true; } }

class NoteProxy extends Proxy {
  constructor(context, sheet, address) { super(context); this.sheet = sheet; this.key = address.split("!").pop(); }
  get isNullObject() { this.need("isNullObject"); return !(this.key in this.sheet.notes); }
  delete() { delete this.sheet.notes[this.key]; }
}

class SheetModel {
  constructor(name, values) { this.name = name; this.values = values.map((r) => r.slice()); this.fills = {}; this.notes = {}; this.visibility = "Visible"; }
  get(r, c) { const row = this.values[r]; return row && row[c] !== undefined ? row[c] : ""; }
  set(r, c, v) { while (this.values.length <= r) this.values.push([]); const row = this.values[r]; while (row.length <= c) row.push(""); row[c] = v; }
}

class SheetProxy extends Proxy {
  constructor(context, model) {
    super(context); this.model = model; this._synced = true;
    this.notes = {
      add: (address, text) => {
        const key = address.split("!").pop();
        if (key in model.notes) throw new Error("InvalidArgument: the cell already has a note");
        model.notes[key] = text;
      },
      getItemOrNullObject: (address) => new NoteProxy(context, model, address),
    };
  }
  get name() { return this.model.name; }
  get visibility() { return this.model.visibility; }
  get position() { return this.context.book.sheets.indexOf(this.model); }
  set position(index) { const list = this.context.book.sheets; list.splice(list.indexOf(this.model), 1); list.splice(index, 0, this.model); }
  getUsedRangeOrNullObject() {
    const rows = this.model.values;
    let top = -1, left = Infinity, bottom = -1, right = -1;
    rows.forEach((row, r) => row.forEach((v, c) => { if (v !== "" && v !== null) { if (top < 0) top = r; bottom = r; left = Math.min(left, c); right = Math.max(right, c); } }));
    if (top < 0) return new NullRange(this.context);
    const range = new RangeProxy(this.context, this.model, top, left, bottom - top + 1, right - left + 1);
    Object.defineProperty(range, "isNullObject", { get: () => false });
    return range;
  }
  getRangeByIndexes(r, c, rows, cols) { return new RangeProxy(this.context, this.model, r, c, rows, cols); }
  getRange(ref) {
    if (!ref) return new RangeProxy(this.context, this.model, 0, 0, Math.max(this.model.values.length, 1), Math.max(...this.model.values.map((r) => r.length), 1));
    const p = parse(ref); return new RangeProxy(this.context, this.model, p.row, p.col, p.rows, p.cols);
  }
  activate() { this.context.book.active = this.model; }
}

class Collection extends Proxy {
  constructor(context, make) { super(context); this.make = make; }
  get items() { this.need("items"); return this.make(); }
}

class WorkbookProxy {
  constructor(context) {
    const book = context.book;
    const sheetProxy = (model) => new SheetProxy(context, model);
    const worksheets = new Collection(context, () => book.sheets.map(sheetProxy));
    worksheets.getActiveWorksheet = () => { const p = sheetProxy(book.active || book.sheets[0]); p._synced = false; return p; };
    worksheets.add = (name) => { const model = new SheetModel(name, [[]]); book.sheets.push(model); return sheetProxy(model); };
    this.worksheets = worksheets;
    this.names = new Collection(context, () => book.names.map((n) => ({
      name: n.name, type: "Range", visible: true,
      getRangeOrNullObject: () => {
        const model = book.sheets.find((s) => s.name === n.sheet);
        const p = parse(n.address);
        const range = new RangeProxy(context, model, p.row, p.col, p.rows, p.cols);
        Object.defineProperty(range, "isNullObject", { get: () => false });
        return range;
      },
    })));
    this.tables = new Collection(context, () => book.tables.map((t) => {
      const model = book.sheets.find((s) => s.name === t.sheet);
      const p = parse(t.ref);
      return {
        name: t.name, showHeaders: true, showTotals: false,
        worksheet: sheetProxy(model),
        getRange: () => new RangeProxy(context, model, p.row, p.col, p.rows, p.cols),
        getHeaderRowRange: () => new RangeProxy(context, model, p.row, p.col, 1, p.cols),
        getDataBodyRange: () => new RangeProxy(context, model, p.row + 1, p.col, p.rows - 1, p.cols),
      };
    }));
  }
}

function excel(workbook) {
  const book = {
    sheets: workbook.sheets.map((s) => new SheetModel(s.name, s.values)),
    names: workbook.names, tables: workbook.tables, active: null,
  };
  return {
    book,
    run: async (callback) => callback(new Context(book)),
    state: () => book.sheets.map((s) => ({ name: s.name, values: s.values, fills: s.fills, notes: s.notes })),
  };
}

module.exports = { excel };
