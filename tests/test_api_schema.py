"""The HTTP API against its own OpenAPI schema (schemathesis): generated valid and invalid
requests to every operation of the live app over HTTP; no 5xx, every response documented and
conforming to the schema, invalid input refused with 4xx.

The server here has its own data folder (three texts of the ccn corpus, lexical index only),
so that generated uploads never touch the shared `search_home`.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import schemathesis
from conftest import serve_app
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

EXAMPLES = 25  # per operation and mode: the whole file runs in about a minute
TEXTS = ("ND-32-2024-ND-CP.docx", "TT-14-2024-TT-BCT.docx", "CT-07-2012-CT-TTg.docx")
OPERATIONS = {
    ("get", "/health"), ("get", "/api/search"), ("post", "/api/ask"), ("get", "/api/documents"),
    ("get", "/api/documents/{doc_id}"), ("get", "/api/provisions/{provision_id}"),
    ("post", "/api/citations/resolve"), ("post", "/api/ingest"), ("get", "/api/currency"),
    ("get", "/api/compare"), ("get", "/api/draft/schema"),
}


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory, ccn_dir: Path):
    from api.app import create_app
    from ingest.runner import ingest_paths
    from kb.store import Store
    from retrieval.build import build_indexes

    home = tmp_path_factory.mktemp("api-schema-home")
    store = Store.at_home(home)
    assert ingest_paths(store, [ccn_dir / name for name in TEXTS]).failed == []
    build_indexes(store, home, dense="none")
    with serve_app(create_app(home, store=store, dense="none", preload=True)) as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(small_server: str):
    return schemathesis.openapi.from_url(f"{small_server}/openapi.json")


def test_schema_lists_every_operation_with_vietnamese_errors(small_server: str) -> None:
    spec = httpx.get(f"{small_server}/openapi.json").json()
    found = {(method, path.replace("{doc_id:path}", "{doc_id}")) for path, item in spec["paths"].items()
             for method in item}
    assert found >= OPERATIONS
    components = spec["components"]["schemas"]
    assert "HTTPValidationError" not in components  # 422 is our {"error", "details"}, not FastAPI's
    ask = spec["paths"]["/api/ask"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    assert ask == {"$ref": "#/components/schemas/ErrorResponse"}
    search = {p["name"]: p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert search["q"]["maxLength"] == 500
    assert (search["k"]["minimum"], search["k"]["maximum"]) == (1, 50)
    upload = spec["paths"]["/api/ingest"]["post"]["responses"]
    assert {"202", "401", "403", "413", "415", "422"} <= set(upload)


def test_results_are_their_own_response_models(small_server: str) -> None:
    """Search results, answers and resolved citations are described by the lower layers' own
    models, with every key they write (computed ones such as status_text included)."""
    spec = httpx.get(f"{small_server}/openapi.json").json()
    components = spec["components"]["schemas"]

    def body(path: str, method: str) -> dict:
        return spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]

    assert body("/api/search", "get") == {"$ref": "#/components/schemas/SearchResult"}
    assert body("/api/ask", "post") == {"$ref": "#/components/schemas/AnswerWithRegister"}
    assert body("/api/citations/resolve", "post") == {"$ref": "#/components/schemas/ResolveResponse"}
    keys = {name: set(components[name]["properties"]) for name in
            ("SearchResult", "SearchHit", "QuotedProvision", "LeadLine", "RelatedProvision", "ResolvedTarget")}
    assert keys["SearchResult"] == {"query", "confidence", "threshold", "warnings", "results"}
    assert keys["SearchHit"] == {"rank", "id", "score", "citation", "citation_text", "title", "doc_title", "text",
                                 "marks", "status", "status_text", "validity", "notes", "also", "score_parts"}
    assert keys["QuotedProvision"] == {"key", "id", "citation", "citation_text", "title", "doc_title", "quote",
                                       "marks", "status", "status_text", "validity", "notes", "reported_changes",
                                       "references", "changes", "score"}
    assert keys["LeadLine"] == {"text", "kind", "focus", "id", "citation", "citation_text", "status", "status_text"}
    assert keys["RelatedProvision"] == {"id", "citation", "citation_text", "title", "status", "status_text"}
    assert keys["ResolvedTarget"] == {"citation", "citation_text", "found", "id", "status", "status_text"}
    assert components["SearchHit"]["properties"]["validity"]["required"] == ["status", "status_text"]
    assert "annex_item" in components["SearchHit"]["properties"]["citation"]["properties"]


# schemathesis' own pytest plugin (`from_fixture`) does not run under pytest 9 (it sets
# `request.node._nodeid`); its strategies do: one Hypothesis test per operation and mode.
CASES = [(method, path, mode) for method, path in sorted(OPERATIONS)
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if not (path == "/health" and mode == GenerationMode.NEGATIVE)]  # no input to spoil


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=lambda v: str(v))
def test_generated_requests(api_schema, small_server: str, method: str, path: str, mode) -> None:
    operation = api_schema[path if path in api_schema else path.replace("{doc_id}", "{doc_id:path}")]
    operation = operation[method.upper()]
    # An upload's type is judged by its file name and content, which the schema cannot state:
    # generated files (no name suffix) are rightly refused with 415, not accepted.
    excluded = [positive_data_acceptance] if path == "/api/ingest" else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    def run(case) -> None:
        case.call_and_validate(base_url=small_server, excluded_checks=excluded)

    run()
