"""`python -m bench.hotspots PROFILE.txt`: the hot spots of a py-spy raw (collapsed stacks) profile.

Prints the lines with the most samples on top of the stack (self time) and the functions with the
most samples anywhere on the stack (inclusive time), as shares of all samples.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def function_of(frame: str) -> str:
    """'func (file:line)' without the line: the function as a whole."""
    match = FRAME.match(frame)
    return f"{match['func']} ({match['file']})" if match else frame


def hotspots(text: str, top: int = 20) -> str:
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        self_time[frames[-1]] += count
        for function in {function_of(frame) for frame in frames}:
            inclusive[function] += count
    if not total:
        return "no samples"
    out = [f"{total} samples", "", "self (top of stack), by line:"]
    out += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in self_time.most_common(top)]
    out += ["", "inclusive, by function:"]
    out += [f"  {100 * n / total:5.1f}%  {function}" for function, n in inclusive.most_common(top + 10)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    for path in args:
        print(f"== {path}")
        print(hotspots(Path(path).read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
