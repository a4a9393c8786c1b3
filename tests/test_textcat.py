"""The shipped model format reproduces scikit-learn's predictions without scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest

from classify.corpus import load_records, split
from classify.features import TextFeatures
from classify.normalize import tokens
from classify.textcat import TextClassifier, fit_svm


@pytest.fixture(scope="module")
def data():
    parts = split(load_records())
    train, dev = parts["train"][:600], parts["dev"][:120]
    features = TextFeatures.fit(tokens(r.text) for r in train)
    return train, dev, features, features.transform(tokens(r.text) for r in train), \
        features.transform(tokens(r.text) for r in dev)


@pytest.mark.parametrize("task", ["complaint", "category"])
def test_numpy_probabilities_equal_scikit_learns(data, task, tmp_path):
    train, dev, _, x_train, x_dev = data
    if task == "complaint":
        rows, labels = list(range(len(train))), ["yes" if r.is_complaint else "no" for r in train]
    else:
        rows = [i for i, r in enumerate(train) if r.is_complaint]
        labels = [train[i].category for i in rows]
    model = fit_svm(x_train[rows], labels)
    ours = TextClassifier.from_sklearn(model)
    ours.save(tmp_path / "m")
    loaded = TextClassifier.load(tmp_path / "m")
    expected = model.predict_proba(x_dev)
    assert np.allclose(loaded.predict_proba(x_dev), expected, atol=1e-5)
    assert loaded.predict(x_dev) == list(model.predict(x_dev))


def test_features_match_a_fresh_fit_after_a_round_trip(data):
    train, dev, features, _, x_dev = data
    again = TextFeatures.from_dict(features.to_dict())
    assert (again.transform(tokens(r.text) for r in dev) != x_dev).nnz == 0
    norms = np.sqrt(x_dev.multiply(x_dev).sum(axis=1)).A1
    assert np.allclose(norms[norms > 0], np.sqrt(2), atol=1e-4)  # two blocks, each of unit length


def test_place_names_and_unknown_words_carry_no_weight(data):
    _, _, features, _, _ = data
    empty = features.transform([[], ["zzqxw"]])
    assert empty.shape[0] == 2 and empty[0].nnz == 0
