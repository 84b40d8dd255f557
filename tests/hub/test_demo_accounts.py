"""The demo's accounts: one person and one API client per kind of organisation."""

from __future__ import annotations

from hub.demo_accounts import ensure_demo_accounts
from hub.identity.passwords import verify_secret


def test_accounts_are_made_once_kept_private_and_work(app, database, tmp_path):
    path = tmp_path / "demo-accounts.json"
    first = ensure_demo_accounts(database, path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert {p["org"] for p in first["people"]} == {"E09000007", "E12000007", "NARE", "HUB-ADMIN"}
    assert ensure_demo_accounts(database, path) == first
    http = app.test_client()
    for client in first["clients"]:
        response = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(client["client_id"], client["client_secret"]))
        assert response.status_code == 200, client["org"]


def test_a_lost_file_gives_new_passwords_for_the_same_people(database, tmp_path):
    from sqlalchemy import select

    from hub.identity.models import User

    path = tmp_path / "demo-accounts.json"
    ensure_demo_accounts(database, path)
    path.unlink()
    second = ensure_demo_accounts(database, path)
    with database.session() as session:
        users = {u.email: u for u in session.scalars(select(User))}
        assert len(users) == 4
        for person in second["people"]:
            assert verify_secret(users[person["email"]].password_hash, person["password"])
