/* DOM helpers shared by the pages (index.html, check.html, review.html); loaded first.
 * All text goes in as text nodes (never as HTML). */
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** h("a", {href: "#", class: "x"}, "text", child…): an element; strings become text nodes. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (nested arrays flattened; null, undefined, false and "" skipped). */
function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === "") continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** The API token the review page keeps for this tab (sessionStorage, never localStorage: it
 * goes when the tab closes), as request headers; {} without one. A server that requires a token
 * for reads (CCN_REQUIRE_TOKEN_FOR_READS=1) gets it on every page. */
function authHeaders() {
  const token = sessionStorage.getItem("ccn.review.token");
  return token ? {Authorization: `Bearer ${token}`} : {};
}

/** The server's Vietnamese labels (GET /api/labels): LABELS.status, .severity, .check_status,
 * .draft_state, .role, .attached, .relation, .source, .job_state, .upload_result, .pair_kind,
 * .pair_basis, .audit_detail, .draft_action, each value → its text. Filled by loadLabels() before a page
 * first renders; the pages keep no copies of their own, so they cannot drift from the server. */
let LABELS = {};
let labelsLoading = null;

/** Loads LABELS once (later calls wait for the same request); await it before rendering. A
 * refusal (401 before a token is given, server unreachable) leaves values shown as they are, and
 * the next call asks again. */
function loadLabels() {
  labelsLoading ??= fetch("/api/labels", {headers: {Accept: "application/json", ...authHeaders()}})
    .then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.json();
    })
    .then((labels) => { LABELS = labels; return LABELS; })
    .catch(() => { labelsLoading = null; return LABELS; });
  return labelsLoading;
}

/** The label of `value` in the vocabulary `table` ("status", "severity", …); undefined if none. */
function labelOf(table, value) {
  return (LABELS[table] || {})[value];
}
