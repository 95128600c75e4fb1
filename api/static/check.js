/* Kiểm tra văn bản và soạn thảo (check.html): no framework, no build step.
 * Routes (hash): #/check (upload a letter: POST /api/check, /api/check/annotated),
 * #/draft (the drafting form, draftform.js; #/draft/json the spec as JSON: GET /api/draft/examples,
 * POST /api/draft, /api/draft/docx).
 * All text from the server or the user is inserted as text nodes (never as HTML). */
"use strict";

let checked = null; // {file, asOf}: the letter last checked, for the annotated DOCX
let examples = [];

/* ------------------------------------------------------------------ DOM helpers (h, $: dom.js) */
function errorBox(err) {
  const details = (err.details || []).filter((d) => d && d.msg);
  return h("div", {class: "error", role: "alert"},
    h("p", {class: "error-message"}, err.message || String(err)),
    details.length > 1 ? h("ul", {}, details.map((d) => h("li", {}, where(d.loc), d.msg))) : null);
}

function where(loc) {
  const parts = (loc || []).filter((p) => p !== "body" && p !== "query");
  return parts.length ? `«${parts.join(".")}»: ` : "";
}

function vnDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso || "";
}

function busy(button, on, text) {
  if (on) {
    button.dataset.label = button.textContent;
    button.textContent = text;
  } else if (button.dataset.label) {
    button.textContent = button.dataset.label;
  }
  button.disabled = on;
}

/* ------------------------------------------------------------------ API */
class ApiError extends Error {
  constructor(message, details, status) {
    super(message);
    this.details = details || [];
    this.status = status;
  }
}

async function call(method, path, body) {
  const init = {method, headers: {Accept: "application/json", ...authHeaders()}};
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (_err) {
    throw new ApiError("Không kết nối được máy chủ. Hãy thử lại.");
  }
  if (!response.ok) {
    let data = null;
    try { data = await response.json(); } catch (_err) { data = null; }
    throw new ApiError((data && data.error) || `Lỗi máy chủ (HTTP ${response.status})`,
      data && data.details, response.status);
  }
  return response;
}

function fileName(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try { return decodeURIComponent(star[1]); } catch (_err) { /* fall through */ }
  }
  const plain = /filename="([^"]+)"/i.exec(header);
  return plain ? plain[1] : fallback;
}

