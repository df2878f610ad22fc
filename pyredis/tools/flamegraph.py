"""`python -m pyredis.tools.flamegraph IN.folded -o OUT.svg`: a small flame-graph renderer.

flamegraph.pl is not installed here, and `make flamegraph` wants the real
Redis profile and pyredis's drawn the same way so the two SVGs can be opened
side by side; this draws both. It reads collapsed stacks (see folded.py) and
writes a static SVG: the root at the bottom, each frame as wide as its share
of samples, children sorted by name as flamegraph.pl does, and a tooltip
(<title>) with the sample count and share on every box. Kernel frames
("_[k]") are orange, pyredis frames ("(pyredis/...)") blue-green, others red.
Frames narrower than --minwidth pixels are left out, like flamegraph.pl.
"""

import argparse
import hashlib
import sys
from xml.sax.saxutils import escape

from .folded import read_folded

FONT = 12
FRAME_H = 16
PAD_TOP = 36
PAD_SIDE = 10
CHAR_W = FONT * 0.59


class Node:
    __slots__ = ("name", "value", "children")

    def __init__(self, name):
        self.name = name
        self.value = 0
        self.children = {}


def build_tree(stacks):
    root = Node("all")
    for frames, n in stacks:
        root.value += n
        node = root
        for f in frames:
            child = node.children.get(f)
            if child is None:
                child = node.children[f] = Node(f)
            child.value += n
            node = child
    return root


def depth(node):
    return 1 + max((depth(c) for c in node.children.values()), default=0)


def color(name):
    h = int(hashlib.md5(name.encode("utf-8", "replace")).hexdigest()[:6], 16)
    a, b = (h & 0xff) / 255.0, ((h >> 8) & 0xff) / 255.0
    if name.endswith("_[k]"):
        return "rgb(%d,%d,%d)" % (230 + 20 * a, 140 + 60 * b, 40)
    if "(pyredis/" in name:
        return "rgb(%d,%d,%d)" % (60 + 60 * a, 170 + 60 * b, 190 + 40 * a)
    return "rgb(%d,%d,%d)" % (225 + 30 * a, 80 + 120 * b, 50 + 30 * a)


def render(stacks, title="Flame Graph", width=1200, minwidth=0.1):
    """The SVG text for the stacks [(frames, samples)]."""
    root = build_tree(stacks)
    total = root.value or 1
    levels = depth(root)
    height = PAD_TOP + levels * FRAME_H + 2 * PAD_SIDE
    scale = (width - 2 * PAD_SIDE) / total
    out = ['<?xml version="1.0" standalone="no"?>',
           '<svg version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" '
           'xmlns="http://www.w3.org/2000/svg" font-family="Verdana" font-size="%d">'
           % (width, height, width, height, FONT),
           '<rect x="0" y="0" width="%d" height="%d" fill="rgb(248,248,248)"/>' % (width, height),
           '<text x="%d" y="22" text-anchor="middle" font-size="16">%s</text>'
           % (width // 2, escape(title)),
           '<text x="%d" y="%d" font-size="10">%d samples</text>'
           % (PAD_SIDE, height - 4, root.value)]

    def draw(node, x, level):
        w = node.value * scale
        if w < minwidth:
            return
        y = height - PAD_SIDE - (level + 1) * FRAME_H
        label = "%s (%d samples, %.2f%%)" % (node.name, node.value, 100.0 * node.value / total)
        out.append('<g><title>%s</title><rect x="%.2f" y="%d" width="%.2f" height="%d" '
                   'fill="%s" rx="2"/>' % (escape(label), x, y, w, FRAME_H - 1, color(node.name)))
        chars = int((w - 6) / CHAR_W)
        if chars >= 3:
            text = node.name if len(node.name) <= chars else node.name[:chars - 2] + ".."
            out.append('<text x="%.2f" y="%d">%s</text>' % (x + 3, y + FRAME_H - 4, escape(text)))
        out.append('</g>')
        cx = x
        for name in sorted(node.children):
            child = node.children[name]
            draw(child, cx, level + 1)
            cx += child.value * scale

    draw(root, PAD_SIDE, 0)
    out.append('</svg>')
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m pyredis.tools.flamegraph",
                                 description="Render collapsed stacks as an SVG flame graph.")
    ap.add_argument("folded", help="collapsed stacks ('a;b;c N' lines)")
    ap.add_argument("-o", "--output", help="SVG file to write (default: stdout)")
    ap.add_argument("--title", default="Flame Graph")
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--minwidth", type=float, default=0.1)
    args = ap.parse_args(argv)
    stacks = read_folded(args.folded)
    if not stacks:
        print("flamegraph: no stacks in %s" % args.folded, file=sys.stderr)
        return 1
    svg = render(stacks, args.title, args.width, args.minwidth)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(svg)
    else:
        sys.stdout.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
