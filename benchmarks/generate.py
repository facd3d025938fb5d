"""Deterministic generator of large Micro-Learning-style Markdown collections, for benchmarks.

The output follows the skeleton of ``source/ml-micro-learning.md`` (see SOURCE-FORMAT.md):
a ``# **Title**`` and introduction, one ``## **TopicN: Name**`` per ~100 entries, ``####``
question headings, ``***`` separators, prose answers written one point per line with no blank
lines ("Label: text" lines), ~20% multiple choice (``* A) ...`` bullets, then ``The correct
answer is option N. ...``), some inline math (``$x^2$``) and some fenced Python code.
Every question is unique (also after mlanki's normalisation). Same arguments, same bytes:
everything comes from a seeded ``random.Random``, never the clock.

    python benchmarks/generate.py 10000 deck.md            # 10k entries
    python benchmarks/generate.py 10000 deck.md --edit 0.01  # the same, ~1% of answers edited

    python benchmarks/generate.py 10000 deck.md --edits 1     # the same, one answer edited
    python benchmarks/generate.py 2000 deck.md --format deck  # the same entries as ``# Deck`` / ``## Question``

From Python: ``generate(n)`` -> text, ``edit(text, fraction)`` -> text with ~fraction of answers changed,
``edit(text, count=1)`` -> one answer changed, ``as_deck_format(text)`` -> the common format of
markdown-anki-decks and most genanki scripts: ``# Deck`` title, ``## Question`` headings, the answer below.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ENTRIES_PER_TOPIC = 100
SEED = 20240601

AREAS = ["General Machine Learning", "Deep Learning", "Generative Models", "Optimization", "Statistics",
         "Computer Vision", "Natural Language Processing", "Reinforcement Learning", "MLOps", "Probability"]
CONCEPTS = [
    "batch normalization", "dropout", "weight decay", "gradient clipping", "early stopping", "data augmentation",
    "the learning rate", "momentum", "the Adam optimizer", "RMSprop", "label smoothing", "the attention mechanism",
    "self-attention", "positional encoding", "layer normalization", "residual connections", "max pooling",
    "transfer learning", "fine-tuning", "knowledge distillation", "the softmax function", "the ReLU activation",
    "the sigmoid activation", "cross-entropy loss", "the Huber loss", "mean squared error", "k-means clustering",
    "principal component analysis", "t-SNE", "a random forest", "gradient boosting", "a support vector machine",
    "logistic regression", "ridge regression", "lasso regression", "k-nearest neighbors", "a decision tree",
    "bagging", "stacking", "cross-validation", "the bias-variance tradeoff", "the ROC curve", "the F1 score",
    "precision", "recall", "class weighting", "oversampling", "feature scaling", "one-hot encoding",
    "word embeddings", "beam search", "teacher forcing", "a variational autoencoder", "a GAN discriminator",
    "a diffusion model", "the FID score", "an LSTM cell", "a GRU cell", "a convolutional layer", "a transformer",
    "the policy gradient", "Q-learning", "the replay buffer", "the discount factor", "Bayesian optimization",
    "the EM algorithm", "a Gaussian mixture model", "the kernel trick", "L1 regularization", "L2 regularization",
    "mini-batch gradient descent", "stochastic gradient descent", "the vanishing gradient", "a learning-rate schedule",
    "model quantization", "pruning", "a feature store", "data drift monitoring", "the confusion matrix",
]
ASPECTS = [
    "convergence speed", "generalization", "training stability", "memory use", "inference latency", "calibration",
    "robustness to outliers", "interpretability", "sample efficiency", "overfitting", "underfitting",
    "gradient flow", "numerical precision", "class imbalance", "the choice of batch size", "noisy labels",
    "feature correlation", "the loss landscape", "hyperparameter sensitivity", "reproducibility",
]
CONTEXTS = [
    "small tabular datasets", "image classification", "machine translation", "speech recognition",
    "time-series forecasting", "recommendation systems", "fraud detection", "medical imaging",
    "text summarization", "object detection", "anomaly detection", "online learning", "edge devices",
    "multi-task learning", "semi-supervised learning", "very deep networks", "sparse features",
    "federated learning", "low-resource languages", "streaming data",
]
QUESTIONS = [
    "How does {c} affect {a} in {x}?", "Why does {c} matter for {a} in {x}?",
    "What is the role of {c} in {a} for {x}?", "Explain how {c} relates to {a} in {x}.",
    "When should you tune {c} for {a} in {x}?", "What are common pitfalls of {c} regarding {a} in {x}?",
    "How would you diagnose problems with {c} and {a} in {x}?", "{C} and {a} in {x}:",
]
MC_QUESTIONS = [
    "Which statement about {c} and {a} in {x} is true?", "Which option best describes the effect of {c} on {a} in {x}?",
]
LABELS = ["Definition", "Intuition", "Mechanism", "Effect on training", "Trade-off", "Practical tip", "Common mistake",
          "Example", "When to use", "Related idea", "Evaluation", "Cost"]
VERBS = ["reduces", "increases", "stabilizes", "smooths", "controls", "changes", "regularizes", "limits"]
OBJECTS = ["the variance of the estimates", "the effective step size", "the scale of the activations",
           "the number of free parameters", "the sensitivity to initialization", "the gap between train and test error",
           "the noise in the gradient", "the spread of the predictions", "the amount of data needed",
           "the cost of each update"]
MATH = ["$x^2$", "$\\sigma^2$", "$\\mu$", "$\\lambda \\|w\\|_2^2$", "$\\eta_t = \\eta_0 / \\sqrt{t}$",
        "$L = -\\sum_i y_i \\log p_i$", "$\\hat{y} = Wx + b$", "$O(n \\log n)$"]
CODE = [
    ["import numpy as np", "", "def scale(x):", "    return (x - x.mean(axis=0)) / x.std(axis=0)"],
    ["for epoch in range(epochs):", "    for xb, yb in loader:", "        loss = criterion(model(xb), yb)",
     "        optimizer.zero_grad()", "        loss.backward()", "        optimizer.step()"],
    ["from sklearn.model_selection import cross_val_score", "", "scores = cross_val_score(model, X, y, cv=5)",
     "print(scores.mean(), scores.std())"],
]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _key(question: str) -> str:
    """Roughly mlanki's normalised question: what must be unique."""
    return " ".join(question.casefold().split()).rstrip(" ?.:!")


