"""Managing clients over the API (administrators only) and from the `hub` command."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hub.identity.models import ApiClient, User
from tests.conftest import bearer


def test_admins_create_list_and_read_clients(admin_client):
    created = admin_client.post("/api/v1/clients", json={
        "org": "E12000007", "name": "London programme", "scopes": ["benchmarks:read"]})
    assert created.status_code == 201
    body = created.json
    assert body["client_secret"] and body["auth_method"] == "client_secret_basic"
    listed = admin_client.get("/api/v1/clients?org=E12000007").json
    assert [c["client_id"] for c in listed] == [body["client_id"]]
    assert "client_secret" not in listed[0]
    one = admin_client.get(f"/api/v1/clients/{body['client_id']}")
    assert one.json["scopes"] == ["benchmarks:read"]


def test_secrets_are_stored_only_as_a_slow_hash(admin_client, app):
    body = admin_client.post("/api/v1/clients", json={"org": "NARE", "name": "n"}).json
    with app.extensions["hub.db"].session() as session:
        stored = session.get(ApiClient, body["client_id"]).secret_hash
    assert stored.startswith("$argon2id$") and body["client_secret"] not in stored


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"org": "E09000001", "name": "x", "scopes": ["national:read"]}, 422,
     "An organisation of kind local_authority may not hold: national:read."),
    ({"org": "E99999999", "name": "x"}, 404, "No organisation has the code 'E99999999'."),
    ({"org": "NARE", "name": "x", "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}, 422,
     "The JWKS must hold at least one key, and only public keys."),
])
def test_bad_client_requests_are_refused_with_the_reason(admin_client, body, status, message):
    response = admin_client.post("/api/v1/clients", json=body)
    assert response.status_code == status and response.json["message"] == message


@pytest.mark.parametrize("org", ["E09000001", "E12000007", "NARE"])
def test_no_one_but_administrators_manages_clients(app, issue_token, register_client, org):
    target = register_client("E09000002")
    token = issue_token(org)
    http = app.test_client()
    for method, path in [("get", "/api/v1/clients"),
                         ("get", f"/api/v1/clients/{target.client_id}"),
                         ("post", f"/api/v1/clients/{target.client_id}/disable"),
                         ("post", f"/api/v1/clients/{target.client_id}/revoke-tokens"),
                         ("post", f"/api/v1/clients/{target.client_id}/rotate-secret")]:
        response = getattr(http, method)(path, headers=bearer(token))
        assert response.status_code == 403, (org, method, path)


def test_unknown_client_id_is_404(admin_client):
    assert admin_client.get("/api/v1/clients/nobody").status_code == 404


def test_cli_creates_a_secret_client_and_prints_json(app, runner_for):
    result = runner_for(app).invoke(args=["clients", "create", "--org", "E09000001",
                                          "--name", "City data team"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["client_id"].startswith("e09000001-") and printed["client_secret"]


def test_cli_creates_a_key_client_from_a_jwks_file(app, runner_for, tmp_path):
    from joserfc.jwk import ECKey

    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [ECKey.generate_key("P-256").as_dict(private=False)]}))
    result = runner_for(app).invoke(args=["clients", "create", "--org", "NARE", "--name", "n",
                                          "--jwks", str(jwks)])
    printed = json.loads(result.output)
    assert printed["auth_method"] == "private_key_jwt" and printed["client_secret"] is None


def test_cli_refuses_a_scope_with_the_reason(app, runner_for):
    result = runner_for(app).invoke(args=["clients", "create", "--org", "E09000001",
                                          "--name", "x", "--scope", "clients:admin"])
    assert result.exit_code == 1
    assert "may not hold: clients:admin" in result.output


def test_cli_lists_disables_and_rotates(app, runner_for, register_client):
    registered = register_client("E09000001")
    runner = runner_for(app)
    listed = json.loads(runner.invoke(args=["clients", "list", "--org", "E09000001"]).output)
    assert [c["client_id"] for c in listed] == [registered.client_id]
    rotated = runner.invoke(args=["clients", "rotate-secret", registered.client_id])
    assert json.loads(rotated.output)["client_secret"] != registered.client_secret
    disabled = runner.invoke(args=["clients", "disable", registered.client_id])
    assert disabled.exit_code == 0
    again = runner.invoke(args=["clients", "rotate-secret", registered.client_id])
    assert again.exit_code == 1 and "disabled" in again.output


def test_cli_creates_a_user_with_an_argon2_hash(app, runner_for):
    result = runner_for(app).invoke(args=["users", "create", "--org", "E12000007", "--email",
                                          "Pat@Example.org", "--role", "admin"],
                                    input="correct horse battery\ncorrect horse battery\n")
    assert result.exit_code == 0, result.output
    with app.extensions["hub.db"].session() as session:
        user = session.scalars(select(User)).one()
    assert user.email == "pat@example.org" and user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash


@pytest.mark.parametrize(("args", "message"), [
    (["--org", "E12000007", "--email", "x@y.org"], "at least 12 characters"),
    (["--org", "NOPE", "--email", "x@y.org"], "No organisation has the code 'NOPE'."),
    (["--org", "E12000007", "--email", "not-an-email"], "is not an email address"),
])
def test_cli_refuses_bad_users(app, runner_for, args, message):
    password = "short" if "12 characters" in message else "long enough password"
    result = runner_for(app).invoke(args=["users", "create", *args],
                                    input=f"{password}\n{password}\n")
    assert result.exit_code == 1 and message in result.output


def _audit_events(app, action: str) -> list:
    from hub.audit.models import AuditEvent

    with app.extensions["hub.db"].session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_client_changes_over_the_api_are_audited_with_who_made_them(app, admin_client):
    created = admin_client.post("/api/v1/clients", json={"org": "NARE", "name": "n"}).json
    admin_client.post(f"/api/v1/clients/{created['client_id']}/rotate-secret")
    admin_client.post(f"/api/v1/clients/{created['client_id']}/revoke-tokens")
    admin_client.post(f"/api/v1/clients/{created['client_id']}/disable")
    for action in ("client.create", "client.rotate_secret", "client.revoke_tokens",
                   "client.disable"):
        [event] = [e for e in _audit_events(app, action) if e.target == created["client_id"]]
        assert event.org_code == "HUB-ADMIN" and event.actor.startswith("hub-admin-")
        assert created["client_secret"] not in str(event.details)


def test_commands_are_audited_as_the_operator(app, runner_for):
    runner = runner_for(app)
    runner.invoke(args=["users", "create", "--org", "E12000007", "--email", "a@b.org"],
                  input="long enough password\nlong enough password\n")
    runner.invoke(args=["keys", "rotate-signing"])
    [user] = _audit_events(app, "user.create")
    assert user.target == "a@b.org" and user.actor.startswith("cli:")
    assert "long enough" not in str(user.details)
    assert _audit_events(app, "signing_key.rotate")[0].actor.startswith("cli:")
