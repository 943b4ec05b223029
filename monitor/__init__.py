"""Story status monitor: news articles in, story status changes out."""

__version__ = "0.1.0"
