/* Trợ lý pháp luật cụm công nghiệp: single-page UI (no framework, no build step).
 * Routes (hash): #/search?q=…&as_of=…, #/ask?q=…, #/docs, #/doc/<id>#<anchor>, #/upload,
 * #/currency (what the knowledge base lacks: GET /api/currency).
 * All text from the server is inserted as text nodes (never as HTML). */
"use strict";

/* ------------------------------------------------------------------ DOM helpers (h, append, $: dom.js) */

/** The text with the spans [start, end) (code-point offsets, as the server counts) in <mark>. */
function marked(text, marks) {
  const chars = Array.from(text || "");
  const spans = (marks || [])
    .map(([s, e]) => [Math.max(0, s), Math.min(chars.length, e)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const out = [];
  let pos = 0;
  for (const [s, e] of spans) {
    if (e <= pos) continue;
    const start = Math.max(s, pos);
    if (start > pos) out.push(chars.slice(pos, start).join(""));
    out.push(h("mark", {}, chars.slice(start, e).join("")));
    pos = e;
  }
  if (pos < chars.length) out.push(chars.slice(pos).join(""));
  return out;
}

function badge(status, text, note) {
  const label = text || labelOf("status", status || "unknown") || status;
  return h("span", {class: `badge status-${status || "unknown"}`, title: note || label, dataset: {status: status || "unknown"}}, label);
}

function validityBadge(obj) {
  const v = obj.validity || {};
  return badge(obj.status || v.status, obj.status_text || v.status_text, v.note);
}

function fmtDate(iso) {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : String(iso);
}

/* ------------------------------------------------------------------ links */

function docHref(docId, pid) {
  return `#/doc/${encodeURIComponent(docId)}` + (pid ? `#${anchorFor(pid)}` : "");
}

function anchorFor(pid) {
  return `p-${pid}`;
}

const ADDRESS = ["part", "annex", "article", "clause", "point"];

/** A link to a provision known only by its citation: the viewer finds it in the tree. */
function citeHref(c) {
  const params = new URLSearchParams();
  for (const key of ADDRESS) if (c[key] !== null && c[key] !== undefined) params.set(key, c[key]);
  return `#/doc/${encodeURIComponent(c.doc)}` + (params.toString() ? `?${params}` : "");
}

/** The document a citation object names, and a link to the provision in it. */
function citationLink(item) {
  const c = item.citation || {};
  const docId = item.doc_key || c.doc;
  const text = item.citation_text || c.doc || "(không rõ trích dẫn)";
  if (!docId) return h("span", {class: "cite"}, text);
  return h("a", {class: "cite", href: docHref(docId, item.id || item.pid), dataset: {pid: item.id || ""}}, text);
}

/* ------------------------------------------------------------------ HTTP */

const cache = new Map();

async function api(path, options) {
  const useCache = !options;
  if (useCache && cache.has(path)) return cache.get(path);
  const response = await fetch(path, {...options, headers: {...authHeaders(), ...(options || {}).headers}});
  let body = null;
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) body = await response.json();
  else body = {detail: await response.text()};
  if (!response.ok) {
    const detail = body && (body.error || body.detail || body.message);
    const message = typeof detail === "string" ? detail : JSON.stringify(detail);
    const err = new Error(message || `Lỗi ${response.status} ${response.statusText}`);
    err.status = response.status;
    err.body = body;
    throw err;
  }
  if (useCache) {
    cache.set(path, body);
    if (cache.size > 300) cache.delete(cache.keys().next().value);
  }
  return body;
}

/* ------------------------------------------------------------------ routing */

function parseHash() {
  let raw = location.hash.replace(/^#/, "");
  let anchor = "";
  const second = raw.indexOf("#");
  if (second >= 0) {
    anchor = decodeURIComponent(raw.slice(second + 1));
    raw = raw.slice(0, second);
  }
  const q = raw.indexOf("?");
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : "");
  const parts = path.split("/").filter(Boolean);
  return {name: parts[0] || "search", arg: parts.slice(1).map(decodeURIComponent).join("/"), params, anchor};
}

let renderToken = 0;

async function route() {
  const r = parseHash();
  const token = ++renderToken;
  for (const a of $$(".tabs a")) a.classList.toggle("active", a.dataset.route === r.name || (r.name === "doc" && a.dataset.route === "docs"));
  const main = $("#main");
  const q = $("#q");
  if (r.name === "search" || r.name === "ask") {
    const text = r.params.get("q") || "";
    if (document.activeElement !== q || q.value !== text) q.value = text;
    if (r.params.get("as_of")) $("#as-of").value = r.params.get("as_of");
    q.placeholder = r.name === "ask"
      ? "Đặt câu hỏi, ví dụ: mở rộng cụm công nghiệp cần điều kiện gì?  ( / )"
      : "Tìm quy định, ví dụ: điều kiện mở rộng cụm công nghiệp  ( / )";
    $("#query-submit").textContent = r.name === "ask" ? "Hỏi" : "Tìm";
  }
  document.body.dataset.route = r.name;
  const shown = $("#main > section.doc");
  if (r.name === "doc" && docState && shown && shown.dataset.view === `${r.arg}?${r.params}`) {
    viewDoc.after(r);  // the same document: only go to the provision
    return;
  }
  const views = {search: viewSearch, ask: viewAsk, docs: viewDocs, doc: viewDoc, upload: viewUpload,
    currency: viewCurrency};
  const view = views[r.name] || viewNotFound;
  try {
    const node = await view(r);
    if (token !== renderToken) return;
    main.replaceChildren(node);
    if (view.after) view.after(r);
  } catch (err) {
    if (token !== renderToken) return;
    main.replaceChildren(h("div", {class: "error", role: "alert"}, String(err.message || err)));
  }
}

function loading(main, text) {
  main.replaceChildren(h("p", {class: "muted loading", role: "status"}, text));
}

function currentAsOf() {
  return $("#as-of").value || "";
}

/* ------------------------------------------------------------------ search */

async function viewSearch(r) {
  const q = (r.params.get("q") || "").trim();
  if (!q) {
    return h("section", {class: "intro"},
      h("h1", {}, "Tra cứu quy định về cụm công nghiệp"),
      h("p", {}, "Gõ câu hỏi hoặc trích dẫn (\"khoản 2 Điều 8 NĐ 32\") rồi nhấn Enter. Kết quả là các Điều, khoản, điểm "
        + "trả lời câu hỏi, kèm trích dẫn chính xác và tình trạng hiệu lực tại ngày đã chọn."),
      h("p", {class: "muted"}, "Chuyển sang ", h("a", {href: "#/ask"}, "Hỏi đáp"), " để nhận câu trả lời tổng hợp có trích dẫn."));
  }
  loading($("#main"), "Đang tìm…");
  const params = new URLSearchParams({q, k: r.params.get("k") || "10"});
  for (const key of ["as_of", "doc_type", "issuer", "doc", "province"]) {
    const v = r.params.get(key);
    if (v) params.set(key, v);
  }
  const started = performance.now();
  const data = await api(`/api/search?${params}`);
  const ms = Math.round(performance.now() - started);
  const results = data.results || [];
  return h("section", {class: "search", "aria-label": "Kết quả tìm kiếm"},
    filtersForm(r),
    h("p", {class: "summary muted", role: "status"},
      results.length ? `${results.length} kết quả` : "Không có kết quả",
      ` · độ tin cậy ${Math.round((data.confidence || 0) * 100)}%`, ` · ${ms} ms`,
      r.params.get("as_of") ? ` · hiệu lực tại ${fmtDate(r.params.get("as_of"))}` : ""),
    warnings(data.warnings),
    h("ol", {class: "results", id: "results"}, results.map(resultItem)));
}
viewSearch.after = () => {
  selectResult(-1);
  clampLongTexts();
};

/** Long provisions are shown folded, with a button to unfold them. */
function clampLongTexts() {
  for (const text of $$("#results .text.clamp")) {
    if (text.scrollHeight <= text.clientHeight + 4) {
      text.classList.remove("clamp");
      continue;
    }
    const more = h("button", {type: "button", class: "more", "aria-expanded": "false"}, "Xem tiếp ▾");
    more.addEventListener("click", () => {
      const open = text.classList.toggle("clamp");
      more.textContent = open ? "Xem tiếp ▾" : "Thu gọn ▴";
      more.setAttribute("aria-expanded", String(!open));
    });
    text.after(more);
  }
}

const FILTERS = [
  ["doc", "Văn bản", "32/2024/NĐ-CP"],
  ["doc_type", "Loại văn bản", "Nghị định"],
  ["issuer", "Cơ quan ban hành", "Bộ Công Thương"],
  ["province", "Tỉnh", "Lào Cai"],
];

/** Search filters (/api/search's doc, doc_type, issuer, province), kept in the address. */
function filtersForm(r) {
  const active = FILTERS.filter(([key]) => r.params.get(key));
  const form = h("form", {class: "filters", id: "filters"},
    FILTERS.map(([key, label, example]) => h("label", {},
      `${label} `, h("input", {name: key, value: r.params.get(key) || "", placeholder: example, size: 14}))),
    h("button", {type: "submit"}, "Lọc"),
    active.length ? h("a", {href: "#", id: "clear-filters"}, "Bỏ lọc") : null);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams(r.params);
    for (const [key] of FILTERS) {
      const value = form.elements[key].value.trim();
      if (value) params.set(key, value);
      else params.delete(key);
    }
    location.hash = `#/search?${params}`;
  });
  const clear = $("#clear-filters", form);
  if (clear) {
    clear.addEventListener("click", (event) => {
      event.preventDefault();
      const params = new URLSearchParams(r.params);
      for (const [key] of FILTERS) params.delete(key);
      location.hash = `#/search?${params}`;
    });
  }
  return h("details", {class: "filters-box", open: active.length > 0},
    h("summary", {}, active.length ? `Bộ lọc (${active.map(([, l]) => l.toLowerCase()).join(", ")})` : "Bộ lọc"), form);
}

