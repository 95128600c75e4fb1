"""Metadata and relations a text states about itself and other documents.

- hiệu lực: the effective date (and end date) from the hiệu lực provision;
- thay thế / bãi bỏ / "… hết hiệu lực": whole documents or provisions ended by this one;
- sửa đổi, bổ sung "khoản 2 Điều 8 như sau: “…”": a new version of that provision;
- căn cứ: the documents this one is based on;
- dẫn chiếu: every citation of a provision, relative ones ("khoản 3 Điều này") resolved.
A document cited but absent from the text becomes a stub Document so it is still a node.
"""

from __future__ import annotations

import re

from ingest.dates import effective_date
from kb.citations import (
    CitationMention,
    doc_type_from_number,
    find_citations,
    issuer_from_number,
    resolve_relative,
)
from kb.model import Citation, DocClass, Document, Kind, Provision, Relation, RelationKind

EFFECT_TITLE_RE = re.compile(r"hiệu lực|thi hành", re.IGNORECASE)
AMEND_RE = re.compile(r"(?:[Ss]ửa đổi, bổ sung|[Ss]ửa đổi|[Bb]ổ sung|[Tt]hay thế)\s+(.{3,200}?)\s+như sau\s*:")
QUOTE_STRIP = "“”\"' \n"
REPEAL_PROVISION_RE = re.compile(r"[Bb]ãi bỏ\s+((?:các\s+)?(?:điểm|khoản|Điều)\s[^.;:]{1,150})")
AMENDING_TITLE_RE = re.compile(r"sửa đổi|bổ sung|bãi bỏ", re.IGNORECASE)


def extract_relations(doc: Document) -> None:
    """Fill doc.effective, doc.relations and doc.stubs from the provisions' text."""
    self_number = doc.number or doc.key
    _read_effective(doc)
    for node in doc.all_provisions():
        own = own_text(node)
        if not own:
            continue
        mentions = find_citations(own)
        _cross_references(doc, node, mentions, self_number)
        _amendments(doc, node, own, self_number)
        if doc.doc_class != DocClass.ADMIN and _is_effect_provision(node, doc):
            _endings(doc, node, own, self_number)
    _bases(doc, self_number)
    _document_amendments(doc, self_number)
    _make_stubs(doc, self_number)


def own_text(node: Provision) -> str:
    """The node's text without its children's (a clause's text holds its points)."""
    if not node.children:
        return node.text
    first = node.children[0].text.split("\n", 1)[0]
    cut = node.text.find(first)
    return node.text[:cut] if cut > 0 else node.text.split("\n", 1)[0]


def _read_effective(doc: Document) -> None:
    for node in doc.all_provisions():
        if node.kind != Kind.ARTICLE or not EFFECT_TITLE_RE.search(node.title or ""):
            continue
        found = effective_date(node.text, doc.issued)
        if found.start:
            doc.effective, doc.effective_note, doc.expires = found.start, found.sentence, found.end
            return
    if doc.effective is None and not any(p.kind == Kind.ARTICLE for p in doc.all_provisions()):
        found = effective_date("\n".join(p.text for p in doc.provisions), doc.issued)
        if found.start:
            doc.effective, doc.effective_note, doc.expires = found.start, found.sentence, found.end


def _is_effect_provision(node: Provision, doc: Document) -> bool:
    """Whole-document repeals are read only where texts put them: the hiệu lực / thi hành article."""
    article = _article_of(node, doc)
    return article is None or bool(EFFECT_TITLE_RE.search(article.title or "")) or "bãi bỏ" in (article.title or "").lower()


def _article_of(node: Provision, doc: Document) -> Provision | None:
    if node.citation.article is None:
        return None
    for candidate in doc.all_provisions():
        if candidate.kind == Kind.ARTICLE and candidate.citation == Citation(
            node.citation.doc, node.citation.part, node.citation.annex, node.citation.article
        ):
            return candidate
    return None


def _complete_doc(mention: CitationMention, self_number: str) -> str | None:
    ref = mention.doc_ref
    if ref is None or ref.this_document or not ref.complete or ref.number == self_number:
        return None
    return ref.number


VERB_BEFORE_RE = re.compile(
    r"(?:[Bb]ãi bỏ|[Tt]hay thế)\s*(?:toàn bộ\s*)?(?:(?:các|những)\s+)?"
    r"(?:(?:văn bản|quyết định|nghị định|thông tư|nghị quyết|chỉ thị)\s+)?(?:sau(?:\s+đây)?\s*:)?\s*$",
    re.IGNORECASE,
)
VERB_AFTER_RE = re.compile(r"^[\s,]*(?:hết hiệu lực|bị bãi bỏ|được thay thế|bị thay thế)", re.IGNORECASE)
LIST_INTRO_RE = re.compile(r"(?:hết hiệu lực|bãi bỏ|thay thế)[^.:]*:\s*$", re.IGNORECASE)
CONNECTOR_GAP_RE = re.compile(r"^(?:\s|,|;|và|các|[a-zđ]\)|-)*$")


