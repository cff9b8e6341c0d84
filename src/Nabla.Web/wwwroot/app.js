// Nabla's page: type an expression, see its variables and their types, read the derivative.
// Talks to the server's JSON API only: /api/check-expr (types and errors as you type),
// /api/derive (the JSON Lines protocol's objects) and /api/check (finite differences).
// The state lives in the URL's query, so a result can be shared as a link.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const { renderMath, renderSteps, copy } = window.NablaUi;
  const TYPES = ["scalar", "vector", "matrix", "symmetric", "scalar positive", "vector positive", "spd", "psd"];
  const KIND_NAMES = { gradient: "gradient", jacobian: "Jacobian", hessian: "Hessian" };
  // How many sizes each type takes: vector(n), matrix(m,n), symmetric(n), spd(n), psd(n); a scalar none.
  const SIZES = { scalar: 0, vector: 1, matrix: 2, symmetric: 1, spd: 1, psd: 1 };

  // "vector(3) positive" -> { base: "vector positive", dims: [3] }; null when it is not a type the page offers.
  function parseType(text) {
    const m = /^\s*(scalar|vector|matrix|symmetric|spd|psd)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(positive)?\s*$/.exec(text || "");
    if (!m) return null;
    const base = m[1] + (m[4] ? " positive" : "");
    if (!TYPES.includes(base)) return null;
    const dims = [m[2], m[3]].filter((d) => d !== undefined).map(Number);
    if (dims.length && dims.length !== SIZES[m[1]]) return null;
    return { base: base, dims: dims };
  }

  // { base: "vector positive", dims: [3] } -> "vector(3) positive"
  function typeText(base, dims) {
    const [kind, positive] = base.split(" ");
    return kind + (dims.length ? "(" + dims.join(",") + ")" : "") + (positive ? " " + positive : "");
  }

  // What the user chose. `pinned` holds only the types the user set; the rest are inferred.
  const state = { expr: "", pinned: {}, wrt: "", kind: "" };
  let variables = [];     // [{name, type, shape, origin}] from /api/check-expr
  let lastRequest = null; // the derive request behind the result shown (for "check numerically" and the code)
  let lastResult = null;  // the result shown, to switch between its factored and expanded forms
  let expanded = false;   // the user asked for the expanded form
  let codeSeq = 0;        // the newest code request; older answers are dropped
  let seq = 0;            // the newest refresh; older answers are dropped
  let timer = 0;

  // ---- URL state -------------------------------------------------------------------------------

  function readUrl() {
    const q = new URLSearchParams(location.search);
    if (q.has("expr")) state.expr = q.get("expr");
    state.wrt = q.get("wrt") || "";
    state.kind = KIND_NAMES[q.get("d")] ? q.get("d") : "";
    state.pinned = {};
    // name:type pairs, separated by ';' (a size such as matrix(3,4) has a comma) or, in older links, by ','
    const pins = q.get("vars") || "";
    for (const pair of pins.includes(";") || /\(\d+,/.test(pins) ? pins.split(";") : pins.split(",")) {
      const at = pair.indexOf(":");
      const name = pair.slice(0, at), type = pair.slice(at + 1);
      if (at > 0 && parseType(type)) state.pinned[name] = type;
    }
    return q.has("expr");
  }

  function writeUrl() {
    const q = new URLSearchParams();
    q.set("expr", state.expr);
    if (state.wrt) q.set("wrt", state.wrt);
    if (state.kind) q.set("d", state.kind);
    const pins = Object.entries(state.pinned).map(([n, t]) => n + ":" + t).join(";");
    if (pins) q.set("vars", pins);
    history.replaceState(null, "", "?" + q.toString());
  }

  // ---- Server calls --------------------------------------------------------------------------

  async function post(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (e) {
      return { ok: false, error: { code: "network", message: "the server cannot be reached (is `nabla serve` running?)" } };
    }
    try {
      return await response.json();
    } catch (e) {
      return { ok: false, error: { code: "http_" + response.status, message: "the server answered " + response.status } };
    }
  }

  // ---- The expression box: the error's span underlined in place ----------------------------------

  function showExprError(error) {
    const mirror = $("expr-mirror");
    const text = state.expr;
    mirror.textContent = "";
    const box = $("expr-box");
    const message = $("expr-error");
    if (!error) {
      box.classList.remove("has-error");
      message.textContent = "";
      $("expr").removeAttribute("aria-invalid");
      return;
    }
    box.classList.add("has-error");
    $("expr").setAttribute("aria-invalid", "true");
    message.textContent = "";
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = error.code.replace(/_/g, " ");
    message.append(code, " ", error.message);
    if (typeof error.start === "number" && typeof error.end === "number") {
      const start = Math.max(0, Math.min(error.start, text.length));
      const end = Math.max(start, Math.min(error.end, text.length));
      const bad = document.createElement("span");
      bad.className = "err";
      bad.textContent = end > start ? text.slice(start, end) : "\u00a0";
      mirror.append(text.slice(0, start), bad, text.slice(end));
    } else {
      mirror.textContent = text;
    }
    syncScroll();
  }

  function syncScroll() {
    $("expr-mirror").scrollLeft = $("expr").scrollLeft;
  }

  // ---- Variables -------------------------------------------------------------------------------

  function renderVariables() {
    const body = $("vars-body");
    body.textContent = "";
    $("vars-empty").hidden = variables.length > 0;
    $("vars").hidden = variables.length === 0;
    for (const v of variables) {
      const row = document.createElement("tr");
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = v.name;
      const typeCell = document.createElement("td");
      const select = document.createElement("select");
      select.id = "type-" + v.name;
      select.setAttribute("aria-label", "type of " + v.name);
      const pinned = parseType(state.pinned[v.name]);
      const shown = pinned ? pinned.base : (parseType(v.type) || { base: v.type }).base;
      for (const t of TYPES) select.add(new Option(t, t, false, t === shown));
      typeCell.append(select);
      // the sizes: "3" for a vector or a square matrix, "3,4" (or 3x4) for a matrix; empty leaves them symbolic
      const sizeCell = document.createElement("td");
      const size = document.createElement("input");
      size.id = "size-" + v.name;
      size.className = "size";
      size.type = "text";
      size.inputMode = "numeric";
      size.setAttribute("aria-label", "size of " + v.name);
      size.value = pinned ? pinned.dims.join(",") : "";
      const repin = () => {
        const kind = select.value.split(" ")[0];
        const dims = size.value.split(/[,x×\s]+/).filter((d) => d !== "").map(Number);
        const valid = dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 100000);
        const want = SIZES[kind];
        size.setCustomValidity(!valid || (dims.length && dims.length !== want && !(kind === "matrix" && dims.length === 1))
          ? (want === 0 ? "a scalar has no size" : want === 1 ? "one size, such as 3" : "two sizes, such as 3,4") : "");
        if (size.validationMessage) { size.reportValidity(); return; }
        const full = kind === "matrix" && dims.length === 1 ? [dims[0], dims[0]] : dims;
        state.pinned[v.name] = typeText(select.value, want === 0 ? [] : full);
        refresh(0);
      };
      size.disabled = SIZES[shown.split(" ")[0]] === 0;
      size.placeholder = SIZES[shown.split(" ")[0]] === 2 ? "m,n" : SIZES[shown.split(" ")[0]] === 1 ? "n" : "";
      size.addEventListener("change", repin);
      size.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); repin(); } });
      select.addEventListener("change", () => {
        // sizes that do not fit the new type are dropped (a vector's one size is not a matrix's two)
        const count = size.value.split(/[,x×\s]+/).filter((d) => d !== "").length;
        const want = SIZES[select.value.split(" ")[0]];
        if (count !== want && !(want === 2 && count === 1)) size.value = "";
        repin();
      });
      sizeCell.append(size);
      const shape = document.createElement("td");
      shape.className = "shape";
      shape.textContent = describeShape(v);
      const origin = document.createElement("td");
      origin.className = "origin";
      origin.textContent = state.pinned[v.name] ? "you" : ({ convention: "naming convention", inferred: "inferred from use", declared: "declared", value: "its value" }[v.origin] || v.origin);
      // differentiate by this variable too: several at once, each its own result
      const wrtCell = document.createElement("td");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = "wrt-" + v.name;
      box.setAttribute("aria-label", "differentiate with respect to " + v.name);
      box.checked = chosenWrts().includes(v.name);
      box.addEventListener("change", () => {
        let list = chosenWrts().filter((n) => n !== v.name);
        if (box.checked) list = variables.map((x) => x.name).filter((n) => n === v.name || list.includes(n));
        if (list.length === 0) { box.checked = true; return; } // at least one
        state.wrt = list.join(",");
        refresh(0);
      });
      wrtCell.append(box);
      row.append(name, typeCell, sizeCell, shape, origin, wrtCell);
      body.append(row);
    }
  }

  function describeShape(v) {
    if (!v.shape) return "—";
    if (v.shape.length === 0) return "1×1";
    if (v.shape.length === 1) return v.shape[0] + "×1";
    return v.shape[0] + "×" + v.shape[1];
  }

  function renderWrtOptions() {
    const select = $("wrt");
    select.textContent = "";
    for (const v of variables) select.add(new Option(v.name, v.name));
    select.value = chosenWrt();
    select.disabled = variables.length === 0;
  }

  // The user's variable if it is still in the expression, else the first vector, else the first.
  function chosenWrt() {
    const mine = chosenWrts(true);
    if (mine.length) return mine[0];
    const vector = variables.find((v) => v.type === "vector");
    return vector ? vector.name : variables.length ? variables[0].name : "";
  }

  // Every variable chosen (state.wrt is a comma-separated list) that is in the expression, in the table's order;
  // the default one when none is.
  function chosenWrts(only) {
    const names = (state.wrt || "").split(",");
    const mine = variables.map((v) => v.name).filter((n) => names.includes(n));
    if (mine.length || only) return mine;
    const one = chosenWrt();
    return one ? [one] : [];
  }

  // ---- Results ---------------------------------------------------------------------------------

  function texName(name) {
    return name.replace(/_/g, "\\_");
  }

  function lhs(kind, wrt) {
    const x = texName(wrt);
    if (kind === "hessian") return "\\nabla^2_{" + x + "} f";
    if (kind === "jacobian") return "\\frac{\\partial f}{\\partial " + x + "}";
    return "\\nabla_{" + x + "} f";
  }

  function clearResult(status) {
    $("result-math").textContent = "";
    $("result-where").textContent = "";
    $("result-where").hidden = true;
    $("kron-row").hidden = true;
    $("result-more").textContent = "";
    $("result-more").hidden = true;
    $("toggle-form").hidden = true;
    $("code-panel").hidden = true;
    lastResult = null;
    $("result-forms").hidden = true;
    $("steps").hidden = true;
    $("result-convexity").hidden = true;
    $("result-status").textContent = status;
    $("result-status").hidden = false;
    $("check-result").textContent = "";
    $("result-card").classList.remove("has-result");
    lastRequest = null;
  }

  // t0 -> t_{0}, T12 -> T_{12}: a binding's name as the LaTeX printer writes it.
  function texBinding(name) {
    const m = /^([A-Za-z]+)(\d+)$/.exec(name);
    return m ? m[1] + "_{" + m[2] + "}" : texName(name);
  }

  // The factored form when the server gave one and it is the shorter (as the CLI prints it), unless the user asked
  // for the expanded one. Its `where` lines are rendered one per line under the result.
  function renderForm(r) {
    const fac = r.factored;
    const useFactored = !!fac && !expanded;
    const where = $("result-where");
    where.textContent = "";
    if (useFactored) {
      const root = fac.latex.split("\\quad\\text{where}\\quad ")[0];
      renderMath($("result-math"), lhs(r.derivative, r.wrt) + " = " + root);
      const label = document.createElement("span");
      label.className = "where-label";
      label.textContent = "where";
      where.append(label);
      for (const b of fac.where) {
        const line = document.createElement("div");
        line.className = "where-line";
        renderMath(line, texBinding(b.name) + " = " + b.latex, true);
        where.append(line);
      }
      where.hidden = false;
      $("result-text").textContent = fac.text;
      $("result-latex").textContent = fac.latex;
    } else {
      renderMath($("result-math"), lhs(r.derivative, r.wrt) + " = " + r.latex);
      where.hidden = true;
      // a result with only an index form (a matrix by a matrix) shows that form as its text
      $("result-text").textContent = r.text || r.index || "";
      $("result-latex").textContent = r.latex;
    }
    // the Kronecker (vec) form, when the engine found one
    $("result-kron").textContent = r.kron || "";
    $("kron-row").hidden = !r.kron;
    const toggle = $("toggle-form");
    toggle.hidden = !fac;
    toggle.textContent = useFactored ? "Show expanded" : "Show factored";
    toggle.setAttribute("aria-pressed", String(!useFactored));
  }

  // The verdict and the certificate's conclusion (its last step); the whole certificate is the line's tooltip.
  function renderConvexity(c) {
    const line = $("result-convexity");
    if (!c) { line.hidden = true; return; }
    const last = c.steps.length ? c.steps[c.steps.length - 1] : "";
    line.textContent = "f is " + c.verdict + " in " + c.wrt + (last ? ": " + last : "") + ".";
    line.title = c.steps.join("\n");
    line.dataset.verdict = c.verdict;
    line.hidden = false;
  }

  // The results for the second and later variables: each its formula and its text, under the first.
  function renderMore(results) {
    const host = $("result-more");
    host.textContent = "";
    for (const r of results) {
      const item = document.createElement("div");
      item.className = "more-item";
      item.dataset.wrt = r.wrt;
      const math = document.createElement("div");
      math.className = "result-math";
      renderMath(math, lhs(r.derivative, r.wrt) + " = " + r.latex);
      const text = document.createElement("code");
      text.className = "more-text";
      text.textContent = r.text || r.index || "";
      item.append(math, text);
      if (r.kron) {
        const kron = document.createElement("code");
        kron.className = "more-text more-kron";
        kron.textContent = "Kronecker: " + r.kron;
        item.append(document.createElement("br"), kron);
      }
      host.append(item);
    }
    host.hidden = results.length === 0;
  }

  function renderResult(request, response) {
    const r = response.results[0];
    lastResult = r;
    if (r.factored && !(r.factored.text.length < r.text.length)) r.factored = null;
    renderForm(r);
    renderMore(response.results.slice(1));
    $("result-forms").hidden = false;
    $("code-panel").hidden = !r.text;
    $("result-status").hidden = false;
    $("result-status").textContent = "The " + (KIND_NAMES[r.derivative] || r.derivative) + " of f = " + response.text +
      " (a " + response.type + ") with respect to " + r.wrt + "; its shape is " + describeShape(r) + "." +
      (response.results.length > 1 ? " Below it, with respect to " + response.results.slice(1).map((x) => x.wrt).join(", ") + "." : "");
    $("check-result").textContent = "";
    renderConvexity(r.convexity);
    $("result-card").classList.add("has-result");
    renderSteps(r.steps || response.steps);
    lastRequest = request;
    if ($("code-panel").open) loadCode();
  }

  // ---- The code panel: a module for the chosen target, asked for when the panel is open ----------------

  async function loadCode() {
    if (!lastRequest) return;
    const mine = ++codeSeq;
    const target = $("code-target").value;
    $("code-status").textContent = "Generating…";
    const req = { expr: lastRequest.expr, vars: lastRequest.vars, wrt: lastRequest.wrt, emit: [target] };
    if (lastRequest.derivative) req.derivative = lastRequest.derivative;
    const response = await post("/api/derive", req);
    if (mine !== codeSeq) return;
    if (!response.ok || !response.code || typeof response.code[target] !== "string") {
      $("code-text").textContent = "";
      $("code-status").textContent = "No code: " + (response.error ? response.error.message : "the server sent none");
      return;
    }
    $("code-text").textContent = response.code[target];
    $("code-status").textContent = "";
  }

  // ---- The refresh cycle: check the expression, then derive --------------------------------------

  function refresh(delay) {
    clearTimeout(timer);
    timer = setTimeout(run, delay);
  }

  async function run() {
    const mine = ++seq;
    writeUrl();
    if (state.expr.trim() === "") {
      variables = [];
      renderVariables();
      renderWrtOptions();
      showExprError(null);
      $("objective-type").textContent = "—";
      clearResult("Type an expression to see its derivative.");
      return;
    }
    const check = { expr: state.expr, vars: state.pinned };
    if (state.wrt) check.wrt = state.wrt.split(",").filter((n) => n !== "");
    if (state.kind) check.derivative = state.kind;
    const info = await post("/api/check-expr", check);
    if (mine !== seq) return;
    if (!info.ok) {
      showExprError(info.error);
      // A typing error still lists the names, so that a type can be changed to fix it.
      variables = info.variables || [];
      renderVariables();
      renderWrtOptions();
      $("objective-type").textContent = "—";
      clearResult("Fix the expression to see its derivative.");
      return;
    }
    showExprError(null);
    variables = info.variables;
    renderVariables();
    renderWrtOptions();
    $("objective-type").textContent = info.type + (info.shape.length ? " " + info.shape.join("×") : "");
    const wrts = chosenWrts();
    if (!wrts.length) {
      clearResult("The expression has no variables to differentiate by.");
      return;
    }
    const vars = {};
    for (const v of variables) vars[v.name] = state.pinned[v.name] || v.type; // a pinned size is the user's
    const request = { id: mine, expr: state.expr, vars: vars, wrt: wrts, steps: true };
    // a scalar objective: the convexity verdict in the variable too (one line under the result)
    if (info.type === "scalar") request.convexity = true;
    if (state.kind) request.derivative = state.kind;
    const response = await post("/api/derive", request);
    if (mine !== seq) return;
    if (!response.ok) {
      if (typeof response.error.start === "number") showExprError(response.error);
      clearResult("No derivative: " + response.error.message);
      return;
    }
    renderResult(request, response);
  }

  // ---- Buttons ---------------------------------------------------------------------------------

  async function checkNumerically() {
    if (!lastRequest) return;
    const out = $("check-result");
    out.className = "check-result";
    out.textContent = "Checking…";
    const req = { expr: lastRequest.expr, vars: lastRequest.vars, wrt: lastRequest.wrt };
    if (lastRequest.derivative) req.derivative = lastRequest.derivative;
    const response = await post("/api/check", req);
    if (!response.ok) {
      out.textContent = "Cannot check: " + response.error.message;
      out.classList.add("bad");
      return;
    }
    if (response.results.length > 1) {
      // several variables: one verdict each
      const parts = response.results.map((x) => (x.inconclusive ? "? " : x.passed ? "✓ " : "✗ ") + x.wrt + ": " +
        (x.inconclusive ? "inconclusive" : "largest relative error " + (x.maxRelativeError === null ? "not a number" : x.maxRelativeError.toExponential(2))));
      const all = response.results.every((x) => x.passed && !x.inconclusive);
      out.textContent = (all ? "✓ agrees with finite differences" : "✗ not all agree with finite differences") + " — " + parts.join("; ");
      out.classList.add(all ? "good" : "bad");
      return;
    }
    const r = response.results[0];
    if (r.inconclusive) {
      out.textContent = "? inconclusive: the finite differences were too uncertain at every random point tried (" +
        r.discarded + "), e.g. at a kink of abs or relu";
      out.classList.add("bad");
      return;
    }
    const err = r.maxRelativeError === null ? "not a number" : r.maxRelativeError.toExponential(2);
    out.textContent = (r.passed ? "✓ agrees with finite differences" : "✗ differs from finite differences") +
      ": largest relative error " + err + " over " + r.trials + " random points";
    out.classList.add(r.passed ? "good" : "bad");
  }

  function renderExamples() {
    const host = $("examples");
    for (const ex of window.NABLA_EXAMPLES || []) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "example";
      b.textContent = ex.label;
      b.title = ex.note + " — " + ex.expr;
      b.addEventListener("click", () => {
        state.expr = ex.expr;
        state.pinned = Object.assign({}, ex.vars || {});
        state.wrt = ex.wrt || "";
        state.kind = ex.kind || "";
        $("expr").value = state.expr;
        $("kind").value = state.kind;
        refresh(0);
        $("expr").focus();
      });
      host.append(b);
    }
  }

  function init() {
    const input = $("expr");
    if (readUrl()) input.value = state.expr; else state.expr = input.value;
    $("kind").value = state.kind;
    input.addEventListener("input", () => {
      state.expr = input.value;
      showExprError(null);
      refresh(180);
    });
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); refresh(0); } });
    input.addEventListener("scroll", syncScroll);
    input.addEventListener("keyup", syncScroll);
    $("kind").addEventListener("change", () => { state.kind = $("kind").value; refresh(0); });
    $("wrt").addEventListener("change", () => { state.wrt = $("wrt").value; refresh(0); });
    $("check").addEventListener("click", checkNumerically);
    $("toggle-form").addEventListener("click", () => {
      expanded = !expanded;
      if (lastResult) renderForm(lastResult);
    });
    $("code-panel").addEventListener("toggle", () => { if ($("code-panel").open) loadCode(); });
    $("code-target").addEventListener("change", loadCode);
    $("share").addEventListener("click", () => copy($("share"), location.href));
    for (const b of document.querySelectorAll("button.copy")) {
      b.addEventListener("click", () => copy(b, $(b.dataset.copy).textContent));
    }
    // "/" anywhere but in a field jumps to the expression, as on many sites.
    document.addEventListener("keydown", (e) => {
      const t = e.target;
      if (e.key === "/" && !(t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement)) {
        e.preventDefault();
        input.focus();
        input.select();
      }
    });
    renderExamples();
    refresh(0);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
