// 在没有 Python 的进程里加载 aoti.py 打包的 block_aoti.pt2 并运行它。
// 对照第 3 章的 run_model.cpp：torch::jit::load 换成 AOTIModelPackageLoader，forward 换成 run。
#include <torch/csrc/inductor/aoti_package/model_package_loader.h>
#include <torch/types.h>

#include <cstdio>
#include <iostream>
#include <vector>

// 与 aoti.py 的 show() 同样的格式：每行一个样本，保留 4 位小数，方便逐行比对
static void show(const char* label, const torch::Tensor& y) {
  for (int64_t i = 0; i < y.size(0); ++i) {
    std::printf("%s[%ld] =", label, static_cast<long>(i));
    for (int64_t j = 0; j < y.size(1); ++j) {
      std::printf(" %.4f", y[i][j].item<float>());
    }
    std::printf("\n");
  }
}

int main(int argc, const char* argv[]) {
  if (argc != 2) {
    std::cerr << "usage: run_aoti <model.pt2>\n";
    return 2;
  }
  try {
    // 解压包、加载其中的 .so；包里的权重随之装入
    torch::inductor::AOTIModelPackageLoader loader(argv[1]);
    for (int64_t batch : {2, 3}) {  // 与 aoti.py 相同的输入；batch 是导出时声明的动态维度
      torch::Tensor x = torch::linspace(-1, 1, batch * 16).reshape({batch, 16});
      // run 的参数和返回值都是张量列表，对应导出时展平的输入和输出
      std::vector<torch::Tensor> outputs = loader.run({x});
      show(batch == 2 ? "y2" : "y3", outputs[0]);
    }
  } catch (const c10::Error& e) {
    std::cerr << "cannot run " << argv[1] << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
