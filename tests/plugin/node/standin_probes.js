/*
 * Probes of the Excel stand-in itself: each does one thing Excel is documented to refuse or defer, and
 * reports what happened ({ok} or {code, message}). test_excel_standin.py holds the answers to Excel's.
 *
 *   node standin_probes.js            prints {probe: outcome}
 */
"use strict";
const { excel } = require("./excel_standin");

const BOOK = {
  sheets: [
    { name: "Meldung", values: [["Gemeinde", "Aldingen"], ["Personen", 44]], unlocked: ["B2"],
      protection: { protected: true, options: { allowInsertRows: true } } },
    { name: "Offen", values: [["a"]] },
  ],
  names: [], tables: [],
};

async function outcome(fn) {
  try {
    const value = await fn();
    return { ok: value === undefined ? true : value };
  } catch (error) {
    return { code: error.code || error.name, message: error.message };
  }
}

function sheetOf(context, name) {
  const sheets = context.workbook.worksheets;
  sheets.load("items/name");
  return context.sync().then(() => sheets.items.find((s) => s.name === name));
}

const probes = {
  // A write is not there before context.sync(), and is there after it.
  write_waits_for_sync: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Offen");
    sheet.getRange("A1").values = [["b"]];
    const before = h.host.sheetByName("Offen").get(0, 0);
    await context.sync();
    return [before, h.host.sheetByName("Offen").get(0, 0)];
  }),
  unloaded_property: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Offen");
    return sheet.getRange("A1").values;
  }),
  fill_on_protected_sheet: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Meldung");
    sheet.getRange("B2").format.fill.color = "#FFC7CE";
    await context.sync();
  }),
  fill_after_unprotect: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Meldung");
    sheet.protection.unprotect();
    sheet.getRange("B2").format.fill.color = "#FFC7CE";
    sheet.protection.protect({ allowInsertRows: true });
    await context.sync();
    return h.host.sheetByName("Meldung").fills.B2;
  }),
  value_into_unlocked_cell: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Meldung");
    sheet.getRange("B2").values = [[45]];
    await context.sync();
  }),
  value_into_locked_cell: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Meldung");
    sheet.getRange("B1").values = [["Balgheim"]];
    await context.sync();
  }),
  note_on_protected_sheet: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Meldung");
    sheet.notes.add("B2", "Hinweis");
    await context.sync();
  }),
  second_note_on_a_cell: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Offen");
    sheet.notes.add("A1", "eins");
    await context.sync();
    sheet.notes.add("A1", "zwei");
    await context.sync();
  }),
  notes_on_excel_2024: async () => {
    const old = excel(BOOK, { excelApi: "1.17" });
    return old.run(async (context) => {
      const sheet = await sheetOf(context, "Offen");
      sheet.notes.add("A1", "Hinweis");
      await context.sync();
    });
  },
  batch_stops_at_the_first_failure: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Offen");
    const locked = await sheetOf(context, "Meldung");
    sheet.getRange("A1").values = [["vorher"]];
    locked.getRange("B1").values = [["x"]];
    sheet.getRange("A2").values = [["nachher"]];
    try { await context.sync(); } catch (error) { /* reported below */ }
    return [h.host.sheetByName("Offen").get(0, 0), h.host.sheetByName("Offen").get(1, 0)];
  }),
  protect_a_protected_sheet: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Meldung");
    sheet.protection.protect();
    await context.sync();
  }),
  member_not_in_the_typings: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Offen");
    sheet.getRange("A1").setNote("x");
  }),
  assign_a_read_only_property: async (h) => h.run(async (context) => {
    const sheet = await sheetOf(context, "Meldung");
    sheet.protection.protected = false;
  }),
  // Range.select() takes effect at sync: the range's sheet becomes the active one, the selection is recorded.
  select_takes_effect_at_sync: async (h) => h.run(async (context) => {
    context.workbook.worksheets.getItem("Offen").getRange("A2:B3").select();
    const before = h.host.selection;
    await context.sync();
    return [before, h.host.selection, h.host.active.name];
  }),
  select_a_locked_cell_of_a_protected_sheet: async (h) => h.run(async (context) => {
    context.workbook.worksheets.getItem("Meldung").getRange("B1").select();
    await context.sync();
    return h.host.selection;
  }),
  select_on_the_oldest_excel: async () => {
    const old = excel(BOOK, { excelApi: "1.7" });
    return old.run(async (context) => {
      context.workbook.worksheets.getItem("meldung").getRange("B2").select(); // sheet names: any case
      await context.sync();
      return old.host.selection;
    });
  },
  // What selecting a finding's cell uses, as the stand-in recorded it (member and the typings' requirement).
  members_of_a_selection: async (h) => h.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem("Offen");
    sheet.activate();
    sheet.getRange("A1").select();
    await context.sync();
    return h.usedMembers().filter((u) => /^Excel\.(Range\.select|Worksheet\.activate|WorksheetCollection\.getItem)$/.test(u.member));
  }),
  get_item_of_a_missing_sheet: async (h) => h.run(async (context) => {
    context.workbook.worksheets.getItem("Gibt es nicht").activate();
    await context.sync();
  }),
  requirement_sets_answered_by_level: async () => {
    const old = excel(BOOK, { excelApi: "1.17" });
    const req = old.Office.context.requirements;
    return [req.isSetSupported("ExcelApi", "1.17"), req.isSetSupported("ExcelApi", "1.18"), req.isSetSupported("ExcelApi", "1.7")];
  },
};

(async () => {
  const results = {};
  for (const [name, probe] of Object.entries(probes)) results[name] = await outcome(() => probe(excel(BOOK)));
  process.stdout.write(JSON.stringify(results));
})();
