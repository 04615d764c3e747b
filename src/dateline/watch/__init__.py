"""Follow feeds continuously and politely, store what is new, and alert on what matters.

schedule.py  when each feed is due: adaptive intervals, exponential backoff, the clock
state.py     the feeds, their items and the alerts fired, kept in the store
robots.py    robots.txt for article pages, cached per host
poll.py      one feed poll (conditional GET, full pages for summary-only items), politeness
watcher.py   the loop: due feeds polled concurrently, items stored, then marked done
alerts.py    YAML alert rules: parsing with coded errors, matching, evaluation
actions.py   what a fired alert does: print, append to JSONL, POST to a webhook
command.py   the `dateline watch` and `dateline feeds` commands
"""
