"""Keras applications (``keras.applications``): the Keras 3 and tf-keras 2 ImageNet architectures.

Each constructor builds the same functional model as Keras (layer names, configs, weight order), so
files move both ways between keras_torch and real Keras, and ``weights="imagenet"`` loads Keras's
official weight files, fetched by name and hash into ``~/.keras/models`` (``KERAS_TORCH_MODELS_MIRROR``
names a mirror URL or directory for machines without network access).
"""

# ruff: noqa: F401 - re-exports: the constructors and modules below are the public names (see __all__)
from keras_torch.applications import (
    convnext,
    densenet,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    nasnet,
    regnet,
    resnet,
    resnet50,
    resnet_rs,
    resnet_v2,
    vgg16,
    vgg19,
    xception,
)
from keras_torch.applications.convnext import (
    ConvNeXtBase,
    ConvNeXtLarge,
    ConvNeXtSmall,
    ConvNeXtTiny,
    ConvNeXtXLarge,
)
from keras_torch.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from keras_torch.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from keras_torch.applications.efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from keras_torch.applications.inception_resnet_v2 import InceptionResNetV2
from keras_torch.applications.inception_v3 import InceptionV3
from keras_torch.applications.mobilenet import MobileNet
from keras_torch.applications.mobilenet_v2 import MobileNetV2
from keras_torch.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from keras_torch.applications.nasnet import NASNetLarge, NASNetMobile
from keras_torch.applications.regnet import (
    RegNetX002,
    RegNetX004,
    RegNetX006,
    RegNetX008,
    RegNetX016,
    RegNetX032,
    RegNetX040,
    RegNetX064,
    RegNetX080,
    RegNetX120,
    RegNetX160,
    RegNetX320,
    RegNetY002,
    RegNetY004,
    RegNetY006,
    RegNetY008,
    RegNetY016,
    RegNetY032,
    RegNetY040,
    RegNetY064,
    RegNetY080,
    RegNetY120,
    RegNetY160,
    RegNetY320,
)
from keras_torch.applications.resnet import ResNet50, ResNet101, ResNet152
from keras_torch.applications.resnet_rs import (
    ResNetRS50,
    ResNetRS101,
    ResNetRS152,
    ResNetRS200,
    ResNetRS270,
    ResNetRS350,
    ResNetRS420,
)
from keras_torch.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from keras_torch.applications.vgg16 import VGG16
from keras_torch.applications.vgg19 import VGG19
from keras_torch.applications.xception import Xception

_MODULES = [convnext, densenet, efficientnet, efficientnet_v2, imagenet_utils, inception_resnet_v2, inception_v3,
            mobilenet, mobilenet_v2, mobilenet_v3, nasnet, regnet, resnet, resnet50, resnet_rs, resnet_v2, vgg16, vgg19,
            xception]
__all__ = sorted({m.__name__.rsplit(".", 1)[1] for m in _MODULES} | {
    name for m in _MODULES if m is not imagenet_utils for name in m.__all__
    if name not in ("preprocess_input", "decode_predictions")})
