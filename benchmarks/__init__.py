"""Benchmarks of the story status monitor: a corpus generator and a runner.

    python -m benchmarks.generate --seed 7 --articles 2000 --out /tmp/corpus
    python -m benchmarks.run --quick
"""
