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
from ingest.metadata_relations import metadata_relations
from kb import doctypes
from kb.citations import (
    CitationMention,
    doc_type_from_number,
    find_citations,
    issuer_from_number,
    resolve_relative,
)
from kb.model import (
    FROM_SIGNING_UNDATED,
    Citation,
    DocClass,
    Document,
    Kind,
    Provision,
    Relation,
    RelationKind,
)
from kb.wording import WORDS_RE, quoted_wording, word_replacement

EFFECT_TITLE_RE = re.compile(r"hiệu lực|thi hành", re.IGNORECASE)
EFFECT_OPENING_RE = re.compile(r"^Điều \d+\.?\s*(?:\n\s*)*Hiệu lực|có hiệu lực(?: thi hành)? (?:kể )?từ ngày",
                               re.IGNORECASE)
ENDING_KINDS = (RelationKind.REPLACES, RelationKind.REPEALS)
AMEND_RE = re.compile(r"(?:[Ss]ửa đổi, bổ sung|[Ss]ửa đổi|[Bb]ổ sung|[Tt]hay thế)\s+(.{3,200}?)\s+như sau\s*:")
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
        elif doc.doc_class != DocClass.ADMIN and not own.lstrip().startswith(("“", '"')):
            _endings(doc, node, own, self_number, only=THIS_TEXT_ENDS_RE)
    _bases(doc, self_number)
    _document_amendments(doc, self_number)
    doc.relations.extend(_sane(metadata_relations(doc, self_number)))
    _make_stubs(doc, self_number)


def own_text(node: Provision) -> str:
    """The node's text without its children's (a clause's text holds its points)."""
    if not node.children:
        return node.text
    first = node.children[0].text.split("\n", 1)[0]
    cut = node.text.find(first)
    return node.text[:cut] if cut > 0 else node.text.split("\n", 1)[0]


def _is_effect_article(node: Provision) -> bool:
    """The hiệu lực / thi hành article: by its title, or — when the title was lost to layout
    ("Điều 24." with "Hiệu lực thi hành" on the next line) — by its opening words."""
    if node.kind != Kind.ARTICLE:
        return False
    if (node.title or "").strip():
        return bool(EFFECT_TITLE_RE.search(node.title))
    return bool(EFFECT_OPENING_RE.search(node.text[:300]))


def _sane(relations: list[Relation]) -> list[Relation]:
    """Metadata that names a higher-ranked text as replaced ("thay thế … Luật Hàng không dân dụng
    … số 130/2025/QH15" in a Nghị định's front matter) is dropped: a text cannot end a higher one."""
    return [r for r in relations if r.kind not in ENDING_KINDS
            or ending_kind(r.kind, r.source_doc, r.target_doc) == r.kind]


def _read_effective(doc: Document) -> None:
    for node in doc.all_provisions():
        if not _is_effect_article(node):
            continue
        found = effective_date(node.text, doc.issued)
        if found.start:
            doc.effective, doc.effective_note, doc.expires = found.start, found.sentence, found.end
            return
        if found.days_after_signing == 0 and doc.effective is None:
            # "kể từ ngày ký ban hành" and no date of signing in the text: kb.validity still
            # applies what it ends, from a date shown as unknown
            doc.effective_note = f"{FROM_SIGNING_UNDATED}: {found.sentence}"
            return
    if doc.effective is None and not any(p.kind == Kind.ARTICLE for p in doc.all_provisions()):
        found = effective_date("\n".join(p.text for p in doc.provisions), doc.issued)
        if found.start:
            doc.effective, doc.effective_note, doc.expires = found.start, found.sentence, found.end
            return
    for node in doc.all_provisions():  # the hiệu lực article's heading lost to layout
        own = unwrap(own_text(node))
        start = THIS_TEXT_STARTS_RE.search(own)
        if start and not own.lstrip().startswith(("“", '"')):
            found = effective_date(own[start.start():], doc.issued)
            if found.start:
                doc.effective, doc.effective_note, doc.expires = found.start, found.sentence, found.end
                return


def _is_effect_provision(node: Provision, doc: Document) -> bool:
    """Whole-document repeals are read only where texts put them: the hiệu lực / thi hành article."""
    article = _article_of(node, doc)
    return article is None or _is_effect_article(article) or "bãi bỏ" in (article.title or "").lower()


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


LIST_INTRO_RE = re.compile(r"(?:hết hiệu lực|bãi bỏ|thay thế)[^.:]*:\s*$", re.IGNORECASE)
# "… hết hiệu lực (thi hành) kể từ …", "… không áp dụng … kể từ …", "… bị bãi bỏ": the ended
# documents come before the verb; not "… cho đến khi hết hiệu lực" (a licence's own term)
END_AFTER_RE = re.compile(r"hết hiệu lực(?:\s+thi hành)?|không (?:còn )?(?:được )?áp dụng|bị bãi bỏ"
                          r"|được thay thế bởi|bị thay thế", re.IGNORECASE)