function warnings(list) {
  if (!list || !list.length) return null;
  return h("ul", {class: "warnings", role: "note"}, list.map((w) => h("li", {}, describe(w))));
}

function resultItem(hit) {
  const href = hit.citation && hit.citation.doc ? docHref(hit.citation.doc, hit.id) : null;
  return h("li", {class: "result", tabindex: "-1", dataset: {href: href || "", pid: hit.id || ""}},
    h("div", {class: "result-head"},
      h("span", {class: "rank"}, `${hit.rank}.`),
      citationLink(hit),
      validityBadge(hit)),
    h("div", {class: "result-title"}, [hit.title, hit.doc_title].filter(Boolean).join(" — ")),
    h("p", {class: "text clamp"}, marked(hit.text, hit.marks)),
    notes(hit.notes),
    hit.also && hit.also.length
      ? h("p", {class: "also muted"}, "Cũng khớp: ", hit.also.map((c, i) => [i ? ", " : "",
        c.doc ? h("a", {href: citeHref(c)}, shortCitation(c)) : shortCitation(c)]))
      : null);
}

function notes(list) {
  if (!list || !list.length) return null;
  return h("ul", {class: "notes"}, list.map((n) => h("li", {}, describe(n))));
}

function shortCitation(c) {
  const parts = [];
  if (c.point) parts.push(`điểm ${c.point}`);
  if (c.clause) parts.push(c.article ? `khoản ${c.clause}` : `mục ${c.clause}`);
  if (c.article) parts.push(`Điều ${c.article}`);
  if (c.annex) parts.push(`Phụ lục ${c.annex}`);
  if (c.part) parts.push(c.part);
  return parts.join(" ") || c.doc || "";
}

/** A readable line for a note, warning, change or relation that may be a string or an object. */
function describe(item) {
  if (item === null || item === undefined) return "";
  if (typeof item !== "object") return String(item);
  const text = item.text || item.note || item.message || item.to_text || item.citation_text || item.summary;
  const who = item.from_doc || item.source_doc || item.by;
  const when = item.effective || item.valid_from || item.date;
  const kind = labelOf("relation", item.kind) || item.kind;
  return [kind, text, who && `(${who})`, when && `từ ${fmtDate(when)}`].filter(Boolean).join(" ");
}

/* Result selection with the keyboard. */
let selected = -1;

function resultNodes() {
  return $$("#results > .result");
}

function selectResult(index, focus = true) {
  const nodes = resultNodes();
  nodes.forEach((n) => n.classList.remove("selected"));
  if (!nodes.length || index < 0) {
    selected = -1;
    return;
  }
  selected = Math.max(0, Math.min(nodes.length - 1, index));
  const node = nodes[selected];
  node.classList.add("selected");
  if (focus) node.focus({preventScroll: true});
  node.scrollIntoView({block: "nearest"});
}

function openSelected() {
  const node = resultNodes()[selected];
  if (node && node.dataset.href) location.hash = node.dataset.href;
}

/* ------------------------------------------------------------------ ask */

