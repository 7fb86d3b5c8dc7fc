"""DATA: load, validate and re-extract the book's published tables. No analysis, no HTML.

    from csam_reporting import data
    rows = data.load("cybertipline_reports_yearly")

``loader`` reads each dataset validated and typed by its schema; ``validate`` holds every rule a
data contributor meets (schemas, staging hosts, the cross-table sums); ``extract`` re-reads the
original documents.
"""
from .loader import (VALIDATED_VARIABLE, cached, cite, current_fingerprint, data_dir, data_fingerprint,  # noqa: F401
                     load, resource_names, sources)
