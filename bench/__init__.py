"""Benchmarks: each prints a table and rewrites its own section of docs/benchmarks.md."""