async function download(response, fallback) {
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = h("a", {href: url, download: fileName(response, fallback), hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/* ------------------------------------------------------------------ the checker's report */
function statusBadge(status) {
  return h("span", {class: `badge cs-${status}`, dataset: {status}}, labelOf("check_status", status) || status);
}

function severityBadge(severity) {
  return h("span", {class: `badge cs-${severity}`}, labelOf("severity", severity) || severity);
}

/** The report's elements; `sourceText` replaces the wording of `as_of_source` (a draft's date). */
function renderReport(report, sourceText) {
  const c = report.counts;
  const source = sourceText || labelOf("as_of_source", report.as_of_source) || report.as_of_source;
  const head = h("div", {class: "report-head"},
    h("p", {}, "Văn bản: ", h("strong", {}, report.file)),
    h("p", {}, `Xét hiệu lực tại ngày ${vnDate(report.as_of)} (${source})`),
    h("p", {class: "counts"},
      `${c.citations} trích dẫn: ${c.ok} đúng, ${c.error} lỗi, ${c.warning} cảnh báo, `
      + `${c.outside_kb} ngoài cơ sở dữ liệu — tổng ${c.errors} lỗi, ${c.warnings} cảnh báo.`));
  const notes = report.notes.length
    ? h("ul", {class: "warnings"}, report.notes.map((n) => h("li", {}, n))) : null;
  const rows = report.citations.map((cit) => {
    const extra = cit.issues.filter((i) => i.message && i.message !== cit.message
      && (i.severity === "error" || i.severity === "warning"));
    return h("tr", {class: `citation row-${cit.status}`, dataset: {status: cit.status, code: cit.code}},
      h("td", {class: "where"}, `đoạn ${cit.paragraph + 1}`),
      h("td", {}, h("span", {class: "cite-text"}, cit.text),
        cit.canonical && cit.canonical !== cit.text ? h("span", {class: "canonical"}, cit.canonical) : null),
      h("td", {}, statusBadge(cit.status)),
      h("td", {}, h("span", {class: "message"}, cit.message || "—"),
        extra.length ? h("ul", {}, extra.map((i) => h("li", {}, `${labelOf("severity", i.severity) || i.severity}: ${i.message}`))) : null));
  });
  const table = report.citations.length
    ? h("table", {class: "table citations"},
      h("thead", {}, h("tr", {}, h("th", {}, "Vị trí"), h("th", {}, "Trích dẫn"), h("th", {}, "Trạng thái"),
        h("th", {}, "Nhận xét"))),
      h("tbody", {}, rows))
    : h("p", {class: "muted"}, "Không tìm thấy trích dẫn văn bản nào.");
  const findings = report.findings.length
    ? h("ol", {class: "findings"}, report.findings.map((f) =>
      h("li", {class: `finding finding-${f.severity}`, dataset: {code: f.code, severity: f.severity}},
        severityBadge(f.severity), " ", h("span", {class: "quote-text"}, `«${f.text}»`),
        ` (đoạn ${f.paragraph + 1}) — `, h("span", {class: "message"}, f.message))))
    : h("p", {class: "ok-line"}, "Không phát hiện lỗi hay cảnh báo nào.");
  return [head, notes, h("h2", {}, "Các trích dẫn"), table,
    h("h2", {}, `Các vấn đề phát hiện (${report.findings.length})`), findings].filter(Boolean);
}

/* ------------------------------------------------------------------ checking a letter */
function letterForm(file, asOf) {
  const form = new FormData();
  form.append("file", file, file.name);
  if (asOf) form.append("as_of", asOf);
  return form;
}

async function onCheck(event) {
  event.preventDefault();
  const file = $("#letter").files[0];
  const asOf = $("#check-as-of").value;
  const out = $("#check-result");
  const button = $("#check-submit");
  if (!file) {
    out.replaceChildren(errorBox(new ApiError("Hãy chọn một tệp văn bản để kiểm tra.")));
    return;
  }
  busy(button, true, "Đang kiểm tra…");
  $("#annotated").hidden = true;
  out.replaceChildren(h("p", {class: "loading muted"}, `Đang kiểm tra ${file.name}…`));
  try {
    const report = await (await call("POST", "/api/check", letterForm(file, asOf))).json();
    await loadLabels();
    checked = {file, asOf};
    const isDocx = /\.docx$/i.test(file.name);
    $("#annotated").hidden = !isDocx;
    out.replaceChildren(...renderReport(report),
      ...(isDocx ? [] : [h("p", {class: "muted"}, "Bản có nhận xét chỉ tải được với tệp Word .docx.")]));
  } catch (err) {
    checked = null;
    out.replaceChildren(errorBox(err));
  } finally {
    busy(button, false);
  }
}

async function onAnnotated() {
  if (!checked) return;
  const button = $("#annotated");
  busy(button, true, "Đang tạo tệp…");
  try {
    const response = await call("POST", "/api/check/annotated", letterForm(checked.file, checked.asOf));
    await download(response, "van-ban-kiem-tra.docx");
  } catch (err) {
    $("#check-result").prepend(errorBox(err));
  } finally {
    busy(button, false);
  }
}

/* ------------------------------------------------------------------ drafting */
async function loadExamples() {
  const select = $("#example");
  try {
    examples = await (await call("GET", "/api/draft/examples")).json();
  } catch (err) {
    select.replaceChildren(h("option", {value: ""}, "(không tải được dự thảo mẫu)"));
    $("#draft-result").replaceChildren(errorBox(err));
    formStart();
    return;
  }
  select.replaceChildren(h("option", {value: ""}, "— chọn dự thảo mẫu —"),
    ...examples.map((e) => h("option", {value: e.name, title: e.subject}, `${e.label} (${e.name}.yaml)`)));
  if (!$("#spec").value.trim() && examples.length) {
    const first = examples.find((e) => e.name === "tra_loi") || examples[0];
    select.value = first.name;
    fillSpec(first);
  } else formStart();
}

function fillSpec(example) {
  $("#spec").value = JSON.stringify(example.spec, null, 2);
  formLoad(example.spec); // the form (draftform.js) shows it too
}

function onExample() {
  const chosen = examples.find((e) => e.name === $("#example").value);
  if (chosen) fillSpec(chosen);
}

function readSpec() {
  if (draftView() === "form") return formSpec(); // draftform.js
  const text = $("#spec").value.trim();
  if (!text) throw new ApiError("Chưa có nội dung dự thảo: hãy chọn một dự thảo mẫu hoặc dán nội dung JSON.");
  try {
    return JSON.parse(text);
  } catch (_err) {
    throw new ApiError("Nội dung dự thảo không phải JSON hợp lệ: hãy kiểm tra dấu phẩy, dấu ngoặc và dấu nháy kép.");
  }
}

function draftPath(path) {
  const asOf = $("#draft-as-of").value;
  return asOf ? `${path}?as_of=${encodeURIComponent(asOf)}` : path;
}

function renderDraft(result, chosenDate) {
  const a = result.assembly;
  const issues = a.issues.length
    ? h("ul", {class: "findings draft-issues"}, a.issues.map((i) =>
      h("li", {dataset: {severity: i.severity}}, severityBadge(i.severity), ` ${i.where}: `, i.message)))
    : h("p", {class: "ok-line"}, "Không có vấn đề khi lập dự thảo.");
  const cited = a.citations.length
    ? h("table", {class: "table cited"},
      h("thead", {}, h("tr", {}, h("th", {}, "Quy định"), h("th", {}, "Hiệu lực tại ngày của văn bản"),
        h("th", {}, "Dùng ở"))),
      h("tbody", {}, a.citations.map((c) => h("tr", {dataset: {found: String(c.found)}},
        h("td", {}, c.citation_text),
        h("td", {}, c.found
          ? h("span", {class: `badge status-${c.status || "unknown"}`}, c.status_text || c.status || "")
          : h("span", {class: "badge cs-error"}, "Không tìm thấy"),
        c.validity_note ? h("span", {class: "status-text muted"}, ` ${c.validity_note}`) : null),
        h("td", {}, (c.used_in || []).join(", "))))))
    : h("p", {class: "muted"}, "Dự thảo không viện dẫn quy định nào.");
  const verdict = result.ok
    ? h("p", {class: "verdict ok-line"}, "Không có lỗi khi lập dự thảo và khi kiểm tra trích dẫn.")
    : h("p", {class: "verdict error"}, "Dự thảo còn lỗi: xem các mục dưới đây.");
  return [
    h("div", {class: "report-head"},
      h("p", {}, h("strong", {}, result.kind_label), ` — ngày xét hiệu lực ${vnDate(result.as_of)}`),
      h("p", {}, "V/v: ", a.subject)),
    verdict,
    h("h2", {}, "Khi lập dự thảo"), issues,
    h("h2", {}, "Quy định được viện dẫn"), cited,
    h("h2", {}, "Kiểm tra trích dẫn của dự thảo"),
    ...renderReport(result.check, chosenDate ? "theo ngày đã chọn" : "theo ngày của dự thảo"),
  ];
}

async function onDraft(event) {
  event.preventDefault();
  const out = $("#draft-result");
  const button = $("#draft-run");
  let spec;
  try {
    spec = readSpec();
  } catch (err) {
    out.replaceChildren(errorBox(err));
    return;
  }
  busy(button, true, "Đang lập…");
  out.replaceChildren(h("p", {class: "loading muted"}, "Đang lập dự thảo và kiểm tra trích dẫn…"));
  try {
    const chosenDate = $("#draft-as-of").value;
    const result = await (await call("POST", draftPath("/api/draft"), spec)).json();
    await loadLabels();
    out.replaceChildren(...renderDraft(result, chosenDate));
  } catch (err) {
    out.replaceChildren(errorBox(err));
  } finally {
    busy(button, false);
  }
}

async function onDraftDocx() {
  const out = $("#draft-result");
  const button = $("#draft-docx");
  let spec;
  try {
    spec = readSpec();
  } catch (err) {
    out.replaceChildren(errorBox(err));
    return;
  }
  busy(button, true, "Đang tạo tệp…");
  try {
    await download(await call("POST", draftPath("/api/draft/docx"), spec), "du-thao.docx");
  } catch (err) {
    out.replaceChildren(errorBox(err));
  } finally {
    busy(button, false);
  }
}

/* ------------------------------------------------------------------ routing */
function route() {
  const name = location.hash.startsWith("#/draft") ? "draft" : "check";
  $("#check-panel").hidden = name !== "check";
  $("#draft-panel").hidden = name !== "draft";
  for (const link of $$(".tabs a")) link.classList.toggle("active", link.dataset.route === name);
  document.title = `${name === "draft" ? "Soạn thảo" : "Kiểm tra văn bản"} — Trợ lý pháp luật CCN`;
}

async function start() {
  $("#check-form").addEventListener("submit", onCheck);
  $("#annotated").addEventListener("click", onAnnotated);
  $("#draft-form").addEventListener("submit", onDraft);
  $("#draft-docx").addEventListener("click", onDraftDocx);
  $("#example").addEventListener("change", onExample);
  window.addEventListener("hashchange", route);
  route();
  loadExamples();
  await loadLabels(); // the reports' labels: onCheck and onDraft wait for them too
}

document.addEventListener("DOMContentLoaded", start);
