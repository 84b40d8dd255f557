"""Recomputing when an extract lands: in-process when embedded, an rq job with Redis."""

from __future__ import annotations

from dataclasses import replace

from rq import Queue, SimpleWorker

from hub.agreements import service as agreements
from hub.benchmarks import jobs
from hub.benchmarks.extension import get_benchmarks
from hub.decisions.store import get_policy_store
from hub.pulls import hooks
from hub.pulls.queue import QUEUE_NAME
from policies.measures import DATASET_WORKFORCE
from tests.hub.agreements.conftest import shipped
from tests.hub.benchmarks.conftest import CAMDEN, CITY, PERIOD, simulated_extract, store_extracts

URL = f"/api/v1/benchmarks/agency_fte?period={PERIOD}"


def own(client) -> float:
    response = client.get(URL)
    assert response.status_code == 200, response.json
    return response.json["own"]["numerator"]


def land(app, la: str = CAMDEN, extra: float = 3.0, revision: int = 2) -> None:
    """A new revision of ``la``'s extract arrives and the pulls announce it."""
    extract = simulated_extract(la, PERIOD)
    store_extracts(app, [replace(extract, components={
        **extract.components, "agency_fte": extract.components["agency_fte"] + extra})],
        revision)
    with app.app_context():
        hooks.extract_landed(la, DATASET_WORKFORCE, PERIOD)


def test_the_recompute_job_is_registered_on_the_pulls_hook(figures_app):
    assert jobs.extract_landed in hooks._CALLBACKS


def test_embedded_a_landed_extract_changes_the_next_answer(as_org, figures_app):
    client = as_org(CAMDEN)
    before = own(client)
    land(figures_app)
    get_benchmarks(figures_app).queue.wait()
    assert own(client) == before + 3.0


def test_with_redis_one_rq_job_per_period_however_many_land(make_app, redis_url, issue_token):
    app = make_app(redis_url=redis_url)
    with app.app_context(), app.extensions["hub.db"].session() as session:
        agreements.load(session, shipped(), "cli:test", get_policy_store(app))
    store_extracts(app, [simulated_extract(CAMDEN, PERIOD), simulated_extract(CITY, PERIOD)])
    with app.app_context():
        for la in (CAMDEN, CITY):
            hooks.extract_landed(la, DATASET_WORKFORCE, PERIOD)
    queue = Queue(QUEUE_NAME, connection=get_benchmarks(app).redis)
    assert queue.count == 1
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(CAMDEN)}"
    before = own(client)
    land(app)
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert own(client) == before + 3.0
    get_benchmarks(app).reads.close()
