"""The composition root: the app factory, the command line and the resources
they build.  Only entry points (``xinyi-hub``, ``uvicorn hub.root.app:…``)
import it; nothing in the core, the schema or the plugins does."""
