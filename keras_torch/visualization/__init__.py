"""``keras.visualization``: draw boxes and masks on image arrays, and plot image galleries.

``draw_segmentation_masks`` needs only NumPy; ``draw_bounding_boxes`` draws with OpenCV (``cv2``)
and the ``plot_*`` galleries with matplotlib, imported when called (an ``ImportError`` names the
package to install), as in Keras 3.
"""

from __future__ import annotations

from keras_torch.visualization.draw import draw_bounding_boxes as draw_bounding_boxes
from keras_torch.visualization.draw import draw_segmentation_masks as draw_segmentation_masks
from keras_torch.visualization.gallery import plot_bounding_box_gallery as plot_bounding_box_gallery
from keras_torch.visualization.gallery import plot_image_gallery as plot_image_gallery
from keras_torch.visualization.gallery import plot_segmentation_mask_gallery as plot_segmentation_mask_gallery
