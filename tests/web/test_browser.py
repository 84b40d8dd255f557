"""End to end in headless Chromium (Debian's, driven by Playwright): each kind of person signs
in and sees what its policies allow and nothing else, a form without its CSRF token is refused,
and the governance pack downloads. Screenshots of every page go to test-output/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from hub.measures.catalogue import CATALOGUE
from hub.web.report import SECTIONS
from tests.web.accessibility import violations
from tests.web.conftest import PASSWORD, LiveHub
from tests.web.test_report import expected_figures, pdf_text

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LAPTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
#: Milliseconds any one browser step may take (the PDF pack takes a few seconds to lay out).
STEP_TIMEOUT = 60_000
#: How far (CSS pixels) a definitions block may be from the nearest table of figures (its
#: notes and download links may come between).
BESIDE = 300

#: Each person: their pages (path, heading), text they must see, text they must never see.
PEOPLE = {
    "la@camden.example": ("la", [("/la/E09000007", "Camden")], ["Your position", "London"],
                          ["Newcastle upon Tyne", "Leeds", "Audit log"]),
    "region@london.example": ("region", [("/region/E12000007", "London"),
                                         ("/region/E12000007?section=la-updates", "London"),
                                         ("/compare", "Regions compared")],
                              ["Hackney", "Over-price-cap position", "North East"],
                              ["Newcastle upon Tyne", "Leeds", "Audit log"]),
    "nare@nare.example": ("nare", [("/national", "England")], ["North East", "London"],
                          ["Camden", "Newcastle upon Tyne", "Audit log"]),
    "admin@hub.example": ("admin", [("/admin/agreements", "Data-sharing agreements"),
                                    ("/admin/consents", "Consent overrides"),
                                    ("/admin/clients", "API clients"),
                                    ("/admin/connectors", "Connectors"),
                                    ("/admin/audit", "Audit log")],
                          ["web.sign_in", "Camden"], ["Your position", "Over-price-cap position"]),
}
#: A page of every kind, for checking that no one else's is shown.
EVERY_PAGE = ["/la/E09000007", "/region/E12000007", "/compare", "/national",
              "/admin/agreements", "/admin/clients", "/admin/audit", "/la/E09000012"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, with no network beyond loopback of its own."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package, "
                    "or run `apt-get install -y chromium` as root.", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS, timeout=STEP_TIMEOUT)
        yield launched
        launched.close()


def _page(browser: Browser, viewport: dict[str, int] = LAPTOP) -> Page:
    page = browser.new_context(viewport=viewport, accept_downloads=True).new_page()
    page.set_default_timeout(STEP_TIMEOUT)
    return page


def _sign_in(page: Page, hub: LiveHub, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{hub.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=output_dir / "screenshots" / f"{name}.png", full_page=True)


@pytest.mark.parametrize("email", list(PEOPLE))
def test_each_person_sees_what_their_policies_allow_and_nothing_else(
        browser: Browser, live_hub: LiveHub, output_dir: Path, email: str):
    kind, pages, seen, unseen = PEOPLE[email]
    page = _page(browser)
    _sign_in(page, live_hub, email)
    assert page.url == f"{live_hub.url}{pages[0][0]}"
    own = {path for path, _ in pages}
    for path, heading in pages:
        response = page.goto(f"{live_hub.url}{path}")
        assert response is not None and response.status == 200, path
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert violations(page) == [], path
        _shot(page, output_dir, f"{kind}{re.sub(r'[/?=]', '-', path)}")
    text = " ".join(page.goto(f"{live_hub.url}{p}") and page.inner_text("main")
                    for p, _ in pages)
    for wanted in seen:
        assert wanted in text, wanted
    for unwanted in unseen:
        assert unwanted not in text, unwanted
    for path in EVERY_PAGE:
        if path not in own:
            response = page.goto(f"{live_hub.url}{path}")
            assert response is not None and response.status == 403, path
            assert "Your organisation may not see this page." in page.inner_text("main")
    assert violations(page) == []
    _shot(page, output_dir, f"{kind}-refused")
    page.context.close()


@pytest.mark.parametrize("email", list(PEOPLE))
def test_home_pages_fit_a_phone(browser: Browser, live_hub: LiveHub, output_dir: Path,
                                email: str):
    kind = PEOPLE[email][0]
    page = _page(browser, PHONE)
    _sign_in(page, live_hub, email)
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, output_dir, f"{kind}-phone")
    page.context.close()


def test_the_sign_in_page_and_a_refusal(browser: Browser, live_hub: LiveHub,
                                        output_dir: Path):
    page = _page(browser)
    page.goto(f"{live_hub.url}/")
    assert violations(page) == []
    _shot(page, output_dir, "sign-in")
    _sign_in(page, live_hub, "la@camden.example", "not the password")
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert "Those details did not sign you in." in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert violations(page) == []
    _shot(page, output_dir, "sign-in-refused")
    page.context.close()


def test_a_form_without_its_csrf_token_is_refused(browser: Browser, live_hub: LiveHub,
                                                  output_dir: Path):
    page = _page(browser)
    _sign_in(page, live_hub, "la@camden.example")
    # A page elsewhere could post this form, but could not know the token.
    page.evaluate("document.querySelector('form.sign-out input[name=csrf_token]').remove()")
    with page.expect_response(f"{live_hub.url}/sign-out") as posted:
        page.get_by_role("button", name="Sign out").click()
    assert posted.value.status == 400
    assert "not sent from a page of the hub" in page.inner_text("main")
    _shot(page, output_dir, "csrf-refused")
    forged = page.request.post(f"{live_hub.url}/sign-out", form={"csrf_token": "forged"})
    assert forged.status == 400
    # Still signed in: the refused posts changed nothing. The real form signs out.
    page.goto(f"{live_hub.url}/la/E09000007")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{live_hub.url}/sign-in")
    assert "You have signed out." in page.inner_text("main")
    page.context.close()


def test_the_governance_pack_downloads_with_every_section(browser: Browser, live_hub: LiveHub,
                                                          output_dir: Path):
    page = _page(browser)
    _sign_in(page, live_hub, "region@london.example")
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download the governance pack (PDF)").click()
    pdf = output_dir / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf)
    assert pdf.name == "governance-pack-E12000007-2024-Q4.pdf"
    text = pdf_text(pdf)
    for _, heading in SECTIONS:
        assert heading in text, heading
    for figure in expected_figures(live_hub.app):
        assert figure in text, figure
    with page.expect_download() as html_download:
        page.get_by_role("link", name="a web page (HTML)").click()
    html = output_dir / html_download.value.suggested_filename
    html_download.value.save_as(html)
    page.goto(html.as_uri())
    assert page.get_by_role("heading", level=1).inner_text() == \
        "London: quarterly governance pack"
    assert violations(page) == []
    _shot(page, output_dir, "region-pack-html")
    page.context.close()


@pytest.mark.parametrize("email, path", [
    ("la@camden.example", "/la/E09000007"),
    ("region@london.example", "/region/E12000007?section=trends"),
    ("region@london.example", "/compare"),
    ("nare@nare.example", "/national")])
def test_a_measures_definition_opens_beside_its_figures_and_passes_axe(
        browser: Browser, live_hub: LiveHub, output_dir: Path, email: str, path: str):
    page = _page(browser)
    _sign_in(page, live_hub, email)
    page.goto(f"{live_hub.url}{path}")
    definition = page.get_by_text(CATALOGUE["agency_rate"]["definition"]).first
    assert not definition.is_visible()  # folded: the page keeps its height
    folded = page.locator("details.hub-definitions")
    assert folded.count() > 0
    for index in range(folded.count()):
        folded.nth(index).locator("summary").click()
    assert definition.is_visible()
    # Beside the figures: within a few lines of a table of them (below it, or between a
    # chart and its table).
    shown = definition.locator("xpath=ancestor::details[1]").bounding_box()
    assert shown is not None
    gaps = []
    for index in range(page.locator(".hub-table-wrap").count()):
        box = page.locator(".hub-table-wrap").nth(index).bounding_box()
        assert box is not None
        gaps.append(max(shown["y"] - box["y"] - box["height"],
                        box["y"] - shown["y"] - shown["height"], 0))
    assert min(gaps) < BESIDE, gaps
    assert "Lower is better" in folded.first.inner_text()
    assert violations(page) == [], path
    _shot(page, output_dir, f"definitions{re.sub(r'[/?=]', '-', path)}")
    page.context.close()


@pytest.mark.parametrize("path", ["/accessibility", "/privacy", "/contact"] +
                         [f"/region/E12000007?section={anchor}" for anchor, _ in SECTIONS])
def test_every_section_and_footer_page_passes_axe(browser: Browser, live_hub: LiveHub,
                                                  output_dir: Path, path: str):
    page = _page(browser)
    _sign_in(page, live_hub, "region@london.example")
    response = page.goto(f"{live_hub.url}{path}")
    assert response is not None and response.status == 200
    assert violations(page) == [], path
    _shot(page, output_dir, f"axe{re.sub(r'[/?=]', '-', path)}")
    page.context.close()


def test_signing_in_and_moving_between_pages_with_the_keyboard_alone(
        browser: Browser, live_hub: LiveHub, output_dir: Path):
    page = _page(browser)
    page.goto(f"{live_hub.url}/sign-in")

    def tab_to(name: str, limit: int = 40) -> None:
        # Tab until the focused element is the one named, as a keyboard user would.
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "(() => { const e = document.activeElement; const l = e.labels && e.labels[0];"
                " return ((l && l.innerText) || e.innerText || e.value || '').trim(); })()")
            if focused == name:
                return
        raise AssertionError(f"{name!r} cannot be reached with the Tab key")

    tab_to("Skip to main content")
    tab_to("Email address")
    page.keyboard.type("region@london.example")
    tab_to("Password")
    page.keyboard.type(PASSWORD)
    tab_to("Sign in")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_hub.url}/region/E12000007"
    tab_to("Regions compared")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Regions compared"
    # The focus is always drawn: GOV.UK's yellow focus state on the focused link.
    tab_to("London")
    outline = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert outline == "rgb(255, 221, 0)"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to("Over-price-cap position", limit=80)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "section=price-cap" in page.url
    _shot(page, output_dir, "keyboard-price-cap")
    tab_to("Sign out")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "You have signed out." in page.inner_text("main")
    page.context.close()