def _endings(doc: Document, node: Provision, own: str, self_number: str) -> None:
    """Documents (or provisions) this provision ends: "bãi bỏ …", "… hết hiệu lực", and lists
    introduced by "Các Nghị định sau đây hết hiệu lực …:" whose items each name one document."""
    scopes = [(own, _ended_mentions(own, find_citations(own)))]
    if LIST_INTRO_RE.search(own.rstrip()):
        for child in node.children:
            found = sorted(find_citations(child.text), key=lambda m: m.span[0])
            scopes.append((child.text, found[:1]))
    repeal_words = bool(re.search(r"[Bb]ãi bỏ", own))
    for text, mentions in scopes:
        for mention in mentions:
            target_doc = _complete_doc(mention, self_number)
            if target_doc is None:
                continue
            kind = RelationKind.REPEALS if repeal_words and "hết hiệu lực" not in own else RelationKind.REPLACES
            for target in mention.targets or [None]:
                doc.relations.append(Relation(kind, self_number, target_doc, source=node.citation,
                                              source_pid=node.pid, target=target, evidence=_sentence(text, mention)))


def _ended_mentions(text: str, mentions: list[CitationMention]) -> list[CitationMention]:
    """Mentions a repeal verb acts on: right after "bãi bỏ / thay thế", or right before
    "hết hiệu lực / bị bãi bỏ", and those joined to them by "và" or a comma — not documents
    named inside another's title ("Thông tư số 28/2020/TT-BCT … hướng dẫn … Nghị định số 68/2017")."""
    ordered = sorted(mentions, key=lambda m: m.span[0])
    ended = [False] * len(ordered)
    for i, mention in enumerate(ordered):
        before = text[ordered[i - 1].span[1] if i else 0 : mention.span[0]]
        if VERB_BEFORE_RE.search(before) or (i and ended[i - 1] and CONNECTOR_GAP_RE.match(before)):
            ended[i] = True
    for i in range(len(ordered) - 1, -1, -1):
        after = text[ordered[i].span[1] : ordered[i + 1].span[0] if i + 1 < len(ordered) else len(text)]
        if VERB_AFTER_RE.match(after) or (
            i + 1 < len(ordered) and ended[i + 1] and CONNECTOR_GAP_RE.match(after) and _verb_follows(text, ordered, i + 1)
        ):
            ended[i] = True
    return [m for m, flag in zip(ordered, ended, strict=True) if flag]


def _verb_follows(text: str, ordered: list[CitationMention], i: int) -> bool:
    end = ordered[i + 1].span[0] if i + 1 < len(ordered) else len(text)
    return bool(VERB_AFTER_RE.match(text[ordered[i].span[1] : end])) or (
        i + 1 < len(ordered) and CONNECTOR_GAP_RE.match(text[ordered[i].span[1] : end]) is not None
        and _verb_follows(text, ordered, i + 1)
    )


def _amendments(doc: Document, node: Provision, own: str, self_number: str) -> None:
    """"Sửa đổi, bổ sung khoản 2 Điều 8 như sau: “…”" → a new version of that provision;
    "Bãi bỏ khoản 3 Điều 9" → that provision repealed (from this document's effective date)."""
    for kind, match in _amending_phrases(own):
        phrase = match.group(1)
        found = [m for m in find_citations(phrase) if m.targets]
        amended_doc = _amended_document(doc, node, phrase, self_number)
        if not found or amended_doc is None:
            continue
        tail = None
        if kind == RelationKind.AMENDS:
            tail = node.text[node.text.find(match.group(0)) + len(match.group(0)):].strip(QUOTE_STRIP) or None
        for mention in found:
            for target in mention.targets:
                target = target if target.doc else target.with_doc(amended_doc)
                if target.doc == self_number or target.article is None:
                    continue
                doc.relations.append(Relation(kind, self_number, target.doc, source=node.citation,
                                              source_pid=node.pid, target=target, new_text=tail,
                                              evidence=match.group(0)))


def _amending_phrases(own: str):
    for match in AMEND_RE.finditer(own):
        yield RelationKind.AMENDS, match
    for match in REPEAL_PROVISION_RE.finditer(own):
        yield RelationKind.REPEALS, match