NOT_AN_END_RE = re.compile(r"(?:đến khi|khi|chưa|trước khi|thời hạn|đã|sẽ|thì)\s*$", re.IGNORECASE)
# "Bãi bỏ …", "… và thay thế …": the ended documents come after the verb; not "thay thế cụm từ"
END_BEFORE_RE = re.compile(r"(?<![\w])(?:[Bb]ãi bỏ|[Tt]hay thế)(?!\s+(?:cụm|từ|các cụm|một số cụm|cho|bằng))",)
FIRST_AFTER_VERB_RE = re.compile(
    r"^\s*(?:toàn bộ\s*)?(?:(?:các|những)\s+)?(?:(?:văn bản|quyết định|nghị định|thông tư|nghị quyết|chỉ thị)"
    r"\s+)?(?:sau(?:\s+đây)?\s*:)?\s*$", re.IGNORECASE)
ITEM_GAP_RE = re.compile(r"(?:^|[,;:]|\bvà|\bcác|\bhoặc)\s*(?:và\s+)?(?:các\s+)?(?:[a-zđ]\)\s*|-\s*)?$", re.IGNORECASE)
AND_ONLY_RE = re.compile(r"^\s*và\s*$")
SCOPE_GAP_RE = re.compile(r"\btại$", re.IGNORECASE)
CLAUSE_LEAD_RE = re.compile(r"^\s*(?:(?:\d{1,2}\s*[.)]|[a-zđ]\)|-)\s*)?")


def _this() -> str:
    """ "Nghị định này", "Thông tư liên tịch này" …: a norm naming itself (kb.doctypes)."""
    return rf"(?:{doctypes.name_alternation(lambda t: t.self_cited, sep=' ')}) này"


THIS_TEXT_STARTS_RE = doctypes.Pattern(lambda: rf"{_this()} có hiệu lực(?: thi hành)? (?:kể )?từ ngày \d")
THIS_TEXT_ENDS_RE = doctypes.Pattern(
    lambda: rf"{_this()} (?:thay thế|bãi bỏ)|(?:kể )?từ ngày {_this()} có hiệu lực|[Bb]ãi bỏ toàn bộ"
)
SENTENCE_END_RE = re.compile(r"\n|\.\s+(?=[A-ZĐ0-9])")

# Thứ bậc (Luật Ban hành VBQPPL): a text cannot replace or repeal one of a higher rank. A Thông
# tư that writes "Nghị định số 123/2020/NĐ-CP hết hiệu lực" notes the lapse, it does not cause it.
RANKS: tuple[tuple[str, int], ...] = (
    ("UBTVQH", 2), ("/QH", 1), ("NQ-CP", 3), ("NĐ-CP", 3), ("/CP", 3), ("QĐ-TTg", 4), ("CT-TTg", 4),
    ("TTLT-", 5), ("TT-", 5), ("-HĐND", 6), ("-UBND", 6),
)


def issuer_rank(number: str | None) -> int | None:
    """The rank of a document in the hierarchy of norms from its số hiệu (1 Luật … 6 local);
    None when the số hiệu does not tell."""
    for marker, rank in RANKS:
        if number and marker in number:
            return rank
    return None


def ending_kind(kind: RelationKind, source: str, target: str) -> RelationKind:
    """REPLACES / REPEALS, or NOTES_END when the stating text ranks below the ended one."""
    mine, theirs = issuer_rank(source), issuer_rank(target)
    if mine is not None and theirs is not None and mine > theirs:
        return RelationKind.NOTES_END
    return kind


def _endings(doc: Document, node: Provision, own: str, self_number: str, only: re.Pattern | None = None) -> None:
    """Documents (or provisions) this provision ends: "bãi bỏ …", "… hết hiệu lực", and lists
    introduced by "Các Nghị định sau đây hết hiệu lực …:" whose items each name one document.
    Outside the hiệu lực article (`only`), just the sentences that speak of this text's own
    effect ("Thông tư này thay thế …", "… kể từ ngày Nghị định này có hiệu lực"): where the
    article's title was lost, or a text puts its repeals in an article of their own."""
    own = unwrap(own)
    scopes = [(own, _ended_mentions(own, only))]
    if only is None and LIST_INTRO_RE.search(own.rstrip()):
        for child in node.children:
            text = unwrap(child.text)
            found = _top_level(text, sorted(find_citations(text), key=lambda m: m.span[0]))
            scopes.append((text, [(m, _list_verb(own)) for m in found[:1]]))
    for text, mentions in scopes:
        for mention, verb in mentions:
            target_doc = _complete_doc(mention, self_number)
            if target_doc is None:
                continue
            kind = ending_kind(verb, self_number, target_doc)
            for target in mention.targets or [None]:
                doc.relations.append(Relation(kind, self_number, target_doc, source=node.citation,
                                              source_pid=node.pid, target=target, evidence=_sentence(text, mention)))


