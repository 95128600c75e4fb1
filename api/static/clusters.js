/* The cluster register page (clusters.html): filters → GET /api/clusters; the same query for
 * the CSV/XLSX export links; charts of the selected period (GET /api/clusters/reports/chart.png). */
"use strict";

const PROVINCES = ["Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
  "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
  "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk",
  "Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang"];

const num = (v) => (v === null || v === undefined ? "" : Number(v).toLocaleString("vi-VN", {maximumFractionDigits: 2}));

function query() {
  const params = new URLSearchParams();
  for (const id of ["province", "below_fill", "missing", "period", "sort"]) {
    const value = $("#" + id).value.trim();
    if (value) params.set(id, value);
  }
  return params;
}

function row(c) {
  const f = c.figures || {};
  const plant = f.wastewater_plant === true ? "có" : f.wastewater_plant === false ? "chưa có" : "";
  const low = f.fill_rate !== null && f.fill_rate !== undefined && f.fill_rate < 50;
  return h("tr", {class: low ? "low" : null},
    h("td", {}, c.name, c.former_names.length ? h("div", {class: "source"}, "tên cũ: " + c.former_names.join("; ")) : null),
    h("td", {}, c.province), h("td", {}, c.commune || ""),
    h("td", {class: "num"}, num(c.established_area_ha)), h("td", {class: "num"}, num(c.planned_area_ha)),
    f.fill_rate !== undefined && f.fill_rate !== null ? h("td", {class: "num fill"}, num(f.fill_rate))
      : h("td", {class: "muted"}, f.status || ""),
    h("td", {}, c.period || ""), h("td", {}, plant), h("td", {}, c.decision || ""),
    h("td", {class: "source"}, c.sources.map((s) => h("div", {}, `${s.of}: ${s.location || s.file}`))));
}

async function load(event) {
  if (event) event.preventDefault();
  const params = query();
  for (const [id, format] of [["export-csv", "csv"], ["export-xlsx", "xlsx"]]) {
    const p = new URLSearchParams(params);
    p.set("format", format);
    $("#" + id).href = "/api/clusters?" + p;
  }
  const response = await fetch("/api/clusters?" + params);
  const body = await response.json();
  const tbody = $("#register tbody");
  tbody.replaceChildren();
  if (!response.ok) {
    $("#count").textContent = body.error || "Lỗi";
    return;
  }
  append(tbody, body.map(row));
  $("#count").textContent = `${body.length} cụm công nghiệp`;
  const period = params.get("period") || $("#period").options[$("#period").options.length - 1]?.value;
  const charts = $("#charts");
  charts.replaceChildren();
  if (period) {
    const p = new URLSearchParams({period});
    if (params.get("province")) p.set("province", params.get("province"));
    for (const kind of ["fill", "status"]) {
      p.set("kind", kind);
      charts.append(h("img", {src: "/api/clusters/reports/chart.png?" + p, alt: kind === "fill"
        ? "Biểu đồ tỷ lệ lấp đầy" : "Biểu đồ số cụm theo tình trạng", onerror: (e) => e.target.remove()}));
    }
  }
}

async function init() {
  append($("#provinces"), PROVINCES.map((p) => h("option", {value: p})));
  const periods = await (await fetch("/api/clusters/periods")).json();
  append($("#period"), periods.map((p) => h("option", {value: p}, p)));
  $("#filters").addEventListener("submit", load);
  await load();
}

document.addEventListener("DOMContentLoaded", init);
