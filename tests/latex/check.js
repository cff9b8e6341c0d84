// Reads LaTeX documents separated by lines of "%%%" on stdin; renders each with KaTeX in display mode
// (throwOnError); prints "ok" or "error: <message>" per document, one line each.
const katex = require("katex");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  for (const doc of input.split(/^%%%$/m).map((s) => s.trim()).filter((s) => s.length > 0)) {
    try {
      katex.renderToString(doc, { displayMode: true, throwOnError: true, strict: "error" });
      console.log("ok");
    } catch (e) {
      console.log("error: " + String(e.message).replace(/\n/g, " "));
    }
  }
});
