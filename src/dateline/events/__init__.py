"""Events: who did what to whom, where and when, coded in the PLOVER ontology."""

from dateline.events.coder import code_events

__all__ = ["code_events"]
