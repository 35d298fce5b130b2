# Grade a class inside a container: docs/grading.md, "Grading in a container". Not built or
# published by this project (it was written where no container engine runs); build it yourself:
#   docker build -t tutor-image .
#   docker build -t tutor-image --build-arg EXTRAS=tensorflow .   # TensorFlow submissions too
# The container runs as root on purpose: the grader then gives student code its own user and
# network and IPC namespaces (see the sandbox section of docs/grading.md).
FROM python:3.12-slim

ARG TORCH_VERSION=2.13.0
ARG EXTRAS=
ENV PIP_NO_CACHE_DIR=1

# The installs of Gradescope's setup.sh (tutor/grading/gradescope.py, install_lines; a test
# keeps these two lines equal to it): torch first, from its CPU-only index, so that tutor's
# requirements find it installed (from PyPI pip would fetch the CUDA build), then tutor.
RUN python -m pip install --index-url https://download.pytorch.org/whl/cpu "torch==${TORCH_VERSION}"

WORKDIR /src
COPY setup.cfg pyproject.toml README.md ./
COPY lessons/ lessons/
COPY tutor/ tutor/
RUN python -m pip install ".${EXTRAS:+[${EXTRAS}]}" && rm -rf /src

# The gradebook goes next to the reports (mount /grades); `--no-gradebook` skips it.
ENV TUTOR_HOME=/grades
WORKDIR /work
CMD ["tutor", "--help"]
