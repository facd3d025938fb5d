"""A small mutation run: do the tests notice when a module's logic is changed? (Not part of CI.)

    .venv/bin/python tests/mutation.py mlanki/identity.py mlanki/matching.py --tests tests/test_identity_rules.py
    .venv/bin/python tests/mutation.py mlanki/record_file.py --sample 80 --jobs 2
    .venv/bin/python tests/mutation.py mlanki/render.py --sample 60 --seed 2   # another sample

Each mutant changes one thing in the module's syntax tree: a comparison flipped (``<`` to ``<=``,
``==`` to ``!=``, ``in`` to ``not in``), ``and``/``or`` swapped, a ``not`` dropped, a number moved by
one, ``max``/``min`` swapped, ``+``/``-`` swapped, a ``continue``/``break`` removed, a default
string emptied. The mutant is written into a copy of the project and the chosen tests run there
(``-x``: the first failure kills it). Survivors are listed with their line, to be read by hand:
some are equivalent (no behaviour can tell them apart), the others are missing tests.
"""

from __future__ import annotations

import argparse
import ast
import random
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_COMPARE_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
                  ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


def mutants(tree: ast.AST):
    """(line, description, mutate) for every mutation point; ``mutate(node)`` changes it in place."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _COMPARE_SWAPS:
                    yield node, i, f"{type(op).__name__} -> {_COMPARE_SWAPS[type(op)].__name__}", _swap_compare
        elif isinstance(node, ast.BoolOp):
            yield node, None, f"{type(node.op).__name__} -> {'Or' if isinstance(node.op, ast.And) else 'And'}", _swap_bool
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, None, "drop not", _drop_not
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            yield node, None, f"{node.value} -> {node.value + 1}", _bump_number
        elif isinstance(node, ast.Constant) and type(node.value) is str and node.value and len(node.value) < 40:
            yield node, None, f"{node.value!r} -> ''", _empty_string
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and not _is_text(node):
            yield node, None, f"{type(node.op).__name__} swapped", _swap_arith
        elif isinstance(node, ast.Name) and node.id in ("max", "min"):
            yield node, None, f"{node.id} -> {'min' if node.id == 'max' else 'max'}", _swap_maxmin
        elif isinstance(node, (ast.Continue, ast.Break)):
            yield node, None, f"drop {type(node).__name__.lower()}", _drop_statement


def _is_text(node: ast.BinOp) -> bool:
    return any(isinstance(side, (ast.Constant, ast.JoinedStr)) and isinstance(getattr(side, "value", ""), str)
               for side in (node.left, node.right))


def _swap_compare(node, i):
    node.ops[i] = _COMPARE_SWAPS[type(node.ops[i])]()


def _swap_bool(node, _):
    node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()


def _drop_not(node, _):
    node.op = ast.UAdd()  # +x of a bool is the bool itself as an int: truthiness kept, negation gone


def _bump_number(node, _):
    node.value += 1


def _empty_string(node, _):
    node.value = ""


def _swap_arith(node, _):
    node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()


def _swap_maxmin(node, _):
    node.id = "min" if node.id == "max" else "max"


def _drop_statement(node, _):
    node.__class__ = ast.Pass


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def plan(module: Path):
    source = module.read_text(encoding="utf-8")
    tree = ast.parse(source)
    skip = _docstrings(tree)
    points = [(node.lineno, i, text, how) for node, i, text, how in mutants(tree) if id(node) not in skip]
    return source, points


def mutated_source(source: str, index: int) -> tuple[int, str, str]:
    tree = ast.parse(source)
    skip = _docstrings(tree)
    points = [p for p in mutants(tree) if id(p[0]) not in skip]
    node, i, text, how = points[index]
    how(node, i)
    return node.lineno, text, ast.unparse(tree)


def run_one(module_rel: str, source: str, index: int, tests: list[str], timeout: int) -> tuple[str, int, str]:
    line, text, code = mutated_source(source, index)
    with tempfile.TemporaryDirectory(prefix="mlanki-mutant-") as folder:
        copy = Path(folder) / "project"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "build", "__pycache__", ".hypothesis",
                                                                  "*.egg-info", ".pytest_cache"))
        (copy / module_rel).write_text(code, encoding="utf-8")
        try:
            done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                                  cwd=copy, capture_output=True, text=True, timeout=timeout,
                                  env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin", "HOME": folder})
            verdict = "survived" if done.returncode == 0 else "killed"
        except subprocess.TimeoutExpired:
            verdict = "killed"  # an endless loop is noticed too
    return verdict, line, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+")
    parser.add_argument("--tests", nargs="+", default=["tests/test_identity_rules.py", "tests/test_identity_accidents.py",
                                                        "tests/test_updates.py"])
    parser.add_argument("--sample", type=int, default=0, help="mutants per module, chosen at random (seeded)")
    parser.add_argument("--seed", default="", help="another sample of the same size (default: the module's name)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()
    for module in args.modules:
        source, points = plan(ROOT / module)
        indexes = list(range(len(points)))
        if args.sample and args.sample < len(indexes):
            indexes = sorted(random.Random(module + args.seed).sample(indexes, args.sample))
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(lambda i: run_one(module, source, i, args.tests, args.timeout), indexes))
        killed = sum(1 for verdict, _l, _t in results if verdict == "killed")
        print(f"{module}: {killed}/{len(results)} mutants killed ({killed / max(len(results), 1):.0%}); "
              f"{len(points)} mutation points in all")
        for verdict, line, text in results:
            if verdict == "survived":
                print(f"  survived {module}:{line}: {text}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
