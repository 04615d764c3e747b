"""Raw inputs -> RawItem. Every reader yields RawItem or Reject and never raises on bad input."""