WRAP_RE = re.compile(r"(?<![.;:])\n(?!\s*(?:\d{1,2}\s*[.)]|[a-zđ]\)|-)\s)")


def unwrap(text: str) -> str:
    """Lines wrapped inside a sentence joined by a space (same length, so spans still hold):
    "… Thông tư số\n32/2025/TT-BTC … hết\nhiệu lực" is one sentence."""
    return WRAP_RE.sub(" ", text)


def _list_verb(intro: str) -> RelationKind:
    return RelationKind.REPEALS if re.search(r"bãi bỏ", intro, re.IGNORECASE) else RelationKind.REPLACES


def _ended_mentions(text: str, only: re.Pattern | None = None) -> list[tuple[CitationMention, RelationKind]]:
    """(mention, verb) for each document a sentence ends: every item of "A …, B … và C … hết hiệu
    lực" or "Bãi bỏ A …; B …" — an item being a mention outside parentheses that opens the
    sentence or follows a comma, "và" or the verb. A document named inside another's title ("…
    sửa đổi một số điều của Nghị định số 123/2020/NĐ-CP") or in a note "(được sửa đổi, bổ sung
    bởi …)" is not an item."""
    mentions = sorted(find_citations(text), key=lambda m: m.span[0])
    found: list[tuple[CitationMention, RelationKind]] = []
    for start, end in _sentences(text):
        if only is not None and not only.search(text, start, end):
            continue
        inside = [m for m in mentions if start <= m.span[0] < end]
        if not inside:
            continue
        found.extend(_items_before_verb(text, start, end, inside))
        found.extend(_items_after_verb(text, start, end, inside))
    seen: set[tuple[int, int]] = set()
    return [(m, k) for m, k in found if not (m.span in seen or seen.add(m.span))]


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, last = [], 0
    for match in SENTENCE_END_RE.finditer(text):
        spans.append((last, match.start() + 1))
        last = match.end()
    spans.append((last, len(text)))
    return [(a, b) for a, b in spans if b > a]


def _items_before_verb(text: str, start: int, end: int, inside: list[CitationMention]):
    for verb in END_AFTER_RE.finditer(text, start, end):
        if NOT_AN_END_RE.search(text[max(start, verb.start() - 20):verb.start()]):
            continue
        if text.count("(", start, verb.start()) > text.count(")", start, verb.start()):
            continue  # "(hết hiệu lực từ 01/7/2026)": a note on another text, not this one's act
        before = [m for m in inside if m.span[0] < verb.start()]  # a mention's title may run past the verb
        kind = RelationKind.REPEALS if "bãi bỏ" in verb.group(0).lower() else RelationKind.REPLACES
        clause_start = start + len(CLAUSE_LEAD_RE.match(text[start:end]).group(0))
        return [(m, kind) for m in _top_level(text, before, clause_start)]
    return []


def _items_after_verb(text: str, start: int, end: int, inside: list[CitationMention]):
    for verb in END_BEFORE_RE.finditer(text, start, end):
        after = [m for m in inside if m.span[0] >= verb.end()]
        if not after or not FIRST_AFTER_VERB_RE.match(text[verb.end():after[0].span[0]]):
            continue
        if re.search(r"(?:được|bị)\s*$", text[max(start, verb.start() - 8):verb.start()]):
            continue  # "… được thay thế bởi …": the passive is read before the verb
        kind = RelationKind.REPEALS if verb.group(0).lower().startswith("bãi") else RelationKind.REPLACES
        items = _top_level(text, after, after[0].span[0])  # the gap ("toàn bộ", "các văn bản sau:") is read
        return [(m, kind) for m in items]
    return []


