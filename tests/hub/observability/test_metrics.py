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


def _value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and wanted in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_policy_decisions_and_pulls_are_counted_by_outcome(app, issue_token):
    from hub.observability import metrics

    admin = bearer(issue_token("HUB-ADMIN"))
    http = app.test_client()
    before = http.get("/metrics", headers=admin).text
    explained = http.get("/api/v1/policies/explain?measure=agency_rate&grain=own",
                         headers=bearer(issue_token("E09000001")))
    assert explained.status_code == 200
    metrics.PULLS.labels("failed").inc()
    after = http.get("/metrics", headers=admin).text
    decided = sum(_value(after, "hub_policy_decisions_total", outcome=o) -
                  _value(before, "hub_policy_decisions_total", outcome=o)
                  for o in ("permit", "deny"))
    assert decided == 1
    assert _value(after, "hub_pulls_total", outcome="failed") == \
        _value(before, "hub_pulls_total", outcome="failed") + 1


def test_queue_depth_is_read_from_rq_at_scrape(make_app, redis_url, issue_token):
    app = make_app(redis_url=redis_url)
    from rq import Queue

    Queue("pulls", connection=app.extensions["hub.redis"]).enqueue("builtins.len", "abc")
    text = app.test_client().get("/metrics", headers=bearer(issue_token("HUB-ADMIN"))).text
    assert _value(text, "hub_queue_depth", queue="pulls") == 1
