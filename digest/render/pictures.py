"""How large a lead's picture is drawn, and where: never wider than it is.

:func:`lead_picture` gives the <img>'s width attribute (the picture's own width, the
column's at most: :func:`~digest.render.stories.lead_image_width`), its height in
proportion when the picture's size is known (read from its bytes when digest hosted
it), and its layout: a picture at least :data:`LEAD_MIN_WIDTH` wide heads its story, a
narrower one is a thumbnail beside the headline. A picture of unknown size takes the
column, as it always did. Pure functions of an image; nothing here renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.records import Image
from digest.render.stories import IMAGE_WIDTH, lead_image_width

__all__ = ["LEAD_MIN_WIDTH", "LeadPicture", "lead_picture"]

#: Narrower than this, a picture is a thumbnail beside its headline. Feeds' thumbnails
#: are 120 to 160 px wide (media:thumbnail's 120 x 90 and 144 x 81, WordPress's
#: 150 x 150, YouTube's 160 x 90) and their next size up is 300 px (WordPress's
#: "medium"): 200 px parts the two. Above the headline such a picture is a stamp in a
#: blank row of a 536 px column, under 2/5 of its width (and a third of a phone's
#: screen of 375 px drawn from as few pixels, soft on a 2x screen).
LEAD_MIN_WIDTH = 200


@dataclass(frozen=True, slots=True)
class LeadPicture:
    """The <img> a lead's picture is drawn with."""

    width: int  # its width attribute, in pixels: the picture's own, the column's at most
    height: int | None  # in proportion; None when the picture's height is unknown
    thumbnail: bool  # beside the headline, at the end of its line (else above it)

    @property
    def full(self) -> bool:
        """As wide as the column."""
        return self.width == IMAGE_WIDTH


def lead_picture(image: Image | None) -> LeadPicture | None:
    """How a lead draws `image` (see the module); None: not at all (no image, or one
    too small to illustrate a story)."""
    width = lead_image_width(image)
    if image is None or width is None:
        return None
    height = None
    if image.width and image.height:  # known, read from its bytes (or both declared)
        height = max(1, (image.height * width * 2 + image.width) // (image.width * 2))
    return LeadPicture(width, height, thumbnail=width < LEAD_MIN_WIDTH)
