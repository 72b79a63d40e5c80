#!/usr/bin/env python3
"""Build the documents `stages/examples/quality_signals.rs` scores (measurement only, not a test).

Reads ../shared/eval (html_sea manifest + ground truth, langid/dev.tsv) and writes JSONL lines
{"lang","kind","id", "html_path"|"text"} to stdout:
  article  - genuine news pages (extracted by seapile's extractor in the example)
  udhr     - the 13 UDHR pages
  boiler   - the same news pages' chrome: the text of <nav>, <header>, <footer>, <aside> and
             elements whose class/id names a menu, nav, footer, sidebar, breadcrumb, share or
             cookie box, minus any line of the article
  rest     - the whole visible text of the page minus every line of the article (menus plus
             teasers of other articles: mixed, reported but not a target)
  corpus   - Leipzig/Tatoeba sentences from dev.tsv, 3 per line, 12 lines per document
Needs lxml (the peers venv has it).
"""
import gzip, json, sys, collections
from pathlib import Path
import lxml.html

EVAL = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval")
SEA = EVAL / "html_sea"
BLOCK = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "a",
         "section", "article", "header", "footer", "nav", "aside", "br", "span", "button", "option"}


def read(path):
    data = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8", "replace")


def truth(spec):
    p = SEA / spec
    if p.suffix == ".json":
        out = []
        def walk(v):
            if isinstance(v, str): out.append(v)
            elif isinstance(v, list): [walk(x) for x in v]
            elif isinstance(v, dict): [walk(x) for k, x in v.items() if k in ("body", "summary", "sections", "headline", "paragraphs", "title") or isinstance(x, (dict, list))]
        walk(json.loads(p.read_text()))
        return "\n".join(out)
    return p.read_text()


CHROME = ("//nav|//header|//footer|//aside|//*[re:test(concat(@class,' ',@id),"
          "'menu|nav|footer|sidebar|breadcrumb|share|social|cookie','i')]")


def chrome_lines(html):
    tree = lxml.html.fromstring(html)
    parts = tree.xpath(CHROME, namespaces={"re": "http://exslt.org/regular-expressions"})
    seen, out = set(), []
    for part in parts:
        for line in visible_lines_of(part):
            if line not in seen:
                seen.add(line); out.append(line)
    return out


def visible_lines(html):
    return visible_lines_of(lxml.html.fromstring(html))


def visible_lines_of(tree):
    for bad in tree.xpath("//script|//style|//noscript|//template|//svg"):
        bad.drop_tree()
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in BLOCK:
            el.tail = "\n" + (el.tail or "")
            el.text = "\n" + (el.text or "")
    seen, out = set(), []
    for line in tree.text_content().split("\n"):
        line = " ".join(line.split())
        if line and line not in seen:
            seen.add(line); out.append(line)
    return out


def main():
    for row in list(csv_rows())[0:]:
        f, lang, gt = row["file"], row["lang_iso639_3"], row["ground_truth"]
        kind = "udhr" if f.startswith("udhr/") else "article"
        print(json.dumps({"lang": lang, "kind": kind, "id": f, "html_path": str(SEA / f)}, ensure_ascii=False))
        if kind == "article":
            article = truth(gt)
            norm = " ".join(article.split())
            html = read(SEA / f)
            rest = [l for l in visible_lines(html) if l not in norm]
            print(json.dumps({"lang": lang, "kind": "rest", "id": f, "text": "\n".join(rest)}, ensure_ascii=False))
            boiler = [l for l in chrome_lines(html) if l not in norm]
            print(json.dumps({"lang": lang, "kind": "boiler", "id": f, "text": "\n".join(boiler)}, ensure_ascii=False))
    per = collections.defaultdict(list)
    for line in open(EVAL / "langid/dev.tsv", encoding="utf-8"):
        lang, source, text = line.rstrip("\n").split("\t", 2)
        if not source.startswith("udhr"):
            per[lang].append(text)
    for lang, sents in sorted(per.items()):
        for d in range(0, len(sents) - 36, 36):
            chunk = sents[d:d + 36]
            text = "\n".join(" ".join(chunk[i:i + 3]) for i in range(0, 36, 3))
            print(json.dumps({"lang": lang, "kind": "corpus", "id": f"dev:{lang}:{d}", "text": text}, ensure_ascii=False))


def csv_rows():
    lines = (SEA / "manifest.tsv").read_text().splitlines()
    head = lines[0].split("\t")
    for l in lines[1:]:
        yield dict(zip(head, l.split("\t")))


main()
