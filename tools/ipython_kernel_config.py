# Kernel configuration of the book's environment. `make` copies it into
# .venv/etc/ipython/ and Binder's postBuild into its prefix, where every
# IPython kernel of that environment reads it at start-up.
#
# TensorFlow's C++ runtime writes absl log lines straight to file
# descriptor 2 at import and at first use; `TF_CPP_MIN_LOG_LEVEL` does not
# stop all of them. By default ipykernel forwards that descriptor into the
# output of whichever cell is running, so the lines would land in committed
# outputs, in rendered pages and in strict nbval comparisons, and not always
# in the same cell. With fd capture off they go to the kernel's own stderr
# (a terminal or a log) instead. Python-level output, warnings included,
# still reaches the cell through sys.stdout and sys.stderr.
import os

c = get_config()  # noqa: F821 - provided by IPython when it loads this file
c.IPKernelApp.capture_fd_output = False

# Set before TensorFlow is imported: quieter logs, and float results that do
# not depend on which oneDNN kernels this CPU happens to pick.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
