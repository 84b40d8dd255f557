"""Two revocations of one override at once: one new version, one Conflict, never a clash."""

from __future__ import annotations

import threading

import pytest

from hub.consents import service
from hub.decisions.store import get_policy_store
from hub.errors import Conflict

ADMIN = service.Actor("cli:test", None)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_concurrent_revocations_make_one_version(loaded_app):
    store = get_policy_store(loaded_app)
    database = loaded_app.extensions["hub.db"]
    with database.session() as session:
        override_id = service.create(session, ADMIN, store, kind="suspend",
                                     org_code="E09000001", reason="unsigned").id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def revoke() -> None:
        try:
            with database.session() as session:
                barrier.wait()
                service.revoke(session, ADMIN, store, override_id, "signed")
            outcomes.append("revoked")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=revoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "revoked"]
    with database.session() as session:
        assert service.latest(session, override_id).version == 2
