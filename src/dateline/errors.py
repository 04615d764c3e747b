"""One catalogue of coded errors. Each code says what went wrong and how to fix it.

Codes are stable: tests, the rejects table and users' scripts depend on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    # input: the source could not be read at all
    NOT_FOUND = "E101"
    EMPTY = "E102"
    BINARY = "E103"
    TOO_LARGE = "E105"
    # input: a record inside a readable source is bad
    BAD_JSON = "E201"
    NO_TEXT = "E202"
    BAD_FEED = "E203"
    BAD_WARC = "E204"
    TRUNCATED = "E205"
    BAD_OPML = "E206"
    EXTRACTION_FAILED = "E207"
    BAD_FIELD = "E208"
    # network
    FETCH_FAILED = "E301"
    HTTP_STATUS = "E302"
    TOO_MANY_REDIRECTS = "E303"
    BAD_CONTENT_TYPE = "E304"
    TIMEOUT = "E305"
    # usage and store
    BAD_OPTION = "E401"
    STORE = "E402"
    NOT_IN_STORE = "E403"
    PIPELINE_ORDER = "E404"
    # the PostgreSQL store
    PG_CONNECT = "E420"
    # watch and alerts
    FEED_LIST = "E501"
    RULES_FILE = "E502"
    RULE_KEY = "E503"
    RULE_VALUE = "E504"
    WEBHOOK = "E505"
    ALERT_OUTPUT = "E506"
    ROBOTS = "E507"
    # batch (Dask) runs and loading their output
    SHARD_FAILED = "E701"
    BATCH_OUTPUT = "E702"
    BATCH_OPTIONS = "E703"
    SCHEDULER = "E704"
    BATCH_INPUT = "E705"
    # web app and HTTP API
    BAD_PARAMETER = "E601"
    BAD_CURSOR = "E602"
    NOT_FOUND_HTTP = "E603"
    INGEST_DISABLED = "E604"
    UNAUTHORIZED = "E605"
    BAD_INGEST_BODY = "E606"
    METHOD_NOT_ALLOWED = "E607"
    STORE_UNAVAILABLE = "E608"
    # a bug in dateline
    INTERNAL = "E999"


HINTS: dict[Code, str] = {
    Code.NOT_FOUND: "Check the path or glob; quote globs so dateline expands them itself.",
    Code.EMPTY: "The input has no content; remove it or check how it was produced.",
    Code.BINARY: "dateline reads text, HTML, feeds, OPML, WARC/ARC and JSONL; this looks like none of them.",
    Code.TOO_LARGE: "Split the input, or raise the limit (--max-bytes) if the size is expected.",
    Code.BAD_JSON: "Each JSONL line must be one JSON object: {id, url, title, text|html, published, publisher}.",
    Code.NO_TEXT: "Give the record a non-empty 'text' or 'html' field.",
    Code.BAD_FEED: "The feed XML is malformed; items that could be read were kept.",
    Code.BAD_WARC: "The WARC/ARC record is malformed; the records before it were kept.",
    Code.TRUNCATED: "The file ends early (an interrupted download?); everything before the cut was kept.",
    Code.BAD_OPML: "An OPML file needs <outline xmlUrl=...> entries.",
    Code.EXTRACTION_FAILED: "No main text was found in the page; check that it is an article page.",
    Code.BAD_FIELD: "A metadata field has the wrong type; it was ignored.",
    Code.FETCH_FAILED: "Check the URL and the network; dateline does not retry a failed fetch.",
    Code.HTTP_STATUS: "The server answered with an error status.",
    Code.TOO_MANY_REDIRECTS: "The URL redirects too often (a loop?); give the final URL.",
    Code.BAD_CONTENT_TYPE: "The server sent something that is not a text, HTML, feed or WARC document.",
    Code.TIMEOUT: "The server was too slow; try again later or raise --timeout.",
    Code.BAD_OPTION: "See `dateline COMMAND --help` for the accepted values.",
    Code.STORE: "Check that the database path is writable and is a dateline store.",
    Code.NOT_IN_STORE: "List what is stored with `dateline search` or `dateline export`.",
    Code.PIPELINE_ORDER: "A stage needs a field that no earlier stage sets; reorder the stages.",
    Code.PG_CONNECT: "Check that the PostgreSQL server is up and the URL is postgresql://USER@HOST:PORT/DBNAME; the database must exist (createdb DBNAME).",
    Code.FEED_LIST: "Give feed URLs (http or https), a text file with one URL a line, or an OPML file.",
    Code.RULES_FILE: "The rules file must be YAML with a top-level `rules:` list; see docs/alerts.md.",
    Code.RULE_KEY: "A rule has a key dateline does not know (a typo?); docs/alerts.md lists every key.",
    Code.RULE_VALUE: "A rule key has a value of the wrong type or range; docs/alerts.md gives each key's form.",
    Code.WEBHOOK: "The webhook did not accept the alert after its retries; check its URL and that it is up.",
    Code.ALERT_OUTPUT: "The alert could not be written; check that the JSONL path is writable.",
    Code.ROBOTS: "robots.txt disallows this page for dateline; the feed item's own text was kept.",
    Code.SHARD_FAILED: "The shard's worker failed; the run went on. Rerun the same command to retry the failed shards.",
    Code.BATCH_OUTPUT: "Give --from a directory written by `dateline batch` (it holds manifest.json).",
    Code.BATCH_OPTIONS: "This --out directory was made with other options; rerun with those options or use a new --out.",
    Code.SCHEDULER: "Check the --scheduler address (tcp://HOST:8786) and that the Dask scheduler is running.",
    Code.BATCH_INPUT: "`dateline batch` reads files, directories, globs and URLs; save standard input to a file first.",
    Code.BAD_PARAMETER: "A query parameter has a wrong value or form; docs/web.md gives each parameter's form.",
    Code.BAD_CURSOR: "Pass back the `next_cursor` of the previous page unchanged, with the same filters.",
    Code.NOT_FOUND_HTTP: "No such page or record; /docs lists the endpoints, the listings give valid ids.",
    Code.INGEST_DISABLED: "The server is read-only; start it with --token (or DATELINE_TOKEN) to accept POST /ingest.",
    Code.UNAUTHORIZED: "Send the configured token as `Authorization: Bearer TOKEN`.",
    Code.BAD_INGEST_BODY: "POST JSON records {id, url, title, text|html, published, publisher}: one object, a list, or JSONL.",
    Code.METHOD_NOT_ALLOWED: "This endpoint is read-only: use GET (only /ingest takes POST).",
    Code.STORE_UNAVAILABLE: "The store could not be read (locked or missing?); check the --db path and retry.",
    Code.INTERNAL: "This is a bug in dateline; please report it with the input that caused it.",
}


class DatelineError(Exception):
    """An error with a code from the catalogue and a hint on how to fix it."""

    def __init__(self, code: Code, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint or HINTS[code]

    def __str__(self) -> str:
        return f"[{self.code.value}] {self.message}"


@dataclass(frozen=True)
class Reject:
    """A piece of input that did not become an article, and why. Stored, never dropped."""

    source: str
    position: str
    code: str
    message: str
    hint: str

    @classmethod
    def of(cls, source: str, position: str, error: DatelineError) -> Reject:
        return cls(source, position, error.code.value, error.message, error.hint)

    def to_json(self) -> dict[str, str]:
        return {
            "source": self.source,
            "position": self.position,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }
