"""Benchmarks: print figures, assert nothing (`python -m bench.<name>`)."""
