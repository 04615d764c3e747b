"""read_warc against the real WARC/ARC samples in ../shared/eval/warc and synthetic files.

The samples stay outside the repository; the expectations below were found by reading
each file with warcio and checking the records by hand (see the README beside them).
"""

from __future__ import annotations

import gzip
import re
import tracemalloc
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dateline.errors import Code, Reject
from dateline.model import RawItem
from dateline.sources.warc import read_warc

WARC_DIR = Path(__file__).resolve().parents[3] / "shared" / "eval" / "warc"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

# file -> (articles, URL of the first, (reject code, reject position) or None)
EXPECTED: dict[str, tuple[int, str | None, tuple[Code, str] | None]] = {
    "commoncrawl-whirlwind/whirlwind.warc.gz": (1, "https://an.wikipedia.org/wiki/Escopete", None),
    "commoncrawl-whirlwind/whirlwind.warc.wat.gz": (0, None, None),  # metadata records only
    "commoncrawl-whirlwind/whirlwind.warc.wet.gz": (0, None, None),  # conversion (text) only
    "resiliparse/block-sized-records.warc.gz": (0, None, None),  # records of type "unknown"
    "resiliparse/clueweb-quirk.warc.gz": (
        29,
        "http://www.uraharajuku.st/shopdetail/001005000005/019/000/order/",
        None,
    ),
    "resiliparse/warcfile.warc.gz": (16, "http://003338.cn/l41/481397.html", None),
    # Cut at a record boundary: nothing in the file shows it, so nothing is rejected.
    "ukwa-test-suite/IAH-20080430204825-00000-blackbook-truncated.warc.gz": (
        2,
        "http://www.archive.org/",
        None,
    ),
    "ukwa-test-suite/IAH-urls-wget.warc.gz": (2, "https://archive.org/", None),
    "ukwa-test-suite/wikipedia-sopa-blackout-main-page.warc.gz": (
        1,
        "http://en.wikipedia.org/wiki/Main_Page",
        None,
    ),
    "warcio/example-digest.warc": (0, None, None),  # request records only
    "warcio/example-iana.org-chunked.warc": (1, "http://www.iana.org/", None),
    "warcio/example-resource.warc.gz": (0, None, None),  # HTML, but a resource record
    "warcio/example-space-in-target-uri.warc.gz": (0, None, None),
    "warcio/example-wget-bad-target-uri.warc.gz": (1, "http://example.com/", None),
    "warcio/example.arc": (1, "http://example.com/", None),
    "warcio/example.arc.gz": (1, "http://example.com/", None),
    "warcio/example.warc": (1, "http://example.com/", None),
    "warcio/example.warc.gz": (1, "http://example.com/", None),
    "warcio/post-test.warc.gz": (0, None, None),  # JSON responses
    # broken: the file is cut inside its only record (88275 bytes declared, 75207 there)
    "resiliparse/clipped.warc.gz": (0, None, (Code.TRUNCATED, "record 1 @ 0")),
    # ARC lengths "-1", "1" and "abc": the first record already has no usable length
    "warcio/bad.arc": (0, None, (Code.BAD_WARC, "record 1 @ 0")),
    # one gzip stream for the whole file; warcio reads record 1 (warcinfo) only
    "warcio/example-bad-non-chunked.warc.gz": (0, None, (Code.BAD_WARC, "record 2")),
    # the response's Content-Length is 2 short: it cuts the end off its gzip-encoded body
    # and leaves 2 stray bytes before the next record (warcio warns and reads on)
    "warcio/example-trunc.warc": (0, None, (Code.BAD_WARC, "record 3 @ 1197")),
    # the response's headers and body are in separate gzip members
    "warcio/example-wrong-chunks.warc.gz": (0, None, (Code.BAD_WARC, "record 1 @ 0")),
}


def _sample_files() -> list[str]:
    if not WARC_DIR.is_dir():
        return []
    paths = (p for p in WARC_DIR.rglob("*") if p.is_file() and p.name != "README.md")
    return sorted(p.relative_to(WARC_DIR).as_posix() for p in paths)


@pytest.fixture
def warc_dir() -> Path:
    if not WARC_DIR.is_dir():
        pytest.skip("../shared/eval/warc not found: evaluation data absent")
    return WARC_DIR


