"""The bottom of keras_torch: what every other package may use and nothing here imports from above.

Registry, global config, dtypes, nested-structure helpers, default names, symbolic tensors.
"""
