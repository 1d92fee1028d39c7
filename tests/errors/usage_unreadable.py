# An input path that exists but is not a readable file (a directory).
# input: inputs/unreadable.py
# args: --emit=tir

# expect-text: cannot read kernel file
