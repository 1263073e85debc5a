#!/usr/bin/env python3
"""The README's performance figures are bench/results.md, the Markdown that
`make bench` writes from one run (scripts/bench.sh), placed between the
README's `<!-- bench:begin -->` and `<!-- bench:end -->` markers.

  scripts/readme-figures.py --write   put bench/results.md into the README
  scripts/readme-figures.py --check   exit 1 if the README says otherwise

`make test` runs --check, so figures edited by hand, or a bench run not
carried into the README, fail the build.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RESULTS = ROOT / "bench" / "results.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def split(text):
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        sys.exit(f"README.md must hold one {BEGIN} ... {END} block")
    head, rest = text.split(BEGIN)
    block, tail = rest.split(END)
    return head, block, tail


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    readme = README.read_text()
    results = RESULTS.read_text().strip()
    head, block, tail = split(readme)
    if mode == "--write":
        README.write_text(f"{head}{BEGIN}\n{results}\n{END}{tail}")
        print("README.md: figures from bench/results.md")
    elif mode == "--check":
        if block.strip() != results:
            sys.exit("README.md's figures are not bench/results.md: run `make bench` "
                     "(or scripts/readme-figures.py --write after one)")
        print("README.md's figures are bench/results.md")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
