"""A stand-in for the agencies: deterministic answers and fault injection.

Used by the demo, the tests and the benchmark.  Every valid USCC gets stable
answers derived from a hash of the code, so the same enterprise is always
rated the same; faults make one source slow, failing or garbled on demand.
"""

from connectors.sandbox.app import create_app

__all__ = ["create_app"]
