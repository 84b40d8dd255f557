"""A page view is one audit event: the figures a page reads are gathered while it is built and
audited together when the request ends, naming the person, their organisation, the page and
every figure (measure and period) it read."""

from __future__ import annotations

from flask import g, request

from hub.benchmarks.extension import get_benchmarks
from hub.benchmarks.service import PageReads
from hub.web.views import blp

#: The audit log's target column holds at most this many characters.
TARGET_LENGTH = 200


def page_reads() -> PageReads:
    """Where this request's reads of figures gather."""
    if "page_reads" not in g:
        g.page_reads = PageReads()
    reads: PageReads = g.page_reads
    return reads


@blp.teardown_request
def _audit_page_view(_error: BaseException | None) -> None:
    # At teardown, which runs whether the page rendered or failed: a figure read is audited
    # even if an error kept it from the person.
    reads = g.pop("page_reads", None)
    if reads is not None:
        reads.audit(get_benchmarks(), request.endpoint or request.path,
                    request.full_path.rstrip("?")[:TARGET_LENGTH])
