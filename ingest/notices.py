"""Notices (thông báo văn bản): documents known to change the law whose text is not held.

A notice is a YAML file of facts (../shared/corpus/notices/*.yaml; format in the README):
- a document notice (`doc:` …) becomes a stub document marked "known without text"
  (front matter `source_kind: notice`, its source and confidence kept) and relations from its
  `effective` date: `amends` (sửa đổi, bổ sung, without new wording), `repeals` (bãi bỏ / chấm
  dứt áp dụng, down to a điểm), `word_replacements` and `reported_changes` kept as unverified
  orientation, never as wording;
- an institutions notice (`kind: institutions`) lists bodies merged, renamed or abolished
  (kb.institutions).
A held text for the same number later replaces the stub, and the store then ignores the
notice's relations (kb.store: a notice's relations stand only while its text is missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ingest.types import ReadError
from kb import citations
from kb.institutions import InstitutionChange, parse_since
from kb.model import Citation, DocClass, Document, Relation, RelationKind, nfc

NOTICE_SUFFIXES = (".yaml", ".yml")
SOURCE_KIND = "notice"


@dataclass
class Notice:
    """What one notice file gives the store."""

    docs: list[Document] = field(default_factory=list)
    institutions: list[InstitutionChange] = field(default_factory=list)
    text: str = ""


def read_notice(path: Path) -> Notice:
    """Parse a notice file; a file that is not one raises ReadError naming the problem."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(path, f"không đọc được tệp thông báo: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ReadError(path, f"tệp thông báo không đúng cú pháp YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ReadError(path, "tệp thông báo phải là một bảng YAML (doc: … hoặc kind: institutions)")
    if data.get("kind") == "institutions":
        return Notice(institutions=_institutions(path, data), text=text)
    if not data.get("doc"):
        raise ReadError(path, "tệp thông báo thiếu trường «doc» (số hiệu văn bản) hoặc «kind: institutions»")
    return Notice(docs=[_document(path, data)], text=text)


def _institutions(path: Path, data: dict) -> list[InstitutionChange]:
    out = []
    for i, item in enumerate(data.get("changes") or [], 1):
        if not isinstance(item, dict) or not item.get("old") or not item.get("new"):
            raise ReadError(path, f"mục thay đổi thứ {i} thiếu «old» hoặc «new»")
        since, since_text = parse_since(item.get("from"))
        if since is None:
            raise ReadError(path, f"mục thay đổi thứ {i} («{item['old']}»): ngày «from» không hợp lệ: {since_text!r}")
        out.append(InstitutionChange(nfc(str(item["old"])), nfc(str(item["new"])), since, since_text,
                                     str(item.get("how") or ""), str(item.get("level") or ""),
                                     str(item.get("note") or "")))
    return out


def _date(path: Path, data: dict, key: str, required: bool = False) -> date | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ReadError(path, f"tệp thông báo thiếu ngày «{key}»")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ReadError(path, f"ngày «{key}» không hợp lệ: {value!r} (cần dạng 2026-09-15)") from exc


def _number(path: Path, value: object, field_name: str) -> str:
    number = citations.normalize_number(nfc(str(value or "").strip()))
    if not number or "/" not in number:
        raise ReadError(path, f"số hiệu không hợp lệ ở «{field_name}»: {value!r}")
    return number


def _document(path: Path, data: dict) -> Document:
    number = _number(path, data["doc"], "doc")
    effective = _date(path, data, "effective", required=True)
    confidence = str(data.get("confidence") or "không rõ")
    source = str(data.get("source") or path.name)
    doc = Document(
        number=number,
        doc_type=data.get("type") or citations.doc_type_from_number(number),
        doc_class=DocClass.NORM,
        issuer=data.get("issuer"),
        issued=_date(path, data, "issued"),
        effective=effective,
        effective_note=f"theo thông báo {path.name} (nguồn: {source}; độ tin cậy: {confidence})",
        title=nfc(str(data.get("title") or "")),
        signer=data.get("signer"),
        partial=True,  # known without its text: a stub until the text itself is ingested
        file_name=path.name,
    )
    doc.front_matter = {
        "source_kind": SOURCE_KIND,
        "notice_file": path.name,
        "source": source,
        "confidence": confidence,
        "beware": data.get("beware"),
        "word_replacements": _list(path, data, "word_replacements"),
        "transitional": _list(path, data, "transitional"),
        "reported_changes": _list(path, data, "reported_changes"),
    }
    doc.relations = [*_relations(path, data, doc, "amends", RelationKind.AMENDS),
                     *_relations(path, data, doc, "repeals", RelationKind.REPEALS)]
    doc.stubs = [Document(number=t, doc_type=citations.doc_type_from_number(t))
                 for t in sorted({r.target_doc for r in doc.relations})]
    return doc


def _list(path: Path, data: dict, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ReadError(path, f"trường «{key}» phải là một danh sách")
    return value


def _relations(path: Path, data: dict, doc: Document, key: str, kind: RelationKind) -> list[Relation]:
    out = []
    for i, item in enumerate(_list(path, data, key), 1):
        if not isinstance(item, dict) or not item.get("doc"):
            raise ReadError(path, f"mục «{key}» thứ {i} thiếu «doc» (văn bản bị tác động)")
        target_doc = _number(path, item["doc"], f"{key}[{i}].doc")
        target = Citation(target_doc, article=_int(path, item, "article", key, i),
                          clause=_int(path, item, "clause", key, i),
                          point=str(item["point"]) if item.get("point") else None)
        evidence = "; ".join(x for x in (
            f"thông báo {path.name}",
            f"theo {item['by']} {doc.number}" if item.get("by") else "",
            f"ghi chú: {item['note']}" if item.get("note") else "",
            f"nguồn: {doc.front_matter['source']}",
            f"độ tin cậy: {doc.front_matter['confidence']}") if x)
        out.append(Relation(kind, doc.key, target_doc, target=target, effective=doc.effective, evidence=evidence))
    return out


def _int(path: Path, item: dict, name: str, key: str, i: int) -> int | None:
    value = item.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ReadError(path, f"mục «{key}» thứ {i}: «{name}» phải là số ({value!r})") from exc
