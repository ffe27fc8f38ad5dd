#!/usr/bin/env bash
# 编译 run_model：bash build.sh [构建目录]，之后运行 <构建目录>/run_model gate.pt
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build_dir="${1:-$here/build}"
python="${PYTHON:-python}"

# torch wheel 包里就有 libtorch 的头文件和库；它们的位置、ABI 设置都从 Python 里问
read -r includes libdir abi < <("$python" -c '
import torch
from torch.utils import cpp_extension
print(";".join(cpp_extension.include_paths()), cpp_extension.library_paths()[0], int(torch._C._GLIBCXX_USE_CXX11_ABI))
')

cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release \
  -DTORCH_INCLUDE_DIRS="$includes" -DTORCH_LIBRARY_DIR="$libdir" -DTORCH_CXX11_ABI="$abi"
cmake --build "$build_dir" --parallel
