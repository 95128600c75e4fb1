/* So sánh quy định (compare.html): GET /api/compare, pairs side by side, differences marked.
 * The page's state is in its address (?q=…&docs=…&as_of=…), so a comparison can be linked.
 * All text from the server or the user is inserted as text nodes (never as HTML). */
"use strict";

/** How the pair was matched (its label: /api/labels pair_basis), with the score when it tells something. */
function basisLabel(pair) {
  const label = labelOf("pair_basis", pair.basis) || pair.basis;
  if (pair.basis === "reference") return `${label} (tương đồng ${pair.score.toFixed(2)})`;
  if (pair.basis === "similarity") return `${label} ${pair.score.toFixed(2)}`;
  return label;
}

/** A segment; the space before a change stays outside its mark. */
function segmentNode(seg) {
  if (seg.op === "equal") return seg.text;
  const body = seg.text.trimStart();
  const lead = seg.text.slice(0, seg.text.length - body.length);
  return [lead, seg.op === "delete" ? h("del", {class: "d-delete"}, body) : h("ins", {class: "d-insert"}, body)];
}

function evidenceText(pair) {
  return pair.basis === "reference" && pair.kind === "documents" ? `Câu dẫn chiếu: «${pair.evidence}»` : pair.evidence;
}

function sideNode(side) {
  const dates = [side.valid_from && `từ ${side.valid_from}`, side.valid_to && `đến ${side.valid_to}`].filter(Boolean);
  return h("div", {class: "side"},
    h("h3", {}, side.column),
    h("p", {class: "cite"}, side.citation_text, dates.length ? ` (${dates.join(", ")})` : "",
      side.status_text ? ` · ${side.status_text}` : "", side.note ? ` · ${side.note}` : ""),
    h("p", {class: "text"}, side.segments.length ? side.segments.map(segmentNode) : side.text));
}

function pairNode(pair, index) {
  return h("section", {class: `pair k-${pair.kind}`, dataset: {basis: pair.basis, kind: pair.kind}},
    h("div", {class: "pair-head"},
      h("strong", {}, `${index + 1}. ${labelOf("pair_kind", pair.kind) || pair.kind}`),
      h("span", {class: `basis b-${pair.basis}`}, basisLabel(pair)),
      pair.changed ? null : h("span", {class: "muted"}, "không khác nhau"),
      pair.evidence ? h("span", {class: "evidence"}, evidenceText(pair)) : null),
    pair.competence ? h("p", {class: "competence"},
      `Thẩm quyền: ${pair.competence.before} → ${pair.competence.after}. ${pair.competence.note}`) : null,
    h("div", {class: "sides"}, sideNode(pair.left), sideNode(pair.right)));
}

function render(result) {
  return [
    h("p", {}, h("strong", {}, "Quy định so sánh: "), result.anchors.join("; ")),
    h("p", {class: "muted"}, `Văn bản: ${result.documents.join(", ")} · ngày xét hiệu lực ${result.as_of} · ${result.pairs.length} cặp`),
    result.warnings.length ? h("ul", {class: "warnings"}, result.warnings.map((w) => h("li", {}, w))) : null,
    result.pairs.map(pairNode),
  ];
}

async function run(params) {
  const out = $("#compare-result");
  const button = $("#compare-run");
  button.disabled = true;
  out.replaceChildren(h("p", {class: "muted"}, "Đang so sánh…"));
  try {
    await loadLabels(); // the kinds' and bases' texts
    const response = await fetch(`/api/compare?${params}`, {headers: {Accept: "application/json", ...authHeaders()}});
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error((data && data.error) || `Lỗi máy chủ (HTTP ${response.status})`);
    out.replaceChildren(...render(data).flat().filter(Boolean));
  } catch (err) {
    out.replaceChildren(h("div", {class: "error", role: "alert"}, h("p", {class: "error-message"}, err.message)));
  } finally {
    button.disabled = false;
  }
}

function formParams() {
  const params = new URLSearchParams();
  for (const [name, id] of [["q", "#cq"], ["docs", "#cdocs"], ["as_of", "#cas-of"]]) {
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

document.addEventListener("DOMContentLoaded", () => {
  const start = new URLSearchParams(location.search);
  $("#cq").value = start.get("q") || "";
  $("#cdocs").value = start.get("docs") || "";
  $("#cas-of").value = start.get("as_of") || "";
  $("#compare-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const params = formParams();
    history.replaceState(null, "", `?${params}`);
    run(params);
  });
  if (start.get("q")) run(formParams());
});
