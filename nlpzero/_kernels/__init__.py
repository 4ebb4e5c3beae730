"""Numba kernels that several modules share, with public names (as pynndescent's
utils): a module that needs one imports it from here, never another module's private
kernel.

* :mod:`.chars`: character classes, tables indexed by code point;
* :mod:`.hashtables`: open-addressing tables of int64 keys (Fibonacci hashing, linear
  probing);
* :mod:`.merges`: sorted (key, count) tables merged, and runs gathered;
* :mod:`.tokens`: where a token that is not a Han run ends, and trie steps.

Each kernel keeps its pure-Python reference in the tests.
"""
