"""Every area's models, imported together so migrations and mappers see the whole schema."""

from hub.db import Base
from hub.identity.models import ApiClient, SigningKey, SpentToken, User
from hub.organisations.models import Organisation

__all__ = ["ApiClient", "Base", "Organisation", "SigningKey", "SpentToken", "User"]
