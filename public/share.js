// The share page's only script: copy the prompt, and fill its {{variables}}. Same syntax as
// src/lib/templates.ts: {{ name }}, with \{{ kept literally; checked by the share page's browser test.
(function () {
  "use strict";
  var pre = document.getElementById("prompt");
  if (!pre) return;
  var template = pre.getAttribute("data-template") || "";
  var form = document.getElementById("vars");
  var problems = document.getElementById("problems");
  var copy = document.getElementById("copy");
  var VARIABLE = /(\\?)\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*\}\}/g;

  function fields() {
    return form ? Array.prototype.slice.call(form.querySelectorAll("input,select")) : [];
  }

  function values() {
    var out = {};
    fields().forEach(function (el) {
      var v = el.value;
      if (v === "" && el.getAttribute("data-default")) v = el.getAttribute("data-default");
      out[el.name] = { value: v, el: el };
    });
    return out;
  }

  function check(vals) {
    var errors = [];
    Object.keys(vals).forEach(function (name) {
      var v = vals[name].value;
      var el = vals[name].el;
      if (v === "" && el.hasAttribute("data-required")) errors.push(name + " is required.");
      else if (v !== "" && el.getAttribute("data-type") === "number" && !isFinite(Number(v))) errors.push(name + " must be a number.");
    });
    return errors;
  }

  function render(vals) {
    return template.replace(VARIABLE, function (whole, escape, name) {
      if (escape) return whole.slice(1);
      var v = vals[name] && vals[name].value;
      return v ? v : whole;
    });
  }

  function paint() {
    var vals = values();
    pre.textContent = "";
    var last = 0;
    template.replace(VARIABLE, function (whole, escape, name, index) {
      if (escape) return whole;
      pre.appendChild(document.createTextNode(template.slice(last, index)));
      var mark = document.createElement("mark");
      var v = vals[name] && vals[name].value;
      mark.textContent = v ? v : whole;
      if (v) mark.className = "filled";
      pre.appendChild(mark);
      last = index + whole.length;
      return whole;
    });
    pre.appendChild(document.createTextNode(template.slice(last)));
    if (problems) problems.textContent = "";
  }

  if (form) form.addEventListener("input", paint);

  copy.addEventListener("click", function () {
    // Nothing filled in: copy the template itself, placeholders and all.
    var filled = fields().some(function (el) {
      return el.value !== "";
    });
    var vals = values();
    var errors = filled ? check(vals) : [];
    if (errors.length) {
      if (problems) problems.textContent = errors.join(" ");
      return;
    }
    var text = filled ? render(vals) : template;
    navigator.clipboard.writeText(text).then(
      function () {
        copy.textContent = "Copied";
        setTimeout(function () {
          copy.textContent = "Copy prompt";
        }, 2000);
      },
      function () {
        copy.textContent = "Copy failed";
      },
    );
  });
})();