def _document_amendments(doc: Document, self_number: str) -> None:
    """A title "Sửa đổi, bổ sung một số điều của Nghị định số …" amends that document."""
    if not AMENDING_TITLE_RE.search(doc.title or ""):
        return
    for mention in find_citations(doc.title):
        number = _complete_doc(mention, self_number)
        if number:
            doc.relations.append(Relation(RelationKind.AMENDS, self_number, number, evidence=doc.title))
            return


def _amended_document(doc: Document, node: Provision, phrase: str, self_number: str) -> str | None:
    """The document an amending provision acts on: named in the phrase, the article, or the title."""
    article = _article_of(node, doc)
    for text in (phrase, article.text.split("\n", 1)[0] if article else "", doc.title):
        for mention in find_citations(text or ""):
            number = _complete_doc(mention, self_number)
            if number:
                return number
    return None


def _cross_references(doc: Document, node: Provision, mentions: list[CitationMention], self_number: str) -> None:
    context = node.citation.with_doc(self_number)
    for mention in mentions:
        if not mention.targets:
            continue
        for target in _resolved_targets(doc, mention, context):
            if target is None or not target.doc or target == context:
                continue
            doc.relations.append(Relation(RelationKind.CITES, self_number, target.doc, source=node.citation,
                                          source_pid=node.pid, target=target, evidence=_sentence(node.text, mention)))


def _resolved_targets(doc: Document, mention: CitationMention, context: Citation) -> list[Citation]:
    """Absolute targets of a mention.

    A bare provision ("khoản 1 Điều 34") followed in the same sentence by a document ("…; khoản 3
    Điều 34 Nghị định số 32/2024/NĐ-CP") belongs to that document, as drafters write lists; else
    it is the enclosing document's own — unless that has no such Điều (or is a letter, which has
    none), where the document named just before is meant, or nothing is.
    """
    if not mention.relative:
        return list(mention.targets)
    if mention.relative == "document":
        ref = mention.postcedent if _usable(mention.postcedent) else None
        if ref is None and (doc.doc_class == DocClass.ADMIN or not _own_articles(doc, mention)):
            ref = mention.antecedent if _usable(mention.antecedent) else None
            if ref is None:
                return []
        if ref is not None:
            return [t if t.doc else t.with_doc(ref.number) for t in mention.targets]
    return resolve_relative(mention, context)


def _usable(ref) -> bool:
    return ref is not None and ref.complete and not ref.this_document


def _own_articles(doc: Document, mention: CitationMention) -> bool:
    numbers = {p.citation.article for p in doc.all_provisions() if p.kind == Kind.ARTICLE}
    return all(t.article in numbers for t in mention.targets if t.article is not None)


def _bases(doc: Document, self_number: str) -> None:
    for basis in doc.bases:
        for mention in find_citations(basis):
            number = _complete_doc(mention, self_number)
            if number:
                doc.relations.append(Relation(RelationKind.BASED_ON, self_number, number, evidence=basis))


def _make_stubs(doc: Document, self_number: str) -> None:
    """Documents cited by number: a node each, with what the full-form mentions say of it."""
    targets = {r.target_doc for r in doc.relations if r.target_doc != self_number}
    details: dict[str, Document] = {}
    texts = [own_text(p) for p in doc.all_provisions()] + doc.bases + [doc.title]
    for text in texts:
        for mention in find_citations(text or ""):
            number = _complete_doc(mention, self_number)
            if number in targets:
                _merge_stub(details.setdefault(number, _stub_from_number(number)), mention)
    doc.stubs = [details.get(n) or _stub_from_number(n) for n in sorted(targets)]


def _merge_stub(stub: Document, mention: CitationMention) -> None:
    ref = mention.doc_ref
    assert ref is not None
    stub.doc_type = stub.doc_type or ref.doc_type
    stub.issued = stub.issued or ref.issued
    stub.issuer = stub.issuer or ref.issuer
    stub.title = stub.title or ref.title or ""


def _stub_from_number(number: str) -> Document:
    return Document(number=number, doc_type=doc_type_from_number(number), issuer=issuer_from_number(number))


def _sentence(text: str, mention: CitationMention) -> str:
    start = max(text.rfind(".", 0, mention.span[0]), text.rfind("\n", 0, mention.span[0])) + 1
    end_candidates = [i for i in (text.find(".", mention.span[1]), text.find("\n", mention.span[1])) if i >= 0]
    end = min(end_candidates) + 1 if end_candidates else len(text)
    return text[start:end].strip()[:500]
