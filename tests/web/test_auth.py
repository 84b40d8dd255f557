"""Sign-in, lock-out, sessions, sign-out and CSRF protection of the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.config import Settings
from hub.identity.models import User
from hub.web import init_app
from hub.web.auth import REFUSED
from hub.web.models import SignInSession
from tests.web.conftest import PASSWORD, csrf_token

LA_USER, ADMIN_USER = "la@camden.example", "admin@hub.example"


def _user(app: Flask, email: str) -> User:
    with app.extensions["hub.db"].session() as session:
        return session.scalars(select(User).where(User.email == email)).one()


def _actions(app: Flask, action: str) -> list[AuditEvent]:
    with app.extensions["hub.db"].session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_sign_in_sets_a_session_cookie_that_scripts_and_other_sites_cannot_use(sign_in):
    response = sign_in(LA_USER)
    assert response.status_code == 302
    assert response.headers["Location"] == "/la/E09000007"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("hub_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test environment is served over http


@pytest.mark.parametrize("env, secure", [("production", True), ("development", False),
                                         ("test", False)])
def test_the_cookie_is_secure_outside_development(env: str, secure: bool):
    app = Flask(__name__)
    init_app(app, Settings(env=env))
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("email, password", [
    ("nobody@nowhere.example", PASSWORD),
    (LA_USER, "not the password at all"),
    ("", ""),
])
def test_every_refused_sign_in_gets_the_same_answer(sign_in, email: str, password: str):
    response = sign_in(email, password)
    assert response.status_code == 401
    assert REFUSED in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers or "token" not in response.headers["Set-Cookie"]


def test_five_failures_lock_the_account_for_fifteen_minutes(web_app, sign_in):
    for _ in range(5):
        assert sign_in(LA_USER, "wrong password!").status_code == 401
    locked = _user(web_app, LA_USER)
    assert locked.locked_until is not None and locked.locked_until > datetime.now(UTC)
    response = sign_in(LA_USER)  # the right password, while locked
    assert response.status_code == 401
    assert REFUSED in response.get_data(as_text=True)
    refused = _actions(web_app, "web.sign_in_refused")
    assert len(refused) == 6
    assert "locked_until" in refused[4].details


def test_a_success_resets_the_count_of_failures(web_app, sign_in):
    for _ in range(4):
        sign_in(LA_USER, "wrong password!")
    assert sign_in(LA_USER).status_code == 302
    assert _user(web_app, LA_USER).failed_sign_ins == 0
    assert len(_actions(web_app, "web.sign_in")) == 1


def test_sign_out_ends_the_session_on_the_server(web_client, sign_in):
    sign_in(LA_USER)
    kept = web_client.get_cookie("hub_session").value
    assert web_client.get("/la/E09000007").status_code == 200
    response = web_client.post("/sign-out", data={"csrf_token": csrf_token(
        web_client, "/la/E09000007")}, follow_redirects=True)
    assert "You have signed out." in response.get_data(as_text=True)
    # Someone who copied the cookie before sign-out cannot use it after.
    web_client.set_cookie("hub_session", kept)
    response = web_client.get("/la/E09000007")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_a_disabled_person_is_signed_out_at_once(web_app, web_client, sign_in):
    sign_in(LA_USER)
    with web_app.extensions["hub.db"].session() as session:
        session.scalars(select(User).where(User.email == LA_USER)).one().disabled_at = \
            datetime.now(UTC)
    assert web_client.get("/la/E09000007").status_code == 302


@pytest.mark.parametrize("path, data", [
    ("/sign-in", {"email": LA_USER, "password": PASSWORD}),
    ("/sign-out", {}),
    ("/admin/consents", {"kind": "suspend", "org_code": "E09000007", "reason": "r"}),
])
def test_a_form_posted_without_its_csrf_token_is_refused(web_client, sign_in, path, data):
    sign_in(ADMIN_USER)
    response = web_client.post(path, data=data)
    assert response.status_code == 400
    assert "not sent from a page of the hub" in response.get_data(as_text=True)
    assert web_client.get("/admin/agreements").status_code == 200  # still signed in


def test_a_forged_csrf_token_is_refused(web_client, sign_in):
    sign_in(LA_USER)
    response = web_client.post("/sign-out", data={"csrf_token": "forged"})
    assert response.status_code == 400


def test_the_api_needs_no_csrf_token(web_client):
    response = web_client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 401  # refused for want of a client, not of a CSRF token
    assert response.is_json


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_sign_in_never_redirects_to_another_site(web_client, target):
    page = web_client.get(f"/sign-in?next={target}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = web_client.post("/sign-in", data={
        "email": LA_USER, "password": PASSWORD, "csrf_token": token, "next": target})
    assert response.headers["Location"] == "/la/E09000007"


#: ``next`` values that browsers would read as another site (tabs and newlines are dropped,
#: backslashes read as slashes), or that are not a path at all; each falls back to the home page.
OFF_SITE = ["/%09/evil.example", "/%0A/evil.example", "/%0D%0A/evil.example", "%09//evil.example",
            "/%5Cevil.example", "%5C%5Cevil.example", "/%09%5Cevil.example", "%2F%2Fevil.example",
            "/ /evil.example", "%20//evil.example", "https:evil.example", "javascript:alert(1)",
            "/%00/evil.example", "/la/E09000007%0D%0ASet-Cookie:x=1", "evil.example/path",
            "/%E2%80%A8/evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_ignores_a_next_page_that_is_not_a_path_of_the_hub(web_client, target):
    page = web_client.get(f"/sign-in?next={target}")
    assert page.status_code == 200
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = web_client.post(f"/sign-in?next={target}", data={
        "email": LA_USER, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/la/E09000007"


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_signed_in_person_is_never_sent_off_the_hub(web_client, sign_in, target):
    sign_in(LA_USER)
    response = web_client.get(f"/sign-in?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/la/E09000007"


@pytest.mark.parametrize("target", ["/la/E09000007?period=2024-Q3", "/regions",
                                    "/la/E09000007?a=%2F%2Fx"])
def test_a_path_of_the_hub_is_kept_as_the_next_page(web_client, sign_in, target):
    sign_in(LA_USER)
    response = web_client.get("/sign-in", query_string={"next": target})
    assert response.headers["Location"] == target


def test_a_page_asked_for_before_sign_in_is_shown_after_it(web_client):
    response = web_client.get("/la/E09000007?period=2024-Q3")
    assert response.status_code == 302
    target = response.headers["Location"]
    page = web_client.get(target).get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = web_client.post(target, data={"email": LA_USER, "password": PASSWORD,
                                              "csrf_token": token})
    assert response.headers["Location"] == "/la/E09000007?period=2024-Q3"


def test_pages_are_not_cached_and_run_no_script(web_client, sign_in):
    sign_in(LA_USER)
    response = web_client.get("/la/E09000007")
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_session_unused_for_two_hours_has_ended(web_app, web_client, sign_in):
    sign_in(LA_USER)
    with web_app.extensions["hub.db"].session() as session:
        for row in session.scalars(select(SignInSession)):
            row.last_seen_at = datetime.now(UTC) - timedelta(hours=2, minutes=1)
    assert web_client.get("/la/E09000007").status_code == 302
