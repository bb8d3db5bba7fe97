"""The web side of digest: one Flask app serving the subscriber endpoints (and the desk).

:func:`create_app` wires a Flask app around an :class:`~digest.app.App`: its secret
key, the theme's templates (a project's `templates/web/` overrides the bundled pages
file by file, as for emails), error pages, security headers, the blueprints, and
werkzeug's ProxyFix when `[serve] proxies` says reverse proxies are in front. Each
blueprint is one module (`public` for subscribers, `hooks` for providers' webhooks,
`images` for the pictures digest hosts, `desk` with its pages and actions,
`archive`), registered here and only here: the blueprint modules share what they need
through :mod:`digest.web.common` and never import this package. Views read the clock
through `web().now()`, at the edge, and pass `now` on. Nothing here renders editions
or sends editions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jinja2
from flask import Flask, abort, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from digest.app import App
from digest.codec import iso
from digest.render import Theme
from digest.render.language import Strings
from digest.render.page_strings import PAGE_STRINGS
from digest.store._editors import dummy_hash
from digest.web import csrf
from digest.web.common import (
    MAX_ROW_ID,
    SECURITY_HEADERS,
    STRINGS_KEY,
    Clock,
    Web,
    has_text,
    page_language,
    text,
    web,
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(app: App, *, clock: Clock = _utcnow) -> Flask:
    """The Flask app for one newsletter project."""
    from digest.web import hooks, images, public, unsubscribe

    assert unsubscribe  # imported for its route on `public.bp`

    settings = app.settings
    # Migrated once, before threads share the app; first, so that a database refused
    # (see App.creates) leaves nothing behind, not even a new secret key; then the keys,
    # checked against it (digest.keyguard).
    app.store  # noqa: B018
    flask_app = Flask(__name__, static_folder=None, template_folder=None)
    keys = app.keys  # or refused: a key the database does not know serves no links
    flask_app.secret_key = keys.current
    # Editors stay logged in through a key rotation: retired keys still verify sessions.
    flask_app.config["SECRET_KEY_FALLBACKS"] = list(keys.old)
    flask_app.config.update(
        SESSION_COOKIE_NAME="digest_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.newsletter.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    flask_app.jinja_options = {**flask_app.jinja_options, "undefined": jinja2.StrictUndefined}
    flask_app.jinja_loader = Theme(settings.templates).env.loader
    flask_app.extensions["digest"] = Web(app, clock)
    flask_app.jinja_env.globals["newsletter"] = settings.newsletter
    flask_app.extensions[STRINGS_KEY] = tuple(
        Strings(language, PAGE_STRINGS) for language in (settings.newsletter.language, "en")
    )
    flask_app.jinja_env.globals.update(t=text, page_language=page_language)
    csrf.init_app(flask_app)

    flask_app.register_blueprint(public.bp)
    flask_app.register_blueprint(hooks.bp)  # provider webhooks: bounces, complaints
    flask_app.register_blueprint(images.bp)  # the stories' pictures digest hosts
    _register_desk(flask_app)  # the editor desk and the public archive

    flask_app.register_error_handler(HTTPException, _error_page)
    flask_app.before_request(_ids_in_range)
    flask_app.after_request(_security_headers)
    proxies = settings.serve.proxies
    if proxies:
        # Only then is X-Forwarded-For believed (the client address for the throttles);
        # without proxies, anyone could send the header and pose as any client.
        flask_app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            flask_app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    return flask_app


def _register_desk(flask_app: Flask) -> None:
    """The desk (its pages and form actions are routes of `desk.bp`) and the archive."""
    from digest.web import archive, desk, desk_actions, desk_pages, desk_said

    assert desk_actions and desk_pages  # imported for their routes on `desk.bp`
    dummy_hash()  # so that the first failed login costs what every other one does
    flask_app.jinja_env.globals["desk_editor"] = desk.current_editor
    flask_app.jinja_env.globals["desk_said"] = desk_said.said
    flask_app.jinja_env.globals["desk_typed"] = desk_said.typed
    flask_app.jinja_env.globals["desk_form"] = desk_said.form
    flask_app.jinja_env.filters["stamp"] = desk.stamp
    flask_app.jinja_env.filters["ledger_words"] = desk.ledger_words
    flask_app.jinja_env.filters["count"] = desk.count
    flask_app.jinja_env.filters["iso"] = iso
    flask_app.register_blueprint(desk.bp)
    flask_app.register_blueprint(archive.bp)


def _error_page(exc: HTTPException) -> BaseResponse | HTTPException:
    if exc.code is None or exc.code < 400:
        return exc
    code = exc.code
    message = exc.description or ""
    if message == type(exc).description and has_text(f"error.{code}.text"):
        message = text(f"error.{code}.text")  # werkzeug's own words, in the page's language
    title = text(f"error.{code}") if has_text(f"error.{code}") else exc.name
    body = render_template("web/error.html", code=code, title=title, message=message)
    response = exc.get_response()  # keeps headers such as Allow on a 405
    response.set_data(body)
    response.mimetype = "text/html"
    return response


def _ids_in_range() -> None:
    """A 404 for `/archive/<id>`, `/editions/<id>`, ... with an id no row can have."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= MAX_ROW_ID:
            abort(404, text("link.no_page"))


def _security_headers(response: BaseResponse) -> BaseResponse:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


__all__ = ["MAX_ROW_ID", "SECURITY_HEADERS", "Web", "create_app", "web"]
