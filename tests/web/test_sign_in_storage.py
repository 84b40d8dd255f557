"""Signing in on each storage backend: PostgreSQL refuses FOR UPDATE on the nullable side of
an outer join, which the sign-in query's eager load of the organisation would make."""

from __future__ import annotations

from hub.identity import service as identity
from tests.web.conftest import csrf_token


def test_a_person_signs_in_on_sqlite_and_postgresql(make_app):
    app = make_app()
    with app.extensions["hub.db"].session() as session:
        identity.create_user(session, "E12000007", "pm@london.example", "viewer",
                             "a long enough password")
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "pm@london.example",
                                             "password": "a long enough password",
                                             "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/region/E12000007"
