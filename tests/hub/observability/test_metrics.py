"""Prometheus metrics at /metrics: counted by route, and not public."""

from __future__ import annotations

from tests.conftest import bearer


def test_metrics_need_a_token_with_metrics_read(app, issue_token):
    http = app.test_client()
    assert http.get("/metrics").status_code == 401
    assert http.get("/metrics", headers=bearer(issue_token("E09000001"))).status_code == 403
    response = http.get("/metrics", headers=bearer(issue_token("HUB-ADMIN")))
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")


def test_requests_are_counted_by_route_pattern_not_path(app, la_client, issue_token):
    la_client.get("/api/v1/authorities/E09000001")
    la_client.get("/api/v1/authorities/E09000002")
    text = app.test_client().get("/metrics", headers=bearer(issue_token("HUB-ADMIN"))).text
    line = next(line for line in text.splitlines()
                if line.startswith("hub_http_requests_total{")
                and 'route="/api/v1/authorities/<string:code>"' in line and 'status="200"' in line)
    assert float(line.rsplit(" ", 1)[1]) >= 2
    assert "E09000002" not in text, "paths with ids would make the metrics unbounded"
    assert "hub_http_request_duration_seconds_bucket" in text
