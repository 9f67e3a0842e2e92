"""HTTP details an outside review found wrong: a redirect built from the client's Host header,
CORP opening every response to other sites, a chunked body over the limit answered 400, a text
body to POST /v1/answer answered 422 instead of the documented 415."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient

FEEDBACK = b'{"article_id": "auto-renewal", "locale": "fr", "helpful": false, "comment": "'


def test_a_trailing_slash_redirect_names_a_path_not_the_clients_host(client: TestClient) -> None:
    response = client.get("/v1/search/", params={"q": "refund"}, headers={"Host": "evil.example"},
                          follow_redirects=False)
    assert response.status_code in (307, 308), response.status_code
    assert response.headers["location"] == "/v1/search?q=refund"


def test_only_the_widgets_files_may_be_embedded_by_other_sites(client: TestClient) -> None:
    assert client.get("/widget/loader.js").headers["cross-origin-resource-policy"] == "cross-origin"
    for path in ("/v1/search?q=refund", "/metrics", "/v1/admin/report", "/healthz", "/", "/openapi.json", "/nowhere"):
        assert client.get(path).headers["cross-origin-resource-policy"] == "same-origin", path


def test_a_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield FEEDBACK
        for _ in range(40):
            yield b"x" * 1024
        yield b'"}'

    response = client.post("/v1/feedback", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.headers["cross-origin-resource-policy"] == "same-origin"


def test_a_body_that_is_not_json_is_415_on_every_post(client: TestClient) -> None:
    for path in ("/v1/answer", "/v1/feedback"):
        response = client.post(path, content=b"q=refund", headers={"Content-Type": "text/plain"})
        assert response.status_code == 415, path
        assert response.json()["error"]["code"] == "unsupported_media_type", path