async function viewAsk(r) {
  const question = (r.params.get("q") || "").trim();
  if (!question) {
    return h("section", {class: "intro"},
      h("h1", {}, "Hỏi đáp"),
      h("p", {}, "Đặt câu hỏi bằng lời thường. Câu trả lời được ghép từ đúng lời văn của các quy định còn hiệu lực, "
        + "mỗi ý kèm trích dẫn; nếu không có quy định trả lời trực tiếp, hệ thống nói rõ."));
  }
  loading($("#main"), "Đang soạn câu trả lời…");
  const body = {question};
  const asOf = r.params.get("as_of");
  if (asOf) body.as_of = asOf;
  const key = `/api/ask#${JSON.stringify(body)}`;
  let data = cache.get(key);
  if (!data) {
    data = await api("/api/ask", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    cache.set(key, data);
  }
  const provisions = data.provisions || [];
  // the lead line first; the full text only when it says more (not found, or a model wrote it)
  const text = data.answer && (!data.lead || data.model)
    ? h("div", {class: `answer${data.answered ? "" : " unanswered"}`}, linkify(data.answer, provisions)) : null;
  return h("section", {class: "ask", "aria-label": "Câu trả lời"},
    h("p", {class: "summary muted", role: "status"},
      data.answered ? "Đã có câu trả lời" : "Chưa có quy định trả lời trực tiếp",
      data.confidence !== undefined ? ` · độ tin cậy ${Math.round((data.confidence || 0) * 100)}%` : ""),
    leadLine(data.lead),
    warnings(data.warnings),
    text,
    provisions.length ? h("h2", {}, "Căn cứ trích dẫn") : null,
    h("ol", {class: "results provisions", id: "results"}, provisions.map(provisionItem)),
    relatedBlock(data.related),
    priorLetters(data.prior_letters));
}

/** The sentence that answers, verbatim, its answering part (body, number) marked, and its citation. */
function leadLine(lead) {
  if (!lead) return null;
  return h("div", {class: "answer lead", role: "region", "aria-label": "Trả lời ngắn"},
    h("p", {class: "lead-text"}, marked(lead.text, lead.focus ? [lead.focus] : [])),
    h("p", {class: "lead-cite muted"}, "— ", citationLink(lead), " ",
      lead.status && lead.status !== "in_force" ? badge(lead.status, lead.status_text) : null));
}

/** Other provisions found but not quoted: collapsed, each a link. */
function relatedBlock(list) {
  if (!list || !list.length) return null;
  return h("details", {class: "related"}, h("summary", {}, `Quy định liên quan khác (${list.length})`),
    h("ul", {}, list.map((r) => h("li", {}, citationLink(r), " ", badge(r.status, r.status_text),
      r.title ? h("span", {class: "muted"}, ` — ${r.title}`) : null))));
}
viewAsk.after = () => {
  selectResult(-1);
  clampLongTexts();
};

/** The answer's text with each cited provision a link (a model's keys are citations by now). */
function linkify(text, provisions) {
  const targets = new Map();
  for (const p of provisions) {
    const docId = p.citation && p.citation.doc;
    if (!docId) continue;
    const href = docHref(docId, p.id);
    if (p.citation_text) targets.set(p.citation_text, href);
  }
  const keys = Array.from(targets.keys()).sort((a, b) => b.length - a.length);
  if (!keys.length) return [String(text)];
  const re = new RegExp(keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  const out = [];
  let pos = 0;
  for (const m of String(text).matchAll(re)) {
    if (m.index > pos) out.push(text.slice(pos, m.index));
    out.push(h("a", {class: "cite-inline", href: targets.get(m[0])}, m[0]));
    pos = m.index + m[0].length;
  }
  if (pos < text.length) out.push(text.slice(pos));
  return out;
}

function provisionItem(p, i) {
  const docId = p.doc_key || (p.citation && p.citation.doc);
  const href = docId ? docHref(docId, p.id) : "";
  return h("li", {class: "result", tabindex: "-1", dataset: {href, pid: p.id || ""}},
    h("div", {class: "result-head"},
      h("span", {class: "rank"}, `${i + 1}.`),
      citationLink(p),
      validityBadge(p),
      p.title ? h("span", {class: "result-title"}, p.title) : null),
    h("blockquote", {class: "text quote clamp"}, marked(p.quote || p.text || "", p.marks)),
    notes(p.notes),
    collapsed(p));
}

/** A quote's later changes and cross-references, closed by default. */
function collapsed(p) {
  const changes = p.changes || [], references = p.references || [];
  if (!changes.length && !references.length) return null;
  const label = [changes.length ? `${changes.length} thay đổi liên quan` : "",
    references.length ? `${references.length} quy định được dẫn chiếu` : ""].filter(Boolean).join(", ");
  return h("details", {class: "sub attached-box"}, h("summary", {}, label),
    attachedBlock("Thay đổi liên quan", changes),
    attachedBlock("Quy định được dẫn chiếu", references));
}

/** Provisions attached to a quoted one (cross-references, forms, later changes), each a link. */
function attachedBlock(title, list) {
  if (!list || !list.length) return null;
  return h("div", {class: "sub"}, h("span", {class: "sub-title"}, `${title}:`),
    h("ul", {}, list.map((a) => h("li", {class: `attached attached-${a.kind}`},
      labelOf("attached", a.kind) ? h("span", {class: "muted"}, `${labelOf("attached", a.kind)}: `) : null,
      a.citation && a.citation.doc ? h("a", {href: citeHref(a.citation)}, a.citation_text) : a.citation_text,
      " ", a.status ? badge(a.status, a.status_text) : null,
      a.note ? h("span", {class: "muted"}, ` — ${a.note}`) : null,
      a.quote ? h("details", {}, h("summary", {}, "Trích nội dung"), h("p", {class: "text"}, a.quote)) : null))));
}

function priorLetters(list) {
  if (!list || !list.length) return null;
  return h("details", {class: "prior"}, h("summary", {}, `Văn bản đã trả lời trước đây (${list.length})`),
    h("ul", {}, list.map((l) => {
      const label = l.citation_text || [l.doc, l.title].filter(Boolean).join(" — ");
      return h("li", {}, l.doc ? h("a", {href: docHref(l.doc)}, label) : label,
        l.issued ? h("span", {class: "muted"}, ` (${fmtDate(l.issued)})`) : null,
        l.excerpt ? h("p", {class: "text muted"}, l.excerpt) : null);
    })));
}

/* ------------------------------------------------------------------ documents */

async function viewDocs() {
  const data = await api("/api/documents");
  const docs = Array.isArray(data) ? data : data.documents || [];
  const ordered = [...docs.filter((d) => d.in_store !== false), ...docs.filter((d) => d.in_store === false)];
  const rows = ordered.map((d) => {
    const id = d.key || d.doc || d.id;
    const stub = d.in_store === false;
    return h("tr", {class: stub ? "stub" : null, title: stub ? "chỉ được dẫn chiếu, chưa có toàn văn trong kho" : null},
      h("td", {}, h("a", {href: docHref(id)}, d.doc || d.title || id)),
      h("td", {}, d.type || d.doc_type || ""),
      h("td", {}, d.title || ""),
      h("td", {}, fmtDate(d.issued)),
      h("td", {}, fmtDate(d.effective)),
      h("td", {}, badge(d.status, d.status_text, d.status_note)),
      h("td", {class: "source", title: d.evidence || null}, labelOf("source", d.source) || d.source || "",
        d.evidence ? h("div", {class: "muted"}, d.evidence) : null));
  });
  const filter = h("input", {type: "search", id: "doc-filter", placeholder: "Lọc theo số hiệu, loại, trích yếu…",
    "aria-label": "Lọc danh sách văn bản"});
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const row of rows) row.hidden = !words.every((w) => row.textContent.toLowerCase().includes(w));
  });
  const stored = docs.filter((d) => d.in_store !== false).length;
  return h("section", {class: "docs"},
    h("h1", {}, "Văn bản trong kho"),
    h("p", {class: "muted"}, `${stored} văn bản có toàn văn, ${docs.length - stored} văn bản chỉ được dẫn chiếu.`),
    filter,
    h("table", {class: "table"},
      h("thead", {}, h("tr", {}, ["Số hiệu", "Loại", "Trích yếu", "Ban hành", "Hiệu lực từ", "Tình trạng", "Nguồn, căn cứ"].map((t) => h("th", {}, t)))),
      h("tbody", {}, rows)));
}