class _Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    def sentence(self, c: str, a: str, x: str) -> str:
        r = self.rng
        s = f"{_cap(c)} {r.choice(VERBS)} {r.choice(OBJECTS)}, which {r.choice(VERBS)} {a} in {x}."
        if r.random() < 0.12:
            s += f" In symbols, the key quantity is {r.choice(MATH)}."
        return s

    def question(self, templates: list[str], index: int) -> tuple[str, str, str, str]:
        r = self.rng
        for attempt in range(50):
            c, a, x = r.choice(CONCEPTS), r.choice(ASPECTS), r.choice(CONTEXTS)
            q = r.choice(templates).format(c=c, C=_cap(c), a=a, x=x)
            if attempt >= 20:
                q = q[:-1] + f" (case {index}){q[-1]}"  # combinations run out: still unique
            if _key(q) not in self.seen:
                self.seen.add(_key(q))
                return q, c, a, x
        raise AssertionError("could not make a unique question")

    def prose(self, index: int) -> list[str]:
        r = self.rng
        if r.random() < 0.06:  # "What is X?" opening with a definition (mlanki adds a cloze note)
            q, c, a, x = self.question(["What is {c} in {x} with respect to {a}?"], index)
            lines = [f"{_cap(c)} is a technique that {r.choice(VERBS)} {r.choice(OBJECTS)}."]
        else:
            q, c, a, x = self.question(QUESTIONS, index)
            lines = []
            if r.random() < 0.15:
                lines.append(f"To improve {a}. " + self.sentence(c, a, x))
            else:
                lines.append(self.sentence(c, a, x))
        for label in r.sample(LABELS, r.choice([0, 1, 2, 3, 3, 4])):
            lines.append(f"{label}: {self.sentence(c, a, x)}")
        if r.random() < 0.04:
            lines += ["```python"] + r.choice(CODE) + ["```"]
        lines.append(f"In short, {c} is a tool for {a}; always check it on a validation set for {x}.")
        return [f"#### {q}"] + lines

    def multiple_choice(self, index: int) -> list[str]:
        r = self.rng
        q, c, a, x = self.question(MC_QUESTIONS, index)
        correct = r.randrange(4)
        options = [f"{_cap(c)} {r.choice(VERBS)} {r.choice(OBJECTS)}." for _ in range(4)]
        options[correct] = f"{_cap(c)} mainly {r.choice(VERBS)} {a} in {x}."
        lines = [f"#### {q}"] + [f"* {'ABCD'[i]}) {o}" for i, o in enumerate(options)] + [""]
        prefix = "Detail: " if r.random() < 0.3 else ""
        lines.append(f"{prefix}The correct answer is option {correct + 1}. {self.sentence(c, a, x)}")
        return lines


