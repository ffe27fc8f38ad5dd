// 在没有 Python 的进程里加载 save_load.py 保存的 TorchScript 模型并运行它。
#include <torch/script.h>

#include <cstdio>
#include <iostream>

// 与 save_load.py 的 show() 同样的格式：保留 4 位小数，方便逐字比对
static void show(const char* label, const torch::Tensor& y) {
  torch::Tensor flat = y.contiguous().view(-1);
  std::printf("%s =", label);
  for (int64_t i = 0; i < flat.numel(); ++i) {
    std::printf(" %.4f", flat[i].item<float>());
  }
  std::printf("\n");
}

int main(int argc, const char* argv[]) {
  if (argc != 2) {
    std::cerr << "usage: run_model <model.pt>\n";
    return 2;
  }
  torch::jit::script::Module module;
  try {
    module = torch::jit::load(argv[1]);
  } catch (const c10::Error& e) {
    std::cerr << "cannot load " << argv[1] << ": " << e.what() << "\n";
    return 1;
  }
  module.eval();
  torch::NoGradGuard no_grad;

  torch::Tensor x = torch::linspace(0, 1, 8).reshape({2, 4});  // 与 save_load.py 相同的输入
  // forward 的参数是 IValue 列表；返回值也是 IValue，这里是一个 Tensor
  show("y(x) ", module.forward({x}).toTensor());
  show("y(-x)", module.forward({-x}).toTensor());
  return 0;
}
