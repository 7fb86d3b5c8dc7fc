"""DATA: load, validate and re-extract the book's published tables. No analysis, no HTML.

    from csam_reporting import data
    rows = data.load("cybertipline_reports_yearly")

``loader`` reads each dataset validated and typed by its schema; ``validate`` holds every rule a
data contributor meets (schemas, staging hosts, the cross-table sums); ``extract`` re-reads the
original documents.
"""
LOADER = {"VALIDATED_VARIABLE", "cached", "cite", "current_fingerprint", "data_dir", "data_fingerprint", "load",
          "resource_names", "sources"}


def __getattr__(name: str):
    """The loader's functions, imported when first used (so ``python -m csam_reporting.data.validate``
    runs validation without importing the loader first)."""
    if name in LOADER:
        from . import loader
        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
