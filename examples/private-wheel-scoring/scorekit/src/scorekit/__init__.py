"""The risk formula shared by the scoring models (pure Python: works on floats and pandas Series)."""

__version__ = "0.1.0"


def risk(amount, age):
    """0.01 per unit of amount plus 0.5 per year of age: simple enough to check by hand."""
    return 0.01 * amount + 0.5 * age
