import sys

from keras_torch.cli import main

sys.exit(main())
