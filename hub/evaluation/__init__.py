"""Public credit comprehensive evaluation (GB/T 45255-2025, 1000-point A–E scale).

The model — indicators, points and caps — is versioned data
(``kaifeng-1000-v1.yaml``); :mod:`hub.evaluation.scoring` applies it to an
entity's countable records and list memberships and explains every point with
a :class:`~hub.evaluation.types.Factor`.
"""

from hub.evaluation.inputs import EntityData, ListView, RecordView
from hub.evaluation.model import EvaluationModel, default_model, load_model
from hub.evaluation.scoring import evaluate, grade_for
from hub.evaluation.types import EvaluationResult, Factor

__all__ = [
    "EntityData",
    "EvaluationModel",
    "EvaluationResult",
    "Factor",
    "ListView",
    "RecordView",
    "default_model",
    "evaluate",
    "grade_for",
    "load_model",
]
