/* The drafting form of check.html (#/draft; #/draft/json is the JSON view). No field is written
 * here: the form is built from DraftSpec's JSON schema (GET /api/draft/schema?kind=…), so a kind
 * or a field added to the model appears without code. The state is one spec object; each input
 * writes its value into it, and the spec sent is that object without its empty values.
 * A provisions field gets the provision picker (GET /api/search: the hit's canonical citation);
 * the preview is page 1 as PNG (POST /api/draft/preview), debounced, one request at a time.
 * Uses h, $, $$ (dom.js) and call, errorBox, examples (check.js). */
"use strict";

const PREVIEW_DELAY_MS = 1500; // after the last change
const form = {
  schemas: {}, // kind → GET /api/draft/schema's answer
  info: null, // the current kind's
  spec: null, // the state
  moreOpen: false,
  jsonSynced: "", // the JSON text last written from the form
};
const preview = {timer: null, running: false, again: false, shown: ""};
let pickTarget = null; // the array the picker adds to

/* ------------------------------------------------------------------ schema */
async function kindSchema(kind) {
  if (!form.schemas[kind]) {
    const query = kind ? `?kind=${encodeURIComponent(kind)}` : "";
    form.schemas[kind] = await (await call("GET", `/api/draft/schema${query}`)).json();
  }
  return form.schemas[kind];
}

function resolved(node) {
  let out = node || {};
  while (out.$ref) out = form.info.json_schema.$defs[out.$ref.split("/").pop()] || {};
  return out;
}

/** The non-null alternatives of a property (anyOf), resolved. */
function variants(prop) {
  const list = prop.anyOf ? prop.anyOf : [prop];
  return list.map(resolved).filter((v) => v.type !== "null");
}

const PREFERENCE = ["enum", "string", "boolean", "integer", "number", "object", "array"];

function typeOf(v) {
  if (v.enum || v.const !== undefined) return "enum";
  return v.type || (v.properties ? "object" : "string");
}

/** The alternative to edit `value` with: the one of its type, else the simplest. */
function variantFor(prop, value) {
  const options = variants(prop);
  const want = Array.isArray(value) ? "array" : value === null || value === undefined ? null
    : typeof value === "object" ? "object" : typeof value === "boolean" ? "boolean"
      : typeof value === "number" ? "integer" : "string";
  const paragraphs = Array.isArray(value) && prop["x-long"] && options.some((o) => o.type === "string");
  if (want && !paragraphs) {
    const same = options.find((o) => typeOf(o) === want || (want === "string" && typeOf(o) === "enum"));
    if (same) return same;
  }
  return [...options].sort((a, b) => PREFERENCE.indexOf(typeOf(a)) - PREFERENCE.indexOf(typeOf(b)))[0] || {};
}

/* ------------------------------------------------------------------ the state */
function isEmpty(value) {
  return value === undefined || value === null || value === ""
    || (Array.isArray(value) && value.length === 0)
    || (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0);
}

/** The spec without empty strings, lists and objects (the model's defaults stand for them). */
function pruned(value) {
  if (Array.isArray(value)) return value.map(pruned).filter((v) => !isEmpty(v));
  if (value && typeof value === "object") {
    const out = {};
    for (const [key, v] of Object.entries(value)) {
      const p = pruned(v);
      if (!isEmpty(p)) out[key] = p;
    }
    return out;
  }
  return typeof value === "string" && !value.trim() ? "" : value;
}

