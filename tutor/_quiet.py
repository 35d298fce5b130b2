"""The environment that keeps TensorFlow quiet, in a module that imports nothing: the lesson
tutor starts its TensorFlow snippet process with it before SymPy is even loaded.

Set (unless the user set them) before TensorFlow is imported, in this process or a child:
level 2 hides TensorFlow's C++ info and warning lines, and without oneDNN's custom kernels
its "slightly different numerical results" notice (printed whatever the level) goes too.
"""

TENSORFLOW_QUIET = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}