def _read(path: Path, **options: int) -> list[RawItem | Reject]:
    with path.open("rb") as stream:
        return list(read_warc(str(path), stream, **options))


def _split(results: list[RawItem | Reject]) -> tuple[list[RawItem], list[Reject]]:
    items = [r for r in results if isinstance(r, RawItem)]
    rejects = [r for r in results if isinstance(r, Reject)]
    assert len(items) + len(rejects) == len(results)
    return items, rejects


# --- the real samples -------------------------------------------------------------


@pytest.mark.parametrize("name", _sample_files() or ["(no samples)"])
def test_every_sample_reads_to_the_end(warc_dir: Path, name: str) -> None:
    items, rejects = _split(_read(warc_dir / name))  # raising here fails the test
    articles, _, reject = EXPECTED[name]  # a new sample needs an expectation
    assert len(items) == articles
    assert [(r.code, r.position) for r in rejects] == (
        [(reject[0].value, reject[1])] if reject else []
    )


def test_every_expectation_has_its_sample(warc_dir: Path) -> None:
    assert sorted(EXPECTED) == _sample_files()


GOOD = sorted(name for name, (articles, _, _) in EXPECTED.items() if articles)
BROKEN = sorted(name for name, (_, _, reject) in EXPECTED.items() if reject)


@pytest.mark.parametrize("name", GOOD)
def test_good_samples_give_their_pages(warc_dir: Path, name: str) -> None:
    items, rejects = _split(_read(warc_dir / name))
    assert not rejects
    assert items[0].url == EXPECTED[name][1]
    for item in items:
        assert item.kind == "warc-record"
        assert item.source == str(warc_dir / name)
        assert re.fullmatch(r"record \d+ @ \d+", item.position)
        assert item.html is not None and "<" in item.html and "\ufffd" not in item.html
        assert item.published is not None
        if "clueweb" not in name:  # ClueWeb wrote "2008-10-294T05:21:46-0700"; kept as written
            assert ISO.match(item.published), item.published


def test_arc_date_becomes_iso_and_html_is_decoded(warc_dir: Path) -> None:
    [item] = _read(warc_dir / "warcio" / "example.arc")
    assert isinstance(item, RawItem)
    assert item.position == "record 2 @ 151"
    assert item.published == "2014-02-16T05:02:21Z"  # ARC wrote 20140216050221
    assert item.html is not None and "<title>Example Domain</title>" in item.html


def test_gzip_and_chunked_bodies_are_decoded(warc_dir: Path) -> None:
    [gzipped] = _read(warc_dir / "warcio" / "example.warc")  # Content-Encoding: gzip
    [chunked] = _read(warc_dir / "warcio" / "example-iana.org-chunked.warc")
    assert isinstance(gzipped, RawItem) and isinstance(chunked, RawItem)
    assert gzipped.html is not None and gzipped.html.startswith("<!doctype html>")
    assert chunked.html is not None and chunked.html.rstrip().endswith("</html>")


def test_declared_charsets_are_used(warc_dir: Path) -> None:
    items, _ = _split(_read(warc_dir / "resiliparse" / "clueweb-quirk.warc.gz"))  # EUC-JP
    assert items[0].html is not None and "吉田かばん" in items[0].html
    items, _ = _split(_read(warc_dir / "resiliparse" / "warcfile.warc.gz"))
    russian = next(i for i in items if i.url == "http://01spb.ru/company/")  # windows-1251
    assert russian.html is not None and "О компании" in russian.html


@pytest.mark.parametrize("name", BROKEN)
def test_broken_samples_end_with_one_reject(warc_dir: Path, name: str) -> None:
    results = _read(warc_dir / name)
    expected = EXPECTED[name][2]
    assert expected is not None
    last = results[-1]
    assert isinstance(last, Reject)
    assert (last.code, last.position) == (expected[0].value, expected[1])
    assert last.message and last.hint


def test_records_before_a_cut_are_kept(warc_dir: Path, tmp_path: Path) -> None:
    # A good file followed by a broken one, as if written one after the other.
    for good, bad in [
        ("warcio/example.warc.gz", "resiliparse/clipped.warc.gz"),
        ("warcio/example.warc", "warcio/example-trunc.warc"),
    ]:
        joined = tmp_path / Path(bad).name
        joined.write_bytes((warc_dir / good).read_bytes() + (warc_dir / bad).read_bytes())
        results = _read(joined)
        assert [type(r) for r in results] == [RawItem, Reject]
        assert isinstance(results[0], RawItem) and results[0].url == "http://example.com/"
        expected = EXPECTED[bad][2]
        assert isinstance(results[1], Reject) and expected is not None
        assert results[1].code == expected[0].value


