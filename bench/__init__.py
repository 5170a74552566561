"""Benchmarks and the local fake of the upstream APIs they (and the end-to-end tests) use."""
