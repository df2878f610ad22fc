"""MkDocs hook: source pages for pyredis's modules, and links to them from the docs.

The docs link frames and functions to the code as `../pyredis/t_string.py#setCommand`,
a path that works on the repository as it is (an editor or a forge opens the
file). The site cannot serve files outside docs/, so this hook

* adds one generated page per module, `source/pyredis/<module>.md`, holding the
  file's text with an anchor at every module-level `def` and `class`
  (id = the function's name) and every line (id = `L<n>`);
* rewrites each `../pyredis/<module>.py[#anchor]` link to that page.

A link to a module or function that does not exist then points at a missing
page or anchor, which `mkdocs build --strict` reports as an error.

It also fills `<!-- command-groups -->` in compatibility.md with the table of
command groups, counted from the generated command table and the functions
that exist, so the page cannot drift from the code.
"""

import ast
import html
import importlib
import os
import re
import sys

from mkdocs.structure.files import File

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKG = os.path.join(ROOT, "pyredis")
LINK = re.compile(r"\]\(((?:\.\./)+)pyredis/([\w/]+)\.py(#[\w.-]+)?\)")


def module_files():
    out = []
    for dirpath, dirnames, filenames in os.walk(PKG):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                out.append(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return out


_CODE = {}   # page uri -> the highlighted-free HTML of the file, put in by on_page_content


def source_page(relpath):
    """The markdown of a module's source page, and the HTML that replaces its placeholder.

    Only the anchors go through Markdown (so the strict build knows them and
    can check links against them); the file's text, thousands of lines, is
    spliced in after conversion, which keeps the build fast.
    """
    with open(os.path.join(ROOT, relpath), encoding="utf-8") as f:
        text = f.read()
    names = {}
    try:
        for node in ast.parse(text).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                names.setdefault(first, []).append(node.name)
    except SyntaxError:
        pass
    lines = []
    for n, line in enumerate(text.splitlines(), 1):
        ids = "".join('<a id="%s"></a>' % name for name in names.get(n, ()))
        lines.append('<span id="L%d">%s%s</span>' % (n, ids, html.escape(line)))
    code = '<pre class="pyredis-source"><code>%s</code></pre>' % "\n".join(lines)
    anchors = "".join('<a id="%s"></a>' % name for ns in names.values() for name in ns)
    anchors += "".join('<a id="L%d"></a>' % n for n in range(1, len(lines) + 1))
    md = ("---\nsearch:\n  exclude: true\n---\n\n# %s\n\nThe source of `%s`, as of this "
          "build of the docs. Anchors: `#functionName`, `#L<line>`.\n\n"
          '<div class="pyredis-source-anchors">%s</div>\n' % (relpath, relpath, anchors))
    return md, code


def on_files(files, config):
    for relpath in module_files():
        uri = "source/%s.md" % relpath[:-3]
        md, code = source_page(relpath)
        _CODE[uri] = code
        files.append(File.generated(config, uri, content=md))
    return files


def on_page_content(html_text, page, config, files):
    code = _CODE.get(page.file.src_uri)
    if code is None:
        return html_text
    return re.sub(r'<div class="pyredis-source-anchors">.*?</div>', lambda m: code, html_text,
                  count=1, flags=re.S)


def on_page_markdown(markdown, page, config, files):
    depth = page.file.src_uri.count("/")

    def fix(m):
        prefix = "../" * depth
        return "](%ssource/pyredis/%s.md%s)" % (prefix, m.group(2), m.group(3) or "")
    markdown = LINK.sub(fix, markdown)
    if "<!-- command-groups -->" in markdown:
        markdown = markdown.replace("<!-- command-groups -->", command_groups_table())
    return markdown


def command_groups_table():
    """Markdown: per command group, how many 7.0 commands pyredis implements, and which not."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from pyredis.commands import COMMAND_TABLE
    from pyredis.server import COMMAND_MODULES
    modules = []
    for name in COMMAND_MODULES:
        try:
            modules.append(importlib.import_module("pyredis." + name))
        except ImportError:
            continue

    def implemented(spec):
        fn = spec.get("function")
        return bool(fn) and any(hasattr(m, fn) for m in modules)

    groups = {}
    for name, spec in sorted(COMMAND_TABLE.items()):
        entries = [(name.upper(), spec)]
        for sub, sspec in sorted((spec.get("subcommands") or {}).items()):
            entries.append(("%s %s" % (name.upper(), sub.upper()), sspec))
        if spec.get("subcommands"):
            entries = entries[1:]
        for label, s in entries:
            groups.setdefault(spec.get("group", "?"), []).append((label, implemented(s)))
    rows = ["| group | implemented | not yet |", "|---|---|---|"]
    for group in sorted(groups):
        items = groups[group]
        done = sum(1 for _, ok in items if ok)
        missing = ", ".join(label for label, ok in items if not ok) or "none"
        rows.append("| %s | %d of %d | %s |" % (group, done, len(items), missing))
    return "\n".join(rows)
