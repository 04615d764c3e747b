"""The HTTP API and web app (`dateline serve`): see docs/web.md."""