def generate(n: int, seed: int = SEED) -> str:
    """A Micro-Learning-style collection with ``n`` entries (questions)."""
    w = _Writer(seed)
    out = ["# **Machine Learning Micro-Learning (benchmark)**",
           "Concise Q&A about machine learning, generated for benchmarks. Each entry is one card.", ""]
    for i in range(n):
        if i % ENTRIES_PER_TOPIC == 0:
            t = i // ENTRIES_PER_TOPIC
            area = AREAS[t % len(AREAS)] + (f" {t // len(AREAS) + 1}" if t >= len(AREAS) else "")
            out += ["***", f"## **Topic{t + 1}: {area}**", ""]
        out += w.multiple_choice(i) if w.rng.random() < 0.2 else w.prose(i)
        out += ["", "***"]
    out += ["", "## **Contact me:**", "benchmark at example dot org", ""]
    return "\n".join(out)


def edit(text: str, fraction: float = 0.01, seed: int = 1, count: int | None = None) -> str:
    """``text`` with the answers of ~``fraction`` of its entries (or exactly ``count``) changed
    (last prose line extended)."""
    lines = text.split("\n")
    last_prose: list[int] = []  # per entry: index of its last prose line
    in_entry = in_code = False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            in_code = not in_code
        elif in_code:
            continue
        elif line.startswith("####"):
            in_entry = True
            last_prose.append(-1)
        elif line.startswith("#") or line.startswith("***"):
            in_entry = False
        elif in_entry and line.strip() and not line.startswith("* "):
            last_prose[-1] = i
    candidates = [i for i in last_prose if i >= 0]
    count = count if count is not None else max(1, round(len(last_prose) * fraction))
    for i in random.Random(seed).sample(candidates, min(count, len(candidates))):
        lines[i] += " This point was revised in a later edition."
    return "\n".join(lines)


def as_deck_format(text: str) -> str:
    """The same entries as ``# Deck`` / ``## Question`` / answer: topics and ``***`` separators dropped,
    bold title plain (the one format markdown-anki-decks reads)."""
    out, in_code = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
        if not in_code:
            if line.startswith("***") or line.startswith("## "):
                continue
            if line.startswith("# "):
                line = "# " + line[2:].strip("* ")
            elif line.startswith("#### "):
                line = "## " + line[5:]
        out.append(line)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="number of entries")
    parser.add_argument("out", type=Path, help="Markdown file to write")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--edit", type=float, default=0.0, metavar="FRACTION", help="then edit this fraction of answers")
    parser.add_argument("--edits", type=int, default=0, metavar="COUNT", help="then edit this many answers")
    parser.add_argument("--format", choices=["micro", "deck"], default="micro",
                        help="micro: Micro-Learning skeleton; deck: # Deck / ## Question")
    args = parser.parse_args(argv)
    text = generate(args.n, args.seed)
    if args.edit or args.edits:
        text = edit(text, args.edit, count=args.edits or None)
    if args.format == "deck":
        text = as_deck_format(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {args.n} entries, {len(text.encode()) / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
