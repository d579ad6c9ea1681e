"""xinyi-hub: the integration hub of a provincial 信易+ credit-incentive programme."""

__version__ = "0.1.0"
