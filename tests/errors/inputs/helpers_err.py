"""Helpers imported by tests/errors/imports.py."""
import triton
import triton.language as tl

PLAIN = 3


@triton.jit
def twice(x):
    return x * 2