function formSpec() {
  return pruned(form.spec || {});
}

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A new spec of `kind`: the date and the chosen profile, signer and template of `before`
 * (else the profile of the kind's example), one empty block in each list this kind shows first. */
function blankSpec(info, before) {
  const spec = {kind: info.kind};
  const props = info.json_schema.properties;
  for (const [key, value] of Object.entries(before || {})) {
    if (key === "date" || (key in info.choices || key === "signer")) spec[key] = value;
  }
  const usual = info.example && info.example.profile; // the kind's example's agency, else the first
  if (!spec.profile && info.choices.profile.length) spec.profile = usual || info.choices.profile[0].value;
  if (!spec.date) spec.date = today();
  for (const name of info.fields) {
    const v = variantFor(props[name], undefined);
    if (v.type === "array" && spec[name] === undefined) spec[name] = [emptyItem(v.items)];
  }
  return spec;
}

function emptyItem(items) {
  const v = variantFor(items || {}, undefined);
  return v.type === "object" ? {} : "";
}

/* ------------------------------------------------------------------ rendering */
let fieldCount = 0;

function fieldId() {
  fieldCount += 1;
  return `f-${fieldCount}`;
}

function renderForm() {
  const info = form.info;
  const props = info.json_schema.properties;
  const required = info.json_schema.required || [];
  fieldCount = 0;
  const main = [];
  const more = [];
  for (const name of Object.keys(props)) {
    if (name === "kind") continue;
    const row = field(form.spec, name, props[name], required.includes(name), true);
    (info.fields.includes(name) ? main : more).push(row);
  }
  const details = h("details", {class: "more-fields", open: form.moreOpen || null,
    ontoggle: (e) => { form.moreOpen = e.target.open; }},
  h("summary", {}, `Trường khác (không bắt buộc, ${more.length})`), h("div", {class: "fields-grid"}, more));
  $("#draft-fields").replaceChildren(h("div", {class: "fields-grid"}, main), more.length ? details : null);
}

/** A label and its control for `parent[key]` (a check box inside its label). */
function field(parent, key, prop, required, top) {
  const id = fieldId();
  const title = prop.title || key;
  const control = controlFor(parent, key, prop, id, required, top);
  if (control.type === "checkbox") {
    return h("div", {class: "field check-field", dataset: {field: key}},
      h("label", {class: "field-label"}, control, ` ${title}`));
  }
  const label = h("label", {for: id, class: "field-label"}, title,
    required ? h("abbr", {class: "req", title: "bắt buộc"}, " *") : null);
  const wide = control.dataset.wide === "1";
  return h("div", {class: wide ? "field wide" : "field", dataset: {field: key}}, label, control);
}

function controlFor(parent, key, prop, id, required, top) {
  const choice = top ? topChoices(key) : null;
  if (choice) return select(parent, key, choice, id, required);
  const v = variantFor(prop, parent[key]);
  const kind = typeOf(v);
  if (kind === "enum") {
    const values = v.enum || [v.const];
    return select(parent, key, values.map((x) => ({value: x, label: x})), id, required);
  }
  if (kind === "boolean") return checkbox(parent, key, prop, id);
  if (kind === "integer" || kind === "number") return numberInput(parent, key, v, id);
  if (kind === "object" && !v.properties && v.additionalProperties) return mapBlock(parent, key, v, id);
  if (kind === "object") return objectBlock(parent, key, v, id);
  if (kind === "array") return arrayBlock(parent, key, prop, v, id);
  return textInput(parent, key, prop, v, id, required);
}

/** The values a top-level field is chosen from: profile, signer (the profile's), template. */
function topChoices(key) {
  const info = form.info;
  if (key === "signer") return info.signers[form.spec.profile] || null;
  return info.choices[key] || null;
}

function select(parent, key, options, id, required) {
  const current = parent[key] ?? "";
  const el = h("select", {id, "aria-required": required ? "true" : null,
    onchange: (e) => {
      setValue(parent, key, e.target.value);
      if (key === "profile") {
        delete form.spec.signer;
        renderForm();
      }
    }},
  required ? (current ? null : h("option", {value: "", selected: true}, "— chọn —")) : h("option", {value: ""}, "(mặc định)"),
  options.map((o) => h("option", {value: o.value, selected: o.value === current || null}, o.label)));
  if (current && !options.some((o) => o.value === current)) {
    el.append(h("option", {value: current, selected: true}, current));
  }
  return el;
}

function checkbox(parent, key, prop, id) {
  const fallback = prop.default ?? false;
  return h("input", {id, type: "checkbox", checked: (parent[key] ?? fallback) || null,
    onchange: (e) => {
      if (e.target.checked === fallback) delete parent[key];
      else parent[key] = e.target.checked;
      changed();
    }});
}

function numberInput(parent, key, v, id) {
  return h("input", {id, type: "number", min: v.minimum ?? null, step: v.type === "integer" ? 1 : "any",
    value: parent[key] ?? "",
    oninput: (e) => setValue(parent, key, e.target.value === "" ? "" : Number(e.target.value))});
}

function textInput(parent, key, prop, v, id, required) {
  let value = parent[key] ?? "";
  if (Array.isArray(value)) value = value.join("\n\n"); // paragraphs, as the spec reads them
  const attrs = {id, value, "aria-required": required ? "true" : null,
    oninput: (e) => setValue(parent, key, e.target.value)};
  let el;
  if (v.format === "date") el = h("input", {...attrs, type: "date"});
  else if (prop["x-long"]) {
    const paragraphs = variants(prop).some((o) => o.type === "array");
    el = h("textarea", {...attrs, rows: key === "subject" ? 2 : 4,
      placeholder: paragraphs ? "Các đoạn cách nhau một dòng trống" : null});
    el.value = value;
  } else el = h("input", {...attrs, type: "text"});
  if (prop["x-picker"]) {
    return h("div", {class: "with-picker", dataset: {wide: el.tagName === "TEXTAREA" ? "1" : ""}}, el,
      h("button", {type: "button", class: "secondary pick",
        onclick: () => openPicker((citation) => { parent[key] = citation; renderForm(); changed(); })},
      "Tìm quy định…"));
  }
  if (el.tagName === "TEXTAREA") el.dataset.wide = "1";
  return el;
}

function setValue(parent, key, value) {
  if (Array.isArray(parent)) parent[key] = value ?? ""; // a list keeps its rows
  else if (value === "" || value === undefined) delete parent[key];
  else parent[key] = value;
  changed();
}

function objectBlock(parent, key, v, id) {
  if (!parent[key] || typeof parent[key] !== "object") parent[key] = {};
  const value = parent[key];
  const required = v.required || [];
  const fields = Object.entries(v.properties || {}).map(([name, prop]) =>
    field(value, name, prop, required.includes(name), false));
  return h("fieldset", {id, class: "object", dataset: {wide: "1"}}, h("div", {class: "fields-grid"}, fields));
}

/** A table of names to values (`dict[str, bool]`: hạng mục → hoàn thành): one row per name. */
function mapBlock(parent, key, v, id) {
  if (!parent[key] || typeof parent[key] !== "object" || Array.isArray(parent[key])) parent[key] = {};
  const map = parent[key];
  const values = v.additionalProperties === true ? {type: "string"} : resolved(v.additionalProperties);
  const redraw = () => { renderForm(); changed(); };
  const rename = (name, next) => {
    if (!next || next in map) return false;
    const entries = Object.entries(map).map(([k, value]) => [k === name ? next : k, value]);
    for (const k of Object.keys(map)) delete map[k];
    Object.assign(map, Object.fromEntries(entries));
    return true;
  };
  const rows = Object.keys(map).map((name) => {
    const value = values.type === "boolean"
      ? h("input", {type: "checkbox", checked: map[name] || null, "aria-label": `${name}: có`,
        onchange: (e) => { map[name] = e.target.checked; changed(); }})
      : controlFor(map, name, values, fieldId(), false, false);
    return h("div", {class: "list-row map-row"},
      h("input", {type: "text", value: name, "aria-label": "Tên",
        onchange: (e) => { if (rename(name, e.target.value.trim())) redraw(); else e.target.value = name; }}),
      value,
      h("button", {type: "button", class: "icon remove", title: "Xoá", "aria-label": `Xoá ${name}`,
        onclick: () => { delete map[name]; redraw(); }}, "✕"));
  });
  const add = h("button", {type: "button", class: "secondary add", onclick: () => {
    let n = 1;
    while (`mục ${n}` in map) n += 1;
    map[`mục ${n}`] = values.type === "boolean" ? false : values.type === "number" ? 0 : "";
    redraw();
  }}, "Thêm dòng");
  return h("div", {id, class: "list map", role: "group", dataset: {wide: "1"}}, rows,
    h("div", {class: "list-actions"}, add));
}

function arrayBlock(parent, key, prop, v, id) {
  if (!Array.isArray(parent[key])) parent[key] = parent[key] ? [parent[key]] : [];
  const list = parent[key];
  const item = v.items || {};
  const objects = typeOf(variantFor(item, undefined)) === "object";
  const noun = itemNoun(item, prop);
  const rows = list.map((value, index) => arrayItem(list, index, item, noun, objects));
  const buttons = h("div", {class: "list-actions"},
    prop["x-picker"] ? h("button", {type: "button", class: "pick",
      onclick: () => openPicker((citation) => { list.push(citation); renderForm(); changed(); })},
    "Tìm quy định…") : null,
    h("button", {type: "button", class: "secondary add",
      onclick: () => { list.push(emptyItem(item)); renderForm(); changed(); }},
    prop["x-picker"] ? "Thêm dòng" : `Thêm ${noun.toLowerCase()}`));
  return h("div", {id, class: objects ? "list blocks" : "list", role: "group", dataset: {wide: "1"}},
    rows, buttons);
}

function itemNoun(item, prop) {
  const v = variantFor(item, undefined);
  return v["x-label"] || (prop["x-picker"] ? "Quy định" : v.type === "object" ? "Mục" : "Dòng");
}

function arrayItem(list, index, item, noun, objects) {
  const move = (to) => {
    const [moved] = list.splice(index, 1);
    list.splice(to, 0, moved);
    renderForm();
    changed();
  };
  const tools = h("span", {class: "item-tools"},
    objects ? h("button", {type: "button", class: "icon up", title: "Chuyển lên", "aria-label": `Chuyển ${noun} ${index + 1} lên`,
      disabled: index === 0 || null, onclick: () => move(index - 1)}, "↑") : null,
    objects ? h("button", {type: "button", class: "icon down", title: "Chuyển xuống", "aria-label": `Chuyển ${noun} ${index + 1} xuống`,
      disabled: index === list.length - 1 || null, onclick: () => move(index + 1)}, "↓") : null,
    h("button", {type: "button", class: "icon remove", title: "Xoá", "aria-label": `Xoá ${noun} ${index + 1}`,
      onclick: () => { list.splice(index, 1); renderForm(); changed(); }}, "✕"));
  const id = fieldId();
  const control = controlFor(list, index, item, id, false, false);
  if (objects) {
    return h("fieldset", {class: "block", dataset: {index: String(index)}},
      h("legend", {}, `${noun} ${index + 1}`, tools), control);
  }
  control.setAttribute?.("aria-label", `${noun} ${index + 1}`);
  return h("div", {class: "list-row", dataset: {index: String(index)}}, control, tools);
}

/* ------------------------------------------------------------------ the provision picker */
function openPicker(onPick) {
  pickTarget = onPick;
  $("#picker-results").replaceChildren();
  $("#picker").showModal();
  $("#picker-q").focus();
}

async function runSearch() {
  const q = $("#picker-q").value.trim();
  const out = $("#picker-results");
  if (!q) return;
  const at = (form.spec && form.spec.date) || today();
  out.replaceChildren(h("p", {class: "muted loading"}, "Đang tìm…"));
  try {
    const params = new URLSearchParams({q, k: "8", as_of: at});
    const found = await (await call("GET", `/api/search?${params}`)).json();
    out.replaceChildren(found.results.length
      ? h("ol", {class: "hits"}, found.results.map(hitItem))
      : h("p", {class: "muted"}, "Không tìm thấy quy định nào."));
  } catch (err) {
    out.replaceChildren(errorBox(err));
  }
}

function hitItem(hit) {
  const text = hit.text.length > 280 ? `${hit.text.slice(0, 280)}…` : hit.text;
  return h("li", {class: "hit", dataset: {citation: hit.citation_text}},
    h("div", {class: "hit-head"},
      h("strong", {class: "hit-citation"}, hit.citation_text),
      h("span", {class: "badge"}, hit.status_text),
      h("button", {type: "button", class: "choose", "aria-label": `Chọn ${hit.citation_text}`,
        onclick: () => choose(hit.citation_text)}, "Chọn")),
    hit.doc_title ? h("p", {class: "muted hit-doc"}, hit.doc_title) : null,
    h("p", {class: "hit-text"}, text));
}

function choose(citation) {
  const pick = pickTarget;
  pickTarget = null;
  $("#picker").close();
  if (pick) pick(citation);
}

/* ------------------------------------------------------------------ preview */
function changed() {
  clearTimeout(preview.timer);
  if ($("#auto-preview").checked) preview.timer = setTimeout(runPreview, PREVIEW_DELAY_MS);
}

/** The first required field left empty ("Văn bản đến › Số, ký hiệu"), found through the schema. */
function missing(value, node, trail) {
  const v = resolved(node);
  if (v.type === "object" || v.properties) {
    for (const name of v.required || []) {
      const prop = v.properties[name];
      if (isEmpty(pruned(value && value[name]))) return [...trail, prop.title || name].join(" › ");
    }
    for (const [name, prop] of Object.entries(v.properties || {})) {
      const inner = value && value[name];
      // an optional part left empty is not sent; a list's blank blocks are to be filled or removed
      if (isEmpty(Array.isArray(inner) ? inner : pruned(inner))) continue;
      const found = missing(inner, variantFor(prop, inner), [...trail, prop.title || name]);
      if (found) return found;
    }
  } else if (v.type === "array" && Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = missing(item, variantFor(v.items || {}, item), [...trail.slice(0, -1), `${trail.at(-1)} ${i + 1}`]);
      if (found) return found;
    }
  }
  return null;
}

