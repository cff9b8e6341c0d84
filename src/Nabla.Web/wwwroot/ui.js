// Small pieces of Nabla's page that need no state: KaTeX rendering, the folded steps, copying.
"use strict";

window.NablaUi = (function () {
  function renderMath(element, latex, inline) {
    element.textContent = "";
    if (window.katex) {
      window.katex.render(latex, element, { displayMode: !inline, throwOnError: false });
    } else {
      element.textContent = latex;
    }
  }

  // Steps come from the engine when it traces; show them folded, whatever their exact fields.
  function renderSteps(steps) {
    const details = document.getElementById("steps");
    const list = document.getElementById("steps-list");
    list.textContent = "";
    if (!Array.isArray(steps) || steps.length === 0) {
      details.hidden = true;
      return;
    }
    for (const step of steps) {
      const item = document.createElement("li");
      if (typeof step === "string") {
        item.textContent = step;
      } else if (step && typeof step === "object") {
        const rule = step.rule || step.name || step.title;
        if (rule) {
          const b = document.createElement("span");
          b.className = "rule";
          b.textContent = rule;
          item.append(b);
        }
        const latex = step.latex || step.result_latex;
        if (latex) {
          const m = document.createElement("div");
          // Each step's LaTeX is one row of an align* block (with & and &&): render it as an aligned row.
          renderMath(m, latex.includes("&") ? "\\begin{aligned}" + latex + "\\end{aligned}" : latex);
          item.append(m);
        }
        const text = step.text || step.description || step.message;
        if (text) {
          const t = document.createElement("code");
          t.textContent = text;
          item.append(t);
        }
      }
      list.append(item);
    }
    details.hidden = false;
  }

  async function copy(button, text) {
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch (e) {
      // The clipboard API needs a secure context (loopback is one); elsewhere fall back to a selection.
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.append(area);
      area.select();
      button.textContent = document.execCommand("copy") ? "Copied" : "Copy failed";
      area.remove();
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  }

  return { renderMath: renderMath, renderSteps: renderSteps, copy: copy };
})();
