"""Churn features shared by training and serving (shipped as a [code] path)."""

from __future__ import annotations


def tenure_bucket(months: int) -> str:
    """Same bands as the private jar's ChurnUdfs.tenureBucket and R's churnr::tenure_bucket."""
    if months < 6:
        return "new"
    if months < 24:
        return "established"
    return "loyal"
