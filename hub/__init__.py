"""xinyi-hub: the integration hub of a provincial 信易+ credit-incentive programme."""

import os as _os

__version__ = "0.1.0"

# Prometheus multiprocess mode writes each metric to a file in this directory
# from the moment the metric is defined (at import): make sure it exists.
if _os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _os.makedirs(_os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
