"""Stories: syndicated copies (``copies``) and online story clustering (``clusters``)."""

from dateline.stories.clusters import StoryClusterer
from dateline.stories.copies import CopyDetector

__all__ = ["CopyDetector", "StoryClusterer"]
