/* Xem xét dự thảo: the review workflow's page (no framework, no build step).
 * Routes (hash): #/drafts?state=…, #/drafts/<id>?v=<n>, #/new, #/audit, #/users.
 * The API token is kept in sessionStorage (this tab only) and sent as "Authorization: Bearer …".
 * All text from the server is inserted as text nodes (never as HTML). */
"use strict";

const TOKEN_KEY = "ccn.review.token";

let me = null;
let pending = []; // comments written but not yet sent: {paragraph, text}
let pendingDraft = null;
let renderToken = 0; // raised by each route(); a view renders only while its token is the newest

/* ------------------------------------------------------------------ DOM helpers (h, $: dom.js) */
/* Show a view's content unless a newer route began while it waited for the server (a slow drafts list
 * must not overwrite the draft opened after it). Returns whether it was shown. */
function show(token, ...children) {
  if (token !== renderToken) return false;
  $("#main").replaceChildren(...children.flat().filter(Boolean));
  return true;
}

function errorBox(err) {
  return h("p", {class: "error", role: "alert"}, err.message || String(err));
}

function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
  return isNaN(d) ? iso : d.toLocaleString("vi-VN");
}

function stateBadge(state) {
  return h("span", {class: `badge state-${state}`, dataset: {state}}, labelOf("draft_state", state) || state);
}

/* ------------------------------------------------------------------ API */
function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

async function api(method, path, body) {
  const headers = {Accept: "application/json"};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  if (!res.ok) {
    let message = `Lỗi HTTP ${res.status}`;
    try { message = (await res.json()).error || message; } catch (_) { /* not JSON */ }
    const err = new Error(message);
    err.status = res.status;
    throw err;
  }
  return res.json();
}

