import sys

from keras_torch.launcher.cli import main

sys.exit(main())
