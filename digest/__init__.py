"""digest: a newsletter digest generator: collect, rank, render and deliver exactly once."""

__version__ = "0.1.0.dev0"