async function runPreview(force) {
  const status = $("#preview-status");
  if (!form.info || $("#form-view").hidden) return;
  const spec = formSpec();
  const gap = missing(form.spec, form.info.json_schema, []); // blank blocks too
  if (gap) {
    status.textContent = `Cần điền: ${gap}.`;
    return;
  }
  const asOf = $("#draft-as-of").value;
  const key = JSON.stringify([spec, asOf]);
  if (key === preview.shown && force !== true) return;
  if (preview.running) {
    preview.again = true;
    return;
  }
  preview.running = true;
  status.textContent = "Đang tạo bản xem trước…";
  $("#preview-img").classList.add("stale");
  try {
    const path = asOf ? `/api/draft/preview?as_of=${encodeURIComponent(asOf)}` : "/api/draft/preview";
    const response = await call("POST", path, spec);
    const pages = response.headers.get("X-Preview-Pages") || "?";
    const url = await dataUrl(await response.blob());
    const img = $("#preview-img");
    img.src = url;
    img.hidden = false;
    img.classList.remove("stale");
    preview.shown = key;
    status.textContent = `Trang 1/${pages}, cập nhật lúc ${new Date().toLocaleTimeString("vi-VN")}.`;
  } catch (err) {
    status.textContent = err.message || String(err);
  } finally {
    preview.running = false;
    if (preview.again) {
      preview.again = false;
      runPreview();
    }
  }
}

