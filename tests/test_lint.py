"""The email linter: a good message is clean, and each rule catches its mutation."""

from __future__ import annotations

import email.policy
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import DigestError
from digest.lint import Finding, format_findings, lint_file, lint_message
from digest.lint_rules import FINDINGS

UNSUB = "https://news.example.org/u/abc123"
NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)

GOOD_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The weekly digest</title>
<style data-premailer="ignore">
@media (prefers-color-scheme: dark) {
  .page { background-color: #111111 !important; }
  .text { color: #eeeeee !important; }
}
@media (max-width: 620px) {
  .wrap { width: 100% !important; }
}
</style>
</head>
<body style="margin:0;padding:0;background-color:#ffffff;">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;color:#666666;">Five \
stories this week: rivers, rates and robots.&#847;&zwnj;&nbsp;&#847;&zwnj;&nbsp;</div>
<table role="presentation" class="page" width="100%" cellpadding="0" cellspacing="0" \
border="0" style="background-color:#ffffff;">
<tr><td align="center">
<table role="presentation" class="wrap" width="600" cellpadding="0" cellspacing="0" border="0">
<tr><td class="text" style="padding:16px;color:#222222;font-family:Arial,sans-serif;">
<img src="https://news.example.org/logo.png" alt="Example News" width="120" height="40" \
style="display:block;border:0;">
<h1 style="font-size:24px;">The weekly digest</h1>
<p><a href="https://news.example.org/story/1">Rivers are rising</a>: what the data says.</p>
<img src="https://news.example.org/rule.png" alt="" width="568" height="2" \
style="width:100%;display:block;border:0;">
<!-- END -->
<p style="font-size:12px;color:#666666;">You get this because you subscribed. \
<a href="UNSUB">Unsubscribe</a></p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
""".replace("UNSUB", UNSUB)

GOOD_TEXT = f"""The weekly digest

Rivers are rising: what the data says.
https://news.example.org/story/1

You get this because you subscribed. Unsubscribe:
{UNSUB}
"""

HEADERS = {
    "From": "Example News <news@example.org>",
    "To": "reader@example.net",
    "Subject": "The weekly digest",
    "Date": "Mon, 06 Jul 2026 07:00:00 +0000",
    "Message-ID": "<edition-1.reader@example.org>",
    "List-Unsubscribe": f"<{UNSUB}>, <mailto:u@example.org>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Id": "Example Weekly <weekly.news.example.org>",
}


def build(
    *,
    html: str | None = GOOD_HTML,
    text: str | None = GOOD_TEXT,
    charset: str = "utf-8",
    cte: str = "quoted-printable",
    **headers: str | None,
) -> EmailMessage:
    """The good message, with the given parts and headers replaced (None drops one)."""
    msg = EmailMessage()
    for name, value in {**HEADERS, **{k.replace("_", "-"): v for k, v in headers.items()}}.items():
        if value is not None:
            msg[name] = value
    if text is not None:
        msg.set_content(text, charset=charset, cte=cte)
    if html is not None and text is not None:
        msg.add_alternative(html, subtype="html", cte="quoted-printable")
    elif html is not None:
        msg.set_content(html, subtype="html", cte="quoted-printable")
    return msg


def raw(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=email.policy.SMTP)


def lint(msg: EmailMessage | bytes) -> list[Finding]:
    return lint_message(msg if isinstance(msg, bytes) else raw(msg))


def html_with(old: str, new: str) -> str:
    assert old in GOOD_HTML
    return GOOD_HTML.replace(old, new, 1)


def assert_found(findings: list[Finding], code: str, level: str) -> Finding:
    matches = [f for f in findings if f.code == code]
    assert matches, f"{code} not in {[f.code for f in findings]}"
    assert matches[0].level == level
    return matches[0]


# --- the good message ------------------------------------------------------------------


def test_good_message_is_clean() -> None:
    assert lint(build()) == []


def test_good_message_with_lf_line_endings_is_clean() -> None:
    assert lint(build().as_bytes(policy=email.policy.default)) == []


# --- headers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "code", "level"),
    [
        ("From", "header-from", "error"),
        ("Date", "header-date-missing", "error"),
        ("Message-ID", "header-message-id-missing", "error"),
        ("Subject", "header-subject-missing", "error"),
        ("MIME-Version", "header-mime-version-missing", "error"),
        ("List-Unsubscribe", "header-list-unsubscribe-missing", "error"),
        ("List-Unsubscribe-Post", "header-list-unsubscribe-post", "error"),
        ("List-Id", "header-list-id-missing", "warning"),
    ],
)
def test_missing_header(header: str, code: str, level: str) -> None:
    msg = build()
    del msg[header]
    head = "\r\n" + raw(msg).decode().lower().split("\r\n\r\n")[0]
    assert f"\r\n{header.lower()}:" not in head
    assert_found(lint(msg), code, level)


@pytest.mark.parametrize(
    ("header", "value", "code"),
    [
        ("Subject", "", "header-subject-empty"),
        ("List-Unsubscribe", "<mailto:u@example.org>", "header-list-unsubscribe-https"),
        ("List-Unsubscribe", f"{UNSUB}", "header-list-unsubscribe-https"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=one-click", "header-list-unsubscribe-post"),
        ("List-Id", "weekly.news.example.org", "header-list-id-invalid"),
        ("List-Id", "Example Weekly <weekly>", "header-list-id-invalid"),
    ],
)
def test_bad_header_value(header: str, value: str, code: str) -> None:
    assert_found(lint(build(**{header: value})), code, "error")


def test_two_from_headers() -> None:
    data = b"From: Other <other@example.org>\r\n" + raw(build())
    assert "2 From headers" in assert_found(lint(data), "header-from", "error").message


def test_unparseable_date() -> None:
    data = raw(build()).replace(b"Mon, 06 Jul 2026 07:00:00 +0000", b"yesterday", 1)
    assert_found(lint(data), "header-date-invalid", "error")


def test_encoded_list_unsubscribe() -> None:
    # email.policy.SMTP RFC 2047-encodes a List-Unsubscribe longer than the fold width.
    long_url = "https://news.example.org/u/" + "x" * 90
    data = raw(build(List_Unsubscribe=f"<{long_url}>"))
    assert b"List-Unsubscribe: =?utf-8?" in data
    assert_found(lint(data), "header-list-unsubscribe-encoded", "error")


def test_raw_newline_inside_a_header_value() -> None:
    data = raw(build()).replace(b"Subject: The weekly digest\r\n", b"Subject: The\nweekly\r\n", 1)
    assert_found(lint(data), "header-bare-newline", "error")


def test_raw_carriage_return_inside_a_header_value_of_an_lf_message() -> None:
    data = build().as_bytes(policy=email.policy.default)
    data = data.replace(b"Subject: The weekly digest\n", b"Subject: The\rweekly digest\n", 1)
    assert_found(lint(data), "header-bare-newline", "error")


def test_header_line_over_998_octets() -> None:
    data = b"X-Long: " + b"a" * 991 + b"\r\n" + raw(build())
    finding = assert_found(lint(data), "header-line-too-long", "error")
    assert "999 octets" in finding.message
    assert lint(b"X-Long: " + b"a" * 990 + b"\r\n" + raw(build())) == []


def test_body_line_over_998_octets() -> None:
    data = raw(build())
    marker = b"Rivers are rising: what"
    data = data.replace(marker, b"A" * 1000 + b"\r\n" + marker, 1)
    assert_found(lint(data), "body-line-too-long", "error")


# --- structure -------------------------------------------------------------------------


def test_html_only() -> None:
    assert_found(lint(build(text=None)), "mime-html-only", "error")


def test_text_only_is_a_warning_not_an_error() -> None:
    findings = lint(build(html=None))
    assert_found(findings, "mime-no-html", "warning")
    assert [f for f in findings if f.level == "error"] == []


def test_html_before_text() -> None:
    msg = build(text=None)
    msg.add_alternative(GOOD_TEXT, cte="quoted-printable")
    assert_found(lint(msg), "mime-part-order", "error")


def test_not_multipart_alternative() -> None:
    msg = build()
    msg.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="a.pdf")
    finding = assert_found(lint(msg), "mime-not-alternative", "error")
    assert "multipart/mixed" in finding.message


def test_text_part_not_utf8() -> None:
    finding = assert_found(lint(build(charset="iso-8859-1")), "mime-charset", "error")
    assert "text/plain (iso-8859-1)" in finding.message


def test_8bit_is_a_warning() -> None:
    assert_found(lint(build(text=GOOD_TEXT + "Café\n", cte="8bit")), "mime-8bit", "warning")


def test_7bit_is_fine_for_short_ascii_lines_only() -> None:
    assert lint(build(cte="7bit")) == []
    data = raw(build(text=GOOD_TEXT + "Café\n", cte="8bit"))
    data = data.replace(b"Content-Transfer-Encoding: 8bit", b"Content-Transfer-Encoding: 7bit")
    assert_found(lint(data), "mime-transfer-encoding", "error")


# --- sizes -----------------------------------------------------------------------------


def filler(size: int) -> str:
    return "<p>Filler paragraph.</p>\n" * (size // 25)


def test_html_over_102_kb_is_clipped() -> None:
    html = html_with("<!-- END -->", filler(110_000))
    finding = assert_found(lint(build(html=html)), "html-too-large", "error")
    assert "Gmail clips" in finding.message


def test_html_over_90_kb_is_a_warning() -> None:
    html = html_with("<!-- END -->", filler(92_000))
    assert_found(lint(build(html=html)), "html-size", "warning")


def test_style_over_16_kb() -> None:
    rules = "".join(f".c{i} {{ color: #000000; }}\n" for i in range(800))
    html = html_with("</head>", f"<style>{rules}</style></head>")
    assert_found(lint(build(html=html)), "css-style-too-large", "error")


# --- HTML ------------------------------------------------------------------------------


def test_empty_html_part() -> None:
    assert_found(lint(build(html=" \n")), "html-unparseable", "error")


def test_html_without_lang() -> None:
    assert_found(
        lint(build(html=html_with('<html lang="en">', "<html>"))), "html-lang-missing", "error"
    )


def test_layout_table_without_role() -> None:
    html = GOOD_HTML.replace('role="presentation" ', "")
    finding = assert_found(lint(build(html=html)), "html-layout-table", "warning")
    assert finding.message.startswith("2 <table>")


def test_data_table_with_th_needs_no_role() -> None:
    table = "<table><tr><th>Rank</th></tr><tr><td>1</td></tr></table><!-- END -->"
    assert lint(build(html=html_with("<!-- END -->", table))) == []


def test_images_without_alt() -> None:
    html = html_with('alt="Example News" ', "").replace('alt="" ', "")
    finding = assert_found(lint(build(html=html)), "img-alt-missing", "error")
    assert finding.message.startswith("2 of 2 <img>")
    assert len([f for f in lint(build(html=html)) if f.code == "img-alt-missing"]) == 1


@pytest.mark.parametrize("width", ['width="100%" ', ""])
def test_image_without_numeric_width(width: str) -> None:
    html = html_with('width="120" ', width)
    assert_found(lint(build(html=html)), "img-width", "warning")


@pytest.mark.parametrize(
    "style",
    [
        "display:block;border:0;",  # sized by the attribute alone
        "display:block;max-width:100%;height:auto;",  # the theme's small images, before
        "display:block;width:568px;",
    ],
)
def test_an_image_wider_than_a_phone_without_a_fluid_width(style: str) -> None:
    """An <img width="568"> keeps 568 px while images are off (or loading) unless its
    style gives a percentage width: the message then scrolls sideways on a phone. The
    lint passed the Guardian edition whose 460 px images did that (0 findings)."""
    html = html_with('style="width:100%;display:block;border:0;"', f'style="{style}"')
    finding = assert_found(lint(build(html=html)), "img-fixed-width", "warning")
    assert "568 px" in finding.message and "rule.png" in finding.message


@pytest.mark.parametrize(
    ("width", "style"),
    [
        ("568", "width:100% !important;max-width:568px;display:block;"),
        ("568", "display:block;width:90%;"),
        ("280", "display:block;border:0;"),  # fits a 320 px phone's column
    ],
)
def test_a_fluid_or_narrow_image_fits_a_phone(width: str, style: str) -> None:
    html = html_with(
        'width="568" height="2" style="width:100%;display:block;border:0;"',
        f'width="{width}" height="2" style="{style}"',
    )
    assert lint(build(html=html)) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<iframe src="https://example.org"></iframe>',
        '<form action="https://example.org"><input name="q"></form>',
        '<object data="x.swf"></object>',
        '<embed src="x.swf">',
    ],
)
def test_forbidden_elements(snippet: str) -> None:
    html = html_with("<!-- END -->", snippet)
    finding = assert_found(lint(build(html=html)), "html-forbidden-tag", "error")
    assert re.search(r"<(script|iframe|form|object|embed)>", finding.message)


def test_event_handler_attribute() -> None:
    html = html_with('<h1 style="font-size:24px;">', '<h1 onclick="go()" style="font-size:24px;">')
    assert "onclick" in assert_found(lint(build(html=html)), "html-event-handler", "error").message


def test_javascript_url() -> None:
    html = html_with("https://news.example.org/story/1", "  JavaScript:go()")
    assert_found(lint(build(html=html)), "html-javascript-url", "error")
    html = html_with('alt="Example News"', 'alt="javascript: the good parts"')
    assert lint(build(html=html)) == []


def test_plain_http_link() -> None:
    html = html_with("https://news.example.org/story/1", "http://news.example.org/story/1")
    assert_found(lint(build(html=html)), "link-insecure", "warning")


def test_missing_preheader() -> None:
    html = re.sub(r'<div style="display:none.*?</div>\n', "", GOOD_HTML, count=1, flags=re.S)
    assert_found(lint(build(html=html)), "preheader-missing", "warning")


def test_preheader_after_visible_text_does_not_count() -> None:
    body = '<body style="margin:0;padding:0;background-color:#ffffff;">'
    html = html_with(body, body + "<p>Visible first</p>")
    assert_found(lint(build(html=html)), "preheader-missing", "warning")


@pytest.mark.parametrize("colour", ["#ffffff", "#FFF", "white", "rgb(255, 255, 255)"])
def test_preheader_coloured_like_background(colour: str) -> None:
    html = html_with("mso-hide:all;color:#666666;", f"mso-hide:all;color:{colour};")
    finding = assert_found(lint(build(html=html)), "preheader-low-contrast", "warning")
    assert "#ffffff" in finding.message


def test_missing_unsubscribe_link() -> None:
    html = html_with(f'<a href="{UNSUB}">Unsubscribe</a>', "Reply to leave.")
    assert_found(lint(build(html=html)), "unsubscribe-link-missing", "error")


def test_hidden_unsubscribe_link_does_not_count() -> None:
    html = html_with(f'<a href="{UNSUB}">Unsubscribe</a>', "Reply to leave.").replace(
        "robots.", f'robots. <a href="{UNSUB}">Unsubscribe</a>'
    )
    assert_found(lint(build(html=html)), "unsubscribe-link-missing", "error")


def test_unsubscribe_link_found_by_its_url() -> None:
    html = html_with(f'<a href="{UNSUB}">Unsubscribe</a>', f'<a href="{UNSUB}">Leave</a>')
    assert lint(build(html=html)) == []


@pytest.mark.parametrize("words", ["Afmeld", "Abmelden", "Se désabonner"])
def test_unsubscribe_link_named_in_another_language(words: str) -> None:
    other = "https://news.example.org/leave"
    html = html_with(f'<a href="{UNSUB}">Unsubscribe</a>', f'<a href="{other}">{words}</a>')
    assert lint(build(html=html)) == []
    html = html_with(f'<a href="{UNSUB}">Unsubscribe</a>', f'<a href="{other}">Indstillinger</a>')
    assert_found(lint(build(html=html)), "unsubscribe-link-missing", "error")


# --- CSS -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "label"),
    [
        ("display:flex", "display:flex"),
        ("display: inline-grid", "display:grid"),
        ("position:absolute;top:0", "position"),
        ("float:left", "float"),
        ("background-image:url(https://news.example.org/bg.png)", "background-image"),
        ("margin:0 0 0 -20px", "negative margin"),
        ("color:var(--ink)", "CSS variables"),
        ("width:calc(100% - 20px)", "calc()"),
    ],
)
def test_inline_css_clients_drop(style: str, label: str) -> None:
    html = html_with("<!-- END -->", f'<div style="{style}">x</div><div style="{style}">y</div>')
    found = [f for f in lint(build(html=html)) if f.code == "css-unsupported"]
    assert [f.level for f in found] == ["warning"] * len(found)
    assert any(f"Inline style {label} on 2 element(s)" in f.message for f in found), found


def test_max_width_is_fine_on_a_table_only() -> None:
    html = html_with('class="wrap" width="600"', 'class="wrap" width="600" style="max-width:600px"')
    assert lint(build(html=html)) == []
    html = html_with("<!-- END -->", '<div style="max-width:600px">x</div>')
    assert "max-width" in assert_found(lint(build(html=html)), "css-unsupported", "warning").message


def test_max_width_is_fine_on_an_image_with_a_width_attribute() -> None:
    html = html_with(
        'alt="" width="568" height="2" style="', 'alt="" width="568" style="max-width:100%;'
    )
    assert lint(build(html=html)) == []


def test_css_in_a_preheader_hidden_from_every_client_is_not_reported() -> None:
    # Outlook drops max-width on a <div>, but mso-hide:all hides the whole preheader there.
    html = html_with("max-height:0;overflow", "max-height:0;max-width:0;padding:1px;overflow")
    assert lint(build(html=html)) == []
    visible = html_with("<!-- END -->", '<div style="max-width:0;padding:1px">x</div>')
    assert_found(lint(build(html=visible)), "css-unsupported", "warning")


def test_padding_outside_table_cells() -> None:
    html = html_with("<!-- END -->", '<div style="padding:0 0 16px 0">x</div>')
    finding = assert_found(lint(build(html=html)), "css-unsupported", "warning")
    assert "padding outside table cells" in finding.message and "<div>" in finding.message
    assert lint(build(html=html_with("<!-- END -->", '<div style="padding:0">x</div>'))) == []
    # On a cell it is fine (GOOD_HTML pads its <td>).
    assert 'class="text" style="padding:16px;' in GOOD_HTML


def test_unsupported_css_in_an_ignored_style_block_is_fine() -> None:
    html = html_with("@media (max-width", ".cols { display: flex; gap: 8px; }\n@media (max-width")
    assert lint(build(html=html)) == []


def test_import_and_linked_stylesheet() -> None:
    html = html_with(
        "</head>",
        '<style>@import url("https://news.example.org/a.css");</style>'
        '<link rel="stylesheet" href="https://news.example.org/b.css"></head>',
    )
    findings = lint(build(html=html))
    assert_found(findings, "css-import", "warning")
    assert_found(findings, "css-link", "warning")


def test_no_dark_mode_rule() -> None:
    html = html_with("prefers-color-scheme: dark", "prefers-reduced-motion: reduce")
    assert_found(lint(build(html=html)), "css-dark-mode-missing", "warning")


def test_media_rules_stripped_of_important() -> None:
    html = GOOD_HTML.replace(" !important", "")
    finding = assert_found(lint(build(html=html)), "css-media-not-important", "warning")
    assert finding.message.startswith("2 @media")


def test_premailer_output_keeps_ignored_rules_and_loses_the_others() -> None:
    premailer = pytest.importorskip("premailer")

    def inline(html: str) -> str:
        options = {"allow_network": False, "disable_basic_attributes": ["width", "height"]}
        return str(premailer.Premailer(html, **options).transform())

    assert lint(build(html=inline(GOOD_HTML))) == []
    plain = inline(GOOD_HTML.replace(' data-premailer="ignore"', ""))
    assert_found(lint(build(html=plain)), "css-media-not-important", "warning")


# --- text part -------------------------------------------------------------------------


def test_text_part_without_the_unsubscribe_url() -> None:
    text = GOOD_TEXT.replace(UNSUB, "https://news.example.org/account")
    finding = assert_found(lint(build(text=text)), "text-unsubscribe-missing", "error")
    assert UNSUB in finding.message


def test_text_line_over_78_characters() -> None:
    text = GOOD_TEXT + "word " * 20 + "\n"
    assert_found(lint(build(text=text)), "text-line-too-long", "warning")


def test_long_url_only_lines_are_fine() -> None:
    url = "https://news.example.org/story/" + "a" * 100
    assert lint(build(text=f"{GOOD_TEXT}{url}\n   [12]: {url}\n")) == []


def test_a_labelled_long_url_line_is_fine_but_not_a_long_sentence_before_one() -> None:
    # "Read more: <url>" keeps its label with a URL that cannot be broken anyway.
    url = "https://news.example.org/story/" + "a" * 100
    assert lint(build(text=f"{GOOD_TEXT}Read more: {url}\n")) == []
    text = f"{GOOD_TEXT}{'word ' * 16}and more: {url}\n"
    assert_found(lint(build(text=text)), "text-line-too-long", "warning")


def test_leftover_html_in_the_text_part() -> None:
    text = GOOD_TEXT + '<a href="https://news.example.org">More</a>\n'
    assert_found(lint(build(text=text)), "text-html-tags", "warning")
    assert (
        lint(build(text=GOOD_TEXT + "Write to <a@example.org> or <https://example.org>.\n")) == []
    )


def test_markdown_table_pipes_in_the_text_part() -> None:
    text = GOOD_TEXT + "Story | Source\n---|---\nRivers | Example\n"
    assert_found(lint(build(text=text)), "text-markdown-table", "warning")


# --- files, output, robustness ---------------------------------------------------------


def test_lint_file(tmp_path: Path) -> None:
    path = tmp_path / "edition.eml"
    path.write_bytes(raw(build(Date=None)))
    assert [f.code for f in lint_file(path)] == ["header-date-missing"]


def test_lint_file_missing_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "missing.eml"
    with pytest.raises(DigestError, match=re.escape(str(path))):
        lint_file(path)


def test_format_findings() -> None:
    findings = [Finding("error", "header-date-missing", "The Date header is missing.")]
    assert format_findings(findings, name="a.eml") == [
        "a.eml: error header-date-missing: The Date header is missing."
    ]


def test_errors_come_first_and_codes_are_catalogued() -> None:
    findings = lint(
        build(html=GOOD_HTML.replace('role="presentation" ', ""), List_Id=None, Date=None)
    )
    assert [f.level for f in findings] == sorted(f.level for f in findings)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", code) for code in FINDINGS)


GOOD_BYTES = raw(build())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(GOOD_BYTES)), st.integers(0, 40), st.binary(max_size=40)),
        max_size=4,
    )
)
def test_damaged_messages_never_crash(edits: list[tuple[int, int, bytes]]) -> None:
    data = GOOD_BYTES
    for start, length, replacement in edits:
        data = data[:start] + replacement + data[start + length :]
    for finding in lint_message(data):
        assert FINDINGS[finding.code][0] == finding.level
        assert finding.message


# --- internationalised addresses (EAI) ---------------------------------------------------


@pytest.mark.parametrize("email", ["josé@example.com", "अजय@डाटा.भारत"])
def test_a_copy_to_an_eai_address_lints_as_an_ascii_one(tmp_path: Path, email: str) -> None:
    """RFC 6532: the address goes raw UTF-8 in To: (sent over SMTPUTF8); nothing in the
    linter takes it for a broken header, a bare line break or an encoding problem."""
    from digest.app import App
    from digest.records import Subscriber
    from tests.test_render_golden import EDITION_ID, sample_edition, sample_settings

    app = App(sample_settings(tmp_path))
    prepared = app.prepare(
        sample_edition(), *app.variant_for(Subscriber(1, "", "", "daily")), now=NOW
    )
    copies = [
        app.message_for(prepared, EDITION_ID, Subscriber(1, address, "José Ørsted", "daily"))
        for address in ("reader@example.net", email)
    ]
    assert b"<" + email.encode() + b">\r\n" in copies[1]
    ascii_findings, eai_findings = (lint_message(data) for data in copies)
    assert [f.code for f in eai_findings] == [f.code for f in ascii_findings]
    assert not [f for f in eai_findings if f.level == "error"], eai_findings


@pytest.mark.parametrize("cte", ["7bit", "quoted-printable"])
def test_a_charset_with_a_nul_in_it_is_a_finding_not_a_crash(cte: str) -> None:
    """Found by the test above: a NUL byte in a part's charset parameter made Python's
    decoder raise ValueError ("embedded null character") out of `digest lint`."""
    damaged = GOOD_BYTES.replace(b'charset="utf-8"', b'charset="utf-\x008"').replace(
        b"Content-Transfer-Encoding: quoted-printable", f"Content-Transfer-Encoding: {cte}".encode()
    )
    assert b"\x00" in damaged
    found = {f.code for f in lint_message(damaged)}
    assert "mime-charset" in found, found
