"""The theme: the Jinja environment over the project's templates, then the bundled ones.

:class:`Theme` finds a template in the project's `templates/` first, then in the
default theme (which a project template can extend as `default/NAME`), and turns
Jinja's errors into RenderError naming the template and line. This module reads
templates; it builds no context and inlines no CSS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from digest.errors import RenderError
from digest.render.text import flow, nobreak, wrap

PACKAGE = Path(__file__).resolve().parents[1]  # digest/


def default_project() -> Path:
    """The bundled sample newsletter (in the wheel) or the repository root (a checkout)."""
    bundled = PACKAGE / "_project"
    return bundled if bundled.is_dir() else PACKAGE.parent


def default_templates() -> Path:
    return default_project() / "templates"


class Theme:
    """The Jinja environment over the project's templates, then the bundled defaults.

    A project's `templates/` overrides the default theme file by file; a template can
    extend the default it overrides as `default/NAME`.
    """

    def __init__(self, project_templates: Path | None) -> None:
        defaults = jinja2.FileSystemLoader(str(default_templates()))
        loaders: list[jinja2.BaseLoader] = []
        if project_templates is not None and project_templates.is_dir():
            loaders.append(jinja2.FileSystemLoader(str(project_templates)))
        loaders += [jinja2.PrefixLoader({"default": defaults}), defaults]
        self.env = jinja2.Environment(
            extensions=[],
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["wrap"] = wrap
        self.env.filters["flow"] = flow
        self.env.filters["nobreak"] = nobreak
        self.env.filters["upper"] = _upper

    def render(self, name: str, **context: Any) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateNotFound as exc:
            raise RenderError(f"template {exc.name!r} not found in the theme") from None
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"{exc.filename}:{exc.lineno}: {exc.message}") from None
        except jinja2.UndefinedError as exc:
            raise RenderError(f"template {name}: {exc.message}") from None


@jinja2.pass_context
def _upper(context: jinja2.runtime.Context, value: Any) -> str:
    """Jinja's `upper` in the page's language (`lang`, when the page has one): see
    :func:`digest.render.language.capitals`."""
    from digest.render.language import capitals

    lang = context.get("lang")
    upper = capitals(str(value), lang if isinstance(lang, str) else None)
    return Markup(upper) if isinstance(value, Markup) else upper  # as Jinja's own does
