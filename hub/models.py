"""Every area's models, imported together so migrations and mappers see the whole schema."""

from hub.agreements.models import AgreementVersion
from hub.audit.models import AuditEvent
from hub.benchmarks.models import BenchmarkFigure, FiguresVersion
from hub.consents.models import ConsentVersion
from hub.db import Base
from hub.decisions.models import PolicyEpoch
from hub.identity.models import ApiClient, SigningKey, SpentToken, User
from hub.organisations.models import Organisation
from hub.pulls.models import ExtractRevision, PullAttempt
from hub.registry.models import AllowedHost, Connector
from hub.web.models import SignInSession

__all__ = ["AgreementVersion", "AllowedHost", "ApiClient", "AuditEvent", "Base", "BenchmarkFigure",
           "Connector", "ConsentVersion", "ExtractRevision", "FiguresVersion", "Organisation",
           "PolicyEpoch", "PullAttempt", "SignInSession", "SigningKey", "SpentToken", "User"]
