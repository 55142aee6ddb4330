#!/usr/bin/env python3
"""Elman (1990), "Finding structure in time", §3: structure in letter sequences.

Three consonants come in random order, and each is always followed by its own run of
vowels: b -> ba, d -> dii, g -> guuu (so "dii guuu ba guuu dii ..." without spaces).
Every letter is a vector of six features — consonantal, vocalic, interrupted, high,
back, voiced — exactly Elman's coding. A simple recurrent network with 6 inputs, 20
hidden and 6 output units (logistic) sees one letter per step and learns to predict
the next.

Which consonant comes is random, so consonants cannot be predicted; the vowels after a
consonant, and how many of them, are fully determined by it. The network also learns
*that* a consonant comes after the last vowel of a run — its "consonantal" output is
on there — even though it cannot know which one.

    python examples/elman_letters.py          (about 5 s)

Expected on a fresh sequence: squared error (summed over the six features) about 0 on
vowels (at most 0.05) and about 0.5 on consonants (at least 0.3: no predictor can get
below 0.44 there, since the three consonants differ in two features that are each 1
with probability 1/3), and the consonantal feature predicted above 0.9 before every
consonant.
"""

from __future__ import annotations

import sys

import numpy as np

import rtrl

#: Elman's features: consonantal, vocalic, interrupted, high, back, voiced.
FEATURES = ("consonantal", "vocalic", "interrupted", "high", "back", "voiced")
LETTERS = {
    "b": (1, 0, 1, 0, 0, 1), "d": (1, 0, 1, 1, 0, 1), "g": (1, 0, 1, 0, 1, 1),
    "a": (0, 1, 0, 0, 1, 1), "i": (0, 1, 0, 1, 0, 1), "u": (0, 1, 0, 1, 1, 1),
}
WORDS = {"b": "ba", "d": "dii", "g": "guuu"}
PASSES = 10


def letters(consonants: int, seed: int) -> str:
    """`consonants` random consonants, each followed by its vowels."""
    rng = np.random.default_rng(seed)
    return "".join(WORDS[c] for c in rng.choice(list(WORDS), size=consonants))


def encode(text: str) -> np.ndarray:
    return np.array([LETTERS[c] for c in text], dtype=np.float64)


def main() -> int:
    train = encode(letters(1000, seed=0))
    with rtrl.Network.elman(6, 20, 6, hidden_activation="logistic", output_activation="logistic", seed=0) as net:
        net.configure(optimizer="adam", learning_rate=0.01)
        print(f"{net!r}, adam lr 0.01, {PASSES} passes over {len(train)} letters")
        for p in range(PASSES):
            _, losses = net.run(train[:-1], train[1:])
        print(f"  last pass: mean squared error {losses.mean():.4f} per letter (all letters)")

        text = letters(300, seed=1)  # a fresh sequence, predictions only
        net.reset_state()
        prediction = net.run(encode(text)[:-1])
    following = text[1:]
    error = ((prediction - encode(text)[1:]) ** 2).sum(axis=1)
    vowel = np.array([c in "aiu" for c in following])

    print("  the next letter, and the error of its prediction:")
    shown = slice(20, 44)  # (the first letters after the reset are a transient)
    print("    " + "".join(f"{c:>5}" for c in following[shown]))
    print("    " + "".join(f"{e:5.2f}" for e in error[shown]))
    consonantal = prediction[~vowel, 0]
    print(f"  consonantal feature predicted before consonants: min {consonantal.min():.3f}, "
          f"before vowels: max {prediction[vowel, 0].max():.3f}")
    vowel_error, consonant_error = error[vowel].mean(), error[~vowel].mean()
    print(f"result:   squared error on vowels {vowel_error:.4f}, on consonants {consonant_error:.4f}; "
          f"consonantal feature >= {consonantal.min():.3f} before every consonant")
    print("expected: vowels about 0 (at most 0.05), consonants about 0.5 (at least 0.3), "
          "consonantal feature above 0.9")
    return 0 if vowel_error <= 0.05 and consonant_error >= 0.3 and consonantal.min() > 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
