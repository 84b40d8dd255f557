"""Consent overrides: LAs withholding measures, regions and admins suspending parties."""
