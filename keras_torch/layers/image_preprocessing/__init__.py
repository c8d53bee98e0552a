"""Keras 3.15's image preprocessing and augmentation layers (and tf-keras 2's RandomHeight / RandomWidth).

One module per family; ``base`` holds the contract they share (``get_random_transformation`` /
``transform_images`` / ``transform_labels`` / ``transform_bounding_boxes`` /
``transform_segmentation_masks``) and ``_sampling`` the TensorFlow-exact resampling.
"""

from keras_torch.layers.image_preprocessing.color import (
    RandomBrightness,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomContrast,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomSaturation,
)
from keras_torch.layers.image_preprocessing.composite import AugMix, MaxNumBoundingBoxes, Pipeline, RandAugment
from keras_torch.layers.image_preprocessing.crop import RandomCrop, RandomHeight, RandomWidth
from keras_torch.layers.image_preprocessing.distortion import RandomElasticTransform, RandomPerspective, RandomShear
from keras_torch.layers.image_preprocessing.flip_rotation import RandomFlip, RandomRotation
from keras_torch.layers.image_preprocessing.histogram import ContrastLimitedAdaptiveHistogramEqualization, Equalization
from keras_torch.layers.image_preprocessing.mixing import CutMix, MixUp, RandomErasing
from keras_torch.layers.image_preprocessing.resizing import CenterCrop, Resizing
from keras_torch.layers.image_preprocessing.tone import (
    AutoContrast,
    RandomGaussianBlur,
    RandomPosterization,
    RandomSharpness,
    Solarization,
)
from keras_torch.layers.image_preprocessing.translation_zoom import RandomTranslation, RandomZoom

__all__ = [
    "AugMix", "AutoContrast", "CenterCrop", "ContrastLimitedAdaptiveHistogramEqualization", "CutMix", "Equalization",
    "MaxNumBoundingBoxes", "MixUp", "Pipeline", "RandAugment", "RandomBrightness", "RandomColorDegeneration",
    "RandomColorJitter", "RandomContrast", "RandomCrop", "RandomElasticTransform", "RandomErasing", "RandomFlip",
    "RandomGaussianBlur", "RandomGrayscale", "RandomHeight", "RandomHue", "RandomInvert", "RandomPerspective",
    "RandomPosterization", "RandomRotation", "RandomSaturation", "RandomSharpness", "RandomShear",
    "RandomTranslation", "RandomWidth", "RandomZoom", "Resizing", "Solarization",
]
