// The verification page: a file or a key in, a status card out. Talks only to the node that served it.
"use strict";

(function () {
  const CHECKS = [
    ["anchored", "Anchored on the chain"],
    ["integrity", "The file is the anchored document"],
    ["signature", "Signed by the issuing authority"],
    ["issuer_member_at_issue", "Issuer was a member when it issued"],
    ["anchored_facts", "The chain records the certificate's own quantities and dates"],
  ];

  const $ = (id) => document.getElementById(id);
  let members = null;
  let verdicts = null;

  // The words and tone of each verdict, defined once on the node (origo_api.states) and served with the page.
  async function verdictWords() {
    if (verdicts !== null) return verdicts;
    try {
      const response = await fetch("/static/states.json", { headers: { Accept: "application/json" } });
      verdicts = response.ok ? (await response.json()).verdicts : {};
    } catch (_) {
      verdicts = {};
    }
    return verdicts;
  }

  async function memberNames() {
    if (members !== null) return members;
    members = {};
    try {
      const response = await fetch("/api/v1/members", { headers: { Accept: "application/json" } });
      if (response.ok) {
        for (const m of await response.json()) members[m.code] = m.name;
      }
    } catch (_) {
      // names are a courtesy; the verdict does not depend on them
    }
    return members;
  }

  function member(code, names) {
    if (!code) return "—";
    return names[code] ? `${names[code]} (${code})` : code;
  }

  function day(iso) {
    if (!iso) return "—";
    return iso.endsWith("T00:00:00Z") ? iso.slice(0, 10) : iso.replace("T", " ").replace("Z", " UTC");
  }

  function add(dl, term, value, node) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    if (node) dd.appendChild(node);
    else dd.textContent = value;
    dl.append(dt, dd);
  }

  function linkTo(id, text) {
    const a = document.createElement("a");
    a.href = "/?id=" + encodeURIComponent(id);
    a.textContent = text || id;
    return a;
  }

  function declaration(value) {
    // the chain keeps an import declaration's number as bytes32; show the letters
    if (typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value)) {
      let out = "";
      for (let i = 2; i < value.length; i += 2) {
        const code = parseInt(value.slice(i, i + 2), 16);
        if (code === 0) break;
        if (code < 32 || code > 126) return value;
        out += String.fromCharCode(code);
      }
      return out;
    }
    return value;
  }

  function amount(value, unit) {
    // the node sends "12000.000"; a person reads 12,000.000 PR
    const [whole, part] = String(value).split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (part === undefined ? grouped : `${grouped}.${part}`) + (unit ? " " + unit : "");
  }

  // what remains on one item of the certificate, in the item's own unit; nothing is "left" to claim on a
  // certificate that cannot be claimed (revoked, superseded, rejected, not confirmed, expired...)
  function itemText(it, words, tone) {
    const tracked = it.total !== null && it.total !== undefined;
    if (tone === "good") {
      if (!tracked) return "no quantity: claimed only with the whole certificate";
      return `${amount(it.remaining, it.unit)} left of ${amount(it.total, it.unit)}`;
    }
    const covered = tracked ? `${amount(it.total, it.unit)} on the certificate` : "no quantity";
    const claimed = tracked && it.claimed && Number(it.claimed) > 0 ? `, ${amount(it.claimed, it.unit)} claimed` : "";
    if (tone === "done") return covered + claimed;
    return `${covered}${claimed}; cannot be claimed (${words.title.toLowerCase()})`;
  }

  function verificationText(v) {
    if (v.state === "open") {
      return `requested on ${day(v.requested_at || v.at)}${v.request_reason ? ": " + v.request_reason : ""}`;
    }
    const answer = v.state === "confirmed" ? "confirmed" : "NOT confirmed";
    return `${answer} on ${day(v.at)}${v.answer_reason ? ": " + v.answer_reason : ""}`;
  }

  // one utilisation: what each item gave under one import declaration
  function claimText(u) {
    const parts = (u.claims || []).map((c) => `${amount(c.quantity, c.unit)} of item ${c.item}`);
    const what = u.whole_certificate ? "the whole certificate" : parts.join(", ") || "—";
    const detail = u.whole_certificate && parts.length ? ` (${parts.join(", ")})` : "";
    return `${what}${detail} by declaration ${declaration(u.declaration)}`;
  }

  function showError(text) {
    const card = $("result");
    card.classList.remove("hidden");
    card.dataset.verdict = "error";
    card.className = "card bad";
    $("verdict").textContent = "Could not check";
    $("message").textContent = text;
    $("facts").replaceChildren();
    $("checks").replaceChildren();
    $("links").replaceChildren();
  }

  // A bare reference several members used: one link per issuer's certificate, never one picked for the trader.
  function showCandidates(candidates) {
    $("result").dataset.verdict = "ambiguous";
    $("verdict").textContent = "Which certificate?";
    const links = $("links");
    for (const c of candidates) {
      const a = document.createElement("a");
      a.href = "/?" + new URLSearchParams({ id: c.key }).toString();
      a.textContent = `${c.key} (${c.name})`;
      a.className = "candidate";
      links.appendChild(a);
    }
  }

  function reasonText(recorded) {
    const words = recorded.label || `reason ${recorded.reason_code}`;
    return recorded.reason ? `${words}: ${recorded.reason}` : words;
  }

  async function render(result) {
    const names = await memberNames();
    const verdict = result.verdict;
    const words = (await verdictWords())[verdict] || { title: verdict, tone: "bad" };
    const card = $("result");
    card.className = "card " + words.tone;
    card.dataset.verdict = verdict;
    $("verdict").textContent = words.title;
    const shared = result.status && result.status.shared_reference;
    // Another member anchored a certificate under the same reference: say so, with whose this one is.
    $("message").textContent = (result.message || "") + (shared ? ` ${shared.message}` : "");

    const facts = $("facts");
    facts.replaceChildren();
    const s = result.status;
    if (result.reference) add(facts, "Reference", result.reference);
    if (result.document_id) add(facts, "Document id", result.document_id);
    if (s) {
      add(facts, "Issued by", member(s.issuer, names));
      add(facts, "For import into", member(s.importer, names));
      add(facts, "Issued", day(s.issued_at));
      add(facts, "Valid until", day(s.expires_at));
      if (s.anchor) add(facts, "Anchored", `block ${s.anchor.block}, ${day(s.anchor.at || s.anchor.timestamp)}`);
      if (s.revocation) {
        add(facts, "Revoked", reasonText(s.revocation));
      }
      if (s.superseded_by) {
        const replacement = s.superseded_by_reference ? s.issuer + ":" + s.superseded_by_reference : s.superseded_by;
        const text = s.superseded_by_reference ? replacement : "check the replacement";
        add(facts, "Replaced by", null, linkTo(replacement, text));
      }
      if (s.supersedes) add(facts, "Replaces", null, linkTo(s.supersedes));
      if (s.rejection) {
        add(facts, "Rejected at import", reasonText(s.rejection));
      }
      for (const it of s.items || []) {
        add(facts, `Item ${it.item}`, itemText(it, words, words.tone));
      }
      for (const u of s.utilisations || []) {
        add(facts, "Claimed at import", claimText(u));
      }
      if (s.verification) add(facts, "Verification", verificationText(s.verification));
    } else if (result.issuer) {
      add(facts, "Issuer named in the file", member(result.issuer, names));
    }

    const checks = $("checks");
    checks.replaceChildren();
    if (verdict !== "unknown") {
      for (const [key, label] of CHECKS) {
        const value = result.checks ? result.checks[key] : null;
        if (value === null || value === undefined) continue;
        const li = document.createElement("li");
        // A check that held on a certificate that cannot be used is a fact, not a green light.
        li.className = value ? (words.tone === "good" ? "ok" : "held") : "ko";
        li.textContent = value ? (words.tone === "good" ? "✓ " + label : label + ": yes") : "✗ " + label;
        checks.appendChild(li);
      }
    }

    const links = $("links");
    links.replaceChildren();
    if (result.document_id && s) {
      const a = document.createElement("a");
      // by reference when the person gave it: the slip then shows it, and its QR code carries it
      const printKey = result.reference ? result.issuer + ":" + result.reference : result.document_id;
      a.href = "/print/" + encodeURIComponent(printKey).replace(/%3A/gi, ":");
      a.textContent = "Printable view with QR code";
      links.appendChild(a);
    }
    card.classList.remove("hidden");
  }

  async function answer(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (!response.ok) {
      const why = body && (body.detail || body.title) ? body.detail || body.title : `HTTP ${response.status}`;
      showError(why);
      if (body && Array.isArray(body.candidates)) showCandidates(body.candidates);
      return;
    }
    await render(body);
  }

  async function checkText(text, name) {
    try {
      JSON.parse(text);
    } catch (_) {
      showError(`${name} is not a certificate file (it is not JSON).`);
      return;
    }
    try {
      const response = await fetch("/api/v1/verify", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: text,
      });
      await answer(response);
    } catch (_) {
      showError("This node could not be reached. Try again in a moment.");
    }
  }

  async function checkFile(file) {
    if (!file) return;
    if (file.size > 4 * 1024 * 1024) {
      showError(`${file.name} is too large to be a certificate.`);
      return;
    }
    await checkText(await file.text(), file.name);
  }

  async function checkKey(key, digest) {
    key = key.trim();
    if (!key) return;
    // in the query, not the path: a reference may contain "/"
    let url = "/api/v1/verify?key=" + encodeURIComponent(key);
    if (digest) url += "&digest=" + encodeURIComponent(digest);
    try {
      await answer(await fetch(url, { headers: { Accept: "application/json" } }));
    } catch (_) {
      showError("This node could not be reached. Try again in a moment.");
    }
  }

  function wire() {
    const drop = $("drop");
    const input = $("file");
    ["dragenter", "dragover"].forEach((type) =>
      drop.addEventListener(type, (event) => {
        event.preventDefault();
        drop.classList.add("over");
      }),
    );
    ["dragleave", "drop"].forEach((type) =>
      drop.addEventListener(type, () => drop.classList.remove("over")),
    );
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      const files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) checkFile(files[0]);
    });
    drop.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        input.click();
      }
    });
    input.addEventListener("change", () => {
      if (input.files && input.files.length) checkFile(input.files[0]);
      input.value = "";
    });
    $("lookup").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("key").value;
      history.replaceState(null, "", "/?id=" + encodeURIComponent(key.trim()));
      checkKey(key, null);
    });
    // a QR code from a printed certificate opens /?id=...&digest=...
    const params = new URLSearchParams(location.search);
    const id = params.get("id");
    if (id) {
      $("key").value = id;
      checkKey(id, params.get("digest"));
    }
    // stop a file dropped outside the zone from replacing the page
    window.addEventListener("dragover", (event) => event.preventDefault());
    window.addEventListener("drop", (event) => event.preventDefault());
  }

  document.addEventListener("DOMContentLoaded", wire);
})();
