"""Benchmarks: a generator of realistic synthetic trackers and a runner (`make bench`)."""
