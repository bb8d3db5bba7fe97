"""The pictures digest hosts (digest.images), served at `/images/<sha256>.<ext>`.

The name is the SHA-256 of the bytes, so an answer never changes: it is cached for a
year as immutable. The type is the one recognised from the bytes when they were
stored, never guessed by the browser (nosniff); anything else, or a known picture
under the wrong extension, is a 404. No login, no cookie of ours, nothing personal.
Views only read.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.wrappers import Response as BaseResponse

from digest.imagebytes import EXTENSIONS
from digest.web.common import refuse_nul, text, web

bp = Blueprint("images", __name__)
bp.before_request(refuse_nul)

#: A hosted picture's name: its SHA-256 (lower-case hex) and its type's extension.
NAME = re.compile(r"([0-9a-f]{64})\.(jpg|png|gif|webp)")
YEAR = 365 * 24 * 3600


@bp.route("/images/<name>")
def image(name: str) -> BaseResponse:
    found = NAME.fullmatch(name)
    stored = web().app.store.hosted_image(found.group(1)) if found else None
    if found is None or stored is None or EXTENSIONS.get(stored.media_type) != found.group(2):
        abort(404, text("link.no_page"))
    response = Response(stored.body, mimetype=stored.media_type)
    # A browser with a session (an editor's login) gets its cookie refreshed on this
    # answer: a shared cache must never keep that for others.
    has_session = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    scope = "private" if has_session else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.set_etag(found.group(1))
    return response.make_conditional(request)
