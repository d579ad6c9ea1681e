"""Server-rendered pages of the hub: the admin console, the enterprise portal, GraphiQL.

A presentation room beside ``schema/``: it calls services (and, through
them, the door), never SQL, models or repositories (``lint-imports``).
The shared pieces, for every area:

* :mod:`web.render` — ``page(request, template, context)``: templates,
  language, cookies, security headers (CSP without inline code);
* :mod:`web.i18n` — Chinese by default, ``?lang=en``; catalogs per area;
* :mod:`web.sessions` — ``login`` / ``current`` / ``logout``, login rate limit;
* :mod:`web.csrf` — ``csrf_field()`` in forms, ``checked_form(request)``;
* :mod:`web.work` — ``unit_of_work(request)``, committed once with its audit;
* :mod:`web.errors` — coded error pages;
* :mod:`web.assets` — ``static()`` URLs of vendored and own files.
"""
