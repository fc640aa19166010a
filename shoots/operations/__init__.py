"""Domain operations of the shoots package: plain functions taking a Session, never committing."""
