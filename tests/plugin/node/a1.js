/* A1 addresses for the stand-ins: column letters (1-based numbers) and back. */
"use strict";

function columnNumber(letters) {
  return letters.toUpperCase().split("").reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
}

function columnLetters(n) {
  let s = "";
  while (n > 0) { const r = (n - 1) % 26; s = String.fromCharCode(65 + r) + s; n = Math.floor((n - 1) / 26); }
  return s;
}

module.exports = { columnNumber, columnLetters };
