"""Real WordPress/Yoast feeds end to end: every item complete, every footer gone."""

from pathlib import Path

import pytest

from dateline import Article, process_inputs

FEEDS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "feeds" / "wordpress-yoast"


@pytest.mark.parametrize(
    ("name", "items", "footer"),
    [
        ("nextcloud_blog_wp601_yoast_en.rss", 10, "appeared first on"),
        ("anime2you_wp_yoast_de.xml", 25, "erschien zuerst auf"),
    ],
)
def test_yoast_footers_are_removed_and_items_complete(name: str, items: int, footer: str) -> None:
    if not FEEDS.is_dir():
        pytest.skip("../shared/eval/feeds not found: evaluation data absent")
    results = list(process_inputs([str(FEEDS / name)], understand=False))
    articles = [r for r in results if isinstance(r, Article)]
    assert len(articles) == len(results) == items
    for article in articles:
        assert footer not in article.text
        assert [r.rule for r in article.removed].count("feed_footer") == 1
        assert article.title and article.url and article.published and article.text
