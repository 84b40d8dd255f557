"""Every area's models, imported together so migrations and mappers see the whole schema."""

from hub.db import Base
from hub.organisations.models import Organisation

__all__ = ["Base", "Organisation"]