# --- synthetic files --------------------------------------------------------------

PAGE = b"<!DOCTYPE html><html><head><title>Hi</title></head><body><p>News.</p></body></html>"


def _record(
    writer: WARCWriter,
    uri: str,
    body: bytes,
    status: str = "200 OK",
    headers: list[tuple[str, str]] | None = None,
    warc_headers: dict[str, str] | None = None,
) -> None:
    http = StatusAndHeaders(
        status, headers or [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
    )
    record = writer.create_warc_record(
        uri,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict=warc_headers,
    )
    writer.write_record(record)


def _chunked(body: bytes, size: int = 10) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _sample_warc(path: Path) -> Path:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        _record(writer, "http://example.org/a", PAGE)
        _record(
            writer,
            "http://example.org/logo.png",
            b"\x89PNG",
            headers=[("Content-Type", "image/png")],
        )
        _record(writer, "http://example.org/missing", PAGE, "404 Not Found")
        _record(writer, "http://example.org/big", PAGE * 100)
        _record(writer, "http://example.org/b", PAGE.replace(b"News.", b"More news."))
    return path


def test_synthetic_warc(tmp_path: Path) -> None:
    path = _sample_warc(tmp_path / "s.warc.gz")
    items, rejects = _split(_read(path, max_record_bytes=1000))
    assert [i.url for i in items] == ["http://example.org/a", "http://example.org/b"]
    assert items[0].html == PAGE.decode()
    assert items[0].position == "record 1 @ 0"
    assert [(r.code, r.position.split(" @ ")[0]) for r in rejects] == [
        (Code.TOO_LARGE.value, "record 4")
    ]
    assert "http://example.org/big" in rejects[0].message


def test_synthetic_warc_cut_half_way(tmp_path: Path) -> None:
    whole = _sample_warc(tmp_path / "s.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole[: len(whole) // 2])  # inside record 3's headers
    results = _read(cut, max_record_bytes=1000)
    items, rejects = _split(results)
    assert [i.url for i in items] == ["http://example.org/a"]
    assert len(rejects) == 1 and results[-1] is rejects[0]
    assert rejects[0].code == Code.TRUNCATED.value


@pytest.mark.parametrize("gzipped", [True, False])
def test_any_cut_keeps_what_came_before(tmp_path: Path, gzipped: bool) -> None:
    path = tmp_path / "s.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzipped)
        for n in range(4):
            chunked = [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]
            _record(writer, f"http://x/{n}", _chunked(PAGE), headers=chunked)
    whole = path.read_bytes()
    full = _read(path)
    assert len(full) == 4
    for end in range(0, len(whole), 7):
        path.write_bytes(whole[:end])
        results = _read(path)
        if results and isinstance(results[-1], Reject):
            # a file cut inside its very first line does not read as an archive at all
            not_an_archive = "first line" in results[-1].message and len(results) == 1
            expected = Code.BAD_WARC if not_an_archive else Code.TRUNCATED
            assert results[-1].code == expected.value, (end, results[-1])
            results = results[:-1]
        assert results == [
            RawItem(**{**vars(item), "source": str(path)}) for item in full[: len(results)]
        ]


def test_synthetic_bodies(tmp_path: Path) -> None:
    """Encodings and content types an article reader meets, each in its own record."""
    path = tmp_path / "bodies.warc"
    latin = "<html><body>Café über</body></html>".encode("latin-1")
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        _record(
            writer,
            "http://x/1",
            _chunked(gzip.compress(PAGE)),
            headers=[
                ("Content-Type", "text/html"),
                ("Transfer-Encoding", "chunked"),
                ("Content-Encoding", "gzip"),
            ],
        )
        _record(
            writer,
            "http://x/2",
            zlib.compress(PAGE),
            headers=[
                ("Content-Type", "application/xhtml+xml"),
                ("Content-Encoding", "deflate"),
            ],
        )
        raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # "deflate" without its zlib wrapper
        raw_deflate = raw.compress(PAGE) + raw.flush()
        _record(writer, "http://x/2b", raw_deflate, headers=[("Content-Encoding", "deflate")])
        _record(
            writer, "http://x/3", latin, headers=[("Content-Type", "text/html; charset=ISO-8859-1")]
        )
        _record(writer, "http://x/4", latin, headers=[("Server", "no content type")])  # sniffed
        _record(writer, "http://x/5", b"body { color: red }", headers=[("Server", "x")])  # not HTML
        _record(writer, "http://x/6", b"  \r\n")  # HTML, but empty
        _record(
            writer,
            "http://x/7",
            b"\x0b\x02\x80",
            headers=[
                ("Content-Type", "text/html"),
                ("Content-Encoding", "br"),
            ],
        )
        _record(writer, "http://x/8", PAGE, headers=[("Content-Type", "text/plain")])
        _record(  # a crawler's size limit cut the body: the file itself is whole
            writer,
            "http://x/8b",
            gzip.compress(PAGE)[:20],
            headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            warc_headers={"WARC-Truncated": "length"},
        )
        _record(writer, "http://x/9", PAGE)
    results = _read(path)
    items, rejects = _split(results)
    assert [i.url for i in items] == [
        "http://x/1",
        "http://x/2",
        "http://x/2b",
        "http://x/3",
        "http://x/4",
        "http://x/9",
    ]
    assert items[0].html == items[1].html == items[2].html == PAGE.decode()
    assert items[3].html == items[4].html == "<html><body>Café über</body></html>"
    assert [(r.code, re.findall(r"http://\S+", r.message)[0]) for r in rejects] == [
        (Code.NO_TEXT.value, "http://x/6"),
        (Code.BAD_WARC.value, "http://x/7"),  # "br": rejected, and reading goes on
        (Code.TRUNCATED.value, "http://x/8b"),  # so does a page the crawler cut off
    ]


def test_a_compressed_body_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.warc.gz"
    with path.open("wb") as out:  # 20 kB on disk, 20 MB inflated
        body = gzip.compress(b"<html>" + b" " * 20_000_000, compresslevel=9)
        gzipped = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
        _record(WARCWriter(out, gzip=True), "http://x/bomb", body, headers=gzipped)
    tracemalloc.start()
    try:
        [reject] = _read(path, max_record_bytes=10_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(reject, Reject) and reject.code == Code.TOO_LARGE.value
    assert peak < 2_000_000


@pytest.mark.parametrize(
    ("body", "headers", "code"),
    [
        # a chunk size that does not match the chunk
        (b"5\r\nabcdefgh\r\n0\r\n\r\n", [("Transfer-Encoding", "chunked")], Code.BAD_WARC),
        # the chunked body stops before its zero-size chunk
        (b"3\r\nabc\r\n", [("Transfer-Encoding", "chunked")], Code.TRUNCATED),
        # a gzip body missing its end
        (gzip.compress(PAGE)[:-8], [("Content-Encoding", "gzip")], Code.TRUNCATED),
        # gzip data whose checksum is wrong
        (gzip.compress(PAGE)[:-8] + b"\0" * 8, [("Content-Encoding", "gzip")], Code.BAD_WARC),
        # labelled gzip, but neither gzip nor HTML
        (b"\x00\x01binary", [("Content-Encoding", "gzip")], Code.BAD_WARC),
    ],
)
def test_a_broken_body_costs_its_page_not_the_file(
    tmp_path: Path, body: bytes, headers: list[tuple[str, str]], code: Code
) -> None:
    path = tmp_path / "broken.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        _record(writer, "http://x/good", PAGE)
        _record(writer, "http://x/bad", body, headers=[("Content-Type", "text/html"), *headers])
        _record(writer, "http://x/after", PAGE)
    results = _read(path)
    assert [type(r) for r in results] == [RawItem, Reject, RawItem]
    assert isinstance(results[1], Reject) and isinstance(results[2], RawItem)
    assert results[2].url == "http://x/after"
    assert (results[1].code, results[1].position.split(" @ ")[0]) == (code.value, "record 2")


def test_not_an_archive_is_one_reject(tmp_path: Path) -> None:
    path = tmp_path / "page.warc"
    path.write_bytes(PAGE)
    [reject] = _read(path)
    assert isinstance(reject, Reject) and reject.code == Code.BAD_WARC.value
    assert "<!DOCTYPE" in reject.message  # says what it found instead of a record header
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    assert _read(empty) == []
