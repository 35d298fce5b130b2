# Grade a class inside a container: docs/grading.md, "Grading in a container".
#   docker build -t tutor-image .
#   docker build -t tutor-image --build-arg EXTRAS=tensorflow .   # TensorFlow submissions too
# The container runs as root on purpose: the grader then gives student code its own user and
# network namespace (see the sandbox section of docs/grading.md).
FROM python:3.12-slim

ARG TORCH_VERSION=2.13.0
ARG EXTRAS=

# torch first, from its CPU-only index: tutor's requirements then find it installed (from PyPI
# pip would fetch the CUDA build, gigabytes a grader has no use for).
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu "torch==${TORCH_VERSION}"

WORKDIR /src
COPY setup.cfg pyproject.toml README.md ./
COPY lessons/ lessons/
COPY tutor/ tutor/
RUN pip install --no-cache-dir ".${EXTRAS:+[${EXTRAS}]}" && rm -rf /src

# The gradebook goes next to the reports (mount /grades); `--no-gradebook` skips it.
ENV TUTOR_HOME=/grades
WORKDIR /work
CMD ["tutor", "--help"]
