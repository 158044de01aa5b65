"""``stratcompare serve``: a local web application over the corpus for policy staff.

``create_app(db)`` builds the Starlette app (read-only database, model loaded once); pages and
the JSON API under /api/ call the same Python API as the CLI.
"""

from stratcompare.web.app import create_app

__all__ = ["create_app"]
