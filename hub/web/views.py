"""The dashboard's blueprint: who is signed in, sign-in and sign-out, errors as pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from hub.db import get_session
from hub.errors import HubError
from hub.organisations.models import OrgKind
from hub.web import auth

F = TypeVar("F", bound=Callable[..., Any])

blp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/web/static")

# No script runs on these pages; inline SVG charts need style attributes.
_CSP = ("default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@blp.before_request
def _load_person() -> None:
    if request.endpoint == "web.static":
        return  # the stylesheet is the same for everyone: no session to read
    # The API keeps its bearer tokens and no CSRF; only this blueprint's forms are checked.
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        current_app.extensions["csrf"].protect()
    g.person = auth.person_for(get_session(), cookie.get("token"))


@blp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "web.static":
        # Pages carry figures for one person: never kept by a shared cache or the back button.
        response.headers["Cache-Control"] = "no-store"
    return response


@blp.context_processor
def _person() -> dict[str, Any]:
    return {"person": g.get("person")}


def current_person() -> auth.Person:
    """The signed-in person (views behind ``signed_in`` only)."""
    return cast(auth.Person, g.person)


def signed_in(*kinds: OrgKind) -> Callable[[F], F]:
    """Send anyone not signed in to the sign-in page; refuse people of other kinds (403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.person is None:
                return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
            if kinds and g.person.org_kind not in kinds:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def home_of(person: auth.Person) -> str:
    """The page a person lands on: their organisation's own."""
    kind = OrgKind(person.org_kind)
    if kind is OrgKind.LOCAL_AUTHORITY:
        return url_for("web.la_page", code=person.org_code)
    if kind is OrgKind.REGION:
        return url_for("web.region_page", code=person.org_code)
    if kind is OrgKind.NARE:
        return url_for("web.national_page")
    return url_for("web.admin_agreements")


#: What a next page may hold: printable ASCII but space and backslash. Browsers drop tabs and
#: newlines from a Location and read a backslash as a slash, so "/<TAB>/evil.example" and
#: "/<BACKSLASH>evil.example" would leave the hub; a newline would also split the header.
_PATH_CHARACTERS = frozenset(chr(c) for c in range(0x21, 0x7F)) - {"\\"}


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path of this hub (``/la/E09000007?period=2024-Q3``), else None."""
    if not target or not target.startswith("/") or target.startswith("//") \
            or not set(target) <= _PATH_CHARACTERS:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@blp.get("/")
def index() -> Response:
    """The signed-in person's home, or the sign-in page."""
    if g.person is None:
        return redirect(url_for("web.sign_in"))
    return redirect(home_of(g.person))


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """Sign in with email and password; the same answer for every refusal."""
    next_page = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.person is not None:
            return redirect(next_page or home_of(g.person))
        return render_template("sign_in.html", next_page=next_page, email="")
    email = request.form.get("email", "")
    session = get_session()
    try:
        token = auth.sign_in(session, email, request.form.get("password", ""),
                             request.remote_addr)
    except auth.SignInRefused as refused:
        session.commit()  # the failure counts towards the lock-out, and is audited
        return render_template("sign_in.html", next_page=next_page, email=email,
                               error=str(refused)), 401
    session.commit()
    cookie.clear()  # a new session (and CSRF token) for the signed-in person
    cookie["token"] = token
    cookie.permanent = True
    person = auth.person_for(session, token)
    assert person is not None
    return redirect(next_page or home_of(person))


@blp.post("/sign-out")
@signed_in()
def sign_out() -> Response:
    """End this session on the server and forget the cookie."""
    session = get_session()
    auth.sign_out(session, current_person())
    session.commit()
    cookie.clear()
    flash("You have signed out.")
    return redirect(url_for("web.sign_in"))


def _error_page(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status


@blp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    return _error_page(400, "This form was not sent from a page of the hub, or it has expired. "
                            "Go back, reload the page and try again.")


@blp.errorhandler(HubError)
def _hub_error(error: HubError) -> tuple[str, int]:
    return _error_page(error.status, error.message)


@blp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    messages = {403: "Your organisation may not see this page.",
                404: "There is no such page."}
    status = error.code or 500
    return _error_page(status, messages.get(status, error.description or ""))
