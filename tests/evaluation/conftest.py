from tests.decisions.conftest import hub, seed  # noqa: F401  (shared fixtures)
