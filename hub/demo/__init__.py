"""Synthetic demo data: Henan market entities with plausible credit histories."""

from hub.demo.generator import generate, seed_demo, write_jsonl

__all__ = ["generate", "seed_demo", "write_jsonl"]