/* ------------------------------------------------------------------ currency */

/** What the knowledge base lacks (kb/catalog.py currency_report): a curator's list of what to
 * obtain next. */
async function viewCurrency() {
  const data = await api("/api/currency");
  const name = (item) => `${item.type ? item.type + " số " : ""}${item.doc}`;
  const table = (heads, rows) => h("table", {class: "table"},
    h("thead", {}, h("tr", {}, heads.map((t) => h("th", {}, t)))), h("tbody", {}, rows));
  const cited = data.cited_not_held.map((item) => h("tr", {},
    h("td", {}, h("a", {href: docHref(item.doc)}, name(item))),
    h("td", {class: "num"}, String(item.citing_provisions)),
    h("td", {class: "num"}, String(item.citing_texts)),
    h("td", {class: "num"}, String(item.hoidap_pages || 0)),
    h("td", {}, item.examples.join(", "))));
  const notices = data.notices_without_text.map((item) => h("tr", {},
    h("td", {}, name(item)), h("td", {}, fmtDate(item.issued)),
    h("td", {}, h("ul", {}, item.affects.map((a) => h("li", {}, a))))));
  const labels = data.label_only.map((item) => h("tr", {},
    h("td", {}, h("a", {href: docHref(item.doc)}, name(item))), h("td", {}, item.label)));
  return h("section", {class: "currency"},
    h("h1", {}, "Tình trạng cập nhật của cơ sở tri thức"),
    h("p", {class: "lead"}, data.current_to ? data.current_to.text : "Cơ sở tri thức chưa có văn bản nào."),
    h("h2", {}, `Văn bản được văn bản còn hiệu lực dẫn chiếu nhưng chưa có toàn văn (${cited.length})`),
    cited.length ? table(["Văn bản", "Số quy định dẫn chiếu", "Số văn bản dẫn chiếu", "Trang hỏi đáp", "Ví dụ"], cited)
      : h("p", {class: "muted"}, "Không có."),
    h("h2", {}, `Thông báo chưa có toàn văn (${notices.length})`),
    notices.length ? table(["Văn bản", "Ban hành", "Quy định bị ảnh hưởng"], notices) : h("p", {class: "muted"}, "Không có."),
    h("h2", {}, `Trạng thái chỉ dựa trên nhãn của nguồn, chưa xác minh (${labels.length})`),
    labels.length ? table(["Văn bản", "Nhãn của nguồn"], labels) : h("p", {class: "muted"}, "Không có."));
}

const CONTAINERS = new Set(["phan", "chuong", "muc", "tieu_muc"]);
const PART_TITLE = {"Quy chế": "Quy chế ban hành kèm theo", "Quy định": "Quy định ban hành kèm theo"};

/* The document being shown: its text units (Điều, Phụ lục, đoạn …: the nodes whose text is
 * fetched from /api/provisions/{id}) and, for every node, the unit that holds it. */
let docState = null;

/** A Phần, Chương, Mục … holding other provisions: shown as a heading, its children fetched
 * one by one. (One without children may hold text of its own: it is fetched as a unit.) */
function isContainer(n) {
  return CONTAINERS.has(n.kind) && (n.children || []).length > 0;
}

function hasHeading(n) {
  return n.kind === "dieu" || n.kind === "phu_luc" || CONTAINERS.has(n.kind);
}

function heading(n) {
  const label = n.label || n.citation_text || "";
  return n.title ? `${label}${label ? ". " : ""}${n.title}` : label;
}

function asOfQuery(r) {
  const asOf = (r && r.params.get("as_of")) || currentAsOf();
  return asOf ? `?as_of=${encodeURIComponent(asOf)}` : "";
}

async function viewDoc(r) {
  const id = r.arg;
  const query = asOfQuery(r);
  const data = await api(`/api/documents/${encodeURIComponent(id)}${query}`);
  const tree = data.structure || [];
  const state = {id: data.key || id, query, tree, units: new Map(), owner: new Map(), pending: null};
  const body = h("article", {class: "doc-text", id: "doc-text", "aria-label": "Toàn văn"});
  const navItems = [];
  let part = null;
  let group = null;
  for (const n of tree) {
    const p = (n.citation && n.citation.part) || null;
    if (p !== part) {
      part = p;
      if (p) {
        const anchor = `part-${slug(p)}`;
        body.append(h("h2", {class: "part-head", id: anchor}, PART_TITLE[p] || p));
        group = h("ul", {});
        navItems.push(h("li", {}, h("details", {open: true},
          h("summary", {}, h("a", {href: "#", dataset: {anchor}, onclick: jumpTo}, PART_TITLE[p] || p)),
          group)));
      } else group = null;
    }
    body.append(skeleton(n, state));
    const item = navItem(n);
    if (group) group.append(item);
    else navItems.push(item);
  }
  if (!tree.length) {
    body.append(h("p", {class: "muted"}, data.in_store === false
      ? "Văn bản này chỉ được các văn bản khác dẫn chiếu; kho dữ liệu chưa có toàn văn."
      : "Văn bản không có nội dung được tách thành quy định."));
  }
  docState = state;
  const nav = h("nav", {class: "tree", id: "tree", "aria-label": "Mục lục văn bản"},
    h("h2", {}, "Mục lục"), navItems.length ? h("ul", {}, navItems) : h("p", {class: "muted"}, "(không có)"));
  return h("section", {class: "doc", dataset: {doc: state.id, view: `${r.arg}?${r.params}`}},
    docHeader(data),
    h("div", {class: "doc-body"}, nav, body));
}