async function download(path, filename) {
  const res = await fetch(path, {headers: {Authorization: `Bearer ${token()}`}});
  if (!res.ok) {
    let message = `Lỗi HTTP ${res.status}`;
    try { message = (await res.json()).error || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h("a", {href: url, download: filename});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

function can(need) {
  if (!me) return false;
  if (need === "admin") return me.role === "admin";
  if (need === "create") return me.role === "specialist" || me.role === "admin";
  if (need === "audit") return me.role === "reviewer" || me.role === "admin";
  return true;
}

/* ------------------------------------------------------------------ login */
async function login() {
  me = null;
  if (token()) {
    try { me = await api("GET", "/api/me"); } catch (err) {
      if (err.status === 401) sessionStorage.removeItem(TOKEN_KEY);
      show(renderToken, errorBox(err));
    }
  }
  if (me) await loadLabels(); // the states' and roles' texts (a token may be needed to read them)
  $("#who").textContent = me ? `${me.display_name} (${me.role_text || me.role})` : "";
  $("#token").hidden = !!me;
  $("#login-button").hidden = !!me;
  $("#logout").hidden = !me;
  for (const link of $$(".tabs a")) link.hidden = !!link.dataset.needs && !can(link.dataset.needs);
}

/* ------------------------------------------------------------------ routing */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "") || "drafts";
  const [path, query] = raw.split("?");
  return {parts: path.split("/"), params: new URLSearchParams(query || "")};
}

async function route() {
  const token = ++renderToken;
  const {parts, params} = parseHash();
  for (const link of $$(".tabs a")) link.classList.toggle("active", link.dataset.route === parts[0]);
  if (!me) {
    show(token, h("h1", {}, "Xem xét dự thảo"),
      h("p", {}, "Nhập mã truy cập do quản trị cấp để xem và xử lý dự thảo."));
    return;
  }
  try {
    if (parts[0] === "drafts" && parts[1]) await viewDraft(Number(parts[1]), params);
    else if (parts[0] === "new") viewNew();
    else if (parts[0] === "audit") await viewAudit(params);
    else if (parts[0] === "users") await viewUsers();
    else await viewDrafts(params);
  } catch (err) {
    show(token, errorBox(err));
  }
  $("#main").focus({preventScroll: true});
}

/* ------------------------------------------------------------------ drafts list */
async function viewDrafts(params) {
  const token = renderToken;
  const state = params.get("state") || "";
  const query = state ? `?state=${encodeURIComponent(state)}` : "";
  const drafts = await api("GET", `/api/drafts${query}`);
  const filter = h("select", {id: "state-filter", "aria-label": "Lọc theo trạng thái",
    onchange: (e) => { location.hash = e.target.value ? `#/drafts?state=${e.target.value}` : "#/drafts"; }},
  h("option", {value: ""}, "Mọi trạng thái"),
  Object.entries(LABELS.draft_state || {}).map(([k, v]) => h("option", {value: k, selected: k === state}, v)));
  const rows = drafts.map((d) => h("tr", {dataset: {id: d.id}},
    h("td", {}, d.id),
    h("td", {}, h("a", {href: `#/drafts/${d.id}`}, d.title)),
    h("td", {}, d.author),
    h("td", {}, stateBadge(d.state)),
    h("td", {class: "num"}, d.version),
    h("td", {}, fmtTime(d.updated_at))));
  show(token, h("h1", {}, "Dự thảo"),
    h("div", {class: "toolbar"}, filter, can("create") ? h("a", {class: "button", href: "#/new"}, "Dự thảo mới") : null),
    drafts.length
      ? h("table", {class: "table drafts"},
        h("thead", {}, h("tr", {}, ["Số", "Tiêu đề", "Người soạn", "Trạng thái", "Phiên bản", "Cập nhật"].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows))
      : h("p", {class: "muted"}, "Chưa có dự thảo nào."));
}

/* ------------------------------------------------------------------ new draft / edit */
function specEditor({title = "", spec = null, submitLabel, onSubmit, withTitle}) {
  const text = h("textarea", {id: "spec", rows: 22, spellcheck: "false", class: "spec",
    "aria-label": "Nội dung dự thảo (JSON)"}, spec ? JSON.stringify(spec, null, 2) : "");
  const file = h("input", {type: "file", accept: ".json,application/json", "aria-label": "Nạp nội dung từ tệp JSON",
    onchange: async (e) => { const f = e.target.files[0]; if (f) text.value = await f.text(); }});
  const titleInput = withTitle ? h("input", {id: "title", type: "text", value: title, placeholder: "Tiêu đề (mặc định: trích yếu trong nội dung)"}) : null;
  const note = h("input", {id: "note", type: "text", placeholder: "Ghi chú cho phiên bản (không bắt buộc)"});
  const status = h("div", {"aria-live": "polite"});
  const button = h("button", {type: "submit"}, submitLabel);
  const form = h("form", {class: "editor", onsubmit: async (e) => {
    e.preventDefault();
    let parsed;
    try { parsed = JSON.parse(text.value); } catch (err) {
      status.replaceChildren(errorBox(new Error(`Nội dung không phải JSON hợp lệ: ${err.message}`)));
      return;
    }
    button.disabled = true;
    status.replaceChildren(h("p", {class: "loading"}, "Đang tạo tệp DOCX…"));
    try { await onSubmit(parsed, note.value, titleInput ? titleInput.value : null); } catch (err) {
      status.replaceChildren(errorBox(err));
    } finally { button.disabled = false; }
  }},
  titleInput ? h("label", {}, "Tiêu đề", titleInput) : null,
  h("label", {}, "Nội dung dự thảo (JSON theo mẫu của phần soạn thảo) ", file),
  text,
  h("label", {}, "Ghi chú", note),
  h("div", {}, button),
  status);
  return form;
}

function viewNew() {
  show(renderToken, h("h1", {}, "Dự thảo mới"),
    specEditor({submitLabel: "Tạo dự thảo", withTitle: true, onSubmit: async (spec, note, title) => {
      const body = {spec, note};
      if (title && title.trim()) body.title = title.trim();
      const draft = await api("POST", "/api/drafts", body);
      location.hash = `#/drafts/${draft.id}`;
    }}));
}

/* ------------------------------------------------------------------ one draft */
async function viewDraft(id, params) {
  const token = renderToken;
  const draft = await api("GET", `/api/drafts/${id}`);
  if (pendingDraft !== id) { pending = []; pendingDraft = id; }
  const shown = Number(params.get("v")) || draft.version;
  const version = draft.versions.find((v) => v.number === shown) || draft.versions[draft.versions.length - 1];
  const current = version.number === draft.version;
  const canComment = current && (draft.actions.includes("comment") || draft.actions.includes("return"));
  const rendered = show(token,
    draftHead(draft, version),
    versionTabs(draft, version),
    h("div", {class: "review-body"},
      h("section", {class: "paragraphs", "aria-label": "Các đoạn của văn bản"},
        h("h2", {}, `Nội dung phiên bản ${version.number}`),
        paragraphList(draft, version, canComment),
        canComment ? pendingBox() : null),
      h("aside", {class: "side"},
        checkReport(version),
        commentList(draft),
        published(draft))),
    auditTable(draft.audit, "Nhật ký của dự thảo"));
  if (rendered && canComment) renderPending(draft);
}

function draftHead(draft, version) {
  const buttons = [];
  for (const action of ["edit", "submit", "return", "approve"]) {
    if (draft.actions.includes(action)) {
      buttons.push(h("button", {type: "button", class: `act act-${action}`, dataset: {action},
        onclick: () => act(draft, action)}, labelOf("draft_action", action) || action));
    }
  }
  buttons.push(h("button", {type: "button", class: "secondary",
    onclick: (e) => guarded(e.target, () => download(`/api/drafts/${draft.id}/versions/${version.number}/docx`,
      `du-thao-${draft.id}-v${version.number}.docx`))}, `Tải DOCX phiên bản ${version.number}`));
  if (draft.state === "approved") {
    buttons.push(h("button", {type: "button", class: "secondary",
      onclick: (e) => guarded(e.target, () => download(`/api/drafts/${draft.id}/approved/docx`,
        `van-ban-da-duyet-${draft.id}.docx`))}, "Tải văn bản đã duyệt"));
  }
  return h("div", {class: "doc-head"},
    h("h1", {class: "doc-title"}, `Dự thảo số ${draft.id}: ${draft.title}`),
    h("p", {}, stateBadge(draft.state), " ",
      `Người soạn: ${draft.author} · phiên bản hiện tại: ${draft.version} · cập nhật ${fmtTime(draft.updated_at)}`),
    h("div", {class: "toolbar", id: "actions"}, buttons),
    h("div", {id: "action-panel", "aria-live": "polite"}));
}

async function guarded(button, fn) {
  button.disabled = true;
  try { await fn(); } catch (err) { $("#action-panel").replaceChildren(errorBox(err)); } finally { button.disabled = false; }
}

function versionTabs(draft, version) {
  return h("nav", {class: "versions", "aria-label": "Phiên bản"}, "Phiên bản: ",
    draft.versions.map((v) => h("a", {href: `#/drafts/${draft.id}?v=${v.number}`,
      class: v.number === version.number ? "active" : "",
      title: `${v.author}, ${fmtTime(v.created_at)}${v.note ? ` — ${v.note}` : ""}`}, `v${v.number}`)));
}

function paragraphList(draft, version, canComment) {
  const byParagraph = new Map();
  for (const c of draft.comments.filter((c) => c.version === version.number)) {
    const key = c.paragraph === null ? "all" : c.paragraph;
    if (!byParagraph.has(key)) byParagraph.set(key, []);
    byParagraph.get(key).push(c);
  }
  const general = byParagraph.get("all") || [];
  const items = version.paragraphs.map((text, i) => h("li", {class: "para", value: i, dataset: {index: i}},
    h("div", {class: "para-row"},
      h("span", {class: "para-no", "aria-hidden": "true"}, `¶${i}`),
      h("span", {class: "para-text"}, text),
      canComment ? h("button", {type: "button", class: "small secondary", "aria-label": `Góp ý đoạn ${i}`,
        onclick: (e) => commentForm(e.target.closest("li"), i, draft)}, labelOf("draft_action", "comment") || "comment") : null),
    (byParagraph.get(i) || []).map(commentItem)));
  return [
    general.length ? h("div", {class: "general"}, h("strong", {}, "Góp ý chung: "), general.map(commentItem)) : null,
    canComment ? h("button", {type: "button", class: "small secondary",
      onclick: (e) => commentForm(e.target, null, draft)}, "Góp ý chung cho cả văn bản") : null,
    h("ol", {class: "para-list", start: 0}, items),
  ];
}

function commentItem(c) {
  return h("div", {class: `comment${c.resolved ? " resolved" : ""}`, dataset: {id: c.id}},
    h("span", {class: "comment-who"}, `${c.author}, ${fmtTime(c.created_at)}: `), c.text,
    c.resolved ? h("span", {class: "muted"}, ` (đã xử lý${c.resolved_by ? ` bởi ${c.resolved_by}` : ""})`) : null);
}

function commentForm(anchor, paragraph, draft) {
  const existing = $(".comment-form", anchor.parentElement);
  if (existing) { existing.querySelector("textarea").focus(); return; }
  const text = h("textarea", {rows: 3, "aria-label": paragraph === null ? "Góp ý chung" : `Góp ý đoạn ${paragraph}`});
  const form = h("form", {class: "comment-form", onsubmit: (e) => {
    e.preventDefault();
    if (!text.value.trim()) return;
    pending.push({paragraph, text: text.value.trim()});
    form.remove();
    renderPending(draft);
  }}, text, h("div", {}, h("button", {type: "submit", class: "small"}, "Thêm vào danh sách góp ý"), " ",
    h("button", {type: "button", class: "small secondary", onclick: () => form.remove()}, "Huỷ")));
  if (anchor.tagName === "LI") anchor.append(form); else anchor.after(form);
  text.focus();
}

function pendingBox() {
  return h("div", {id: "pending", class: "pending"});
}

function renderPending(draft) {
  const box = $("#pending");
  if (!box) return;
  if (!pending.length) { box.replaceChildren(); return; }
  const list = h("ul", {}, pending.map((c, i) => h("li", {},
    h("strong", {}, c.paragraph === null ? "Chung: " : `¶${c.paragraph}: `), c.text, " ",
    h("button", {type: "button", class: "small secondary", onclick: () => { pending.splice(i, 1); renderPending(draft); }}, "Bỏ"))));
  const buttons = [];
  if (draft.actions.includes("comment")) {
    buttons.push(h("button", {type: "button", onclick: (e) => guarded(e.target, async () => {
      await api("POST", `/api/drafts/${draft.id}/comments`, {comments: pending});
      pending = [];
      await route();
    })}, "Gửi góp ý"));
  }
  box.replaceChildren(h("h3", {}, `Góp ý chưa gửi (${pending.length})`), list, h("div", {class: "toolbar"}, buttons,
    draft.actions.includes("return") ? h("span", {class: "muted"}, "hoặc dùng nút «Trả lại kèm góp ý» ở trên") : null));
}

function act(draft, action) {
  const panel = $("#action-panel");
  if (action === "edit") {
    panel.replaceChildren(h("h2", {}, "Sửa dự thảo: phiên bản mới"),
      specEditor({spec: draft.spec, submitLabel: "Lưu phiên bản mới", onSubmit: async (spec, note) => {
        await api("PUT", `/api/drafts/${draft.id}`, {spec, note});
        location.hash = `#/drafts/${draft.id}`;
        await route();
      }}));
    return;
  }
  const note = h("input", {type: "text", placeholder: "Ghi chú (không bắt buộc)", "aria-label": "Ghi chú"});
  const info = action === "approve"
    ? h("p", {}, "Văn bản được tạo lại không có chữ «DỰ THẢO», nạp vào kho như công văn đã ban hành và cập nhật chỉ mục tìm kiếm (có thể mất ít phút).")
    : action === "return"
      ? h("p", {}, pending.length ? `Kèm ${pending.length} góp ý chưa gửi.` : "Cần ít nhất một góp ý: thêm góp ý theo đoạn bên dưới, hoặc dùng các góp ý đã gửi.")
      : null;
  const button = h("button", {type: "button", onclick: () => guarded(button, async () => {
    panel.replaceChildren(h("p", {class: "loading"}, "Đang xử lý…"));
    const body = {note: note.value};
    if (action === "return") body.comments = pending;
    await api("POST", `/api/drafts/${draft.id}/${action}`, body);
    if (action === "return") pending = [];
    await route();
  })}, labelOf("draft_action", action) || action);
  panel.replaceChildren(h("div", {class: "confirm"}, info, note, " ", button, " ",
    h("button", {type: "button", class: "secondary", onclick: () => panel.replaceChildren()}, "Huỷ")));
}

function checkReport(version) {
  const report = version.check;
  if (!report) return null;
  if (report.error) return h("section", {class: "check"}, h("h2", {}, "Kiểm tra trích dẫn"), errorBox(new Error(report.error)));
  const findings = report.findings || [];
  const c = report.counts || {};
  const summary = `${c.citations ?? 0} trích dẫn: ${c.ok ?? 0} đúng, ${c.errors ?? 0} lỗi, ${c.warnings ?? 0} cảnh báo`
    + (c.outside_kb ? `, ${c.outside_kb} ngoài kho` : "");
  return h("section", {class: "check"}, h("h2", {}, `Kiểm tra trích dẫn (phiên bản ${version.number})`),
    h("p", {}, summary, report.as_of ? ` — hiệu lực xét tại ${report.as_of}` : ""),
    findings.length
      ? h("ul", {}, findings.map((f) => h("li", {class: `check-${f.severity || "info"}`},
        f.text ? h("q", {}, f.text) : null, f.text ? " — " : null, f.message || f.code)))
      : h("p", {class: "ok"}, "Không phát hiện lỗi trích dẫn."),
    (report.notes || []).length ? h("ul", {class: "muted"}, report.notes.map((n) => h("li", {}, n))) : null);
}

function commentList(draft) {
  const canResolve = draft.actions.includes("resolve");
  const open = draft.comments.filter((c) => !c.resolved);
  return h("section", {class: "comments"}, h("h2", {}, `Góp ý (${open.length} chưa xử lý / ${draft.comments.length})`),
    draft.comments.length ? h("ul", {}, draft.comments.map((c) => h("li", {class: c.resolved ? "resolved" : ""},
      h("a", {href: `#/drafts/${draft.id}?v=${c.version}`}, `v${c.version}${c.paragraph === null ? " chung" : ` ¶${c.paragraph}`}`),
      " ", commentItem(c),
      canResolve && !c.resolved ? h("button", {type: "button", class: "small secondary",
        onclick: (e) => guarded(e.target, async () => {
          await api("POST", `/api/drafts/${draft.id}/comments/${c.id}/resolve`);
          await route();
        })}, labelOf("draft_action", "resolve") || "resolve") : null))) : h("p", {class: "muted"}, "Chưa có góp ý."));
}

function published(draft) {
  if (draft.state !== "approved" || !draft.published) return null;
  const docs = draft.published.documents || [];
  return h("section", {class: "published"}, h("h2", {}, "Đã nạp vào kho"),
    h("p", {}, `Phiên bản ${draft.approved_version}; văn bản trong kho: `, docs.length ? docs.join(", ") : "—"),
    docs.length ? h("p", {}, h("a", {href: `/#/search?q=${encodeURIComponent(draft.title)}`}, "Tìm trong kho")) : null);
}

/* ------------------------------------------------------------------ audit */
function detailText(detail) {
  const parts = [];
  for (const [k, v] of Object.entries(detail || {})) {
    if (v === null || v === "" || (Array.isArray(v) && !v.length) || k === "index" || k === "ingested") continue;
    const value = k === "from_state" ? (labelOf("draft_state", v) || v)
      : k === "role" ? (labelOf("role", v) || v)
        : Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : v;
    parts.push(`${labelOf("audit_detail", k) || k}: ${value}`);
  }
  return parts.join(" · ");
}

function auditTable(entries, title) {
  return h("section", {class: "audit"}, h("h2", {}, title),
    entries.length ? h("table", {class: "table audit-table"},
      h("thead", {}, h("tr", {}, ["Thời điểm", "Người", "Việc", "Dự thảo", "Phiên bản", "Chi tiết"].map((t) => h("th", {}, t)))),
      h("tbody", {}, entries.map((e) => h("tr", {class: `audit-${e.action}`, dataset: {action: e.action}},
        h("td", {}, fmtTime(e.at)), h("td", {}, e.user), h("td", {}, e.action_text),
        h("td", {}, e.draft_id ? h("a", {href: `#/drafts/${e.draft_id}`}, e.draft_id) : ""),
        h("td", {class: "num"}, e.version ?? ""), h("td", {class: "detail"}, detailText(e.detail))))))
      : h("p", {class: "muted"}, "Chưa có mục nào."));
}

async function viewAudit(params) {
  const token = renderToken;
  const query = new URLSearchParams();
  for (const key of ["draft", "user", "action"]) if (params.get(key)) query.set(key, params.get(key));
  const entries = await api("GET", `/api/audit${query.toString() ? `?${query}` : ""}`);
  const user = h("input", {type: "text", name: "user", value: params.get("user") || "", placeholder: "người dùng"});
  const action = h("input", {type: "text", name: "action", value: params.get("action") || "", placeholder: "việc (approve, return…)"});
  const form = h("form", {class: "toolbar", onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (user.value.trim()) q.set("user", user.value.trim());
    if (action.value.trim()) q.set("action", action.value.trim());
    location.hash = `#/audit${q.toString() ? `?${q}` : ""}`;
  }}, user, action, h("button", {type: "submit"}, "Lọc"));
  show(token, h("h1", {}, "Nhật ký"), form, auditTable(entries.slice().reverse(), `Mới nhất trước (${entries.length} mục)`));
}

/* ------------------------------------------------------------------ users (admin) */
function tokenBox(issued) {
  return h("div", {class: "token-box", role: "status"},
    h("p", {}, `Mã truy cập mới của ${issued.user.name} (chỉ hiện một lần, hãy lưu lại):`),
    h("code", {class: "token"}, issued.token), " ",
    h("button", {type: "button", class: "small secondary", onclick: () => navigator.clipboard?.writeText(issued.token)}, "Chép"));
}

async function viewUsers() {
  const token = renderToken;
  const users = await api("GET", "/api/users");
  const out = h("div", {id: "user-result", "aria-live": "polite"});
  const run = (fn) => async (e) => {
    try { await fn(e); } catch (err) { out.replaceChildren(errorBox(err)); }
  };
  const rows = users.map((u) => h("tr", {},
    h("td", {}, u.name), h("td", {}, u.display_name),
    h("td", {}, h("select", {"aria-label": `Vai trò của ${u.name}`, onchange: run(async (e) => {
      await api("PATCH", `/api/users/${encodeURIComponent(u.name)}`, {role: e.target.value});
      await viewUsers();
    })}, Object.entries(LABELS.role || {}).map(([k, v]) => h("option", {value: k, selected: k === u.role}, v)))),
    h("td", {}, u.active ? "hoạt động" : "đã khoá"),
    h("td", {},
      h("button", {type: "button", class: "small", onclick: run(async () => {
        const issued = await api("POST", `/api/users/${encodeURIComponent(u.name)}/tokens`, {label: "cấp qua giao diện"});
        out.replaceChildren(tokenBox(issued));
      })}, "Cấp mã mới"), " ",
      h("button", {type: "button", class: "small secondary", onclick: run(async () => showTokens(u, out))}, "Các mã"), " ",
      u.name !== me.name ? h("button", {type: "button", class: "small secondary", onclick: run(async () => {
        await api("PATCH", `/api/users/${encodeURIComponent(u.name)}`, {active: !u.active});
        await viewUsers();
      })}, u.active ? "Khoá" : "Mở khoá") : null)));
  const name = h("input", {type: "text", required: true, pattern: "[\\w.@\\-]+", placeholder: "tên đăng nhập"});
  const display = h("input", {type: "text", placeholder: "họ tên"});
  const role = h("select", {}, Object.entries(LABELS.role || {}).map(([k, v]) => h("option", {value: k}, v)));
  const form = h("form", {class: "toolbar", onsubmit: run(async (e) => {
    e.preventDefault();
    const issued = await api("POST", "/api/users", {name: name.value.trim(), role: role.value,
      display_name: display.value.trim() || null});
    await viewUsers();
    $("#user-result").replaceChildren(tokenBox(issued));
  })}, name, display, role, h("button", {type: "submit"}, "Thêm người dùng"));
  show(token, h("h1", {}, "Người dùng"), form, out,
    h("table", {class: "table users"},
      h("thead", {}, h("tr", {}, ["Tên", "Họ tên", "Vai trò", "Trạng thái", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, rows)));
}

async function showTokens(user, out) {
  const tokens = await api("GET", `/api/users/${encodeURIComponent(user.name)}/tokens`);
  out.replaceChildren(h("h2", {}, `Mã truy cập của ${user.name}`),
    h("table", {class: "table"}, h("tbody", {}, tokens.map((t) => h("tr", {},
      h("td", {}, `${t.prefix}…`), h("td", {}, t.label), h("td", {}, `cấp ${fmtTime(t.created_at)}`),
      h("td", {}, t.last_used_at ? `dùng ${fmtTime(t.last_used_at)}` : "chưa dùng"),
      h("td", {}, t.revoked_at ? `thu hồi ${fmtTime(t.revoked_at)}`
        : h("button", {type: "button", class: "small secondary", onclick: async () => {
          try { await api("DELETE", `/api/tokens/${t.id}`); await showTokens(user, out); } catch (err) { out.append(errorBox(err)); }
        }}, "Thu hồi")))))));
}

/* ------------------------------------------------------------------ start */
document.addEventListener("DOMContentLoaded", async () => {
  $("#login").addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = $("#token").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("#token").value = "";
    await login();
    await route();
  });
  $("#logout").addEventListener("click", async () => {
    sessionStorage.removeItem(TOKEN_KEY);
    await login();
    await route();
  });
  window.addEventListener("hashchange", route);
  await login();
  await route();
});
