#!/usr/bin/env python3
"""Every link in the README and in docs/ stays inside the repository.

    check_links.py SOURCE_DIR

Reads README.md and docs/*.md. Each link (inline [text](target), images, reference definitions
[label]: target, autolinks <...>, HTML href/src) must be relative: no scheme (http:, https:, mailto:,
file: ...), no protocol-relative //host, no absolute path, and no path that climbs out of the
repository. A relative path must name a file or directory that exists; an anchor (#heading, or
file.md#heading) must name a heading of that Markdown file, slugged as GitHub slugs it, or an
explicit <a id="..."> anchor in it. Text in code
blocks and code spans is not a link and is not read. Prints one line per bad link and a closing
"N passed, N failed" line; exits 1 when any link is bad.
"""
import os
import re
import sys

root = os.path.realpath(sys.argv[1])
files = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))


def strip_code(text):
    """The text with fenced code blocks and code spans blanked out (line numbers kept)."""
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"^\s*(```+|~~~+)", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append("")
            continue
        if m:
            fence = m.group(1)
            out.append("")
            continue
        out.append(re.sub(r"(`+)(.+?)\1", lambda s: " " * len(s.group(0)), line))
    return "\n".join(out)


def slugs(path):
    """GitHub's anchors for the headings of a Markdown file."""
    seen, result = {}, set()
    with open(path, encoding="utf-8") as f:
        text = strip_code(f.read())
    raw = open(path, encoding="utf-8").read().split("\n")
    for n, line in enumerate(text.split("\n")):
        for m in re.finditer(r"<a\s+(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", line):   # explicit anchors
            result.add(m.group(1))
        if not re.match(r"^#{1,6}\s", line):
            continue
        title = re.sub(r"^#{1,6}\s+", "", raw[n]).strip().rstrip("#").strip()
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)       # links keep their text
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        k = seen.get(slug, 0)
        seen[slug] = k + 1
        result.add(slug if k == 0 else "%s-%d" % (slug, k))
    return result


LINK_PATTERNS = [
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)",  # [text](target)
    r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)",                              # [label]: target
    r"<((?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)[^>\s]*)>",                             # <scheme:...>
    r"(?:href|src)\s*=\s*[\"']([^\"']*)[\"']",                                  # HTML
    r"((?:https?|ftp)://[^\s)>\]]+)",                                           # a bare URL
]

passed = failed = 0


def bad(where, target, why):
    global failed
    failed += 1
    print("FAIL: %s: link '%s' %s" % (where, target, why))


for rel in files:
    path = os.path.join(root, rel)
    with open(path, encoding="utf-8") as f:
        text = strip_code(f.read())
    for n, line in enumerate(text.split("\n"), 1):
        found = set()
        for pat in LINK_PATTERNS:
            for m in re.finditer(pat, line, re.M):
                found.add(m.group(1))
        for target in sorted(found):
            where = "%s:%d" % (rel, n)
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("//"):
                bad(where, target, "points outside the repository")
                continue
            file_part, _, anchor = target.partition("#")
            if file_part.startswith("/"):
                bad(where, target, "is an absolute path")
                continue
            dest = os.path.realpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            if dest != root and not dest.startswith(root + os.sep):
                bad(where, target, "climbs out of the repository")
                continue
            if not os.path.exists(dest):
                bad(where, target, "names a file that does not exist")
                continue
            if anchor:
                if not dest.endswith(".md") or anchor not in slugs(dest):
                    bad(where, target, "names no heading of %s" % os.path.relpath(dest, root))
                    continue
            passed += 1

print("links: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