/** A data: URL (the page's policy allows data: images, not blob:). */
function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(new Error("Không đọc được ảnh xem trước."));
    reader.readAsDataURL(blob);
  });
}

/* ------------------------------------------------------------------ kinds, examples, views */
async function showKind(kind, spec) {
  const info = await kindSchema(kind);
  form.info = info;
  form.spec = spec ? JSON.parse(JSON.stringify(spec)) : blankSpec(info, formSpec());
  $("#draft-kind").replaceChildren(...info.kinds.map((k) =>
    h("option", {value: k.kind, selected: k.kind === info.kind || null}, k.label)));
  renderForm(); // no preview until the user changes something: LibreOffice is not free
}

/** Fills the form with a spec (an example, the JSON view's text). */
async function formLoad(spec) {
  try {
    await showKind(spec.kind, spec);
  } catch (err) {
    $("#draft-result").replaceChildren(errorBox(err));
  }
}

/** The form of the first kind, when no example was loaded into it. */
async function formStart() {
  if (form.info) return;
  try {
    await showKind("", null);
  } catch (err) {
    $("#draft-fields").replaceChildren(errorBox(err));
  }
}

async function onKind() {
  const kind = $("#draft-kind").value;
  $("#example").value = "";
  try {
    await showKind(kind, null);
    changed();
  } catch (err) {
    $("#draft-result").replaceChildren(errorBox(err));
  }
}

