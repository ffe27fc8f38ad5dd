#!/usr/bin/env bash
# 编译 run_model：bash build.sh [构建目录]，之后运行 <构建目录>/run_model gate.pt
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build_dir="${1:-$here/build}"
python="${PYTHON:-python}"

# torch 轮子里就有 libtorch 的头文件、库和 CMake 配置
torch_cmake="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"

cmake -S "$here" -B "$build_dir" -DCMAKE_PREFIX_PATH="$torch_cmake" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build_dir" --parallel