def _top_level(text: str, mentions: list[CitationMention], anchor: int = 0) -> list[CitationMention]:
    """The mentions that are list items: outside parentheses, and opening the span at `anchor`
    or following a separator (",", ";", "và")."""
    items: list[CitationMention] = []
    boundary = anchor
    scoped = False  # "Các quy định về … tại Nghị định số A và Nghị định số B": parts of A and B
    in_title = False  # "… hướng dẫn Nghị định số A và Nghị định số B": both inside a title
    for mention in mentions:
        gap = text[boundary:mention.span[0]]
        depth = text[anchor:mention.span[0]].count("(") - text[anchor:mention.span[0]].count(")")
        scoped = bool(SCOPE_GAP_RE.search(gap.rstrip())) or (scoped and ";" not in gap)
        joined = in_title and bool(AND_ONLY_RE.match(gap))
        item = depth <= 0 and not scoped and not joined and (not gap.strip() or ITEM_GAP_RE.search(gap.rstrip()))
        if item:
            items.append(mention)
        complete = mention.doc_ref is not None and mention.doc_ref.complete
        in_title = (not item and complete) or (joined and complete)
        boundary = max(boundary, mention.span[1])
    return items


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
            tail = quoted_wording(node.text[node.text.find(match.group(0)) + len(match.group(0)):])
        targets = [t for m in found for t in m.targets]
        if (added := _added(phrase)) is not None:
            targets, addressable = added
            tail = tail if addressable else None
        for target in targets:
            target = target if target.doc else _within(target, amended_doc)
            if target.doc == self_number or target.article is None:
                continue
            doc.relations.append(Relation(kind, self_number, target.doc, source=node.citation,
                                          source_pid=node.pid, target=target, new_text=tail,
                                          evidence=match.group(0)))
    _word_replacements(doc, node, own, self_number)


ADDED_RE = re.compile(r"^(?P<new>(?:điểm|khoản)\s+\S+)\s+vào(?:\s+(?:sau|trước|cuối|đầu))?\s+(?P<anchor>.+)$")


def _added(phrase: str) -> tuple[list[Citation], bool] | None:
    """"khoản 5 vào sau khoản 4 Điều 8", "điểm đ vào khoản 2 Điều 8" (Bổ sung …): the new
    provision, completed with the anchor's Điều (and khoản) — not the anchor itself, which the
    text leaves as it is. A new provision the address model cannot hold ("khoản 4a vào Điều 34")
    gives its enclosing provision, without a wording ("xem văn bản sửa đổi"): (targets,
    addressable). None: not an addition phrase."""
    match = ADDED_RE.match(" ".join(phrase.split()))
    if match is None:
        return None
    new = next((t for m in find_citations(match.group("new")) for t in m.targets), None)
    anchor = next((t for m in find_citations(match.group("anchor")) for t in m.targets), None)
    if anchor is None or anchor.article is None:
        return [], False
    if new is not None and new.clause is not None:
        return [Citation(anchor.doc, anchor.part, anchor.annex, anchor.article, new.clause)], True
    if new is not None and new.point is not None and anchor.clause is not None:
        return [Citation(anchor.doc, anchor.part, anchor.annex, anchor.article, anchor.clause, new.point)], True
    enclosing = match.group("new").lower().startswith("điểm") and anchor.clause is not None
    return [Citation(anchor.doc, anchor.part, anchor.annex, anchor.article, anchor.clause if enclosing else None)], False


def _word_replacements(doc: Document, node: Provision, own: str, self_number: str) -> None:
    """"Thay thế cụm từ “A” bằng cụm từ “B” tại khoản 2 Điều 13": a new version of each
    provision named, its wording the old one with the words replaced (kb.validity applies it;
    the phrase is kept as the relation's evidence)."""
    for match in WORDS_RE.finditer(own):
        found = word_replacement(match.group(0))
        if found is None:
            continue
        amended_doc = _amended_document(doc, node, found[2], self_number)
        if amended_doc is None:
            continue
        for mention in find_citations(found[2]):
            for target in mention.targets:
                target = target if target.doc else _within(target, amended_doc)
                if target.doc == self_number or target.article is None:
                    continue
                doc.relations.append(Relation(RelationKind.AMENDS, self_number, target.doc, source=node.citation,
                                              source_pid=node.pid, target=target, evidence=match.group(0)))


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


def _amended_document(doc: Document, node: Provision, phrase: str, self_number: str) -> Citation | None:
    """The document an amending provision acts on: named in the phrase, the article, or the title;
    with its part when that is a regulation attached to it ("… của Quy chế … ban hành kèm theo
    Quyết định số 16/2026/QĐ-UBND": a bare "khoản 1 Điều 6" is the Quy chế's)."""
    article = _article_of(node, doc)
    for text in (phrase, article.text.split("\n", 1)[0] if article else "", doc.title):
        for mention in find_citations(text or ""):
            number = _complete_doc(mention, self_number)
            if number:
                return Citation(number, mention.part)
    return None


def _within(target: Citation, amended: Citation) -> Citation:
    """A bare target ("khoản 1 Điều 6") placed in the amended document (and its attached part)."""
    return Citation(amended.doc, target.part or amended.part, target.annex, target.article, target.clause,
                    target.point, target.annex_item)


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