function draftView() {
  return location.hash.startsWith("#/draft/json") ? "json" : "form";
}

/** On a change of view: the JSON view shows the form's spec; back in the form, JSON edited by
 * hand is read into it (a JSON error keeps the form as it was and says so). */
async function syncView() {
  const view = draftView();
  $("#form-view").hidden = view !== "form";
  $("#json-view").hidden = view !== "json";
  for (const link of $$(".views a")) link.classList.toggle("active", link.dataset.view === view);
  if (!form.info) return;
  if (view === "json") {
    form.jsonSynced = JSON.stringify(formSpec(), null, 2);
    $("#spec").value = form.jsonSynced;
    return;
  }
  const text = $("#spec").value.trim();
  if (!text || text === form.jsonSynced.trim()) return;
  try {
    await formLoad(JSON.parse(text));
    form.jsonSynced = text;
  } catch (_err) {
    $("#draft-result").replaceChildren(errorBox(new ApiError(
      "Nội dung JSON không hợp lệ nên biểu mẫu chưa được cập nhật: hãy sửa ở chế độ JSON.")));
  }
}

function startForm() {
  $("#draft-kind").addEventListener("change", onKind);
  $("#example").addEventListener("change", changed); // check.js loads the example into the form
  $("#preview-now").addEventListener("click", () => runPreview(true));
  $("#auto-preview").addEventListener("change", (e) => { if (e.target.checked) changed(); });
  $("#draft-as-of").addEventListener("change", changed);
  $("#picker-go").addEventListener("click", runSearch);
  $("#picker-close").addEventListener("click", () => $("#picker").close());
  $("#picker-q").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      runSearch();
    }
  });
  window.addEventListener("hashchange", syncView);
  syncView();
}

document.addEventListener("DOMContentLoaded", startForm);
