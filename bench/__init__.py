"""Aftersales benchmarks: a synthetic national network loaded in bulk, workloads measured
against the "physical limit" of the same rows read without a framework. See bench/README.md."""
