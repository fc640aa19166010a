"""The Walloon communes reference layer."""