viewDoc.after = async (r) => {
  const state = docState;
  if (!state) return;
  let target = r.anchor || (r.params.get("p") ? anchorFor(r.params.get("p")) : "");
  if (!target && ADDRESS.some((k) => r.params.has(k))) {
    const node = findByAddress(state.tree, r.params);
    target = node ? anchorFor(node.id) : "p-?";
  }
  const pid = target.startsWith("p-") ? target.slice(2) : "";
  const unit = state.owner.get(pid);
  if (unit) await loadUnit(state, unit).catch(() => null);
  if (state !== docState) return;
  showTarget(target);
  loadAll(state);
};

/** The node whose citation has exactly the address in the parameters (part, annex, article …). */
function findByAddress(nodes, params) {
  for (const n of nodes || []) {
    const c = n.citation || {};
    if (ADDRESS.every((k) => String(c[k] ?? "") === (params.get(k) ?? ""))) return n;
    const found = findByAddress(n.children, params);
    if (found) return found;
  }
  return null;
}

function slug(text) {
  return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d")
    .toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** A node's block before its text is loaded: containers with their heading, units with a placeholder. */
function skeleton(n, state) {
  const kind = n.kind || "node";
  const attrs = {class: `prov prov-${kind}`, id: anchorFor(n.id), tabindex: "-1", dataset: {kind}};
  if (isContainer(n)) {
    state.owner.set(n.id, null);
    return h("section", attrs, h("h2", {class: "prov-head"}, headingLines(n)), (n.children || []).map((k) => skeleton(k, state)));
  }
  state.units.set(n.id, {node: n, promise: null});
  const own = (m) => {
    state.owner.set(m.id, n.id);
    (m.children || []).forEach(own);
  };
  own(n);
  const head = hasHeading(n) ? h(CONTAINERS.has(kind) ? "h2" : "h3", {class: "prov-head"}, heading(n)) : null;
  return h("section", attrs, head, h("div", {class: "unit-body"}, h("p", {class: "muted loading"}, "Đang tải…")));
}

function headingLines(n) {
  return n.title ? [n.label || "", h("br"), n.title] : n.label || n.citation_text || "";
}

function navItem(n) {
  const link = h("a", {href: "#", dataset: {anchor: anchorFor(n.id)}, onclick: jumpTo}, heading(n));
  if (isContainer(n)) {
    const kids = (n.children || []).map(navItem).filter(Boolean);
    return h("li", {}, kids.length ? h("details", {open: true}, h("summary", {}, link), h("ul", {}, kids)) : link);
  }
  return h("li", {}, link);
}

function jumpTo(event) {
  event.preventDefault();
  const anchor = event.currentTarget.dataset.anchor;
  const r = parseHash();
  const query = r.params.toString();
  history.replaceState(null, "", `#/doc/${encodeURIComponent(r.arg)}${query ? `?${query}` : ""}#${anchor}`);
  viewDoc.after(parseHash());
}

function showTarget(target) {
  $$(".doc-text .target").forEach((n) => n.classList.remove("target"));
  $$(".doc-text .not-found").forEach((n) => n.remove());
  if (!target) return;
  const node = document.getElementById(target);
  if (!node) {
    $("#doc-text").prepend(h("p", {class: "warnings not-found", role: "note"}, "Không thấy quy định được trích trong văn bản này."));
    return;
  }
  node.classList.add("target");
  const state = docState;
  if (state) {
    state.pin = node;
    const unpin = () => { if (state.pin === node) state.pin = null; };
    for (const type of ["wheel", "touchstart", "mousedown", "keydown"]) window.addEventListener(type, unpin, {once: true, passive: true});
  }
  for (let el = node.parentElement; el; el = el.parentElement) if (el.tagName === "DETAILS") el.open = true;
  revealInTree(node);
  node.scrollIntoView({block: node.getBoundingClientRect().height < window.innerHeight / 2 ? "center" : "start"});
  node.focus({preventScroll: true});
}

function revealInTree(node) {
  $$(".tree a.current").forEach((a) => a.classList.remove("current"));
  // The nearest enclosing block that has an entry in the tree (Điều, Chương …).
  for (let el = node; el; el = el.parentElement && el.parentElement.closest(".prov, .part-head")) {
    const link = el.id && $(`.tree a[data-anchor="${CSS.escape(el.id)}"]`);
    if (link) {
      link.classList.add("current");
      for (let d = link.parentElement; d; d = d.parentElement) if (d.tagName === "DETAILS") d.open = true;
      const tree = $("#tree");
      const box = tree.getBoundingClientRect();
      const at = link.getBoundingClientRect();
      if (at.top < box.top || at.bottom > box.bottom) tree.scrollTop += at.top - box.top - box.height / 3;
      return;
    }
  }
}

/** Fetch a unit's text (and its children's) and render it with an anchor per provision. */
function loadUnit(state, pid) {
  const unit = state.units.get(pid);
  if (!unit) return Promise.resolve();
  if (!unit.promise) {
    unit.promise = api(`/api/provisions/${encodeURIComponent(pid)}${state.query}`)
      .then((p) => {
        const el = document.getElementById(anchorFor(pid));
        if (!el || state !== docState) return;
        // Text arriving above must not move what is being read (own scroll anchoring: the
        // browser's is switched off in the style sheet, it loses its anchor when placeholders
        // are replaced). The provision opened stays put until the reader scrolls.
        const pin = state.pin && !el.contains(state.pin) && document.contains(state.pin) ? state.pin : null;
        const before = (pin || el).getBoundingClientRect();
        renderUnit(el, unit.node, p);
        if (pin) window.scrollBy(0, pin.getBoundingClientRect().top - before.top);
        else if (before.bottom <= 0) window.scrollBy(0, el.getBoundingClientRect().height - before.height);
      })
      .catch((err) => {
        const el = document.getElementById(anchorFor(pid));
        if (el) $(".unit-body", el).replaceChildren(h("p", {class: "error"}, String(err.message || err)));
        throw err;
      });
  }
  return unit.promise;
}

/** All units in reading order, three requests at a time. */
async function loadAll(state) {
  if (state.pending) return state.pending;
  const queue = Array.from(state.units.keys());
  const worker = async () => {
    while (queue.length && state === docState) {
      await loadUnit(state, queue.shift()).catch(() => null);
    }
  };
  state.pending = Promise.all([worker(), worker(), worker()]).then(() => {
    if (state === docState) $("#doc-text").dataset.loaded = "true";
  });
  return state.pending;
}

function renderUnit(el, node, p) {
  const body = $(".unit-body", el);
  let text = p.original_text || p.text || "";
  if (hasHeading(node)) text = stripHeading(text, node);
  const exact = new Map(((p.context && p.context.children) || []).map((c) => [c.id, c.text || ""]));
  const parts = [];
  if (p.status && !["in_force", "not_normative"].includes(p.status)) parts.push(h("p", {}, validityBadge(p)));
  parts.push(fill(text, node.children || [], exact));
  parts.push(changeNotes(p.relations || {}));
  if (p.text && p.original_text && p.text !== p.original_text) {
    parts.push(h("details", {class: "current-wording"},
      h("summary", {}, `Nội dung có hiệu lực tại ngày ${fmtDate(p.as_of)} (đã sửa đổi)`),
      h("p", {class: "prov-text"}, p.text)));
  }
  body.replaceChildren(...parts.filter(Boolean));
  body.classList.add("loaded");
}

function stripHeading(text, node) {
  const lines = text.split("\n");
  const first = (lines[0] || "").trim().toLowerCase();
  if (node.label && first.startsWith(node.label.toLowerCase())) {
    lines.shift();
    if (node.kind !== "dieu" && node.title && (lines[0] || "").trim().toLowerCase() === node.title.trim().toLowerCase()) lines.shift();
  }
  return lines.join("\n");
}

/** The text with each child's part in its own block (id = anchor): children found by their exact
 * text when known, else by their number at the start of a line ("2.", "c)"). */
function fill(text, kids, exact) {
  const placed = [];
  let cursor = 0;
  for (const k of kids) {
    const known = exact.get(k.id);
    let start = -1;
    if (known) start = text.indexOf(known, cursor);
    if (start < 0) start = findMarker(text, k, cursor);
    placed.push({k, start, end: start >= 0 && known && text.startsWith(known, start) ? start + known.length : null});
    if (start >= 0) cursor = start + Math.max(1, known && text.startsWith(known, start) ? known.length : 1);
  }
  const found = placed.filter((x) => x.start >= 0);
  found.forEach((x, i) => {
    if (x.end === null) x.end = i + 1 < found.length ? found[i + 1].start : text.length;
  });
  const out = h("div", {class: "prov-body"});
  let pos = 0;
  for (const x of placed) {
    const kind = x.k.kind || "node";
    const attrs = {class: `prov prov-${kind}`, id: anchorFor(x.k.id), tabindex: "-1", dataset: {kind}};
    if (x.start < 0) {
      out.append(h("div", attrs, h("p", {class: "muted"}, `${x.k.citation_text || x.k.label} (không xác định được vị trí trong văn bản)`)));
      continue;
    }
    textBlock(out, text.slice(pos, x.start));
    const inner = fill(text.slice(x.start, x.end), x.k.children || [], new Map());
    out.append(h("div", attrs, Array.from(inner.childNodes)));
    pos = Math.max(pos, x.end);
  }
  textBlock(out, text.slice(pos));
  return out;
}

function textBlock(parent, text) {
  const t = text.replace(/^\n+|\s+$/g, "");
  if (t) parent.append(h("p", {class: "prov-text"}, t));
}

function findMarker(text, node, from) {
  const c = node.citation || {};
  let marker = null;
  if (c.point) marker = `${c.point})`;
  else if (c.clause) marker = `${c.clause}.`;
  if (!marker) return -1;
  const re = new RegExp(`(^|\\n)[ \\t]*${marker.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "g");
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index + m[1].length : -1;
}

/** Amendments and repeals aimed at a unit ("được sửa đổi, bổ sung bởi …"). */
function changeNotes(relations) {
  const items = [];
  for (const [key, label] of [["amended_by", "được sửa đổi, bổ sung bởi"], ["repealed_by", "bị bãi bỏ bởi"], ["replaced_by", "được thay thế bởi"]]) {
    for (const rel of relations[key] || []) {
      items.push(h("li", {title: rel.evidence || ""},
        rel.to_text ? `${rel.to_text} ${label} ` : `${label[0].toUpperCase()}${label.slice(1)} `,
        h("a", {href: docHref(rel.from_doc)}, rel.from_doc),
        rel.effective ? ` (từ ${fmtDate(rel.effective)})` : ""));
    }
  }
  return items.length ? h("ul", {class: "notes changes"}, items) : null;
}

function docHeader(data) {
  const validity = data.validity || {};
  const meta = [
    ["Số hiệu", data.number || data.doc],
    ["Loại văn bản", data.type],
    ["Cơ quan ban hành", [data.parent_issuer, data.issuer].filter(Boolean).join(" — ")],
    ["Nơi ban hành", data.place],
    ["Ngày ban hành", fmtDate(data.issued)],
    ["Ngày có hiệu lực", [fmtDate(data.effective), data.effective_note && `(${data.effective_note})`].filter(Boolean).join(" ")],
    ["Hết hiệu lực", fmtDate(data.expires)],
    ["Người ký", [data.signer_title, data.signer].filter(Boolean).join(" ")],
    ["Kính gửi", (data.recipients || []).map(describe).join("; ")],
  ].filter(([, v]) => v);
  return h("header", {class: "doc-head"},
    h("h1", {}, [data.type, data.doc || data.number].filter(Boolean).join(" ") || data.key),
    h("p", {class: "doc-title"}, data.title || data.subject || ""),
    h("div", {class: "doc-status"},
      badge(data.status || validity.status, data.status_text || validity.status_text, validity.note),
      validity.since ? h("span", {class: "muted"}, ` từ ${fmtDate(validity.since)}`) : null,
      validity.note || data.status_note ? h("span", {class: "muted"}, ` — ${validity.note || data.status_note}`) : null,
      data.as_of ? h("span", {class: "muted"}, ` · xét tại ngày ${fmtDate(data.as_of)}`) : null),
    h("dl", {class: "meta"}, meta.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    relationsBlock(data));
}

/** "Được sửa đổi / thay thế bởi", "Thay thế", "Căn cứ" …: one row per kind, one entry per
 * document with the provisions concerned. */
function relationsBlock(data) {
  const rel = data.relations || {};
  const incoming = rel.incoming || [];
  const outgoing = rel.outgoing || [];
  const self = data.doc || data.key;
  const rows = [];
  const add = (label, cls, entries) => {
    const byDoc = new Map();
    for (const [doc, detail, when] of entries) {
      if (!doc || doc === self) continue;
      const e = byDoc.get(doc) || {details: new Set(), when: new Set()};
      if (detail && detail !== doc) e.details.add(detail);
      if (when) e.when.add(fmtDate(when));
      byDoc.set(doc, e);
    }
    if (!byDoc.size) return;
    rows.push(h("div", {class: `rel ${cls}`}, h("dt", {}, label), h("dd", {}, h("ul", {},
      Array.from(byDoc, ([doc, e]) => h("li", {},
        h("a", {href: docHref(doc)}, doc),
        e.details.size ? ` — ${Array.from(e.details).join("; ")}` : "",
        e.when.size ? ` (từ ${Array.from(e.when).join(", ")})` : ""))))));
  };
  const inc = (kind, whole) => incoming.filter((r) => r.kind === kind && (whole === undefined || whole === !(r.to && (r.to.article || r.to.annex))));
  const out = (kind) => outgoing.filter((r) => r.kind === kind);
  add("Được thay thế bởi", "rel-replaced-by", [
    ...(data.replaced_by || []).map((d) => [d]),
    ...(validity(data).replaced_by || []).map((d) => [d]),
    ...inc("replaces").map((r) => [r.from_doc, null, r.effective])]);
  add("Bị bãi bỏ bởi", "rel-repealed-by", inc("repeals").map((r) => [r.from_doc, wholeOr(r), r.effective]));
  add("Được sửa đổi, bổ sung bởi", "rel-amended-by", inc("amends").map((r) => [r.from_doc, wholeOr(r), r.effective]));
  add("Thay thế", "rel-replaces", [...(data.replaces || []).map((d) => [d]), ...out("replaces").map((r) => [r.to.doc])]);
  add("Bãi bỏ", "rel-repeals", out("repeals").map((r) => [r.to.doc, wholeOr(r)]));
  add("Sửa đổi, bổ sung", "rel-amends", out("amends").map((r) => [r.to.doc, wholeOr(r)]));
  add("Căn cứ", "rel-based-on", out("based_on").map((r) => [r.to.doc]));
  if (data.bases && data.bases.length) {
    rows.push(h("div", {class: "rel rel-bases"}, h("dt", {}, "Căn cứ ban hành"),
      h("dd", {}, h("details", {}, h("summary", {}, `${data.bases.length} căn cứ`),
        h("ul", {}, data.bases.map((b) => h("li", {}, describe(b))))))));
  }
  add("Dẫn chiếu tới", "rel-cites", out("cites").map((r) => [r.to.doc]));
  add("Được dẫn chiếu bởi", "rel-cited-by", inc("cites").map((r) => [r.from_doc]));
  if (!rows.length) return null;
  return h("dl", {class: "relations"}, rows);
}

function validity(data) {
  return data.validity || {};
}

function wholeOr(r) {
  return r.to && (r.to.article || r.to.annex) ? r.to_text : null;
}

/* ------------------------------------------------------------------ upload */

async function viewUpload() {
  const input = h("input", {type: "file", id: "files", name: "files", multiple: true,
    accept: ".docx,.pdf,.txt,.md,.html,.htm,.xz,.tar.xz"});
  const results = h("div", {id: "upload-results", "aria-live": "polite"});
  const form = h("form", {class: "upload", id: "upload-form"},
    h("label", {for: "files"}, "Chọn tệp văn bản (DOCX, PDF, TXT, Markdown, HTML, .tar.xz) — có thể chọn nhiều tệp:"),
    input,
    h("div", {class: "drop", id: "drop"}, "…hoặc kéo thả tệp vào đây"),
    h("label", {for: "upload-token"}, "Mã truy cập của người quản lý kho văn bản:"),
    h("input", {type: "password", id: "upload-token", autocomplete: "off",
      value: sessionStorage.getItem(UPLOAD_TOKEN_KEY) || ""}),
    h("button", {type: "submit", id: "upload-submit"}, "Nạp vào kho"),
    results);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    upload(Array.from(input.files), results);
  });
  const drop = $("#drop", form);
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    upload(Array.from(e.dataTransfer.files), results);
  });
  return h("section", {class: "upload-page"},
    h("h1", {}, "Nạp văn bản"),
    h("p", {class: "muted"}, "Văn bản được đọc, tách Điều, khoản, điểm và lưu vào kho; tệp đã có (cùng nội dung) không nạp lại."),
    form);
}

async function upload(files, results) {
  if (!files.length) {
    results.replaceChildren(h("p", {class: "error", role: "alert"}, "Chưa chọn tệp nào."));
    return;
  }
  const data = new FormData();
  for (const f of files) data.append("files", f, f.name);
  results.replaceChildren(h("p", {class: "muted loading", role: "status"}, `Đang nạp ${files.length} tệp…`));
  $("#upload-submit").disabled = true;
  const token = ($("#upload-token") || {}).value || "";
  sessionStorage.setItem(UPLOAD_TOKEN_KEY, token);
  const headers = {Authorization: `Bearer ${token}`};
  try {
    const started = await api("/api/ingest", {method: "POST", body: data, headers});
    const report = await waitJob(started.job, headers, results);
    cache.clear();
    results.replaceChildren(uploadTable(report, files));
  } catch (err) {
    // 422: no file could be stored; the details still say why, file by file.
    const details = err.body && Array.isArray(err.body.details) ? err.body.details.filter((d) => d.filename || d.path) : [];
    results.replaceChildren(h("p", {class: "error", role: "alert"}, String(err.message || err)),
      details.length ? uploadTable({files: details.map((d) => ({...d, status: "failed"}))}, files) : null);
  } finally {
    $("#upload-submit").disabled = false;
  }
}

const UPLOAD_TOKEN_KEY = "ccn.upload.token";  // this tab only (sessionStorage)

/** Poll an upload job (GET /api/jobs/{id}) until it ends; its result, or an error like a request's. */
async function waitJob(id, headers, results) {
  for (;;) {
    const job = await api(`/api/jobs/${encodeURIComponent(id)}`, {headers});
    if (job.state === "done") return job.result;
    if (job.state === "failed" || job.state === "cancelled") {
      const err = new Error(job.error || "Nạp không thành công");
      err.status = job.status;
      err.body = {details: job.details || []};
      throw err;
    }
    const p = job.progress || {};
    results.replaceChildren(h("p", {class: "muted loading", role: "status"},
      `${p.step || labelOf("job_state", job.state) || job.state}${p.total ? ` (${p.done}/${p.total})` : ""}…`));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A file's result (its badge's look: .upload-<status>, style.css). */
function uploadLabel(status) {
  return labelOf("upload_result", status) || status;
}

/** Per-file rows from either {files: [{name, status, message, documents}]} or the CLI's
 * {ingested: [...], unchanged: [...], failed: [{path, error}]}. */
function uploadRows(report) {
  if (Array.isArray(report.files)) return report.files;
  if (Array.isArray(report.results)) return report.results;
  const rows = [];
  for (const status of ["ingested", "unchanged", "failed"]) {
    for (const item of report[status] || []) {
      rows.push(typeof item === "string" ? {name: item, status} : {...item, status});
    }
  }
  return rows;
}

function uploadTable(report, files) {
  const rows = uploadRows(report);
  const body = rows.map((row) => {
    const status = row.status || (row.error ? "failed" : "ingested");
    const label = uploadLabel(status);
    const name = row.name || row.filename || row.file || baseName(row.path) || "";
    const message = row.error || row.message || "";
    const docs = (row.documents || row.docs || []).map((d) => {
      const id = typeof d === "string" ? d : d.key || d.doc || d.number;
      const text = typeof d === "string" ? d : [d.doc || d.number || d.key, d.title].filter(Boolean).join(" — ");
      return h("li", {}, id ? h("a", {href: docHref(id)}, text) : text);
    });
    const warn = (row.warnings || []).map((w) => h("li", {class: "warn"}, describe(w)));
    return h("tr", {class: `file file-${status}`, dataset: {status}},
      h("td", {class: "file-name"}, name),
      h("td", {}, h("span", {class: `badge upload-${status}`}, label)),
      h("td", {class: "file-message"}, message, docs.length || warn.length ? h("ul", {}, docs, warn) : null));
  });
  const counts = ["ingested", "unchanged", "failed"].map((s) => `${uploadLabel(s).toLowerCase()} ${rows.filter((r) => (r.status || "") === s).length}`);
  return h("div", {},
    h("p", {class: "summary", role: "status"}, `${files.length} tệp: ${counts.join(", ")}`),
    h("table", {class: "table upload-table"},
      h("thead", {}, h("tr", {}, ["Tệp", "Kết quả", "Chi tiết"].map((t) => h("th", {}, t)))),
      h("tbody", {}, body)));
}

function baseName(path) {
  if (!path) return "";
  return String(path).split(/[\\/]/).pop();
}

/* ------------------------------------------------------------------ misc views */

async function viewNotFound() {
  return h("p", {class: "error"}, "Không có trang này. ", h("a", {href: "#/search"}, "Về trang tra cứu"));
}

function toggleHelp() {
  let dialog = $("#help");
  if (!dialog) {
    dialog = h("dialog", {id: "help", "aria-label": "Phím tắt"},
      h("h2", {}, "Phím tắt"),
      h("dl", {class: "meta"},
        [["/", "đưa con trỏ vào ô tìm kiếm"], ["Enter", "tìm (trong ô tìm kiếm) hoặc mở kết quả đang chọn"],
          ["j, ↓", "kết quả tiếp theo"], ["k, ↑", "kết quả trước"], ["Esc", "về ô tìm kiếm"],
          ["Alt+1 … Alt+4", "Tra cứu, Hỏi đáp, Văn bản, Nạp văn bản"], ["?", "bật/tắt trợ giúp này"]]
          .map(([k, v]) => [h("dt", {}, h("kbd", {}, k)), h("dd", {}, v)])),
      h("form", {method: "dialog"}, h("button", {}, "Đóng")));
    document.body.append(dialog);
  }
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

/* ------------------------------------------------------------------ wiring */

function typing(target) {
  return target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey) return;
  const q = $("#q");
  if (event.altKey) {
    const tab = {1: "#/search", 2: "#/ask", 3: "#/docs", 4: "#/upload"}[event.key];
    if (tab) {
      event.preventDefault();
      location.hash = tab;
    }
    return;
  }
  if (event.key === "Escape") {
    if ($("#help") && $("#help").open) return;
    q.focus();
    q.select();
    return;
  }
  const inInput = typing(event.target);
  if (event.target === q && event.key === "ArrowDown" && resultNodes().length) {
    event.preventDefault();
    selectResult(0);
    return;
  }
  if (inInput) return;
  if (event.key === "/") {
    event.preventDefault();
    q.focus();
    q.select();
  } else if (event.key === "?") {
    event.preventDefault();
    toggleHelp();
  } else if ((event.key === "j" || event.key === "ArrowDown") && resultNodes().length) {
    event.preventDefault();
    selectResult(selected + 1);
  } else if ((event.key === "k" || event.key === "ArrowUp") && resultNodes().length) {
    event.preventDefault();
    if (selected <= 0) {
      selectResult(-1);
      q.focus();
    } else selectResult(selected - 1);
  } else if ((event.key === "Enter" || event.key === "o") && selected >= 0 && event.target.tagName !== "A") {
    event.preventDefault();
    openSelected();
  }
}

function onSubmit(event) {
  event.preventDefault();
  const text = $("#q").value.trim();
  const r = parseHash();
  const mode = r.name === "ask" ? "ask" : "search";
  const params = new URLSearchParams();
  if (text) params.set("q", text);
  const asOf = currentAsOf();
  if (asOf) params.set("as_of", asOf);
  if (mode === "search") for (const [key] of FILTERS) if (r.params.get(key)) params.set(key, r.params.get(key));
  const target = `#/${mode}` + (params.toString() ? `?${params}` : "");
  if (location.hash === target) route();
  else location.hash = target;
}

/** The sticky header's height, for the tree and the anchors' scroll margin (it may wrap). */
function measureHeader() {
  document.documentElement.style.setProperty("--top", `${$(".top").offsetHeight}px`);
}

document.addEventListener("DOMContentLoaded", async () => {
  measureHeader();
  window.addEventListener("resize", measureHeader);
  $("#query-form").addEventListener("submit", onSubmit);
  document.addEventListener("keydown", onKey);
  document.addEventListener("click", (event) => {
    const item = event.target.closest && event.target.closest("#results > .result");
    if (item && !event.target.closest("a")) selectResult(resultNodes().indexOf(item), false);
  });
  window.addEventListener("hashchange", route);
  if (!location.hash) history.replaceState(null, "", "#/search");
  await loadLabels();
  route();
});
