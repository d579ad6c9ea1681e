"""Adapters to the agencies that publish credit information.

Each connector implements the short :class:`~connectors.protocol.Connector`
protocol and registers through the ``xinyi_hub.connectors`` entry-point group;
the built-in ones (tax, courts, market regulation, utilities) use the same
registry as third-party ones.  :mod:`hub.sources.service` pulls them for a
profile read: consented categories only, cached, single-flight, audited,
stale-if-error.
"""
