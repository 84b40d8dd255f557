"""The pages every service has in its footer: accessibility statement, privacy, contact.

Open to everyone, signed in or not: a person who cannot sign in must still find them."""

from __future__ import annotations

from flask import render_template

from hub.web.views import blp


@blp.get("/accessibility")
def accessibility() -> str:
    """How accessible the hub's pages are, how they are checked, and how to report a problem."""
    return render_template("about_accessibility.html")


@blp.get("/privacy")
def privacy() -> str:
    """What the hub keeps about people and figures, why, and for how long."""
    return render_template("about_privacy.html")


@blp.get("/contact")
def contact() -> str:
    """Whom to contact about the hub, its figures or an agreement."""
    return render_template("about_contact.html")
