"""dateline: turn raw news into a structured, searchable record of what happened."""

from dateline.api import Store, open_store, process, process_inputs, process_many
from dateline.errors import Code, DatelineError, Reject
from dateline.model import Article, RawItem

__version__ = "0.1.0"
__all__ = [
    "Article",
    "Code",
    "DatelineError",
    "RawItem",
    "Reject",
    "Store",
    "__version__",
    "open_store",
    "process",
    "process_inputs",
    "process_many",
]
