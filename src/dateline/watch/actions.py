"""What a fired alert does, and the alerter that fires each alert once.

Actions: ``print`` (a readable block on stdout), ``jsonl`` (one JSON line appended to a
file), ``webhook`` (a JSON POST, retried with exponential backoff on network errors, 5xx,
408 and 429). An action that fails is reported with its code and the others still run.

Delivery is at least once: the actions run before the alert is recorded in the store, so
a run killed in between fires it again on restart rather than never.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import urllib3

from dateline.errors import Code, DatelineError
from dateline.watch import state
from dateline.watch.alerts import ActionSpec, Alert, Evaluator, Rule
from dateline.watch.schedule import Clock

Echo = Callable[[str], None]
Sleep = Callable[[float], None]
_RETRY_STATUSES = frozenset({408, 429})
_POOL = urllib3.PoolManager(num_pools=4, retries=False)


class Action(Protocol):
    def __call__(self, alert: Alert) -> None:
        """Deliver the alert; raise DatelineError when that failed."""


class PrintAction:
    def __init__(self, echo: Echo) -> None:
        self.echo = echo

    def __call__(self, alert: Alert) -> None:
        lines = [f"ALERT [{alert.rule}] {alert.reason}"]
        for item in alert.evidence:
            link = item.get("url") or item["show"]
            event = item.get("event")
            said = f" — {event['text']!r}" if event and event.get("text") else ""
            lines.append(f"  - {item.get('title')} ({item.get('publisher')}) {link}{said}")
        self.echo("\n".join(lines))


class JsonlAction:
    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def __call__(self, alert: Alert) -> None:
        line = json.dumps(alert.to_json(), ensure_ascii=False) + "\n"
        try:
            # One write of one line in append mode: a reader never sees half an alert
            # from this writer.
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)
        except OSError as exc:
            raise DatelineError(Code.ALERT_OUTPUT, f"{self.path}: {exc.strerror or exc}") from exc


class WebhookAction:
    def __init__(
        self,
        url: str,
        retries: int = 3,
        timeout: float = 10.0,
        backoff: float = 1.0,
        headers: dict[str, str] | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.url = url
        self.retries = retries
        self.timeout = timeout
        self.backoff = backoff
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.sleep = sleep

    def __call__(self, alert: Alert) -> None:
        body = json.dumps(alert.to_json(), ensure_ascii=False).encode()
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            retry, problem = self._post(body)
            if not problem:
                return
            if not retry:
                break
        raise DatelineError(Code.WEBHOOK, f"{self.url}: {problem} (after {attempt + 1} attempt(s))")

    def _post(self, body: bytes) -> tuple[bool, str]:
        """("", success) or (whether to retry, what went wrong)."""
        try:
            response = _POOL.request(
                "POST",
                self.url,
                body=body,
                headers=self.headers,
                timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
                redirect=False,
                retries=False,
            )
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return True, f"request failed ({type(exc).__name__})"
        if 200 <= response.status < 300:
            return False, ""
        retry = response.status >= 500 or response.status in _RETRY_STATUSES
        return retry, f"answered {response.status}"


def build_action(spec: ActionSpec, echo: Echo, sleep: Sleep = time.sleep) -> Action:
    if spec.kind == "print":
        return PrintAction(echo)
    if spec.kind == "jsonl":
        return JsonlAction(str(spec.options["path"]))
    options: dict[str, Any] = dict(spec.options)
    return WebhookAction(
        url=options["url"],
        retries=int(options.get("retries", 3)),
        timeout=float(options.get("timeout", 10.0)),
        backoff=float(options.get("backoff", 1.0)),
        headers=dict(options.get("headers") or {}),
        sleep=sleep,
    )


class Alerter:
    """Evaluates every rule on new articles, fires each alert once (or once per cooldown)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        rules: Sequence[Rule],
        clock: Clock,
        echo: Echo,
        warn: Echo,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.db = db
        self.rules = list(rules)
        self.clock = clock
        self.warn = warn
        self.evaluator = Evaluator(db)
        self.actions = {
            rule.name: [build_action(spec, echo, sleep) for spec in rule.actions]
            for rule in self.rules
        }

    def check(self, article_ids: Sequence[str]) -> list[Alert]:
        """Fire the alerts the given stored articles set off; return them."""
        articles = self._load(article_ids)
        fired: list[Alert] = []
        if articles:
            for rule in self.rules:
                for alert in self.evaluator.alerts(rule, articles):
                    if self._due(rule, alert):
                        self._fire(rule, alert)
                        fired.append(alert)
        state.mark_alerted(self.db, article_ids)
        return fired

    def _load(self, article_ids: Sequence[str]) -> list[dict[str, Any]]:
        articles = []
        for article_id in dict.fromkeys(article_ids):
            row = self.db.execute("SELECT data FROM articles WHERE id = ?", (article_id,))
            found = row.fetchone()
            if found is not None:
                articles.append(json.loads(found["data"]))
        return articles

    def _due(self, rule: Rule, alert: Alert) -> bool:
        last = state.last_fired(self.db, rule.name, alert.key)
        if last is None:
            return True
        # A window count fires again once its window has passed; an alert about one
        # article or one story fires once, unless the rule sets a cooldown.
        cooldown = rule.cooldown or (rule.count.within if rule.count else None)
        return cooldown is not None and self.clock.now() - last >= cooldown

    def _fire(self, rule: Rule, alert: Alert) -> None:
        now = self.clock.now()
        alert.fired_at = state.iso(now) or ""
        for action in self.actions[rule.name]:
            try:
                action(alert)
            except DatelineError as exc:
                self.warn(f"alert [{rule.name}] action failed [{exc.code.value}]: {exc.message}")
        state.record_alert(
            self.db, rule.name, alert.key, now, json.dumps(alert.to_json(), ensure_ascii=False)
        )
