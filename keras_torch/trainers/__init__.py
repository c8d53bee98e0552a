"""The training API that ``Model`` inherits: compile / fit / evaluate / predict and their steps.

The loops call the model's distribution strategy (``keras_torch.distribution``) at fixed points;
they hold no distribution branches of their own.
"""
