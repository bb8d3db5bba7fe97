"""How a story is told: its headline and summary as a reader sees them.

Pure text, shared by the stages: collect titles an untitled item with the headline its
story will show (:func:`digest.wording.told.untitled_title`), rank trims summaries
(:mod:`digest.wording.trim`) and tells each story (:mod:`digest.wording.told`), and the
desk tells a story an editor adds. Nothing here ranks, fetches, stores or reads the
clock, and nothing here imports the ranking's numerical modules (numpy), so a collect
does not load them.
"""
