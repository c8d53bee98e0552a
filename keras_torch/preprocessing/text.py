"""``keras.preprocessing.text``: a small ``Tokenizer`` and ``text_to_word_sequence``."""

from __future__ import annotations

from collections import Counter
from typing import Any

_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(text: str, filters: str = _FILTERS, lower: bool = True, split: str = " ") -> list[str]:
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in text.split(split) if w]


class Tokenizer:
    """Word-index tokenizer (Keras 2 semantics: index 1 = most frequent; 0 is reserved)."""

    def __init__(self, num_words: int | None = None, filters: str = _FILTERS, lower: bool = True, split: str = " ",
                 char_level: bool = False, oov_token: str | None = None, **kwargs: Any) -> None:
        self.num_words, self.filters, self.lower, self.split = num_words, filters, lower, split
        self.char_level, self.oov_token = char_level, oov_token
        self.word_counts: Counter = Counter()
        self.word_index: dict[str, int] = {}
        self.index_word: dict[int, str] = {}

    def _words(self, text: str) -> list[str]:
        if self.char_level:
            return list(text.lower() if self.lower else text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts: list[str]) -> None:
        for t in texts:
            self.word_counts.update(self._words(t))
        ordered = [w for w, _ in sorted(self.word_counts.items(), key=lambda kv: -kv[1])]
        if self.oov_token is not None:
            ordered = [self.oov_token] + [w for w in ordered if w != self.oov_token]
        self.word_index = {w: i + 1 for i, w in enumerate(ordered)}
        self.index_word = {i: w for w, i in self.word_index.items()}

    def texts_to_sequences(self, texts: list[str]) -> list[list[int]]:
        out = []
        oov = self.word_index.get(self.oov_token) if self.oov_token else None
        for t in texts:
            seq = []
            for w in self._words(t):
                i = self.word_index.get(w)
                if i is not None and (self.num_words is None or i < self.num_words):
                    seq.append(i)
                elif oov is not None:
                    seq.append(oov)
            out.append(seq)
        return out
