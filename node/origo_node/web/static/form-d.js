// The printable Form D: asks for the certificate and a key, draws the 13 boxes from the node's JSON
// (GET /api/v1/documents/{key}/form-d), and downloads the PDF. The key is kept in this tab only.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function headers() {
  return { Accept: "application/json", Authorization: "Bearer " + $("apikey").value.trim() };
}

function path(suffix) {
  return "/api/v1/documents/" + encodeURIComponent($("doc").value.trim()) + suffix;
}

function showProblem(text) {
  $("problem").textContent = text;
  $("problem").hidden = !text;
}

async function problemText(response) {
  if (response.status === 401) return "The key is not valid: give your officer or auditor key.";
  try {
    const body = await response.json();
    return body.detail || body.title || "The node refused (HTTP " + response.status + ").";
  } catch (_) {
    return "The node answered HTTP " + response.status + ".";
  }
}

function drawBox(section, box) {
  section.replaceChildren();
  section.append(el("h2", "", box.title ? box.number + ". " + box.title : box.number + "."));
  for (const check of box.checks || []) {
    const row = el("div", "check");
    const tick = el("span", "tick", check.checked ? "X" : "");
    tick.setAttribute("aria-label", check.checked ? "ticked" : "not ticked");
    row.append(tick, el("span", "", check.label));
    section.append(row);
  }
  const text = el("p", "lines", box.lines.join("\n"));
  section.append(text);
}

// A certificate that cannot be used as it stands says so across the form, on screen and on paper.
function drawMark(mark) {
  $("mark").hidden = !mark;
  $("stamp").hidden = !mark;
  $("form").dataset.mark = mark ? mark.tone : "";
  $("mark-word").textContent = mark ? mark.word : "";
  $("mark-lines").textContent = mark ? mark.lines.join("\n") : "";
  $("stamp-word").textContent = mark ? mark.word : "";
}

function draw(form) {
  $("reference").textContent = form.reference;
  $("issued-in").textContent = form.issued_in;
  $("title").replaceChildren(
    ...form.title.map((line) => el("p", line === "FORM D" ? "form-name" : "", line))
  );
  for (const box of form.boxes) {
    drawBox(document.querySelector('[data-box="' + box.number + '"]'), box);
  }
  $("item-heads").replaceChildren(
    ...form.items.columns.map((c) => el("th", "", c.number + ". " + c.title))
  );
  $("item-rows").replaceChildren(
    ...form.items.rows.map((row) => {
      const tr = el("tr");
      tr.append(...row.map((cell) => el("td", "", cell)));
      return tr;
    })
  );
  drawMark(form.mark);
  $("printed").textContent = form.printed;
  document.title = "Form D " + form.reference + " — Origo";
  $("form").hidden = false;
  $("print").disabled = false;
  $("pdf").disabled = false;
}

async function open(event) {
  if (event) event.preventDefault();
  showProblem("");
  sessionStorage.setItem("origo-key", $("apikey").value.trim());
  const url = new URL(location.href);
  url.searchParams.set("key", $("doc").value.trim());
  history.replaceState(null, "", url);
  let response;
  try {
    response = await fetch(path("/form-d"), { headers: headers() });
  } catch (_) {
    showProblem("The node could not be reached.");
    return;
  }
  if (!response.ok) {
    $("form").hidden = true;
    showProblem(await problemText(response));
    return;
  }
  draw(await response.json());
}

async function downloadPdf() {
  showProblem("");
  const response = await fetch(path("/form-d.pdf"), { headers: headers() });
  if (!response.ok) {
    showProblem(await problemText(response));
    return;
  }
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "Form-D-" + $("reference").textContent.replace(/[^A-Za-z0-9_-]/g, "_") + ".pdf";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

document.addEventListener("DOMContentLoaded", () => {
  $("open").addEventListener("submit", open);
  $("print").addEventListener("click", () => window.print());
  $("pdf").addEventListener("click", downloadPdf);
  const key = new URL(location.href).searchParams.get("key");
  if (key) $("doc").value = key;
  const saved = sessionStorage.getItem("origo-key");
  if (saved) $("apikey").value = saved;
  if (key && saved) open();
});
