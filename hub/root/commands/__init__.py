"""Sub-commands of ``xinyi-hub``, one module per concern."""
