"""The dashboard for people: sign-in, figures pages, admin pages and the governance pack."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from hub.config import Settings
from hub.web.auth import ABSOLUTE_LIMIT


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, opened only when the request carries one.

    API calls never do; Flask would still build a signer for each of them.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask, settings: Settings) -> None:
    """Session cookie settings, CSRF protection of the dashboard's forms, its blueprint."""
    app.config.update(
        SESSION_COOKIE_NAME="hub_session",
        SESSION_COOKIE_SECURE=not settings.development,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=ABSOLUTE_LIMIT,
        # Checked by the dashboard's blueprint only: the API authenticates with bearer
        # tokens, which a browser never sends on its own, so it needs no CSRF token.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=int(timedelta(hours=12).total_seconds()),
    )
    app.session_interface = SessionCookies()
    # GOV.UK Frontend's Jinja macros and page template, under the prefix their own imports use.
    govuk = PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})
    app.jinja_loader = ChoiceLoader([loader for loader in (app.jinja_loader, govuk) if loader])
    CSRFProtect(app)
    from hub.web import about, admin, pages  # noqa: F401 -- their routes join the blueprint
    from hub.web.views import blp

    app.register_blueprint(blp)
