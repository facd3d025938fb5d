"""Data-driven parser tests: one small Markdown source per convention of SOURCE-FORMAT.md.

Each case is a source and the exact result expected from ``parse_text``: every field of every
entry, and every diagnostic as (file:line, level, code). Most sources start with ``HEAD`` (a deck
title and one topic), so their first question is on line 3.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from mlanki.parse import parse_text
from parse_support import DIRECT, FILE, expected_mc, W, diagnostics_of, entries_of, expected_entry

BUNDLED = Path(__file__).parent.parent / "source" / "ml-micro-learning.md"
HEAD = "# **Deck**\n## **Topic1: Basics**\n"  # lines 1-2: the first question of a case is on line 3


# -- helpers --------------------------------------------------------------------------------
E = partial(expected_entry, topic="Basics")  # one expected entry: a basic card in topic "Basics"
mc = partial(expected_mc, topic="Basics")  # one expected multiple-choice entry in topic "Basics"


def case(id, source, *entries, warnings=(), name=None, description=None):
    """A table row; ``name``/``description`` of the deck are checked when given."""
    return pytest.param(source, list(entries), list(warnings), name, description, id=id)




# -- the table --------------------------------------------------------------------------------
CASES = [
    # Skeleton --------------------------------------------------------------------------------
    case("title-and-intro-are-deck-name-and-description",
         "# **Machine Learning Micro-Learning**\n"
         "Welcome to *bite-sized* Q&A. Produced by [Ali](https://example.org/home/).\n"
         "\n"
         "## **Topic1: General Machine Learning**\n"
         "\n"
         "#### Why does a model overfit?\n"
         "It memorises noise.\n",
         E(6, "Why does a model overfit?", "<p>It memorises noise.</p>", topic="General Machine Learning"),
         name="Machine Learning Micro-Learning",
         description='Welcome to <em>bite-sized</em> Q&amp;A. '
                     'Produced by <a href="https://example.org/home/">Ali</a>.'),
    case("topics-with-nbsp-lines-around",
         "# **Deck**\n"
         "Intro.\n"
         "\n"
         "## **Topic1: General Machine Learning**\n"
         "\n"
         "&nbsp;\n"
         "\n"
         "#### Why does a model overfit?\n"
         "It memorises noise.\n"
         "\n"
         "&nbsp;\n"
         "\n"
         "## **Topic2: Deep Learning**\n"
         "\n"
         "&nbsp;\n"
         "\n"
         "#### Why are GPUs used?\n"
         "They multiply matrices fast.\n",
         E(8, "Why does a model overfit?", "<p>It memorises noise.</p>", topic="General Machine Learning"),
         E(17, "Why are GPUs used?", "<p>They multiply matrices fast.</p>", topic="Deep Learning")),
    case("nbsp-spacer-after-intro-is-not-in-description",
         "# **Deck**\n"
         "Intro.\n"
         "\n"
         "&nbsp;\n"
         "\n"
         "## **Topic1: Basics**\n"
         "#### Why?\n"
         "Because.\n",
         E(7, "Why?", "<p>Because.</p>"),
         name="Deck", description="Intro."),
    case("topic-prefix-is-a-topic-even-without-title",
         "## **Topic1: Basics**\n"
         "#### Why?\n"
         "Because.\n",
         E(2, "Why?", "<p>Because.</p>")),
    case("question-headings-level-4-and-5",
         HEAD + "#### Why four?\nFour.\n##### Why five?\nFive.\n",
         E(3, "Why four?", "<p>Four.</p>"),
         E(5, "Why five?", "<p>Five.</p>")),
    case("question-heading-endings",
         HEAD + "#### Ends in a question mark?\nOne.\n"
                "#### Ends in a full stop.\nTwo.\n"
                "#### Huber Loss:\nQuadratic near zero, linear far away.\n"
                "#### Upsample the Minority Class\nRepeat rare samples.\n"
                "#### DNN optimizers:\nSGD, Adam, RMSprop.\n",
         E(3, "Ends in a question mark?", "<p>One.</p>"),
         E(5, "Ends in a full stop.", "<p>Two.</p>"),
         E(7, "Explain Huber Loss.", "<p>Quadratic near zero, linear far away.</p>", question_text="Huber Loss:"),
         E(9, "Upsample the Minority Class", "<p>Repeat rare samples.</p>"),
         E(11, "Explain DNN optimizers.", "<p>SGD, Adam, RMSprop.</p>", question_text="DNN optimizers:")),
    case("answer-ends-at-separator-single-or-doubled",
         HEAD + "#### First?\nOne.\n***\n#### Second?\nTwo.\n\n***\n***\n#### Third?\nThree.\n",
         E(3, "First?", "<p>One.</p>"),
         E(6, "Second?", "<p>Two.</p>"),
         E(11, "Third?", "<p>Three.</p>")),
    case("placeholder-headings-give-nothing",
         "# **Deck**\nIntro.\n\n# Test 1\n\n## Test 2\n\n### Test 3\n\n#### Test 4\n\n##### Test 5\n\n"
         "## **Topic1: Basics**\n\n#### Why?\nBecause.\n",
         E(16, "Why?", "<p>Because.</p>"),
         name="Deck", description="Intro."),
    case("placeholder-heading-before-nbsp-spacer-gives-nothing",
         "# **Deck**\n\n##### Test 5\n\n&nbsp;\n\n## **Topic1: Basics**\n\n&nbsp;\n\n#### Why?\nBecause.\n",
         E(11, "Why?", "<p>Because.</p>")),
    case("contact-me-section-gives-no-entries",
         HEAD + "#### Why?\nBecause.\n\n## **Contact me:** \n\"a\" + \\[my last name \\] at umass dot edu \n",
         E(3, "Why?", "<p>Because.</p>")),
    case("contact-section-questions-give-no-entries",
         HEAD + "#### Why?\nBecause.\n## **Contact:**\n#### How to reach me?\nBy mail.\n",
         E(3, "Why?", "<p>Because.</p>")),

    # Line structure --------------------------------------------------------------------------
    case("lines-without-blank-lines-stay-lines",
         HEAD + "#### How does KNN behave for low K?\n"
                "Smaller values of K give complex boundaries.\n"
                "With K=1 the nearest neighbour decides alone.\n"
                "The model follows noise.\n",
         E(3, "How does KNN behave for low K?",
           "<p>Smaller values of K give complex boundaries.<br>\n"
           "With K=1 the nearest neighbour decides alone.<br>\n"
           "The model follows noise.</p>")),
    case("label-lines-get-a-bold-label",
         HEAD + "#### Why CNN are good for image tasks?\n"
                "Convolutional Neural Networks (CNNs) are effective for image-related tasks for several reasons:\n"
                "Local Connectivity: filters look at small areas.\n"
                "Freeze Pre-trained Layers (Optional): keep the weights.\n",
         E(3, "Why CNN are good for image tasks?",
           "<p>Convolutional Neural Networks (CNNs) are effective for image-related tasks for several reasons:<br>\n"
           "<b>Local Connectivity:</b> filters look at small areas.<br>\n"
           "<b>Freeze Pre-trained Layers (Optional):</b> keep the weights.</p>")),

    # Multiple choice: options ----------------------------------------------------------------
    case("options-bullets-upper-labels",
         HEAD + "#### Which activation suits binary output?\n"
                "* A) ReLU (Rectified Linear Unit) \n* B) Tanh \n* C) Sigmoid \n* D) Softmax\n\n"
                "The correct answer is C) Sigmoid. It outputs a probability.\n",
         mc(3, "Which activation suits binary output?", ("ReLU (Rectified Linear Unit)", "Tanh", "Sigmoid", "Softmax"),
            2, "<p>It outputs a probability.</p>")),
    case("options-bullets-lower-labels",
         HEAD + "#### Which activation suits binary output?\n"
                "* a) Sigmoid \n* b) ReLU \n* c) Tanh \n* d) Softmax\n\n"
                "The correct answer is a) Sigmoid. It outputs a probability.\n",
         mc(3, "Which activation suits binary output?", ("Sigmoid", "ReLU", "Tanh", "Softmax"),
            0, "<p>It outputs a probability.</p>")),
    case("options-bullets-unlabelled-with-stated-answer",
         HEAD + "#### In machine learning, what does the bias-variance tradeoff refer to?\n"
                "* Accuracy versus precision.\n* Complexity versus interpretability.\n"
                "* Underfitting versus overfitting.\n\n"
                "Detail: The correct answer is option 3. Bias underfits, variance overfits.\n",
         mc(3, "In machine learning, what does the bias-variance tradeoff refer to?",
            ("Accuracy versus precision.", "Complexity versus interpretability.", "Underfitting versus overfitting."),
            2, "<p>Bias underfits, variance overfits.</p>")),
    case("options-answer-options-label-then-bullets",
         HEAD + "#### What is a drawback of KNN?\nAnswer options:\n"
                "* KNN is sensitive to irrelevant features.\n* KNN is fast on large datasets.\n\n"
                "The correct answer is option 1. Irrelevant features distort distances.\n",
         mc(3, "What is a drawback of KNN?",
            ("KNN is sensitive to irrelevant features.", "KNN is fast on large datasets."),
            0, "<p>Irrelevant features distort distances.</p>")),
    case("options-bullets-unlabelled-first-then-labelled",
         HEAD + "#### Which optimizer scales the rate per parameter?\n"
                "* Stochastic Gradient Descent (SGD)\n* B) Adam\n* C) RMSprop\n* D) AdaGrad\n\n"
                "The correct answer is option C. It divides by a running average.\n",
         mc(3, "Which optimizer scales the rate per parameter?",
            ("Stochastic Gradient Descent (SGD)", "Adam", "RMSprop", "AdaGrad"),
            2, "<p>It divides by a running average.</p>")),
    case("options-answer-options-label-then-upper-lines",
         HEAD + "#### Which metric counts found positives?\nAnswer options:\n"
                "A) Accuracy\nB) Precision\nC) Recall\nD) F1-score\n"
                "The correct answer is C. Recall is TP / (TP + FN).\n",
         mc(3, "Which metric counts found positives?", ("Accuracy", "Precision", "Recall", "F1-score"),
            2, "<p>Recall is TP / (TP + FN).</p>")),
    case("options-answer-options-label-then-lower-lines",
         HEAD + "#### Which metric counts found positives?\nAnswer options:\n"
                "a) Accuracy\nb) Precision\nc) Recall\n"
                "The correct answer is option c. Recall is TP / (TP + FN).\n",
         mc(3, "Which metric counts found positives?", ("Accuracy", "Precision", "Recall"),
            2, "<p>Recall is TP / (TP + FN).</p>")),
    case("options-answer-options-label-then-unlabelled-lines",
         HEAD + "#### Which metric counts found positives?\nAnswer options:\n"
                "Accuracy\nPrecision\nRecall\n"
                "The correct answer is option 3. Recall is TP / (TP + FN).\n",
         mc(3, "Which metric counts found positives?", ("Accuracy", "Precision", "Recall"),
            2, "<p>Recall is TP / (TP + FN).</p>")),
    case("options-answer-options-label-blank-line-then-lines",
         HEAD + "#### Which metric counts found positives?\nAnswer options:\n\n"
                "A) Accuracy\nB) Precision\nC) Recall\n\n"
                "The correct answer is C. Recall is TP / (TP + FN).\n",
         mc(3, "Which metric counts found positives?", ("Accuracy", "Precision", "Recall"),
            2, "<p>Recall is TP / (TP + FN).</p>")),
    case("options-on-one-line-dot-labels",
         HEAD + "#### Which technique does not regularise the model?\n"
                "Answer options: A. Dropout B. Early stopping C. Regularization D. Data augmentation\n"
                "The correct answer is D. Augmentation changes the data, not the model.\n",
         mc(3, "Which technique does not regularise the model?",
            ("Dropout", "Early stopping", "Regularization", "Data augmentation"),
            3, "<p>Augmentation changes the data, not the model.</p>")),
    case("options-on-one-line-paren-labels",
         HEAD + "#### Which metric counts found positives?\n"
                "Answer options: A) Accuracy B) Precision C) Recall D) F1-score\n"
                "The correct answer is C) Recall. Recall is TP / (TP + FN).\n",
         mc(3, "Which metric counts found positives?", ("Accuracy", "Precision", "Recall", "F1-score"),
            2, "<p>Recall is TP / (TP + FN).</p>")),
    case("options-in-the-heading",
         HEAD + "#### Which splitting criterion is not used for classification trees? - Gini Impurity"
                " - Mean Squared Error - Entropy - Chi-Square Statistic\n"
                "The correct answer is option 2. MSE is a regression criterion.\n",
         mc(3, "Which splitting criterion is not used for classification trees?",
            ("Gini Impurity", "Mean Squared Error", "Entropy", "Chi-Square Statistic"),
            1, "<p>MSE is a regression criterion.</p>")),
    case("options-bare-lines-after-question",
         HEAD + "#### Is predicting house prices regression or classification?\n"
                "Regression problem\nClassification problem\n"
                "The correct answer is option 1. Prices are continuous.\n",
         mc(3, "Is predicting house prices regression or classification?",
            ("Regression problem", "Classification problem"), 0, "<p>Prices are continuous.</p>")),
    case("options-bare-lines-then-blank-line",
         HEAD + "#### Is predicting house prices regression or classification?\n"
                "Regression problem\nClassification problem\n\n"
                "The correct answer is option 1. Prices are continuous.\n",
         mc(3, "Is predicting house prices regression or classification?",
            ("Regression problem", "Classification problem"), 0, "<p>Prices are continuous.</p>")),

    # Multiple choice without a stated answer ----------------------------------------------------
    case("options-and-explanation-naming-one-option-infers-it",
         HEAD + "#### Which activation suits binary output?\n* A) ReLU\n* B) Sigmoid\n\n"
                "Sigmoid gives a probability in (0, 1).\n",
         mc(3, "Which activation suits binary output?", ("ReLU", "Sigmoid"), 1,
            "<p>Sigmoid gives a probability in (0, 1).</p>")),
    case("options-and-explanation-naming-several-options-stay-unmarked",
         HEAD + "#### Which activation suits binary output?\n* A) ReLU\n* B) Sigmoid\n\n"
                "Sigmoid gives a probability; ReLU does not.\n",
         mc(3, "Which activation suits binary output?", ("ReLU", "Sigmoid"), None,
            "<p>Sigmoid gives a probability; ReLU does not.</p>"),
         warnings=[W(3, "no-correct-option")]),
    case("options-and-explanation-naming-none-stay-unmarked",
         HEAD + "#### Which activation suits binary output?\n* A) ReLU\n* B) Sigmoid\n\n"
                "It gives a probability.\n",
         mc(3, "Which activation suits binary output?", ("ReLU", "Sigmoid"), None,
            "<p>It gives a probability.</p>"),
         warnings=[W(3, "no-correct-option")]),
    case("options-and-nothing-else",
         HEAD + "#### Which activation suits binary output?\n"
                "* a) Sigmoid \n* b) ReLU \n* c) Tanh \n* d) Softmax\n\n***\n"
                "#### Why?\nBecause.\n",
         E(10, "Why?", "<p>Because.</p>"),
         warnings=[W(3, "no-answer")]),

    # Multiple choice: which forms are options, and the inferred answer --------------------------
    case("correct-answer-named-by-its-text",
         HEAD + "#### Which activation suits binary output?\n* ReLU\n* Sigmoid\n\n"
                "The correct answer is Sigmoid. It outputs a probability.\n",
         mc(3, "Which activation suits binary output?", ("ReLU", "Sigmoid"), 1, "<p>It outputs a probability.</p>")),
    case("correct-answer-text-naming-no-option-is-no-answer",
         HEAD + "#### Which activation suits binary output?\n* ReLU\n* Tanh\n\n"
                "The correct answer is Sigmoid. It outputs a probability.\n",
         E(3, "Which activation suits binary output?",
           "<ul>\n<li>ReLU</li>\n<li>Tanh</li>\n</ul>\n<p>The correct answer is Sigmoid. It outputs a probability.</p>")),
    case("bare-lines-then-detail-line",
         HEAD + "#### Is predicting a house price a regression or a classification task?\n"
                "Regression problem\nClassification problem\n"
                "Detail: A price is a continuous target, so it is a regression problem.\n",
         mc(3, "Is predicting a house price a regression or a classification task?",
            ("Regression problem", "Classification problem"), 0,
            "<p>A price is a continuous target, so it is a regression problem.</p>")),
    case("plain-list-then-detail-paragraph",
         HEAD + "#### Which model separates classes with a maximum margin?\n* KNN\n* SVM\n* Naive Bayes\n\n"
                "Detail: The answer is SVM, which maximises the margin.\n",
         mc(3, "Which model separates classes with a maximum margin?", ("KNN", "SVM", "Naive Bayes"), 1,
            "<p>The answer is SVM, which maximises the margin.</p>")),
    case("explanation-indented-under-the-last-option",
         HEAD + "#### Which activation suits binary output?\n* A) ReLU\n* B) Tanh\n* C) Sigmoid\n* D) Softmax\n"
                "    The correct answer is C. Sigmoid outputs a probability.\n",
         mc(3, "Which activation suits binary output?", ("ReLU", "Tanh", "Sigmoid", "Softmax"), 2,
            "<p>Sigmoid outputs a probability.</p>")),
    case("inferred-from-option-letter-lower-case",
         HEAD + "#### Which activation suits binary output?\n* a) ReLU\n* b) Sigmoid\n\n"
                "As option b says, a probability comes out.\n",
         mc(3, "Which activation suits binary output?", ("ReLU", "Sigmoid"), 1,
            "<p>As option b says, a probability comes out.</p>")),
    case("inferred-tolerates-case-plural-and-hyphens",
         HEAD + "#### Which method combines many trees?\n* A) Random Forest\n* B) k-means\n\n"
                "random forests average many decision trees.\n",
         mc(3, "Which method combines many trees?", ("Random Forest", "k-means"), 0,
            "<p>random forests average many decision trees.</p>")),
    case("inferred-ignores-an-option-inside-a-longer-named-option",
         HEAD + "#### Which optimizer uses one sample per step?\n* A) Gradient Descent\n"
                "* B) Stochastic Gradient Descent\n\nStochastic gradient descent updates after every sample.\n",
         mc(3, "Which optimizer uses one sample per step?", ("Gradient Descent", "Stochastic Gradient Descent"), 1,
            "<p>Stochastic gradient descent updates after every sample.</p>")),
    case("true-or-false-with-a-bold-verdict",
         HEAD + "#### True or False: k-fold CV never uses the test set.\n**True**, the test set stays out.\n",
         mc(3, "True or False: k-fold CV never uses the test set.", ("True", "False"), 0,
            "<p>the test set stays out.</p>")),
    case("true-or-false-without-a-verdict-is-unmarked",
         HEAD + "#### True or False: k-fold CV never uses the test set.\nIt depends on the setup.\n",
         mc(3, "True or False: k-fold CV never uses the test set.", ("True", "False"), None,
            "<p>It depends on the setup.</p>"),
         warnings=[W(3, "no-correct-option")]),
    # false-positive guards: answers that only look like options
    case("which-question-answered-by-a-plain-list-is-basic",
         HEAD + "#### Which metrics for regression do you know?\n* MSE\n* MAE\n",
         E(3, "Which metrics for regression do you know?", "<ul>\n<li>MSE</li>\n<li>MAE</li>\n</ul>")),
    case("sentences-then-detail-under-an-open-question-are-basic",
         HEAD + "#### How does dropout work?\nIt drops units.\nIt scales the rest.\nDetail: only in training.\n",
         E(3, "How does dropout work?", "<p>It drops units.<br>\nIt scales the rest.<br>\nonly in training.</p>")),
    case("ordinary-word-option-is-not-a-mention",
         HEAD + "#### Which activation suits binary output?\n* A) ReLU\n* B) Sigmoid\n\n"
                "There is an option here that outputs a probability.\n",
         mc(3, "Which activation suits binary output?", ("ReLU", "Sigmoid"), None,
            "<p>There is an option here that outputs a probability.</p>"),
         warnings=[W(3, "no-correct-option")]),

    # Other answer forms ----------------------------------------------------------------------
    case("answer-label-on-first-line",
         HEAD + "#### What does the learning rate control?\n"
                "Answer: The step size of gradient descent.\nToo large diverges.\nToo small is slow.\n",
         E(3, "What does the learning rate control?", DIRECT + "The step size of gradient descent.</p>",
           "<p>Too large diverges.<br>\nToo small is slow.</p>")),
    case("true-or-false-answered-by-detail",
         HEAD + "#### True or False: Dropout is active during inference.\n"
                "Detail: False. Dropout only drops units during training.\n",
         mc(3, "True or False: Dropout is active during inference.", ("True", "False"), 1,
            "<p>Dropout only drops units during training.</p>")),
    case("short-first-sentence-then-elaboration",
         HEAD + "#### What is the purpose of dropout in neural networks?\n"
                "To prevent overfitting. Dropout is a regularization technique that drops neurons at random.\n"
                "It is off at inference.\n",
         E(3, "What is the purpose of dropout in neural networks?", DIRECT + "To prevent overfitting.</p>",
           "<p>Dropout is a regularization technique that drops neurons at random.<br>\nIt is off at inference.</p>")),

    # Definition cloze ------------------------------------------------------------------------
    case("definition-batch-normalization",
         HEAD + "#### What is batch normalization?\n"
                "Batch Normalization (BatchNorm) is a technique used in neural networks to normalize the inputs"
                " of each layer, typically applied before the activation function. It was introduced to address"
                " internal covariate shift.\n",
         E(3, "What is batch normalization?",
           "<p>Batch Normalization (BatchNorm) is a technique used in neural networks to normalize the inputs"
           " of each layer, typically applied before the activation function. It was introduced to address"
           " internal covariate shift.</p>",
           definition="{{c1::Batch Normalization}} (BatchNorm) is a technique used in neural networks to normalize"
                      " the inputs of each layer, typically applied before the activation function.")),
    case("definition-fid-score",
         HEAD + "#### What is FID score?\n"
                "FID (Fréchet Inception Distance) is a metric used to evaluate the quality of generated images in"
                " generative models. It compares feature statistics.\n",
         E(3, "What is FID score?",
           "<p>FID (Fréchet Inception Distance) is a metric used to evaluate the quality of generated images in"
           " generative models. It compares feature statistics.</p>",
           definition="{{c1::FID}} (Fréchet Inception Distance) is a metric used to evaluate the quality of"
                      " generated images in generative models.")),
    case("no-definition-for-purpose-question",
         HEAD + "#### What is the purpose of the activation function in a neural network?\n"
                "To introduce non-linearity. Without it the network is a linear model.\n",
         E(3, "What is the purpose of the activation function in a neural network?",
           DIRECT + "To introduce non-linearity.</p>", "<p>Without it the network is a linear model.</p>")),

    # Explicit cloze markup ------------------------------------------------------------------------
    case("cloze-markup",
         HEAD + "#### Sigmoid range\nThe {{c1::sigmoid}} function maps to (0, 1).\n",
         E(3, "Sigmoid range", "<p>The {{c1::sigmoid}} function maps to (0, 1).</p>",
           cloze="<p>The {{c1::sigmoid}} function maps to (0, 1).</p>")),
    case("cloze-highlight",
         HEAD + "#### Sigmoid range\nThe ==sigmoid== function maps to ==(0, 1)==.\n",
         E(3, "Sigmoid range", "<p>The {{c1::sigmoid}} function maps to {{c2::(0, 1)}}.</p>",
           cloze="<p>The {{c1::sigmoid}} function maps to {{c2::(0, 1)}}.</p>")),

    # Text quirks -------------------------------------------------------------------------------
    case("trailing-spaces",
         HEAD + "#### Why trailing spaces?   \nFirst point.   \nSecond point.  \nThird point. \n",
         E(3, "Why trailing spaces?", "<p>First point.<br>\nSecond point.<br>\nThird point.</p>")),
    case("stray-bracket-escapes-are-text",
         HEAD + "#### How to reach the author?\n\"a\" + \\[my last name \\] at umass dot edu \n",
         E(3, "How to reach the author?", "<p>&quot;a&quot; + [my last name ] at umass dot edu</p>")),
    case("nbsp-entity-in-heading-and-text",
         HEAD + "#### Why spacers?&nbsp;\nA&nbsp;B &amp; C.\n",
         E(3, "Why spacers?", "<p>A\u00a0B &amp; C.</p>")),
    case("unicode-formulas-and-invisible-function-application",
         HEAD + "#### MSE formula:\nMSE = (1/n) ∑ (y_i − ŷ_i)²\nμ and σ of f\u2061(x)\n",
         E(3, "Explain MSE formula.", "<p>MSE = (1/n) ∑ (y_i − ŷ_i)²<br>\nμ and σ of f\u2061(x)</p>", question_text="MSE formula:")),
    case("rendered-math-copy-paste-artefacts",
         HEAD + "#### How does KNN behave for large K?\n"
                "Larger values of KK (e.g., K=50K=50) smooth the boundary.\nWith K=1K=1 it overfits.\n",
         E(3, "How does KNN behave for large K?",
           "<p>Larger values of \\(K\\) (e.g., \\(K=50\\)) smooth the boundary.<br>\nWith \\(K=1\\) it overfits.</p>")),
]


@pytest.mark.parametrize("source, entries, warnings, name, description", CASES)
def test_parse(source, entries, warnings, name, description):
    deck = parse_text(source, file=FILE)
    assert entries_of(deck) == entries
    assert diagnostics_of(deck) == warnings
    if name is not None:
        assert deck.name == name
    if description is not None:
        assert deck.description == description


# -- which option is correct: one question, every phrasing ----------------------------------------
CORRECT_QUESTION = (HEAD + "#### Which optimizer scales the rate per parameter?\n"  # line 3
                    "* A) SGD\n* B) Adam\n* C) RMSprop\n* D) AdaGrad\n\n")  # the phrasing follows on line 9
REST = "<p>RMSprop divides the rate by a running average.</p>"

CORRECT_STYLES = [
    pytest.param("The correct answer is option 3. RMSprop divides the rate by a running average.", REST,
                 id="option-number-1-based"),
    pytest.param("The correct answer is option C. RMSprop divides the rate by a running average.", REST,
                 id="option-letter"),
    pytest.param("The correct answer is C. RMSprop divides the rate by a running average.", REST,
                 id="bare-letter"),
    pytest.param("The correct answer is C) RMSprop. RMSprop divides the rate by a running average.", REST,
                 id="letter-and-text"),
    pytest.param("RMSprop divides the rate by a running average (option C).",
                 "<p>RMSprop divides the rate by a running average (option C).</p>", id="option-in-parentheses"),
    pytest.param('The optimizer that divides the rate by a running average is the "C) RMSprop" optimizer.',
                 "<p>The optimizer that divides the rate by a running average is the &quot;C) RMSprop&quot;"
                 " optimizer.</p>", id="quoted-option"),
    pytest.param("RMSprop divides the rate by a running average. Therefore, the correct answer is C) RMSprop.",
                 REST, id="therefore-at-end-same-line"),
    pytest.param("RMSprop divides the rate by a running average.\nTherefore, the correct answer is C) RMSprop.",
                 REST, id="therefore-at-end-own-line"),
    pytest.param("Detail: The correct answer is C. RMSprop divides the rate by a running average.", REST,
                 id="detail-same-line"),
    pytest.param("Detail:\nThe correct answer is C.\nRMSprop divides the rate by a running average.\nIt adapts.",
                 "<p>RMSprop divides the rate by a running average.<br>\nIt adapts.</p>", id="detail-own-line"),
]


@pytest.mark.parametrize("said, explanation", CORRECT_STYLES)
def test_correct_answer_style(said, explanation):
    deck = parse_text(CORRECT_QUESTION + said + "\n", file=FILE)
    assert entries_of(deck) == [mc(3, "Which optimizer scales the rate per parameter?",
                                   ("SGD", "Adam", "RMSprop", "AdaGrad"), 2, explanation)]
    assert diagnostics_of(deck) == []


# -- never raises ----------------------------------------------------------------------------------
ODD_SOURCES = ["", "\n", "***\n", "&nbsp;\n", "# \n", "#### Orphan question?\n", HEAD + "#### Q?\nAnswer options:\n",
               HEAD + "#### Q?\nThe {{c1::unclosed\n", HEAD + "#### Q? - - x -\nfoo\n", "\u2061\u200b\ufeff\n",
               HEAD + "#### Q?\n* A)\n* B)\n\nThe correct answer is option 9.\n"]


@pytest.mark.parametrize("source", ODD_SOURCES)
def test_odd_sources_do_not_raise(source):
    deck = parse_text(source, file=FILE)
    lines = len(source.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert deck.name
    assert all(1 <= where.line <= lines for where in [e.location for e in deck.entries]
               + [d.location for d in deck.diagnostics])


# -- the bundled snapshot ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundled():
    return parse_text(BUNDLED.read_text(encoding="utf-8"), file="ml-micro-learning.md")


def test_bundled_deck_name_and_topics(bundled):
    assert bundled.name == "Machine Learning Micro-Learning"
    assert bundled.topics == ("General Machine Learning", "Deep Learning", "Generative Models")


def test_bundled_entries_and_their_lines(bundled):
    assert len(bundled.entries) == 19
    assert [e.location.line for e in bundled.entries] == [
        16, 31, 41, 57, 60, 71, 86, 99, 116, 120, 124, 128, 139, 150, 154, 164, 174, 188, 196]
    assert [e.topic for e in bundled.entries] == (
        ["General Machine Learning"] * 7 + ["Deep Learning"] * 10 + ["Generative Models"] * 2)


def test_bundled_multiple_choice(bundled):
    assert [(e.location.line, len(e.options), e.correct) for e in bundled.entries if e.options] == [
        (31, 4, 0), (71, 4, 2), (86, 4, 2), (154, 4, 2)]


def test_bundled_single_warning_at_line_79(bundled):
    assert diagnostics_of(bundled) == [("ml-micro-learning.md:79", "warning", "no-answer")]


def test_bundled_definitions(bundled):
    assert [(e.location.line, e.definition) for e in bundled.entries if e.definition] == [
        (99, "{{c1::Batch Normalization}} (BatchNorm) is a technique used in neural networks to normalize the"
             " inputs of each layer, typically applied before the activation function."),
        (188, "{{c1::FID}} (Fréchet Inception Distance) is a metric used to evaluate the quality of generated"
              " images in generative models, particularly in Generative Adversarial Networks (GANs)."),
    ]
    assert [e.cloze for e in bundled.entries] == [""] * 19


def test_an_inferred_correct_option_is_reported_to_check():
    source = HEAD + "#### Which activation suits binary output?\n* A) ReLU\n* B) Sigmoid\n\nSigmoid gives a probability.\n"
    notices = [(str(n.location), n.code, n.message) for n in parse_text(source, file=FILE, lint=True).notices]
    assert notices == [(f"{FILE}:3", "inferred-correct-option",
                        "correct option inferred from the explanation: B) Sigmoid")]
    assert parse_text(source, file=FILE).notices == ()  # a build reports it nowhere: the card is right


def test_entries_keep_the_authors_markdown_beside_the_html():
    source = (HEAD + "#### Which is *non-linear*?\n* A) `relu(x)`\n* B) $x$\n\n"
              "The correct answer is A. It bends at **zero**.\n")
    (entry,) = parse_text(source, file=FILE).entries
    assert (entry.question_md, entry.options_md, entry.answer_md, entry.explanation_md) == (
        "Which is *non-linear*?", ("`relu(x)`", "$x$"), "A. `relu(x)`", "It bends at **zero**.")


def test_definition_cloze_hides_the_term_and_its_back_reads_on():
    source = (HEAD + "#### What is a t-value?\n"
              "The t-value (or t-statistic) is the ratio of an estimate to its standard error. Larger means rarer.\n")
    (entry,) = parse_text(source, file=FILE).entries
    assert entry.definition == "The {{c1::t-value}} (or t-statistic) is the ratio of an estimate to its standard error."
    assert entry.definition_context == "<p>Larger means rarer.</p>"  # the back: what follows, not the question again


@pytest.mark.parametrize("headings, fronts", [
    (["Huber Loss:"], ["Explain Huber Loss."]),
    (["**DNN optimizers:**"], ["Explain <strong>DNN optimizers</strong>."]),
    (["DNN optimizers:", "DNN optimizers, 2/3", "3/3"],
     ["Explain DNN optimizers.", "Explain DNN optimizers (part 2 of 3).", "Explain DNN optimizers (part 3 of 3)."]),
    # headings that already ask, or say more than a label, stay as written
    (["What is Huber loss?"], ["What is Huber loss?"]),
    (["Upsample the Minority Class"], ["Upsample the Minority Class"]),
    (["Recall at 5 = 2/3 of the relevant items?"], ["Recall at 5 = 2/3 of the relevant items?"]),
    (["Which of these holds: A or B?"], ["Which of these holds: A or B?"]),
])
def test_label_only_headings_become_prompts(headings, fronts):
    source = HEAD + "".join(f"#### {h}\nSome answer {n}.\n" for n, h in enumerate(headings))
    deck = parse_text(source, file=FILE, lint=True)
    assert [e.question for e in deck.entries] == fronts
    assert [e.question_text for e in deck.entries] == [h.replace("**", "") for h in headings]  # identity as written
    assert sum(n.code == "label-prompt" for n in deck.notices) == sum(a != b for a, b in zip(headings, fronts))


@pytest.mark.parametrize("line, shown", [
    ("Standardise XX with μμ and σσ.", "Standardise \\(X\\) with \\(μ\\) and \\(σ\\)."),
    ("Larger K=50,100,or higherK=50,100,or higher smooths.", "Larger \\(K=50,100,\\text{or higher}\\) smooths."),
    # ordinary text stays as written
    ("The KKT conditions hold.", "The KKT conditions hold."),
    ("An AA battery lasts longer.", "An AA battery lasts longer."),
    ("ReLU ReLU is the same word twice.", "ReLU ReLU is the same word twice."),
    ("Use `KK` in code.", "Use <code>KK</code> in code."),
])
def test_rendered_math_copy_damage_is_repaired_only_where_clear(line, shown):
    (entry,) = parse_text(HEAD + f"#### What happens here?\n{line}\n", file=FILE).entries
    assert entry.answer == f"<p>{shown}</p>"


def test_math_repair_can_be_turned_off():
    from mlanki.settings import Settings

    source = HEAD + "#### How does KNN behave for large K?\nLarger values of KK smooth it.\n"
    (entry,) = parse_text(source, file=FILE, settings=Settings(math_repair=False)).entries
    assert entry.answer == "<p>Larger values of KK smooth it.</p>"


@pytest.mark.parametrize("text, short", [
    ("short enough", "short enough"),
    ("For a binary classification problem, which activation function is best?", "For a binary classification problem, which activation…"),
    ("x" * 80, "x" * 59 + "…"),  # one long word: cut, there is no boundary to keep
])
def test_messages_cut_questions_at_a_word_boundary(text, short):
    from mlanki.parse.entry import _short

    assert _short(text) == short
